"""Copying and pickling graphs: any depth, sharing kept, every field and hook accounted for."""

from __future__ import annotations

import copy
import math
import pickle
import sys
from collections.abc import Callable

import pytest

import nn
from autograd import (
    Value,
    define_op,
    detect_anomaly,
    named_scope,
    ops,
    record_scopes,
    topological_order,
    value,
)
from autograd.ops import mul_backward, tanh_backward
from nn.datasets import make_moons


def _pickled(x: object) -> object:
    return pickle.loads(pickle.dumps(x))


COPIERS: dict[str, Callable[[object], object]] = {"deepcopy": copy.deepcopy, "pickle": _pickled}


def _copied(name: str, x: object) -> object:
    return COPIERS[name](x)


def _chain(length: int) -> tuple[Value, Value]:
    x = Value(0.7, label="x")
    y = x
    for _ in range(length):
        y = y.sin()
    return x, y


def _fields(node: Value) -> tuple[object, ...]:
    return (node.data, node.grad, node.grad_fn, node.label, node._op, node.scope, len(node._prev))


@pytest.mark.parametrize("how", COPIERS)
def test_x_times_x_keeps_one_x(how: str) -> None:
    x = Value(3.0, label="x")
    y = _copied(how, x * x)
    assert isinstance(y, Value)
    a, b = y._prev
    assert a is b
    assert a is not x
    y.backward()
    assert a.grad == 6.0


@pytest.mark.parametrize("how", COPIERS)
def test_a_diamond_keeps_its_sharing(how: str) -> None:
    x = Value(0.5, label="x")
    h = x.tanh()
    out = h * x + h.exp()  # h is used twice, x three times
    twin = _copied(how, out)
    assert isinstance(twin, Value)
    originals, copies = topological_order(out), topological_order(twin)
    assert len(copies) == len(originals)
    assert not {id(v) for v in originals} & {id(v) for v in copies}
    position = {id(v): i for i, v in enumerate(copies)}
    for original, copied in zip(originals, copies, strict=True):
        assert [position[id(p)] for p in copied._prev] == [
            originals.index(p) for p in original._prev
        ]


@pytest.mark.parametrize("how", COPIERS)
def test_every_field_survives(how: str) -> None:
    with record_scopes(), named_scope("layer"), detect_anomaly():
        x = Value(0.25, label="x")
        w = Value(-2.0, label="w")
        o = (x * w).tanh() ** 2 + Value(1.0).softplus(beta=2.0)  # a 3-input op among them
    o.label = "o"
    o.backward()
    twin = _copied(how, o)
    assert isinstance(twin, Value)
    originals, copies = topological_order(o), topological_order(twin)
    assert [_fields(v) for v in copies] == [_fields(v) for v in originals]
    assert [v._meta.site if v._meta else None for v in copies] == [
        v._meta.site if v._meta else None for v in originals
    ]
    assert any(v.scope == "layer" for v in copies)


@pytest.mark.parametrize("how", COPIERS)
def test_the_backward_rule_is_the_same_named_function(how: str) -> None:
    x = Value(0.3)
    twin = _copied(how, (x * 2.0).tanh())
    assert isinstance(twin, Value)
    assert twin.grad_fn is tanh_backward
    assert twin._prev[0].grad_fn is mul_backward


@pytest.mark.parametrize("how", COPIERS)
def test_outputs_copied_together_share_their_graph(how: str) -> None:
    points, labels = make_moons(4, seed=0, labels=(-1, 1))
    model = nn.MLP(2, [3, 1], seed=0)
    loss = nn.hinge_loss([model(p) for p in points], labels)
    twin_loss, twin_model, twin_first = _copied(how, (loss, model, model.parameters()[0]))
    assert isinstance(twin_loss, Value)
    assert isinstance(twin_model, nn.MLP)
    in_graph = {id(v) for v in topological_order(twin_loss)}
    assert all(id(p) in in_graph for p in twin_model.parameters())
    assert twin_first is twin_model.parameters()[0]
    twin_loss.backward()
    loss.backward()
    assert [p.grad for p in twin_model.parameters()] == [p.grad for p in model.parameters()]


