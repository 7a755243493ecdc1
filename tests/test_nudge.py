"""Nudges: the forward pass again with a leaf moved by h, against backward() and a fresh graph."""

from __future__ import annotations

import math

import pytest

from autograd import Value, define_op, nudge, topological_order
from autograd.nudge import rerun


def neuron(x1: float, x2: float, w1: float, w2: float, b: float) -> Value:
    return (Value(x1) * Value(w1) + Value(x2) * Value(w2) + Value(b)).tanh()


LECTURE = (2.0, 0.0, -3.0, 1.0, 6.8813735870195432)


def test_the_nudged_output_is_the_output_of_a_graph_built_with_the_leaf_moved() -> None:
    leaves = [Value(v) for v in LECTURE]
    x1, x2, w1, w2, b = leaves
    o = (x1 * w1 + x2 * w2 + b).tanh()
    for i, leaf in enumerate(leaves):
        moved = list(LECTURE)
        moved[i] += 0.01
        result = nudge(o, leaf, 0.01)
        assert result.after == neuron(*moved).data
        assert result.before == o.data
        assert result.delta == result.after - result.before


def test_grad_times_h_uses_the_grad_backward_gives() -> None:
    x1, x2, w1, w2, b = (Value(v) for v in LECTURE)
    o = (x1 * w1 + x2 * w2 + b).tanh()
    results = [nudge(o, leaf, 1e-4) for leaf in (x1, x2, w1, w2, b)]
    o.backward()
    for result, leaf in zip(results, (x1, x2, w1, w2, b), strict=True):
        assert result.grad == leaf.grad
        assert result.linear == leaf.grad * 1e-4
        assert result.numerical == pytest.approx(leaf.grad, rel=1e-3, abs=1e-3)


def test_the_numerical_derivative_approaches_the_grad_as_h_shrinks() -> None:
    x = Value(0.7)
    out = (x * x).exp()
    errors = [abs(nudge(out, x, h).numerical - 2 * 0.7 * math.exp(0.49)) for h in (0.1, 0.01)]
    assert errors[1] < errors[0] / 5  # first order: ten times smaller h, about ten times closer


def test_it_unpacks_as_delta_and_linear() -> None:
    x = Value(3.0)
    delta, linear = nudge(x * x, x, 0.5)
    assert (delta, linear) == (3.5**2 - 9.0, 6.0 * 0.5)


def test_nudging_changes_no_data_and_no_grad() -> None:
    x = Value(2.0)
    out = (x * x + x).tanh()
    out.backward()
    before = [(n.data, n.grad) for n in topological_order(out)]
    nudge(out, x, 0.3)
    assert [(n.data, n.grad) for n in topological_order(out)] == before


def test_a_defined_op_reruns_with_its_own_forward() -> None:
    cube = define_op("cube_nudge", lambda x: x**3, lambda x, out, out_grad: 3 * x * x * out_grad)
    x = Value(2.0)
    assert nudge(cube(x) + x, x, 1.0).after == 27.0 + 3.0


def test_rerun_without_changes_reproduces_every_node() -> None:
    x = Value(1.3)
    out = (x**2).softplus() / x.sqrt() - x.leaky_relu(0.2) + x ** Value(0.5)
    again = rerun(out, {})
    assert all(again[n] == n.data for n in topological_order(out))


def test_a_closure_without_a_known_forward_is_refused_by_name() -> None:
    x = Value(0.5)
    out = Value(math.exp(0.5), (x,), "exp")
    out._backward = lambda: None
    with pytest.raises(TypeError, match="forward maths is not known"):
        nudge(out, x, 0.1)


@pytest.mark.parametrize(
    ("h", "error", "words"),
    [
        (0.0, ValueError, "other than 0"),
        (math.inf, ValueError, "finite"),
        ("0.1", TypeError, "h must be a number, got str"),
        (True, TypeError, "h must be a number, got bool"),
    ],
)
def test_a_bad_h_is_named(h: object, error: type, words: str) -> None:
    x = Value(1.0)
    with pytest.raises(error, match=words):
        nudge(x * x, x, h)  # type: ignore[arg-type]


def test_a_leaf_outside_the_graph_is_refused() -> None:
    x, w = Value(1.0), Value(2.0, label="w")
    with pytest.raises(ValueError, match=r"'w'.*not part of the graph"):
        nudge(x * x, w, 0.1)


def test_a_nudge_reruns_n_ary_nodes_like_a_graph_built_again() -> None:
    import autograd  # noqa: PLC0415

    def build(a: float) -> tuple[Value, Value]:
        x = Value(a)
        return autograd.linear([x, Value(2.0)], [Value(3.0), x], autograd.sum([x, x])), x

    out, x = build(0.5)
    assert nudge(out, x, 0.25).after == build(0.75)[0].data
