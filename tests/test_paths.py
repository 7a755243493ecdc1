"""Path sums: every path's product of local derivatives, summed, is the leaf's .grad."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, paths, topological_order
from nn import MLP


def lecture_neuron() -> tuple[Value, list[Value]]:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.label = "o"
    return o, [x1, x2, w1, w2, b]


def central_difference(build: object, leaves: list[Value], i: int, h: float = 1e-6) -> float:
    """(f(x + h) - f(x - h)) / 2h on a graph built afresh: an oracle independent of our rules."""
    assert callable(build)
    up = [x.data + (h if j == i else 0.0) for j, x in enumerate(leaves)]
    down = [x.data - (h if j == i else 0.0) for j, x in enumerate(leaves)]
    return (build(*up).data - build(*down).data) / (2 * h)


def test_the_path_sums_of_the_lecture_neuron_are_its_grads() -> None:
    o, leaves = lecture_neuron()
    sums = [paths(o, leaf).total for leaf in leaves]
    o.backward()
    assert sums == pytest.approx([leaf.grad for leaf in leaves], rel=1e-14)


def test_a_leaf_used_twice_has_one_path_per_use() -> None:
    x = Value(3.0, label="x")
    out = (x * x + x).tanh()
    found = paths(out, x)
    assert found.count == 3
    assert [p.slots[0] for p in found] == [0, 1, 1]  # x as both slots of *, then slot 1 of +
    assert [len(p.nodes) for p in found] == [4, 4, 3]
    assert all(p.nodes[0] is x and p.nodes[-1] is out for p in found)
    s = 1 - math.tanh(12.0) ** 2
    assert [p.product for p in found] == pytest.approx([3 * s, 3 * s, s], rel=1e-14)
    out.backward()
    assert found.total == pytest.approx(x.grad, rel=1e-14)


def test_each_path_product_is_the_product_of_its_locals() -> None:
    o, leaves = lecture_neuron()
    for p in paths(o, leaves[2]):
        assert p.product == math.prod(p.locals)
        assert len(p.locals) == len(p.nodes) - 1 == len(p.slots)


def test_path_sums_match_finite_differences_on_an_mlp() -> None:
    random.seed(0)
    model = MLP(3, [4, 4, 1])
    xs = [Value(x) for x in (0.5, -1.0, 2.0)]
    out = model(xs)
    for x in xs:
        expected = central_difference(lambda *d: model([Value(v) for v in d]), xs, xs.index(x))
        assert paths(out, x).total == pytest.approx(expected, rel=1e-6)


def test_too_many_paths_are_counted_not_listed_and_still_summed() -> None:
    x = Value(0.3, label="x")
    y = x
    for _ in range(12):  # each level doubles the paths: 2**12 of them
        y = y * y
    found = paths(y, x, max_paths=100)
    assert found.count == 2**12
    assert not found.listed
    assert not found.complete
    assert "too many to list" in repr(found)
    y.backward()
    assert found.total == pytest.approx(x.grad, rel=1e-12)


def test_the_count_is_exact_beyond_floats() -> None:
    x = Value(1.0)
    y = x
    for _ in range(80):
        y = y + y
    assert paths(y, x, max_paths=0).count == 2**80


def test_a_node_the_output_does_not_depend_on_is_refused() -> None:
    x, other = Value(1.0), Value(2.0, label="w")
    with pytest.raises(ValueError, match=r"the leaf 'w'.*not part of the graph of output"):
        paths(x * 2, other)


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        ((1.0, Value(1.0)), TypeError, "output must be a Value, got float"),
        ((Value(1.0), "x"), TypeError, "leaf must be a Value, got str"),
    ],
)
def test_bad_arguments_are_named(args: tuple[object, object], error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        paths(*args)  # type: ignore[arg-type]


def test_max_paths_must_be_a_whole_number() -> None:
    x = Value(1.0)
    with pytest.raises(ValueError, match="max_paths must be a whole number"):
        paths(x * x, x, max_paths=-1)


def test_looking_at_paths_changes_no_data_and_no_grad() -> None:
    o, leaves = lecture_neuron()
    o.backward()
    before = [(n.data, n.grad) for n in topological_order(o)]
    for leaf in leaves:
        paths(o, leaf)
    assert [(n.data, n.grad) for n in topological_order(o)] == before


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=8), st.floats(-2.0, 2.0))
def test_path_sums_equal_backward_on_random_graphs(picks: list[int], start: float) -> None:
    x = Value(start, label="x")
    nodes = [x, x.tanh()]
    for pick in picks:  # each new node mixes two earlier ones: forks and joins everywhere
        a, b = nodes[pick % len(nodes)], nodes[(pick * 7 + 1) % len(nodes)]
        nodes.append(a * b.sigmoid() + a)
    out = nodes[-1]
    found = paths(out, x)
    out.backward()
    assert found.total == pytest.approx(x.grad, rel=1e-12, abs=1e-300)


def test_path_sums_through_n_ary_nodes_equal_backward() -> None:
    import autograd  # noqa: PLC0415

    a, b, c = Value(0.5, label="a"), Value(-1.5, label="b"), Value(2.0, label="c")
    out = autograd.sum([a, b * c, a]) * autograd.linear([a, b], [c, a], b)
    found = [paths(out, leaf) for leaf in (a, b, c)]
    # a: twice in the sum, twice in the linear; b: in b * c, as the bias and as a weight
    assert [f.count for f in found] == [4, 3, 2]
    out.backward()
    assert [f.total for f in found] == pytest.approx([a.grad, b.grad, c.grad], rel=1e-14)
