"""Every op at extreme floats (subnormals, +-max, +-inf, nan, +-0): no exception, torch's numbers.

Where we differ from PyTorch on purpose (docs/accuracy.md) the difference is checked, not
skipped: our number must then be the closer one to exact maths (mpmath).
"""

from __future__ import annotations

import math
import sys
from typing import Any

import mpmath
from hypothesis import given, settings
from hypothesis import strategies as st
from mpmath import mpf

from autograd import Value, grad
from tests.oracle import import_torch, same
from tests.test_accuracy import CASES, DIGITS, Case, ulps

torch = import_torch()

TINY = 5e-324
BIG = sys.float_info.max
EXTREMES = [
    0.0, -0.0, TINY, -TINY, sys.float_info.min, -sys.float_info.min, BIG, -BIG,
    math.inf, -math.inf, math.nan, 1.0, -1.0, 0.5, 2.0, 1e-300, -1e-300, 1e300, -1e300,
    709.79, -745.2, 20.0, 19.5, 40.0, -40.0, 0.55, 1e-17, 1 - 2**-53, 3.0, -3.0,
]  # fmt: skip
floats = st.sampled_from(EXTREMES) | st.floats(allow_nan=True, allow_infinity=True)
probabilities = st.sampled_from([0.0, TINY, 1e-300, 1e-12, 0.5, 1 - 2**-53, 1.0]) | st.floats(0, 1)

# Ops whose derivative we compute more accurately than torch's formula (docs/accuracy.md)
MORE_ACCURATE = {"tanh", "sigmoid", "pow", "pow_const"}


def inputs(name: str) -> st.SearchStrategy[tuple[float, ...]]:
    arity = len(CASES[name].derivatives)
    if name == "binary_cross_entropy":  # a loss of probabilities: others are refused (ValueError)
        return st.tuples(probabilities, probabilities)
    return st.tuples(*[floats] * arity)


def ours(case: Case, point: tuple[float, ...]) -> tuple[float, list[float]]:
    xs = [Value(x) for x in point]
    out = case.ours(*xs)
    out.backward()
    return out.data, [x.grad for x in xs]


def theirs(case: Case, point: tuple[float, ...]) -> tuple[float, list[float]]:
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    out = case.theirs(*ts)
    grads = torch.autograd.grad(out, ts, allow_unused=True)
    return out.item(), [0.0 if g is None else g.item() for g in grads]


def closer_to_exact(case: Case, point: tuple[float, ...], i: int, a: float, b: float) -> bool:
    """True if ``a`` is at least as close as ``b`` to the exact derivative in input ``i``."""
    if not all(math.isfinite(x) for x in point):
        return False
    with mpmath.workdps(DIGITS):
        exact = mpf(case.derivatives[i](*(mpf(x) for x in point)))
        return ulps(a, exact) <= ulps(b, exact)


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(sorted(CASES)).flatmap(lambda n: st.tuples(st.just(n), inputs(n))))
def test_every_op_at_extreme_floats_matches_torch(case_and_point: Any) -> None:
    name, point = case_and_point
    case = CASES[name]
    value, grads = ours(case, point)  # no Python exception, whatever the floats
    expected_value, expected_grads = theirs(case, point)
    assert same(value, expected_value), f"{name}{point}: value {value!r}, torch {expected_value!r}"
    for i, (g, t) in enumerate(zip(grads, expected_grads, strict=True)):
        if same(g, t):
            continue
        assert name in MORE_ACCURATE, f"{name}{point}: grad {i} {g!r}, torch {t!r}"
        assert closer_to_exact(case, point, i, g, t), f"{name}{point}: grad {i} {g!r}, torch {t!r}"


def sign_bits(xs: list[Any]) -> list[tuple[float, float]]:
    return [(float(x), math.copysign(1.0, float(x))) for x in xs]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(CASES)).flatmap(lambda n: st.tuples(st.just(n), inputs(n))))
def test_backward_and_grad_give_the_same_signed_zeros(case_and_point: Any) -> None:
    name, point = case_and_point
    case = CASES[name]
    xs = [Value(x) for x in point]
    out = case.ours(*xs)
    by_grad = grad(out, xs)
    by_graph = [g.data for g in grad(out, xs, create_graph=True)]
    out.backward()
    by_backward = [x.grad for x in xs]
    for a, b, c in zip(by_backward, by_grad, by_graph, strict=True):
        if math.isnan(a):
            assert math.isnan(b)
            assert math.isnan(c)
        else:
            assert sign_bits([a]) == sign_bits([b]) == sign_bits([c]), (name, point, a, b, c)


def test_a_product_with_negative_zero_has_the_same_gradient_from_backward_and_grad() -> None:
    a, b = Value(-0.0), Value(2.0)
    (a * b).backward()
    assert (
        sign_bits(list(grad(a * b, [a, b])))
        == sign_bits([a.grad, b.grad])
        == [(2.0, 1.0), (0.0, 1.0)]
    )