def test_a_deepcopy_of_a_150_node_graph_and_a_pickle_of_250_nodes_work() -> None:
    # The sizes of the issue: both used to raise RecursionError.
    _, short = _chain(150)
    _, longer = _chain(250)
    assert len(topological_order(copy.deepcopy(short))) == 151
    assert len(topological_order(_pickled(longer))) == 251  # type: ignore[arg-type]


def test_micrograds_demo_loss_graph_deep_copies() -> None:
    points, labels = make_moons(100, noise=0.1, seed=1, labels=(-1, 1))
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    params = model.parameters()
    loss = nn.hinge_loss([model(p) for p in points], labels)
    loss = loss + 1e-4 * sum((p * p for p in params), Value(0.0))
    twin = copy.deepcopy(loss)
    assert len(topological_order(twin)) == len(topological_order(loss)) > 60_000
    loss.backward()
    twin.backward()
    leaves = [v for v in topological_order(twin) if v.is_leaf]
    originals = [v for v in topological_order(loss) if v.is_leaf]
    assert [v.grad for v in leaves] == [v.grad for v in originals]


def test_a_million_node_chain_copies_and_its_copies_have_the_same_gradients() -> None:
    assert sys.getrecursionlimit() < 10**6
    x, y = _chain(10**6)
    twins = [copy.deepcopy(y), _pickled(y)]
    y.backward()
    originals = topological_order(y)
    for twin in twins:
        assert isinstance(twin, Value)
        twin.backward()
        order = topological_order(twin)
        assert len(order) == 10**6 + 1
        assert order[0].label == "x"
        assert order[0].grad == x.grad != 0.0
        for i in range(0, 10**6 + 1, 1000):
            assert (order[i].data, order[i].grad) == (originals[i].data, originals[i].grad)
        del order, twin


def test_deepcopy_keeps_the_hooks_in_a_list_of_its_own() -> None:
    seen: list[float] = []
    x = Value(2.0)
    handle = x.register_hook(seen.append)
    y = x * 3.0
    twin = copy.deepcopy(y)
    handle.remove()  # from the original only
    twin.backward()
    assert seen == [3.0]
    y.backward()
    assert seen == [3.0]


def _double(g: float) -> float:
    return 2.0 * g


def test_a_pickle_keeps_a_module_level_hook() -> None:
    x = Value(2.0, label="x")
    x.register_hook(_double)
    twin = _pickled(x * 3.0)
    assert isinstance(twin, Value)
    twin.backward()
    assert twin._prev[0].grad == 6.0


def test_a_lambda_hook_cannot_be_pickled_and_the_error_names_the_node() -> None:
    x = Value(2.0, label="x")
    x.register_hook(lambda g: g)
    with pytest.raises(pickle.PicklingError, match=r"node 'x': its hook .*<lambda> is a lambda"):
        pickle.dumps(x * 3.0)
    assert _pickled([Value(1.0) * 2.0]) is not None  # a failed pickle leaves nothing behind


def test_a_local_backward_rule_cannot_be_pickled_and_the_error_names_the_node() -> None:
    from autograd.value import _record  # noqa: PLC0415 (a node made by hand, as ops do)

    def local_backward(out: Value) -> None:
        out._x.grad += out.grad

    x = Value(1.0)
    node = _record(1.0, x, None, local_backward)
    node.label = "mine"
    with pytest.raises(pickle.PicklingError, match=r"'mine': its backward rule .*local_backward"):
        pickle.dumps(node)


def test_copy_copy_shares_the_inputs() -> None:
    x = Value(2.0, label="x")
    y = x * x
    y.label = "y"
    twin = copy.copy(y)
    assert twin is not y
    assert twin._prev[0] is x
    assert _fields(twin) == _fields(y)
    twin.label = "twin"
    assert y.label == "y"


