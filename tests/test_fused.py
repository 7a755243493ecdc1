"""Fused nodes (autograd.sum, autograd.linear, graph="fused"): micrograd's numbers, bit for bit.

micrograd 0.1.0 is the oracle, run side by side on the same weights and data. Its ``_prev`` is a
set, whose order follows memory addresses, so its own backward adds a shared node's
contributions in an order that changes from run to run (its gradients then differ from run to
run in the last bits). To compare bit for bit, micrograd's own graph and its own ``_backward``
closures are run in one fixed order: its ``build_topo``, over the children in the order its ops
gave them.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from typing import Any

import micrograd.engine
import micrograd.nn
import pytest

import autograd
import nn
from autograd import (
    Value,
    backward_steps,
    check_rules,
    compile,
    detect_anomaly,
    draw_dot,
    grad,
    gradcheck,
    record_scopes,
)
from autograd.ops import OPS, op_of
from nn.datasets import make_moons
from nn.modules import GRAPHS

ALPHA = 1e-4  # micrograd's demo: the weight of the L2 term


@pytest.fixture(scope="module")
def micrograd_in_order() -> tuple[float, list[float]]:
    """micrograd's demo step, its Value remembering its children in the order its ops pass them."""
    original = micrograd.engine.Value.__init__

    def init(self: Any, data: float, _children: tuple[Any, ...] = (), _op: str = "") -> None:
        original(self, data, _children, _op)
        self.children = tuple(_children)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(micrograd.engine.Value, "__init__", init)
        return micrograd_step(ordered=True)


def micrograd_backward_in_order(root: Any) -> None:
    """micrograd's ``backward()``, its build_topo walking the children in order, last first."""
    topo: list[Any] = []
    visited: set[Any] = set()

    def build_topo(v: Any) -> None:
        if v not in visited:
            visited.add(v)
            for child in reversed(v.children):
                build_topo(child)
            topo.append(v)

    build_topo(root)
    root.grad = 1
    for v in reversed(topo):
        v._backward()


def demo_loss(model: Any, value: Any, total: Callable[..., Any], xs: Any, ys: Any) -> Any:
    """micrograd's demo.ipynb loss, with ``total`` for its two sums (builtin or autograd.sum)."""
    inputs = [list(map(value, row)) for row in xs]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(ys, scores, strict=True)]
    data_loss = total(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * total(p * p for p in model.parameters())
    return data_loss + reg_loss


def our_step(graph: str, total: Callable[..., Any]) -> tuple[float, list[float]]:
    xs, ys = make_moons(100, noise=0.1, seed=1, labels=(-1, 1))
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1], graph=graph)
    loss = demo_loss(model, Value, total, xs, ys)
    model.zero_grad()
    loss.backward()
    return loss.data, [p.grad for p in model.parameters()]


def micrograd_step(*, ordered: bool) -> tuple[float, list[float]]:
    xs, ys = make_moons(100, noise=0.1, seed=1, labels=(-1, 1))
    random.seed(1337)
    model = micrograd.nn.MLP(2, [16, 16, 1])
    loss = demo_loss(model, micrograd.engine.Value, sum, xs, ys)
    model.zero_grad()
    if ordered:
        micrograd_backward_in_order(loss)
    else:
        loss.backward()
    return loss.data, [float(p.grad) for p in model.parameters()]


def test_the_fused_demo_step_is_micrograds_bit_for_bit(
    micrograd_in_order: tuple[float, list[float]],
) -> None:
    loss, grads = our_step("fused", autograd.sum)
    assert loss == micrograd_in_order[0]
    assert grads == micrograd_in_order[1]


def test_the_op_by_op_demo_step_is_micrograds_bit_for_bit(
    micrograd_in_order: tuple[float, list[float]],
) -> None:
    assert our_step("ops", sum) == micrograd_in_order


def test_fused_and_op_by_op_graphs_give_identical_numbers() -> None:
    assert our_step("fused", autograd.sum) == our_step("ops", sum)


def test_micrograds_own_backward_agrees_to_the_last_bits() -> None:
    theirs = micrograd_step(ordered=False)
    ours = our_step("fused", autograd.sum)
    assert ours[0] == theirs[0]
    assert ours[1] == pytest.approx(theirs[1], rel=1e-12, abs=1e-15)


def test_the_fused_graph_has_one_node_per_neuron() -> None:
    xs, ys = make_moons(100, noise=0.1, seed=1, labels=(-1, 1))
    sizes = {}
    for graph in GRAPHS:
        model = nn.MLP(2, [16, 16, 1], seed=0, graph=graph)
        loss = demo_loss(model, Value, autograd.sum, xs, ys)
        sizes[graph] = len(autograd.topological_order(loss))
    assert sizes["fused"] * 7 < sizes["ops"]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "linear"])
