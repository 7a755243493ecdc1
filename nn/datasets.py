"""Tiny 2-D datasets in pure Python, so demos need no scikit-learn.

Same maths as ``sklearn.datasets.make_moons`` and ``make_circles`` (points on arcs, shuffled,
Gaussian noise added), drawn from a private ``random.Random(seed)``: the global ``random``
state is never touched. Points are ``[x, y]`` lists; labels are ``labels[0]`` for the first
shape and ``labels[1]`` for the second: ``labels=(-1, 1)`` gives micrograd's demo labels.
"""

from __future__ import annotations

import math
import numbers
import random
from typing import Any

__all__ = ["make_circles", "make_moons"]

Dataset = tuple[list[list[float]], list[int]]


def _linspace(start: float, stop: float, num: int, *, endpoint: bool = True) -> list[float]:
    """numpy.linspace: start + i * step, with the last point exactly ``stop``."""
    div = (num - 1) if endpoint else num
    if div <= 0:
        return [start] * num
    step = (stop - start) / div
    points = [start + i * step for i in range(num)]
    if endpoint:
        points[-1] = stop
    return points


def _finish(
    points: list[list[float]],
    sizes: tuple[int, int],
    noise: float,
    seed: int | None,
    *,
    shuffle: bool,
    labels: tuple[int, int],
) -> Dataset:
    """Label, shuffle and add noise, in scikit-learn's order."""
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(f"noise must be a number (the std of the Gaussian noise), got {noise!r}")
    if not noise >= 0.0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    first, second = _two_labels(labels)
    rng = random.Random(seed)
    ys = [first] * sizes[0] + [second] * sizes[1]
    if shuffle:
        order = list(range(len(points)))
        rng.shuffle(order)
        points = [points[i] for i in order]
        ys = [ys[i] for i in order]
    if noise:
        points = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for x, y in points]
    return points, ys


def _two_labels(labels: Any) -> tuple[int, int]:
    """``labels`` as two ints: a tuple, a list or a numpy array of two integers."""
    try:
        first, second = labels
    except (TypeError, ValueError):
        raise ValueError(
            f"labels must be two ints, one per shape, e.g. (0, 1) or (-1, 1); got {labels!r}"
        ) from None
    for label in (first, second):
        if isinstance(label, bool) or not isinstance(label, numbers.Integral):
            raise TypeError(f"labels must be ints, e.g. (0, 1) or (-1, 1); got {labels!r}")
    return int(first), int(second)


def _halves(n: int) -> tuple[int, int]:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"n must be a positive int (the number of points), got {n!r}")
    return int(n) // 2, int(n) - int(n) // 2


def make_moons(
    n: int = 100,
    noise: float = 0.0,
    seed: int | None = None,
    *,
    shuffle: bool = True,
    labels: tuple[int, int] = (0, 1),
) -> Dataset:
    """Two interleaving half circles: ``n // 2`` points of the upper moon, the rest below.

    >>> X, y = make_moons(4, shuffle=False)
    >>> X[0], X[1], y
    ([1.0, 0.0], [-1.0, 1.2246467991473532e-16], [0, 0, 1, 1])
    """
    n_out, n_in = _halves(n)
    outer = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, math.pi, n_out)]
    inner = [[1 - math.cos(t), 1 - math.sin(t) - 0.5] for t in _linspace(0.0, math.pi, n_in)]
    return _finish(outer + inner, (n_out, n_in), noise, seed, shuffle=shuffle, labels=labels)


def make_circles(
    n: int = 100,
    noise: float = 0.0,
    seed: int | None = None,
    *,
    factor: float = 0.8,
    shuffle: bool = True,
    labels: tuple[int, int] = (0, 1),
) -> Dataset:
    """A circle of radius 1 around a smaller one of radius ``factor`` (label ``labels[1]``).

    >>> X, y = make_circles(4, shuffle=False, factor=0.5)
    >>> X[0], X[2], y
    ([1.0, 0.0], [0.5, 0.0], [0, 0, 1, 1])
    """
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real):
        raise TypeError(f"factor must be a number in [0, 1), got {factor!r}")
    if not 0.0 <= factor < 1.0:
        raise ValueError(f"factor (inner radius / outer radius) must be in [0, 1), got {factor}")
    n_out, n_in = _halves(n)
    tau = 2 * math.pi
    outer = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, tau, n_out, endpoint=False)]
    inner = [
        [math.cos(t) * factor, math.sin(t) * factor]
        for t in _linspace(0.0, tau, n_in, endpoint=False)
    ]
    return _finish(outer + inner, (n_out, n_in), noise, seed, shuffle=shuffle, labels=labels)
