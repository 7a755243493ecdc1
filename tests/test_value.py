"""The Value type: construction, micrograd compatibility, operators, comparisons, errors."""

from __future__ import annotations

import math
from typing import Any

import pytest

from autograd import Value


def test_micrograd_readme_example_gives_its_numbers() -> None:
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert f"{g.data:.4f}" == "24.7041"
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"


def test_micrograd_positional_constructor_keeps_children_and_op() -> None:
    a, b = Value(1.0), Value(2.0)
    c = Value(3.0, (a, b), "+")
    assert c._prev == (a, b)
    assert c._op == "+"


def test_data_is_always_a_float() -> None:
    assert type(Value(3).data) is float
    assert type((Value(2) * 3).data) is float
    assert type(Value(True).data) is float


@pytest.mark.parametrize("bad", ["abc", None, 1 + 2j, [1.0]])
def test_bad_data_is_a_type_error_naming_the_type(bad: Any) -> None:
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


@pytest.mark.parametrize("bad", ["x", None, [1.0], 1j])
def test_bad_operand_is_a_type_error_naming_the_type(bad: Any) -> None:
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(1.0) + bad
    with pytest.raises(TypeError, match=type(bad).__name__):
        bad * Value(1.0)


def test_numbers_work_on_either_side() -> None:
    v = Value(3.0)
    assert (2 + v).data == 5.0
    assert (2 - v).data == -1.0
    assert (2 * v).data == 6.0
    assert (6 / v).data == 2.0
    assert (2**v).data == 8.0
    assert (v**2.5).data == 3.0**2.5
    assert (v ** Value(2.0)).data == 9.0
    assert (-v).data == -3.0
    assert abs(Value(-3.0)).data == 3.0
    assert float(v) == 3.0


def test_augmented_assignment_builds_new_nodes() -> None:
    v = Value(1.0)
    w = v
    w += 2
    w *= 3
    assert v.data == 1.0
    assert w.data == 9.0


def test_order_comparisons_compare_data() -> None:
    assert Value(1.0) < Value(2.0)
    assert Value(1.0) <= 1
    assert Value(3.0) > 2.5
    assert Value(3.0) >= Value(3.0)


def test_equality_is_identity_as_in_micrograd() -> None:
    a, b = Value(2.0), Value(2.0)
    same = a
    assert a == same
    assert a != b
    assert not (a == 2)  # noqa: SIM201 (the operator itself is under test)
    assert (a == b) is (b == a) is False


def test_a_list_based_graph_walker_finds_every_node() -> None:
    # the published micrograd-style trace: visited nodes kept in a list, not a set
    def trace(root: Value) -> list[Value]:
        nodes: list[Value] = []

        def build(v: Value) -> None:
            if v not in nodes:
                nodes.append(v)
                for child in v._prev:
                    build(child)

        build(root)
        return nodes

    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b  # x2 * w2 and x2 both have data 0: equal data, distinct nodes
    o = n.tanh()
    assert len(trace(o)) == 10


def test_values_with_equal_data_stay_distinct_in_sets() -> None:
    a, b = Value(1.0), Value(1.0)
    assert len({a, b}) == 2


def test_product_of_a_node_with_itself_records_two_parents() -> None:
    x = Value(3.0)
    y = x * x
    assert y._prev == (x, x)
    y.backward()
    assert x.grad == 6.0


def test_op_names_read_like_micrograd() -> None:
    x = Value(2.0)
    assert (x + 1)._op == "+"
    assert (x * 1)._op == "*"
    assert (x**2)._op == "**2"
    assert x.relu()._op == "ReLU"
    assert x.tanh()._op == "tanh"
    assert x._op == ""


def test_repr_shows_label_data_grad_and_op() -> None:
    x = Value(2.0, label="x")
    y = x.tanh()
    y.label = "y"
    assert repr(x) == "Value(data=2.0, grad=0, label='x')"
    assert repr(y) == f"Value(data={math.tanh(2.0)!r}, grad=0, label='y', op='tanh')"


def test_label_must_be_text() -> None:
    with pytest.raises(TypeError, match="int"):
        Value(1.0).label = 3  # type: ignore[assignment]


def test_detach_makes_a_leaf_with_the_same_data() -> None:
    x = Value(2.0)
    y = (x * x).detach()
    assert y._prev == ()
    assert y.data == 4.0
    (y * x).backward()
    assert x.grad == 4.0


def test_users_can_hang_their_own_attributes_on_nodes() -> None:
    p = Value(1.0)
    p.m = 0.0  # an Adam of their own
    p._vis_color = "red"  # a drawing helper's
    assert (p.m, p._vis_color) == (0.0, "red")
    assert (p * 2).__dict__ == {}  # nodes that get none stay without


def test_nan_stays_nan_through_ops() -> None:
    assert math.isnan((Value(math.nan) * 2).data)