def test_training_steps_agree_bit_for_bit_for_every_activation(activation: str) -> None:
    xs, ys = make_moons(20, noise=0.2, seed=3, labels=(-1, 1))
    histories = []
    for graph in GRAPHS:
        model = nn.MLP(2, [5, 4, 1], activation=activation, seed=7, graph=graph)
        losses = []
        for _ in range(3):
            loss = nn.hinge_loss([model(x) for x in xs], ys) + 1e-3 * sum(
                p * p for p in model.parameters()
            )
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data -= 0.1 * p.grad
            losses.append(loss.data)
        histories.append((losses, [p.data for p in model.parameters()]))
    assert histories[0] == histories[1]


def test_graph_keyword_on_neuron_and_layer() -> None:
    x = [0.5, -1.5, 2.0]
    ops, fused = nn.Neuron(3, seed=4), nn.Neuron(3, seed=4, graph="fused")
    assert fused(x).data == ops(x).data
    assert op_of(fused(x)._x) is OPS["linear"]
    layer = nn.Layer(3, 2, seed=4, graph="fused")
    outputs = layer(x)
    assert isinstance(outputs, list)
    assert [op_of(o._x) for o in outputs] == [OPS["linear"]] * 2
    # numbers become leaves once per layer, shared by its neurons
    assert outputs[0]._x._prev[2] is outputs[1]._x._prev[2]


def test_forward_builds_the_graph_asked_for_whatever_the_setting() -> None:
    model = nn.MLP(2, [3, 1], seed=0, activation="tanh")
    fused = model.forward([0.1, 0.2], "fused")
    assert isinstance(fused, Value)
    assert op_of(fused) is OPS["linear"]  # the output layer is linear: the score is the node
    assert op_of(model([0.1, 0.2])) is OPS["add"]
    assert model.graph == "ops"


@pytest.mark.parametrize("make", [nn.Neuron, lambda **k: nn.Layer(2, 3, **k)])
def test_an_unknown_graph_is_refused(make: Callable[..., Any]) -> None:
    with pytest.raises(ValueError, match=r"unknown graph 'nodes'; use one of \['ops', 'fused'\]"):
        make(nin=2, graph="nodes") if make is nn.Neuron else make(graph="nodes")
    with pytest.raises(ValueError, match="unknown graph"):
        nn.MLP(2, [2, 1], seed=0).forward([1.0, 2.0], "Fused")
    with pytest.raises(ValueError, match="unknown graph"):
        nn.Neuron(2, seed=0).forward([1.0, 2.0], "Fused")


def test_a_fused_neuron_refuses_the_wrong_number_of_inputs() -> None:
    with pytest.raises(ValueError, match=r"ReLUNeuron\(2\) takes 2 inputs, got 3"):
        nn.Neuron(2, seed=0, graph="fused")([1.0, 2.0, 3.0])


def test_scopes_tag_fused_nodes_with_their_neuron() -> None:
    model = nn.MLP(2, [2, 1], seed=0, graph="fused")
    with record_scopes():
        out = model([1.0, 2.0])
    assert isinstance(out, Value)
    assert out.scope == "layers.1.neurons.0"
    assert out._prev[-1].scope == "layers.0.neurons.1"  # its x1: relu of the second neuron


def test_fit_trains_with_fused_neurons_and_the_numbers_of_the_op_graph() -> None:
    xs, ys = make_moons(30, noise=0.1, seed=2, labels=(-1, 1))
    seen_ops = set()

    def loss(scores: list[Value], targets: list[float]) -> Any:
        seen_ops.update(op_of(s) for s in scores)
        return nn.hinge_loss(scores, targets)

    model = nn.MLP(2, [8, 1], seed=5)
    optimizer = nn.SGD(model.parameters(), lr=0.5)
    history = fit_quietly(model, xs, ys, loss, optimizer)
    assert seen_ops == {OPS["linear"]}
    # by hand, on micrograd's op-by-op graph: the same losses and weights, bit for bit
    by_hand = nn.MLP(2, [8, 1], seed=5)
    losses = []
    for _ in range(4):
        total = nn.hinge_loss([by_hand(x) for x in xs], ys)
        total = total + 1e-3 * chain_sum([p * p for p in by_hand.parameters()])
        by_hand.zero_grad()
        total.backward()
        for p in by_hand.parameters():
            p.data -= 0.5 * p.grad
        losses.append(total.data)
    assert history.loss == losses
    assert [p.data for p in model.parameters()] == [p.data for p in by_hand.parameters()]