@pytest.mark.parametrize("how", COPIERS)
def test_user_attributes_survive_and_a_deep_copy_has_its_own(how: str) -> None:
    w = Value(0.5, label="w")
    w.momentum = [0.25]  # an optimizer of one's own keeps its state on the parameter
    y = w * 2.0
    y.colour = "red"
    twin = _copied(how, y)
    assert isinstance(twin, Value)
    twin_w = twin._prev[0]
    assert (twin.colour, twin_w.momentum) == ("red", [0.25])
    twin_w.momentum.append(1.0)
    assert w.momentum == [0.25]


def test_an_attribute_pointing_back_into_the_graph_keeps_pointing_at_the_copy() -> None:
    x = Value(1.0, label="x")
    y = x.exp()
    x.result = y  # an attribute that refers to a node made later
    for twin in (copy.deepcopy(y), _pickled(y)):
        assert isinstance(twin, Value)
        assert twin._prev[0].result is twin


def _micrograd_exp(x: Value) -> Value:
    """exp built by hand, as micrograd does: the closure adds into the inputs itself."""
    out = Value(math.exp(x.data), (x,), "exp")

    def _backward() -> None:
        x.grad += out.data * out.grad

    out._backward = _backward
    return out


def test_a_deep_copy_of_a_micrograd_closure_works_on_the_copies() -> None:
    x = Value(0.5, label="x")
    out = _micrograd_exp(x) * 3.0
    twin = copy.deepcopy(out)
    assert isinstance(twin, Value)
    twin.backward()
    (twin_x,) = [v for v in topological_order(twin) if v.label == "x"]
    assert twin_x is not x
    assert twin_x.grad == pytest.approx(3.0 * math.exp(0.5), rel=1e-15)
    assert (x.grad, out.grad) == (0.0, 0.0)  # the original graph is untouched


def test_a_shallow_copy_of_a_closure_node_passes_its_own_gradient() -> None:
    x = Value(0.5, label="x")
    out = _micrograd_exp(x)
    twin = copy.copy(out)
    twin.grad = 2.0
    twin._backward()
    assert x.grad == pytest.approx(2.0 * math.exp(0.5), rel=1e-15)  # the shared input
    assert out.grad == 0.0


def test_a_micrograd_closure_cannot_be_pickled_and_the_error_names_the_node() -> None:
    out = _micrograd_exp(Value(0.5))
    out.label = "e"
    with pytest.raises(pickle.PicklingError, match=r"node 'e': its _backward .*closure.*_backward"):
        pickle.dumps(out)


softsign = define_op(
    "softsign_for_copying",
    lambda x: x / (1.0 + abs(x)),
    lambda x, out, out_grad: out_grad / (1.0 + abs(x)) ** 2,
)


def test_an_op_made_with_define_op_pickles_by_its_name() -> None:
    x = Value(1.0, label="x")
    twin = _pickled(softsign(x) * 2.0)
    assert isinstance(twin, Value)
    assert twin._prev[0].grad_fn is softsign(x).grad_fn
    twin.backward()
    assert twin._prev[0]._prev[0].grad == 2.0 / (1.0 + 1.0) ** 2


def test_loading_an_op_not_defined_in_this_process_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = pickle.dumps(softsign(Value(1.0)))
    monkeypatch.delitem(ops.DEFINED, "softsign_for_copying")
    with pytest.raises(pickle.UnpicklingError, match=r"softsign_for_copying.*define_op"):
        pickle.loads(data)


def test_a_loaded_hand_built_node_without_a_rule_is_still_refused_before_backward(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    x = Value(2.0)
    node = Value(4.0, (x,), "square")  # no _backward assigned: no rule
    data = pickle.dumps(node * 1.0)
    monkeypatch.setattr(value, "hand_built", False)  # as in a fresh process
    twin = pickle.loads(data)
    assert isinstance(twin, Value)
    with pytest.raises(ops.MissingRuleError):
        twin.backward()
    assert all(v.grad == 0.0 for v in topological_order(twin))
