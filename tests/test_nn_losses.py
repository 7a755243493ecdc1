"""nn.losses against torch.nn.functional (float64): values and gradients, each reduction."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import pytest

import nn
from autograd import Value, compile
from tests.oracle import import_torch

torch = import_torch()
F = torch.nn.functional

REDUCTIONS = ["mean", "sum", "none"]


def close(ours: float, theirs: float) -> bool:
    """Equal to 1e-12 relative; near zero, to 1e-15 absolute (sums of opposite terms)."""
    return math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-15)


def check(
    ours_fn: Callable[..., Any],
    torch_fn: Callable[..., Any],
    xs: list[float],
    targets: list[Any],
    reduction: str,
) -> None:
    """Compare the loss values and the gradients w.r.t. the predictions with torch's."""
    ours_x = [Value(x) for x in xs]
    out = ours_fn(ours_x, targets, reduction=reduction)
    theirs_x = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    theirs = torch_fn(theirs_x, torch.tensor(targets, dtype=torch.float64), reduction=reduction)
    if reduction == "none":
        assert len(out) == len(xs)
        for o, t in zip(out, theirs.tolist(), strict=True):
            assert close(o.data, t)
        out = nn.losses._total(out)  # one backward through the sum of the per-sample losses
        theirs = theirs.sum()
    else:
        assert close(out.data, theirs.item()), (out.data, theirs.item())
    out.backward()
    theirs.backward()
    for x, g in zip(ours_x, theirs_x.grad.tolist(), strict=True):
        assert close(x.grad, g), (x.grad, g)


