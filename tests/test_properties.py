"""Random expression graphs with shared subexpressions: values and gradients vs PyTorch and FD."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, gradcheck
from tests.oracle import import_torch, same

torch = import_torch()

# Ops that stay finite on the values drawn below, written once for Values and tensors alike.
UNARY: list[Callable[[Any], Any]] = [
    lambda a: a.tanh(),
    lambda a: a.sigmoid(),
    lambda a: a.relu(),
    lambda a: (a * 0.5).exp(),
    lambda a: (a * a + 1.0).log(),
    lambda a: (a * a + 0.5).sqrt(),
    lambda a: a.sin(),
    lambda a: a.cos(),
    lambda a: -a,
    lambda a: a**2,
    lambda a: abs(a) + 1.0,
]
BINARY: list[Callable[[Any, Any], Any]] = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (b * b + 1.0),
    lambda a, b: (a * a + 1.0) ** (b.tanh()),
]

steps = st.lists(
    st.tuples(st.booleans(), st.integers(0, 10), st.integers(0, 1000), st.integers(0, 1000)),
    min_size=1,
    max_size=25,
)
leaves = st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=4)


def build(plan: list[tuple[bool, int, int, int]], xs: list[Any]) -> Any:
    """Apply the plan to xs: each step picks an op and earlier nodes, so nodes get reused."""
    nodes = list(xs)
    for binary, op, i, j in plan:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        node = BINARY[op % len(BINARY)](a, b) if binary else UNARY[op % len(UNARY)](a)
        nodes.append(node)
    out = nodes[-1]
    for node in nodes[len(xs) : -1 : 3]:  # sum in some inner nodes: more sharing
        out = out + node.tanh()
    return out


@settings(max_examples=150, deadline=None)
@given(leaves, steps)
def test_random_graphs_match_torch(
    points: list[float], plan: list[tuple[bool, int, int, int]]
) -> None:
    vs = [Value(p) for p in points]
    out = build(plan, vs)
    out.backward()
    ts = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in points]
    t_out = build(plan, ts)
    t_grads = torch.autograd.grad(t_out, ts, allow_unused=True)
    assert same(out.data, t_out.item(), rel=1e-10)
    for v, g in zip(vs, t_grads, strict=True):
        expected = 0.0 if g is None else g.item()
        assert same(v.grad, expected, rel=1e-9) or abs(v.grad - expected) < 1e-12


@settings(max_examples=60, deadline=None)
@given(leaves, steps)
def test_random_graphs_match_finite_differences(
    points: list[float], plan: list[tuple[bool, int, int, int]]
) -> None:
    # relu and abs have kinks; keep points off them by a margin the differences cannot cross.
    points = [p if abs(p) > 1e-3 else 0.5 for p in points]
    out = build(plan, [Value(p) for p in points])
    if not math.isfinite(out.data) or abs(out.data) > 1e6:
        return
    gradcheck(lambda *xs: build(plan, list(xs)), points, eps=1e-6, atol=1e-4, rtol=1e-3)
