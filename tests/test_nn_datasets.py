"""nn.datasets: make_moons and make_circles follow scikit-learn's maths, from a private seed."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from nn.datasets import make_circles, make_moons


def test_moons_lie_on_two_half_circles_without_noise() -> None:
    points, y = make_moons(101, shuffle=False)
    assert len(points) == len(y) == 101
    assert y == [0] * 50 + [1] * 51  # scikit-learn: n // 2 points in the upper moon
    for (a, b), label in zip(points, y, strict=True):
        if label == 0:  # the upper moon: unit circle around (0, 0), upper half
            assert math.isclose(math.hypot(a, b), 1.0, rel_tol=1e-15)
            assert b >= 0.0
        else:  # the lower moon: unit circle around (1, 0.5), lower half
            assert math.isclose(math.hypot(a - 1.0, b - 0.5), 1.0, rel_tol=1e-15)
            assert b <= 0.5 + 1e-15
    assert points[0] == [1.0, 0.0]
    assert points[49] == [math.cos(math.pi), math.sin(math.pi)]
    assert points[50] == [0.0, 0.5]  # 1 - cos(0), 1 - sin(0) - 0.5
    assert points[-1] == [1 - math.cos(math.pi), 1 - math.sin(math.pi) - 0.5]


def test_circles_lie_on_two_circles_without_noise() -> None:
    points, y = make_circles(40, factor=0.3, shuffle=False)
    for (a, b), label in zip(points, y, strict=True):
        radius = 1.0 if label == 0 else 0.3
        assert math.isclose(math.hypot(a, b), radius, rel_tol=1e-15)
    angles = [math.atan2(b, a) % (2 * math.pi) for a, b in points[:20]]
    assert angles == pytest.approx([2 * math.pi * i / 20 for i in range(20)], abs=1e-12)


@pytest.mark.parametrize("make", [make_moons, make_circles])
def test_shuffling_keeps_each_point_with_its_label(make: object) -> None:
    ordered = make(30, shuffle=False)  # type: ignore[operator]
    shuffled = make(30, seed=3)  # type: ignore[operator]
    pairs = sorted(zip(map(tuple, shuffled[0]), shuffled[1], strict=True))
    assert pairs == sorted(zip(map(tuple, ordered[0]), ordered[1], strict=True))
    assert shuffled[0] != ordered[0]


@pytest.mark.parametrize("make", [make_moons, make_circles])
def test_same_seed_same_data_and_the_global_random_state_is_untouched(make: object) -> None:
    state = random.getstate()
    first = make(50, noise=0.1, seed=7)  # type: ignore[operator]
    assert make(50, noise=0.1, seed=7) == first  # type: ignore[operator]
    assert make(50, noise=0.1, seed=8) != first  # type: ignore[operator]
    assert random.getstate() == state


def test_noise_moves_points_by_about_its_size() -> None:
    clean, _ = make_moons(400, seed=1)
    noisy, _ = make_moons(400, noise=0.1, seed=1)  # same seed: same shuffle, then noise
    offsets = [c - n for p, q in zip(clean, noisy, strict=True) for c, n in zip(p, q, strict=True)]
    std = math.sqrt(sum(d * d for d in offsets) / len(offsets))
    assert std == pytest.approx(0.1, rel=0.1)


def test_labels_can_be_micrograds_minus_one_plus_one() -> None:
    _, y = make_moons(10, seed=0, labels=(-1, 1))
    assert sorted(y) == [-1] * 5 + [1] * 5


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_moons(0), "n must be a positive int"),
        (lambda: make_moons(2.5), "n must be a positive int"),  # type: ignore[arg-type]
        (lambda: make_moons(10, noise=-0.1), "noise must be >= 0"),
        (lambda: make_circles(10, factor=1.0), r"factor .* must be in \[0, 1\)"),
    ],
)
def test_bad_arguments_are_refused(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


@pytest.mark.parametrize("make", [make_moons, make_circles])
@pytest.mark.parametrize(
    ("labels", "error"),
    [((1,), ValueError), ((0, 1, 2), ValueError), (5, ValueError), ((0.0, 1.0), TypeError),
     (("a", "b"), TypeError), ((False, True), TypeError)],
)  # fmt: skip
def test_labels_that_are_not_two_ints_are_refused_naming_labels(
    make: Callable[..., object], labels: object, error: type
) -> None:
    with pytest.raises(error, match=r"labels must be .*ints"):
        make(10, labels=labels)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: make_moons(10, noise="0.1"), TypeError, "noise must be a number"),
        (lambda: make_circles(10, factor="0.5"), TypeError, "factor must be a number"),
    ],
)
def test_settings_of_the_wrong_type_are_type_errors_naming_them(
    call: Callable[[], object], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("make", [make_moons, make_circles])
def test_numpy_numbers_and_arrays_work_as_settings(make: Callable[..., Any]) -> None:
    plain = make(12, noise=0.1, seed=4, labels=(-1, 1))
    numpy = make(np.int64(12), noise=np.float64(0.1), seed=4, labels=np.array([-1, 1]))
    assert numpy == plain
    assert all(type(label) is int for label in numpy[1])
