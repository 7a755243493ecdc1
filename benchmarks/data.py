"""Two moons in pure Python (sklearn's ``make_moons`` recipe), the same points for every engine."""

from __future__ import annotations

import itertools
import math
import random

__all__ = ["initial_weights", "make_moons"]


def make_moons(
    n: int = 100, noise: float = 0.1, seed: int = 1337
) -> tuple[list[tuple[float, float]], list[float]]:
    """Points on two interleaved half circles and their labels -1.0 / +1.0.

    >>> xs, ys = make_moons(4, noise=0.0)
    >>> len(xs), sorted(set(ys))
    (4, [-1.0, 1.0])
    """
    rng = random.Random(seed)
    n_outer = n // 2
    n_inner = n - n_outer
    xs: list[tuple[float, float]] = []
    ys: list[float] = []
    for i in range(n_outer):  # upper moon, label -1 (sklearn's class 0)
        t = math.pi * i / max(n_outer - 1, 1)
        xs.append((math.cos(t), math.sin(t)))
        ys.append(-1.0)
    for i in range(n_inner):  # lower moon, shifted right and down, label +1
        t = math.pi * i / max(n_inner - 1, 1)
        xs.append((1.0 - math.cos(t), 0.5 - math.sin(t)))
        ys.append(1.0)
    noisy = [(a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)) for a, b in xs]
    return noisy, ys


def initial_weights(
    nin: int = 2, nouts: tuple[int, ...] = (16, 16, 1), seed: int = 1337
) -> list[list[tuple[list[float], float]]]:
    """Weights per layer, per neuron ``(w, b)``: uniform(-1, 1) like micrograd, biases 0.

    >>> [len(layer) for layer in initial_weights()]
    [16, 16, 1]
    """
    rng = random.Random(seed)
    sizes = [nin, *nouts]
    return [
        [([rng.uniform(-1.0, 1.0) for _ in range(fan_in)], 0.0) for _ in range(fan_out)]
        for fan_in, fan_out in itertools.pairwise(sizes)
    ]