def chain_sum(values: list[Value]) -> Value:
    return sum(values[1:], start=values[0] + 0.0)  # 0.0 + v0 + v1 ..., as Python's sum


def fit_quietly(model: nn.MLP, xs: Any, ys: Any, loss: Any, optimizer: Any) -> Any:
    return nn.fit(model, xs, ys, loss, optimizer, 4, l2=1e-3, progress=False)


def test_compiled_fused_graph_replays_the_same_numbers() -> None:
    xs, ys = make_moons(10, noise=0.1, seed=2, labels=(-1, 1))
    model = nn.MLP(2, [4, 1], seed=1, graph="fused")

    def loss() -> Value:
        scores = [model(x) for x in xs]
        return autograd.sum((1 - y * s).relu() for s, y in zip(scores, ys, strict=True))

    eager = loss()
    model.zero_grad()
    eager.backward()
    expected = [p.grad for p in model.parameters()]
    replay = compile(loss)
    model.zero_grad()
    assert replay().value == eager.data
    assert [p.grad for p in model.parameters()] == expected


def test_fused_nodes_pass_check_rules_and_gradcheck() -> None:
    model = nn.MLP(3, [3, 1], activation="tanh", seed=2, graph="fused")
    out = model([0.3, -0.5, 0.9])
    assert isinstance(out, Value)
    # 3 hidden neurons (linear, tanh), the output neuron, out * out, the sum
    assert check_rules(autograd.sum([out, out * out])).checked == 9
    assert gradcheck(lambda a, b, c: autograd.linear([a, b], [c, a], b).tanh(), [0.2, -0.4, 0.7])


def test_a_hook_on_a_fused_node_sees_its_gradient_and_can_change_it() -> None:
    w, x = [Value(2.0), Value(3.0)], [Value(-1.0), Value(0.5)]
    n = autograd.linear(w, x, 1.0)
    seen = []
    n.register_hook(lambda g: seen.append(g) or g * 10)
    (n * 2).backward()
    assert seen == [2.0]
    assert [v.grad for v in w] == [-20.0, 10.0]


def test_the_step_of_a_fused_neuron_reads_as_its_maths() -> None:
    names = ["b", "w0", "x0", "w1", "x1"]
    b, w0, x0, w1, x1 = (
        Value(v, label=k) for k, v in zip(names, [0.5, 2.0, 3.0, -1.0, 4.0], strict=True)
    )
    n = autograd.linear([w0, w1], [x0, x1], b)
    n.label = "n"
    step = next(backward_steps(n))
    assert repr(step) == (
        "n = b + w0 * x0 + w1 * x1 | b.grad += 1 * n.grad = 1 * 1 = 1"
        " | w0.grad += x0 * n.grad = 3 * 1 = 3 | x0.grad += w0 * n.grad = 2 * 1 = 2"
        " | w1.grad += x1 * n.grad = 4 * 1 = 4 | x1.grad += w1 * n.grad = -1 * 1 = -1"
    )


def test_the_step_of_a_sum_reads_as_its_maths() -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    s = autograd.sum([a, b], start=a)
    s.label = "s"
    assert repr(next(backward_steps(s))) == (
        "s = a + a + b | a.grad += 1 * s.grad = 1 * 1 = 1 | a.grad += 1 * s.grad = 1 * 1 = 1"
        " | b.grad += 1 * s.grad = 1 * 1 = 1"
    )


def test_anomaly_mode_names_the_fused_op_that_made_an_inf() -> None:
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"b \+ Σ w·x made inf"):
        autograd.linear([Value(1e200, label="w")], [Value(1e200, label="x")], 0.0)


def test_a_picture_of_a_fused_neuron_has_one_op_oval_with_every_input() -> None:
    w, x = [Value(2.0, label="w0"), Value(-1.0, label="w1")], [Value(3.0), Value(4.0)]
    n = autograd.linear(w, x, Value(0.5, label="b"))
    n.backward()
    dot = draw_dot(n).source
    ovals = [line for line in dot.splitlines() if "op [label=" in line]
    assert len(ovals) == 1  # one oval, reading like the maths in the inputs' names
    assert re.search(r"label=<b \+ w0·v\d+ \+ w1·v\d+>", ovals[0])
    assert dot.count("->") == 6  # five inputs into the oval, the oval into the result


