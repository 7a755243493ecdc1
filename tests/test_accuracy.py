"""Every op's value and derivatives in ulps: against exact maths (mpmath, 60 digits) and PyTorch.

The bounds asserted here are the ones published in docs/accuracy.md; ``python -m
tests.test_accuracy`` prints the measured table. An error of at most 0.5 ulp is a correctly
rounded result; "ulp" is the spacing of doubles in the binade of the exact result.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import mpmath
import pytest
from mpmath import mpf

import autograd
import nn
from autograd import OPS, Value
from tests.oracle import import_torch

torch = import_torch()
F = torch.nn.functional
DIGITS = 60


def ulps(ours: float, exact: Any) -> float:
    """|ours - exact| in units of the last place of the binade of ``exact`` (inf if ours is off)."""
    if mpmath.isnan(exact):
        return 0.0 if math.isnan(ours) else math.inf
    rounded = float(exact)  # to nearest; inf past the largest double
    if not math.isfinite(rounded) or not math.isfinite(ours):
        return 0.0 if ours == rounded else math.inf
    _, exponent = mpmath.frexp(abs(exact))  # abs(exact) = m * 2**exponent, 1/2 <= m < 1
    unit = mpf(2) ** max(int(exponent) - 53, -1074)  # at 0: the smallest subnormal
    return float(abs(mpf(ours) - exact) / unit)


@dataclass(frozen=True)
class Case:
    """How to run one op on Values and tensors, its exact maths, and the points to measure at."""

    ours: Callable[..., Value]
    theirs: Callable[..., Any]
    exact: Callable[..., Any]
    derivatives: tuple[Callable[..., Any], ...]
    points: list[tuple[float, ...]]


rng = random.Random(12)
# 10**(k/3) from 1e-310 to 1e308 and both signs, every 4th; uniform points where most ops bend;
# and the edges: subnormals, the largest double, 0.
WIDE = [s * 10.0 ** (k / 3) for k in range(-930, 925, 4) for s in (1.0, -1.0)]
NEAR = [rng.uniform(-20.0, 20.0) for _ in range(200)] + [rng.uniform(-1.0, 1.0) for _ in range(400)]
EDGES = [
    0.0,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    1.7976931348623157e308,
    -1.7976931348623157e308,
]
REALS = WIDE + NEAR + EDGES


def unary(
    points: list[float], keep: Callable[[float], bool] = lambda x: True
) -> list[tuple[float, ...]]:
    return [(x,) for x in points if keep(x)]


def magnitudes(n: int, low: float, high: float) -> list[float]:
    return [rng.choice((1.0, -1.0)) * 10.0 ** rng.uniform(low, high) for _ in range(n)]


PAIRS = [
    (x, y) for x, y in zip(magnitudes(300, -300, 300), magnitudes(300, -300, 300), strict=True)
]
PAIRS += [(rng.uniform(-5, 5), rng.uniform(-5, 5)) for _ in range(150)]
POWERS = [(10.0 ** rng.uniform(-6, 6), rng.uniform(-25.0, 25.0)) for _ in range(250)]
POWERS += [(rng.uniform(-3, 3), float(rng.randint(-8, 8))) for _ in range(60)]
POWERS += [(10.0 ** rng.uniform(-300, 300), rng.uniform(-0.9, 0.9)) for _ in range(60)]
PROBABILITIES = [0.5 * 10.0 ** rng.uniform(-11, 0) for _ in range(120)]
PROBABILITIES += [1.0 - p for p in PROBABILITIES[:60]] + [rng.random() for _ in range(60)]
BCE_POINTS = [(p, rng.choice((0.0, 1.0, rng.random()))) for p in PROBABILITIES]


# n-ary ops round once per + and * of the chain they replace: measured where the terms share a
# sign (with cancellation any sum's error in ulps of the result is unbounded)
SUM_POINTS = [tuple(abs(x) for x in magnitudes(4, -5, 5)) for _ in range(200)]
SUM_POINTS += [tuple(rng.uniform(0.0, 10.0) for _ in range(4)) for _ in range(100)]
LINEAR_POINTS = [tuple(rng.uniform(0.01, 10.0) for _ in range(5)) for _ in range(300)]


def sigmoid(x: Any) -> Any:
    return 1 / (1 + mpmath.exp(-x))


def sigmoid_derivative(x: Any) -> Any:
    z = mpmath.exp(-abs(x))
    return z / (1 + z) ** 2


def power_derivative_x(x: Any, y: Any) -> Any:
    return 0 if y == 0 else y * mpmath.power(x, y - 1)


def power_derivative_y(x: Any, y: Any) -> Any:
    # a negative base has no real derivative in y (torch: nan)
    return mpmath.nan if x < 0 else mpmath.power(x, y) * mpmath.log(x)


def softplus(x: Any) -> Any:
    return mpmath.log1p(mpmath.exp(x))


def bce(p: Any, t: Any) -> Any:
    return -(t * mpmath.log(p) + (1 - t) * mpmath.log1p(-p))


def ours_bce(p: Value, t: Value) -> Value:
    (loss,) = nn.binary_cross_entropy([p], [t], reduction="none")
    return loss


def ours_sum(start: Value, *values: Value) -> Value:
    return autograd.sum(values, start)


def ours_linear(b: Value, w0: Value, x0: Value, w1: Value, x1: Value) -> Value:
    return autograd.linear([w0, w1], [x0, x1], b)


def chain_sum(*xs: Any) -> Any:
    return functools.reduce(lambda a, b: a + b, xs)


def chain_linear(b: Any, w0: Any, x0: Any, w1: Any, x1: Any) -> Any:
    return b + w0 * x0 + w1 * x1


one = lambda *_: 1  # noqa: E731
CASES: dict[str, Case] = {
    "add": Case(lambda x, y: x + y, lambda x, y: x + y, lambda x, y: x + y, (one, one), PAIRS),
    "sub": Case(
        lambda x, y: x - y, lambda x, y: x - y, lambda x, y: x - y, (one, lambda *_: -1), PAIRS
    ),
    "mul": Case(
        lambda x, y: x * y,
        lambda x, y: x * y,
        lambda x, y: x * y,
        (lambda x, y: y, lambda x, y: x),
        PAIRS,
    ),
    "neg": Case(lambda x: -x, lambda x: -x, lambda x: -x, (lambda x: -1,), unary(REALS)),
    "div": Case(
        lambda x, y: x / y,
        lambda x, y: x / y,
        lambda x, y: x / y,
        (lambda x, y: 1 / y, lambda x, y: -x / y**2),
        PAIRS,
    ),
    "pow": Case(
        lambda x, y: x**y,
        lambda x, y: x**y,
        mpmath.power,
        (power_derivative_x, power_derivative_y),
        POWERS,
    ),
    "pow_const": Case(
        lambda x: x**-3.7,
        lambda x: x**-3.7,
        lambda x: mpmath.power(x, -3.7),
        (lambda x: -3.7 * mpmath.power(x, -4.7),),
        unary([abs(x) for x in REALS], lambda x: 1e-60 < x < 1e60),
    ),
    "abs": Case(abs, torch.abs, abs, (mpmath.sign,), unary(REALS)),
    "sign": Case(lambda x: x.sign(), torch.sign, mpmath.sign, (lambda x: 0,), unary(REALS)),
    "relu": Case(
        lambda x: x.relu(),
        torch.relu,
        lambda x: max(x, 0),
        (lambda x: 1 if x > 0 else 0,),
        unary(REALS),
    ),
    "leaky_relu": Case(
        lambda x: x.leaky_relu(0.1),
        lambda x: F.leaky_relu(x, 0.1),
        lambda x: x if x > 0 else mpf(0.1) * x,
        (lambda x: 1 if x > 0 else mpf(0.1),),
        unary(REALS),
    ),
    "tanh": Case(
        lambda x: x.tanh(),
        torch.tanh,
        mpmath.tanh,
        (lambda x: 1 / mpmath.cosh(x) ** 2,),
        unary(REALS),
    ),
    "sigmoid": Case(
        lambda x: x.sigmoid(), torch.sigmoid, sigmoid, (sigmoid_derivative,), unary(REALS)
    ),
    "exp": Case(
        lambda x: x.exp(), torch.exp, mpmath.exp, (mpmath.exp,), unary(REALS, lambda x: x < 709.78)
    ),
    "log": Case(
        lambda x: x.log(),
        torch.log,
        mpmath.log,
        (lambda x: 1 / x,),
        unary([abs(x) for x in REALS if x]),
    ),
    "log1p": Case(
        lambda x: x.log1p(),
        torch.log1p,
        mpmath.log1p,
        (lambda x: 1 / (1 + x),),
        unary(REALS, lambda x: x > -1),
    ),
    "sqrt": Case(
        lambda x: x.sqrt(),
        torch.sqrt,
        mpmath.sqrt,
        (lambda x: 1 / (2 * mpmath.sqrt(x)),),
        unary([abs(x) for x in REALS if x]),
    ),
    "sin": Case(lambda x: x.sin(), torch.sin, mpmath.sin, (mpmath.cos,), unary(REALS)),
    "cos": Case(
        lambda x: x.cos(), torch.cos, mpmath.cos, (lambda x: -mpmath.sin(x),), unary(REALS)
    ),
    # softplus is x itself past its threshold (x > 20), by torch's definition: measured below it
    "softplus": Case(
        lambda x: x.softplus(), F.softplus, softplus, (sigmoid,), unary(REALS, lambda x: x <= 20.0)
    ),
    "binary_cross_entropy": Case(
        ours_bce,
        lambda p, t: F.binary_cross_entropy(p, t, reduction="none"),
        bce,
        (lambda p, t: (p - t) / (p * (1 - p)), lambda p, t: -mpmath.log(p / (1 - p))),
        BCE_POINTS,
    ),
    "sum": Case(ours_sum, chain_sum, chain_sum, (one, one, one, one), SUM_POINTS),
    "linear": Case(
        ours_linear,
        chain_linear,
        chain_linear,
        (
            one,
            lambda b, w0, x0, w1, x1: x0,
            lambda b, w0, x0, w1, x1: w0,
            lambda b, w0, x0, w1, x1: x1,
            lambda b, w0, x0, w1, x1: w1,
        ),
        LINEAR_POINTS,
    ),
}


class Errors(NamedTuple):
    """The largest errors in ulps over an op's points: ours and torch's vs exact, ours vs torch."""

    value: float
    derivative: float  # the largest over the op's inputs
    torch_value: float
    torch_derivative: float
    # ours vs torch, at the points where torch is within 2 ulp of exact (elsewhere we are closer)
    value_vs_torch: float
    derivative_vs_torch: float
    torch_derivatives_off: float  # the share of points where torch's derivative is > 2 ulp off


def ours_at(case: Case, point: tuple[float, ...]) -> tuple[float, list[float]]:
    xs = [Value(x) for x in point]
    out = case.ours(*xs)
    out.backward()
    return out.data, [x.grad for x in xs]


def torch_at(case: Case, points: list[tuple[float, ...]]) -> tuple[list[float], list[list[float]]]:
    """All points at once: the ops are elementwise, so the gradient of the sum is elementwise."""
    columns = [
        torch.tensor(list(c), dtype=torch.float64, requires_grad=True)
        for c in zip(*points, strict=True)
    ]
    out = case.theirs(*columns)
    grads = torch.autograd.grad(out.sum(), columns, allow_unused=True)
    values = out.tolist()
    per_input = [[0.0] * len(points) if g is None else g.tolist() for g in grads]
    return values, [list(g) for g in zip(*per_input, strict=True)]


def vs_torch(ours: float, theirs: float, exact: Any) -> float:
    return ulps(ours, mpf(theirs)) if ulps(theirs, exact) <= 2.0 else 0.0


@functools.cache
def measure(name: str) -> Errors:
    """Measure one op over its points."""
    case = CASES[name]
    worst = [0.0] * 6
    torch_off = 0
    theirs_values, theirs_grads = torch_at(case, case.points)
    with mpmath.workdps(DIGITS):
        for point, theirs, theirs_grad in zip(
            case.points, theirs_values, theirs_grads, strict=True
        ):
            value, grads = ours_at(case, point)
            xs = [mpf(x) for x in point]
            exact = case.exact(*xs)
            exact_grads = [mpf(d(*xs)) for d in case.derivatives]
            triples = list(zip(grads, theirs_grad, exact_grads, strict=True))
            errors = (
                ulps(value, exact),
                max(ulps(g, e) for g, _, e in triples),
                ulps(theirs, exact),
                max(ulps(t, e) for _, t, e in triples),
                vs_torch(value, theirs, exact),
                max(vs_torch(g, t, e) for g, t, e in triples),
            )
            worst = [max(w, e) for w, e in zip(worst, errors, strict=True)]
            torch_off += errors[3] > 2.0
    return Errors(*worst, torch_off / len(case.points))


# Published in docs/accuracy.md: (value, derivative) vs exact, then (value, derivative) vs torch.
BOUNDS: dict[str, tuple[float, float, float, float]] = {
    "add": (0.5, 0, 0, 0),
    "sub": (0.5, 0, 0, 0),
    "mul": (0.5, 0, 0, 0),
    "neg": (0, 0, 0, 0),
    "div": (0.5, 1.2, 0, 0),
    "pow": (0.51, 1.6, 1, 1),
    "pow_const": (0.51, 1.4, 1, 1),
    "abs": (0, 0, 0, 0),
    "sign": (0, 0, 0, 0),
    "relu": (0, 0, 0, 0),
    "leaky_relu": (0.5, 0, 0, 0),
    "tanh": (0.8, 1.4, 1, 2),
    "sigmoid": (0.95, 1.6, 2, 2),
    "exp": (0.51, 0.51, 1, 1),
    "log": (0.51, 0.51, 0, 0),
    "log1p": (0.7, 1.3, 1, 0),
    "sqrt": (0.5, 1.4, 1, 2),
    "sin": (0.51, 0.51, 1, 1),
    "cos": (0.51, 0.51, 1, 1),
    "softplus": (1.2, 1.4, 1, 1),
    "binary_cross_entropy": (1.4, 4.9, 0, 0),
    "sum": (1.5, 0, 0, 0),  # the chain of +: three roundings
    "linear": (1.2, 0, 0, 0),  # the chain of * and +: four roundings
}


def test_every_op_is_measured() -> None:
    assert set(CASES) == set(BOUNDS) == set(OPS)


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_is_within_its_published_ulps_of_exact(name: str) -> None:
    assert measure(name).value <= BOUNDS[name][0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_derivatives_are_within_their_published_ulps_of_exact(name: str) -> None:
    assert measure(name).derivative <= BOUNDS[name][1]


@pytest.mark.parametrize("name", sorted(CASES))
def test_agrees_with_torch_within_published_ulps_where_torch_is_accurate(name: str) -> None:
    errors = measure(name)
    assert (errors.value_vs_torch, errors.derivative_vs_torch) <= BOUNDS[name][2:]


def test_tanh_and_sigmoid_derivatives_are_exact_where_torchs_are_not() -> None:
    # torch's 1 - y*y and (1 - y) * y lose all digits as |y| -> 1; ours stay within 2 ulp
    for name in ("tanh", "sigmoid"):
        errors = measure(name)
        assert errors.torch_derivatives_off > 0.05
        assert errors.derivative <= 2.0


if __name__ == "__main__":
    for name, case in CASES.items():
        e = measure(name)
        print(f"| `{name}` | {len(case.points)} | " + " | ".join(f"{x:.3g}" for x in e) + " |")