def sample(n: int, seed: int, low: float = -3.0, high: float = 3.0) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(low, high) for _ in range(n)]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("ours", "theirs"), [(nn.mse_loss, F.mse_loss), (nn.l1_loss, F.l1_loss)], ids=["mse", "l1"]
)
def test_regression_losses_equal_torch(ours: Any, theirs: Any, reduction: str) -> None:
    check(ours, theirs, sample(7, 1), sample(7, 2), reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_loss_is_micrograds_max_margin_and_equals_torch(reduction: str) -> None:
    def torch_hinge(x: Any, y: Any, reduction: str) -> Any:
        losses = torch.relu(1 - y * x)
        return {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]

    labels = [1, -1, -1, 1, 1, -1, 1, -1]
    check(nn.hinge_loss, torch_hinge, sample(8, 3, -2.0, 2.0), labels, reduction)


def test_hinge_loss_matches_micrograds_demo_formula() -> None:
    scores, labels = [Value(s) for s in sample(6, 4)], [1, -1, 1, 1, -1, -1]
    expected = sum((1 + -y * s).relu().data for y, s in zip(labels, scores, strict=True)) / 6
    assert close(nn.hinge_loss(scores, labels).data, expected)


def test_hinge_loss_refuses_zero_one_labels() -> None:
    with pytest.raises(ValueError, match="labels must be -1 or \\+1"):
        nn.hinge_loss([0.5, -0.5], [1, 0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("soft", [False, True], ids=["hard", "soft"])
def test_binary_cross_entropy_equals_torch(reduction: str, soft: bool) -> None:
    probabilities = sample(8, 5, 0.02, 0.98)
    targets = sample(8, 6, 0.0, 1.0) if soft else [1, 0, 0, 1, 1, 0, 1, 0]
    check(nn.binary_cross_entropy, F.binary_cross_entropy, probabilities, targets, reduction)


def test_binary_cross_entropy_clamps_the_log_at_minus_100_like_torch() -> None:
    out = nn.binary_cross_entropy([0.0, 1.0], [1.0, 0.0], reduction="none")
    theirs = F.binary_cross_entropy(
        torch.tensor([0.0, 1.0], dtype=torch.float64),
        torch.tensor([1.0, 0.0], dtype=torch.float64),
        reduction="none",
    )
    assert [o.data for o in out] == theirs.tolist() == [100.0, 100.0]


EDGE_PROBABILITIES = [0.0, 1e-300, 1e-12, 0.5, 1 - 1e-16, 1.0]


@pytest.mark.parametrize("t", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("p", EDGE_PROBABILITIES)
def test_binary_cross_entropy_at_the_edges_equals_torch_bit_for_bit(p: float, t: float) -> None:
    # torch clamps the logs at -100 and the gradient's denominator (1 - p) p at 1e-12
    ours_p, ours_t = Value(p), Value(t)
    (out,) = nn.binary_cross_entropy([ours_p], [ours_t], reduction="none")
    out.backward()
    theirs_p, theirs_t = (torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in (p, t))
    theirs = F.binary_cross_entropy(theirs_p, theirs_t, reduction="none")
    theirs.backward()
    assert (out.data, ours_p.grad, ours_t.grad) == (
        theirs.item(),
        theirs_p.grad.item(),
        theirs_t.grad.item(),
    )


def test_binary_cross_entropy_gradient_is_zero_where_a_sure_answer_is_right() -> None:
    ps = [Value(0.0), Value(1.0)]
    nn.binary_cross_entropy(ps, [0.0, 1.0], reduction="sum").backward()
    assert [p.grad for p in ps] == [0.0, 0.0]


@pytest.mark.parametrize(("p", "t"), [(1.5, 1.0), (-0.1, 0.0), (0.5, 2.0)])
def test_binary_cross_entropy_refuses_values_outside_zero_one(p: float, t: float) -> None:
    with pytest.raises(ValueError, match=r"not .*in \[0, 1\]"):
        nn.binary_cross_entropy([p], [t])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("soft", [False, True], ids=["hard", "soft"])
def test_binary_cross_entropy_with_logits_equals_torch(reduction: str, soft: bool) -> None:
    logits = [*sample(8, 7, -6.0, 6.0), 0.0]
    targets = sample(9, 8, 0.0, 1.0) if soft else [1, 0, 0, 1, 1, 0, 1, 0, 1]
    check(
        nn.binary_cross_entropy_with_logits,
        F.binary_cross_entropy_with_logits,
        logits,
        targets,
        reduction,
    )


def test_binary_cross_entropy_with_logits_is_stable_at_800() -> None:
    logits, targets = [800.0, -800.0, 800.0, -800.0], [1.0, 1.0, 0.0, 0.0]
    check(
        nn.binary_cross_entropy_with_logits,
        F.binary_cross_entropy_with_logits,
        logits,
        targets,
        "none",
    )


def test_log_sigmoid_equals_torch() -> None:
    for x in [-800.0, -30.0, -1.5, 0.0, 0.25, 3.0, 40.0, 800.0]:
        ours = Value(x)
        out = nn.losses.log_sigmoid(ours)
        out.backward()
        theirs = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        expected = F.logsigmoid(theirs)
        expected.backward()
        assert close(out.data, expected.item())
        assert close(ours.grad, theirs.grad.item())


def check_cross_entropy(rows: list[list[float]], classes: list[int], reduction: str) -> None:
    ours = [[Value(x) for x in row] for row in rows]
    out = nn.cross_entropy(ours, classes, reduction=reduction)
    theirs = torch.tensor(rows, dtype=torch.float64, requires_grad=True)
    expected = F.cross_entropy(theirs, torch.tensor(classes), reduction=reduction)
    if reduction == "none":
        for o, t in zip(out, expected.tolist(), strict=True):
            assert close(o.data, t), (o.data, t)
        out = nn.losses._total(out)
        expected = expected.sum()
    else:
        assert close(out.data, expected.item())
    out.backward()
    expected.backward()
    for row, grads in zip(ours, theirs.grad.tolist(), strict=True):
        for x, g in zip(row, grads, strict=True):
            assert close(x.grad, g), (x.grad, g)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_equals_torch(reduction: str) -> None:
    rows = [sample(4, 10 + i) for i in range(5)]
    check_cross_entropy(rows, [0, 3, 1, 2, 2], reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_is_stable_for_logits_of_800(reduction: str) -> None:
    rows = [[800.0, -800.0, 0.0], [-800.0, 800.0, 799.0], [800.0, 800.0, -800.0]]
    check_cross_entropy(rows, [1, 2, 0], reduction)


def test_cross_entropy_accepts_plain_numbers() -> None:
    out = nn.cross_entropy([[1.0, 2, 3]], [2])
    expected = F.cross_entropy(torch.tensor([[1.0, 2, 3]], dtype=torch.float64), torch.tensor([2]))
    assert close(out.data, expected.item())


@pytest.mark.parametrize(
    ("rows", "classes", "message"),
    [
        ([[1.0, 2.0]], [2], "target 0 is 2; class indices run from 0 to 1"),
        ([[1.0, 2.0]], [-1], "target 0 is -1"),
        ([[1.0, 2.0]], [0.5], "target 0 is 0.5"),
        ([[1.0, 2.0]], [True], "target 0 is True"),
        ([[1.0, 2.0], [1.0]], [0, 0], "row 1 must be a list of 2 logits"),
        ([1.0, 2.0], [0, 0], "row 0 must be a list"),
        ([[1.0, 2.0]], [0, 1], "1 rows of logits but 2 class indices"),
        ([], [], "no rows"),
        ([[1.0, "x"]], [0], "logit 1 of row 0"),
    ],
)
def test_cross_entropy_names_bad_input(rows: Any, classes: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nn.cross_entropy(rows, classes)


LOSSES = [
    nn.mse_loss,
    nn.l1_loss,
    nn.hinge_loss,
    nn.binary_cross_entropy,
    nn.binary_cross_entropy_with_logits,
]


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
def test_length_mismatch_is_refused(loss: Any) -> None:
    with pytest.raises(ValueError, match="2 predictions but 3 targets"):
        loss([0.5, 0.5], [1, 1, 1])


@pytest.mark.parametrize("loss", [*LOSSES, nn.cross_entropy], ids=lambda f: f.__name__)
def test_unknown_reduction_is_refused(loss: Any) -> None:
    with pytest.raises(ValueError, match="reduction must be one of"):
        loss([[0.5]] if loss is nn.cross_entropy else [0.5], [0], reduction="average")


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
def test_empty_input_is_refused(loss: Any) -> None:
    with pytest.raises(ValueError, match="no predictions"):
        loss([], [])


def test_non_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="prediction 1 must be a Value or a number"):
        nn.mse_loss([1.0, "2"], [1.0, 2.0])
    with pytest.raises(ValueError, match="target 0 must be a Value or a number"):
        nn.mse_loss([1.0], [None])


def test_the_seeds_error_table_comes_out_of_l1_loss() -> None:
    labels = [1, 1, 2, 2, 3, 3]
    assert nn.l1_loss([1, 2, 2, 1, 2, 3], labels, reduction="sum").data == 3
    assert nn.l1_loss([1, 1, 2, 2, 3, 1], labels, reduction="sum").data == 2
    errors = nn.l1_loss([1, 2, 2, 1, 2, 3], labels, reduction="none")
    assert [e.data for e in errors] == [0, 1, 0, 1, 1, 0]


def test_binary_cross_entropy_compiles_to_the_same_numbers() -> None:
    w = Value(0.3)

    def loss(x: Value) -> Any:
        return nn.binary_cross_entropy([(w * x).sigmoid(), Value(0.0)], [1.0, 0.3])

    step = compile(loss, [0.7])
    replay = step(0.9)
    x = Value(0.9)
    w.grad = 0.0
    out = loss(x)
    out.backward()
    assert (replay.value, replay.grads[0]) == (out.data, x.grad)