def test_second_derivatives_flow_through_fused_nodes() -> None:
    x = Value(0.7)
    y = autograd.linear([x, x], [x, 2.0], x).tanh()  # tanh(x + x*x + 2x)
    (dy,) = grad(y, [x], create_graph=True)
    (d2,) = grad(dy, [x])
    u = 3 * 0.7 + 0.7**2
    t = math.tanh(u)
    expected = -2 * t * (1 - t * t) * (3 + 2 * 0.7) ** 2 + (1 - t * t) * 2
    assert d2 == pytest.approx(expected, rel=1e-12)


def test_sum_of_nothing_is_start_and_bad_items_are_named() -> None:
    start = Value(1.5)
    assert autograd.sum([], start) is start
    assert autograd.sum([]).data == 0.0
    with pytest.raises(TypeError, match=r"sum: value 1 must be a Value or a number, got str"):
        autograd.sum([Value(1.0), "2"])


def test_linear_refuses_mismatched_lengths_and_bad_items() -> None:
    with pytest.raises(ValueError, match="2 weights but 1 inputs"):
        autograd.linear([1.0, 2.0], [Value(1.0)])
    with pytest.raises(
        TypeError, match="linear: input 0 must be a Value or a number, got NoneType"
    ):
        autograd.linear([Value(1.0)], [None])  # type: ignore[list-item]


def test_linear_layer_is_linear_per_neuron_to_the_bit() -> None:
    rng = random.Random(7)
    xs = [Value(rng.uniform(-3, 3)) for _ in range(5)]
    rows = [[Value(rng.uniform(-1, 1)) for _ in xs] for _ in range(4)]
    biases = [Value(rng.uniform(-1, 1)) for _ in rows]
    layer = autograd.fused.linear_layer(rows, biases, xs)
    one_by_one = [autograd.linear(ws, xs, b) for ws, b in zip(rows, biases, strict=True)]
    assert [o.data for o in layer] == [o.data for o in one_by_one]
    assert [o._prev for o in layer] == [o._prev for o in one_by_one]
    # the oracle: micrograd's chain of + and * on the same numbers, node by node
    for ws, b, out in zip(rows, biases, layer, strict=True):
        chain = sum(
            (
                micrograd.engine.Value(w.data) * micrograd.engine.Value(x.data)
                for w, x in zip(ws, xs, strict=True)
            ),
            micrograd.engine.Value(b.data),
        )
        assert out.data == chain.data


def test_linear_layer_takes_the_checked_way_for_numbers_and_refuses_the_rest() -> None:
    xs = [Value(2.0), Value(3.0)]
    (out,) = autograd.fused.linear_layer([[0.5, Value(-1.0)]], [Value(1.0)], xs)  # type: ignore[list-item]
    assert out.data == 1.0 + 0.5 * 2.0 + -1.0 * 3.0
    assert out._prev[1].data == 0.5  # the number became a constant leaf
    assert out._prev[1].is_leaf
    first, second = autograd.fused.linear_layer(
        [[Value(1.0)], [Value(2.0)]], [Value(0.0)] * 2, [4.0]
    )
    assert first._prev[2] is second._prev[2]  # the number became one leaf, for both neurons
    assert second.data == 8.0
    with pytest.raises(TypeError, match="linear_layer: input 1 must be a Value or a number"):
        autograd.fused.linear_layer([[Value(1.0)] * 2], [Value(0.0)], [1.0, "x"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="linear: weight 1 must be a Value or a number, got str"):
        autograd.fused.linear_layer([[Value(1.0), "w"]], [Value(0.0)], xs)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="1 weights but 2 inputs"):
        autograd.fused.linear_layer([[Value(1.0)]], [Value(0.0)], xs)
    with pytest.raises(ValueError, match="2 rows of weights but 1 biases"):
        autograd.fused.linear_layer([[Value(1.0)] * 2] * 2, [Value(0.0)], xs)


def test_a_fused_layer_keeps_the_forward_of_a_neuron_subclass() -> None:
    class Doubled(nn.Neuron):
        def forward(self, x: Any, graph: str | None = None) -> Value:
            return super().forward(x, graph) * 2

    layer = nn.Layer(2, 3, seed=0, graph="fused")
    plain = [o.data for o in layer.outputs([1.0, -2.0])]
    layer.neurons[1].__class__ = Doubled
    doubled = [o.data for o in layer.outputs([1.0, -2.0])]
    assert doubled == [plain[0], plain[1] * 2, plain[2]]


def test_a_fused_layer_refuses_the_wrong_number_of_inputs() -> None:
    with pytest.raises(ValueError, match=r"ReLUNeuron\(2\) takes 2 inputs, got 3"):
        nn.Layer(2, 3, seed=0, graph="fused")([1.0, 2.0, 3.0])
