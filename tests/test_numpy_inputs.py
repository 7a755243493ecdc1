"""numpy arrays and numbers work wherever a sequence of numbers or a number is accepted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value
from nn.datasets import make_moons


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (np.array(2.5), 2.5),
        (np.array(3, dtype=np.int8), 3.0),
        (np.array(True), 1.0),
        (np.bool_(True), 1.0),
        (np.bool_(False), 0.0),
        (np.float32(0.5), 0.5),
        (np.uint16(7), 7.0),
    ],
)
def test_value_takes_numpy_numbers_and_0d_arrays(data: object, expected: float) -> None:
    v = Value(data)  # type: ignore[arg-type]
    assert v.data == expected
    assert type(v.data) is float


@pytest.mark.parametrize(
    "data", [np.array([1.0]), np.array([[1.0]]), np.complex128(1 + 2j), np.str_("1"), np.array("1")]
)
def test_value_refuses_numpy_data_that_is_not_one_real_number(data: object) -> None:
    with pytest.raises(TypeError, match="Value data must be a real number"):
        Value(data)  # type: ignore[arg-type]


def _scores() -> tuple[list[Value], list[int]]:
    points, labels = make_moons(8, noise=0.1, seed=0, labels=(-1, 1))
    model = nn.MLP(2, [3, 1], seed=0)
    return [model(p) for p in points], labels  # type: ignore[misc]


LOSSES: dict[str, tuple[Callable[..., Any], Callable[[list[int]], list[float]]]] = {
    "mse_loss": (nn.mse_loss, lambda y: [float(t) for t in y]),
    "l1_loss": (nn.l1_loss, lambda y: [float(t) for t in y]),
    "hinge_loss": (nn.hinge_loss, lambda y: [float(t) for t in y]),
    "binary_cross_entropy_with_logits": (
        nn.binary_cross_entropy_with_logits,
        lambda y: [(t + 1) / 2 for t in y],
    ),
}


@pytest.mark.parametrize("name", LOSSES)
def test_losses_take_numpy_arrays_of_predictions_and_targets(name: str) -> None:
    loss, targets_of = LOSSES[name]
    scores, labels = _scores()
    targets = targets_of(labels)
    from_lists = loss(scores, targets)
    from_arrays = loss(np.array([s.data for s in scores]), np.array(targets))
    assert from_arrays.data == loss([s.data for s in scores], targets).data
    assert loss(scores, np.array(targets)).data == from_lists.data


def test_cross_entropy_takes_a_numpy_matrix_and_class_array() -> None:
    logits = [[2.0, 0.0, -1.0], [0.5, 0.25, 3.0]]
    expected = nn.cross_entropy(logits, [0, 2]).data
    assert nn.cross_entropy(np.array(logits), np.array([0, 2])).data == expected


def test_an_empty_numpy_array_is_refused_like_an_empty_list() -> None:
    with pytest.raises(ValueError, match="got no predictions"):
        nn.mse_loss(np.array([]), np.array([]))
