"""Stepping through backward: order, final gradients, and the chain rule each step prints."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from typing import Any

import pytest

from autograd import Value, backward_steps, topological_order, trace_backward
from tests.oracle import import_torch, same
from tests.test_ops import BINARY, UNARY

torch = import_torch()


def neuron() -> tuple[Value, list[Value]]:
    """The micrograd lecture's neuron: o = tanh(x1*w1 + x2*w2 + b), every node labelled."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1w1"
    x2w2 = x2 * w2
    x2w2.label = "x2w2"
    s = x1w1 + x2w2
    s.label = "s"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [x1, x2, w1, w2, b]


def shared_graph() -> tuple[Value, list[Value]]:
    x, y = Value(0.7, label="x"), Value(-1.3, label="y")
    h = (x * y).tanh()
    out = h * h + (h + x).exp() * y - (x / y).sigmoid() + x**3
    return out, [x, y]


def test_steps_come_in_reverse_topological_order() -> None:
    out, _ = shared_graph()
    order = topological_order(out)
    steps = list(out.backward_steps())
    assert [s.node for s in steps] == list(reversed(order))
    assert [s.index for s in steps] == list(range(len(order)))


def test_exhausting_the_steps_leaves_the_gradients_of_backward() -> None:
    out_a, leaves_a = shared_graph()
    out_b, leaves_b = shared_graph()
    out_a.backward()
    for _ in out_b.backward_steps():
        pass
    nodes_a, nodes_b = topological_order(out_a), topological_order(out_b)
    assert [n.grad for n in nodes_a] == [n.grad for n in nodes_b]
    assert [v.grad for v in leaves_a] == [v.grad for v in leaves_b]


def test_steps_accumulate_into_leaves_like_backward() -> None:
    out, (x, _) = shared_graph()
    out.backward()
    once = x.grad
    for _ in out.backward_steps():
        pass
    assert x.grad == once + once


def test_each_step_is_applied_before_it_is_yielded() -> None:
    o, (_, _, w1, _, _) = neuron()
    steps = o.backward_steps()
    assert next(steps).node is o
    n = o._prev[0]
    assert n.grad == pytest.approx(0.5)
    assert w1.grad == 0.0


def test_step_repr_reads_as_the_chain_rule_with_numbers() -> None:
    o, _ = neuron()
    first = repr(next(o.backward_steps()))
    local = 1 - math.tanh(o._prev[0].data) ** 2
    assert first == (f"o = tanh(n) | n.grad += (1 - o**2) * o.grad = {local:.4g} * 1 = {local:.4g}")


def test_a_leaf_step_says_its_gradient_is_complete() -> None:
    o, (x1, *_) = neuron()
    steps = {s.node.label: s for s in o.backward_steps()}
    assert repr(steps["x1"]) == f"x1 is a leaf | its gradient is complete: x1.grad = {x1.grad:.4g}"


def _torch_local(fn: Callable[..., Any], xs: list[float]) -> list[float]:
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    grads = torch.autograd.grad(fn(*ts), ts, allow_unused=True)
    return [0.0 if g is None else g.item() for g in grads]


UNARY_POINTS = [(name, 0.3) for name in UNARY]
BINARY_POINTS = [(name, (1.7, 0.6)) for name in BINARY]


@pytest.mark.parametrize(("name", "x"), UNARY_POINTS)
def test_step_of_each_unary_op_shows_the_local_derivative_of_torch(name: str, x: float) -> None:
    ours, theirs, _ = UNARY[name]
    v = Value(x, label="x")
    step = next(backward_steps(ours(v), 2.0))
    (expected,) = _torch_local(theirs, [x])
    (edge,) = step.edges
    assert same(edge.local, expected)
    assert same(edge.contribution, 2.0 * expected)
    assert f"= {expected:.4g} * 2 = " in repr(step)


@pytest.mark.parametrize(("name", "xy"), BINARY_POINTS)
def test_step_of_each_binary_op_shows_both_local_derivatives_of_torch(
    name: str, xy: tuple[float, float]
) -> None:
    fn, _ = BINARY[name]
    x, y = Value(xy[0], label="x"), Value(xy[1], label="y")
    step = next(backward_steps(fn(x, y)))
    expected = _torch_local(fn, list(xy))
    assert [e.parent for e in step.edges] == [x, y]
    for edge, local in zip(step.edges, expected, strict=True):
        assert same(edge.local, local)
        assert f"= {local:.4g} * 1 = " in repr(step)


def test_pow_with_a_number_exponent_shows_the_exponent() -> None:
    x = Value(3.0, label="x")
    y = x**2
    y.label = "y"
    assert repr(next(y.backward_steps())) == (
        "y = x ** 2 | x.grad += (2 * x**(2-1)) * y.grad = 6 * 1 = 6"
    )


def test_trace_prints_one_row_per_node_and_one_per_edge() -> None:
    o, _ = neuron()
    text = io.StringIO()
    steps = trace_backward(o, file=text)
    lines = text.getvalue().splitlines()
    edges = sum(max(1, len(s.edges)) for s in steps)
    assert len(lines) == 2 + edges
    assert lines[2].split()[:4] == ["0", "o", "tanh", "1"]
    assert "x1w1" in text.getvalue()


def test_stopping_early_keeps_earlier_leaf_gradients() -> None:
    o, (x1, *_) = neuron()
    x1.grad = 10.0
    steps = o.backward_steps()
    next(steps)
    steps.close()
    assert x1.grad == 10.0


def test_trace_leaves_every_gradient_as_it_was() -> None:
    o, leaves = neuron()
    o.backward()
    x1 = leaves[0]
    x1.register_hook(lambda g: g * 2.0)  # a replacing hook: the trace shows it, changes nothing
    before = [(node, node.grad) for node in topological_order(o)]
    steps = trace_backward(o, file=io.StringIO())
    assert [(node, node.grad) for node in topological_order(o)] == before
    assert steps[-1].out_grad != 0.0  # the trace did show the pass


def test_trace_before_backward_leaves_the_gradients_at_zero() -> None:
    o, _ = neuron()
    steps = trace_backward(o, file=io.StringIO())
    assert all(node.grad == 0.0 for node in topological_order(o))
    assert {s.node.label: s.out_grad for s in steps}["n"] == pytest.approx(0.5)


def test_trace_stopped_by_an_error_still_restores_the_gradients() -> None:
    x = Value(2.0, label="x")
    y = x * x
    x.grad = 5.0

    def broken(g: float) -> float:
        raise RuntimeError("hook failed")

    x.register_hook(broken)
    with pytest.raises(RuntimeError, match="hook failed"):
        trace_backward(y, file=io.StringIO())
    assert (x.grad, y.grad) == (5.0, 0.0)


@pytest.mark.parametrize("look", [trace_backward, backward_steps])
@pytest.mark.parametrize("root", [5, None, [Value(1.0)], "o"])
def test_looking_at_something_that_is_not_a_value_is_a_type_error(
    look: Callable[[Any], Any], root: object
) -> None:
    message = rf"{look.__name__}\(root\) .*Value.* {type(root).__name__}"
    with pytest.raises(TypeError, match=message):
        look(root)
