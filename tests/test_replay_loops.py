"""Compiled replay of repeated sub-graphs as loops: bit for bit equal to eager, used, guarded."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value, define_op, replay, templates
from autograd.replay import GraphChangedError, compile
from nn.datasets import make_moons
from tests.oracle import import_torch, same
from tests.test_properties import build, steps
from tests.test_replay import assert_bit_equal, bits, eager, replayed

Loss = Callable[..., Value]


def w1_loss(model: nn.MLP, points: list[Any], labels: list[float], total: Any) -> Loss:
    """micrograd's demo loss: mean hinge loss of the batch plus 1e-4 * L2, as a graph."""
    params = model.parameters()

    def loss() -> Value:
        scores = [model([Value(a), Value(b)]) for a, b in points]
        losses = [(1 + -yi * si).relu() for yi, si in zip(labels, scores, strict=True)]
        return total(losses) * (1.0 / len(losses)) + 1e-4 * total(p * p for p in params)

    return loss


def unrolled(monkeypatch: pytest.MonkeyPatch, fn: Loss, points: list[float]) -> replay.CompiledStep:
    """fn compiled with no loops at all: no template is ever big enough."""
    with monkeypatch.context() as patch:
        patch.setattr(templates, "FEWEST_NODES", math.inf)
        return compile(fn, points)


def loop_count(step: replay.CompiledStep) -> int:
    return step.source.count(" = []  # per instance, the values")


def moved(params: list[Value], seed: int) -> None:
    """A step of noise on every parameter, so that replays see new numbers."""
    rng = random.Random(seed)
    for p in params:
        p.data += rng.uniform(-0.3, 0.3)


samples = st.lists(st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=2), min_size=1, max_size=5)


@settings(max_examples=80, deadline=None)
@given(steps, samples, st.integers(0, 2), st.booleans(), st.booleans())
def test_random_graphs_repeated_per_sample_replay_bit_for_bit(
    plan: list[tuple[bool, int, int, int]],
    numbers: list[list[float]],
    n_params: int,
    fused_sum: bool,
    samples_as_inputs: bool,
) -> None:
    # each sample: the same random graph on its own numbers (constants, or inputs of its own),
    # the parameters and an input all samples share
    params = [Value(0.3 * (k + 1), label=f"p{k}") for k in range(n_params)]

    def fn(a: Value, *xs: Value) -> Value:
        own = [xs[2 * k : 2 * k + 2] for k in range(len(numbers))]
        if not samples_as_inputs:
            own = [tuple(map(Value, sample)) for sample in numbers]
        roots = [build(plan, [*sample, *params, a]) for sample in own]
        return autograd.sum(roots) if fused_sum else sum(roots, Value(0.0))

    flat = [x for sample in numbers for x in sample]
    step = compile(fn, [0.4, *flat])
    for point in ([0.4, *flat], [-1.3, *flat[::-1]]):
        assert_bit_equal(replayed(step, point, params), eager(fn, point, params))
        moved(params, 0)


@pytest.mark.parametrize("graph", ["ops", "fused"])
@pytest.mark.parametrize("batch", [1, 2, 3, 16])
def test_micrograd_demo_batches_replay_bit_for_bit(graph: str, batch: int) -> None:
    points, labels = make_moons(batch, noise=0.1, seed=batch, labels=(-1, 1))
    model = nn.MLP(2, [8, 8, 1], seed=1337, graph=graph)
    total = autograd.sum if graph == "fused" else sum
    loss = w1_loss(model, points, labels, total)
    params = model.parameters()
    step = compile(loss)
    assert loop_count(step) == (1 if batch > 1 else 0)
    for k in range(3):
        assert_bit_equal(replayed(step, [], params), eager(loss, [], params))
        moved(params, k)


@pytest.mark.parametrize("graph", ["ops", "fused"])
def test_a_batch_is_one_loop_far_shorter_than_the_unrolled_code(
    graph: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    points, labels = make_moons(40, noise=0.1, seed=3, labels=(-1, 1))
    model = nn.MLP(2, [8, 8, 1], seed=1, graph=graph)
    loss = w1_loss(model, points, labels, autograd.sum if graph == "fused" else sum)
    looped, flat = compile(loss), unrolled(monkeypatch, loss, [])
    assert loop_count(looped) == 1
    assert loop_count(flat) == 0
    assert "# 40 instances of " in looped.source
    assert "# backward of the 40 instances of v" in looped.source
    # one sample's code and the shared rest, against one line per node and gradient of all 40
    assert looped.source.count("\n") * 5 < flat.source.count("\n")
    params = model.parameters()
    assert_bit_equal(replayed(looped, [], params), replayed(flat, [], params))


def test_the_demo_loss_and_gradients_agree_with_torch() -> None:
    torch = import_torch()
    points, labels = make_moons(12, noise=0.1, seed=5, labels=(-1, 1))
    model = nn.MLP(2, [6, 6, 1], seed=2, graph="fused")
    step = compile(w1_loss(model, points, labels, autograd.sum))
    params = model.parameters()
    for p in params:
        p.grad = 0.0
    result = step()

    layers = [
        (
            torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64),
            torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64),
        )
        for layer in model.layers
    ]
    tensors = [t.requires_grad_() for pair in layers for t in pair]
    h = torch.tensor(points, dtype=torch.float64)
    for k, (w, b) in enumerate(layers):
        h = h @ w.T + b
        if k < len(layers) - 1:
            h = torch.relu(h)
    y = torch.tensor(labels, dtype=torch.float64)
    data_loss = torch.relu(1 - y * h[:, 0]).mean()
    reg = sum((t * t).sum() for t in tensors)
    theirs = data_loss + 1e-4 * reg
    theirs.backward()
    assert same(result.value, theirs.item())

    def close(ours: float, grad: Any) -> bool:  # torch sums in its own order: 1e-20, not 0.0
        return math.isclose(ours, grad.item(), rel_tol=1e-12, abs_tol=1e-15)

    for layer, (w, b) in zip(model.layers, layers, strict=True):
        for n, w_grad, b_grad in zip(layer.neurons, w.grad, b.grad, strict=True):
            assert close(n.b.grad, b_grad)
            assert all(close(wi.grad, g) for wi, g in zip(n.w, w_grad, strict=True))


@pytest.mark.parametrize("labels", [[0, 0, 0, 1, 1, 1, 2, 2, 2], [2, 0, 1, 1, 0, 2, 2, 1, 0]])
def test_cross_entropy_over_classes_replays_bit_for_bit(labels: list[int]) -> None:
    # a sample's graph depends on its class (which logit is picked): each run of one class loops
    rng = random.Random(4)
    points = [(rng.uniform(-1, 1), rng.uniform(-1, 1)) for _ in labels]
    model = nn.MLP(2, [6, 3], seed=4, graph="fused")
    params = model.parameters()

    def loss() -> Value:
        logits = [model([Value(a), Value(b)]) for a, b in points]
        out = nn.cross_entropy(logits, labels)
        assert isinstance(out, Value)
        return out

    step = compile(loss)
    if labels == sorted(labels):
        assert loop_count(step) == 3
    for k in range(3):
        assert_bit_equal(replayed(step, [], params), eager(loss, [], params))
        moved(params, k)


def guarded_batch(params: list[Value], xs: list[float]) -> Loss:
    w, b = params

    def fn() -> Value:
        terms = []
        for x in xs:
            h = (w * x + b).tanh()
            k = h * h + h * 0.5
            terms.append(k.exp() if h > 0.2 else (-k).exp())  # a comparison in every sample
        return autograd.sum(terms)

    return fn


def test_a_guard_inside_the_loop_raises_when_one_instance_flips() -> None:
    params = [Value(1.0, label="w"), Value(0.0, label="b")]
    xs = [0.5 + 0.1 * k for k in range(8)]
    fn = guarded_batch(params, xs)
    step = compile(fn)
    assert loop_count(step) == 1
    assert "raise GraphChangedError(GUARDS[guard0])" in step.source
    assert "    # guards:" not in step.source  # every comparison is checked in the loop
    params[1].data = 0.05
    assert_bit_equal(replayed(step, [], params), eager(fn, [], params))
    params[1].data = -0.35  # only the first sample's h falls below 0.2
    assert [math.tanh(params[0].data * x + params[1].data) > 0.2 for x in xs].count(False) == 1
    with pytest.raises(GraphChangedError, match="came out True"):
        step()


def test_a_guard_inside_the_loop_records_again_on_change() -> None:
    params = [Value(1.0, label="w"), Value(0.0, label="b")]
    fn = guarded_batch(params, [0.5 + 0.1 * k for k in range(8)])
    step = compile(fn, on_change="record")
    params[1].data = -0.4
    assert_bit_equal(replayed(step, [], params), eager(fn, [], params))
    assert step.recordings == 2


@pytest.mark.parametrize(("threshold", "in_the_loss"), [("t", True), ("t", False), ("t*1", True)])
def test_a_guard_comparing_with_a_shared_value_is_checked_per_instance(
    threshold: str, in_the_loss: bool
) -> None:
    # a parameter (or node) the loss uses is known before the loop; one only compared comes
    # after it in the order: then the samples stay unrolled
    w, t = Value(0.9, label="w"), Value(0.3, label="t")
    xs = [0.6, 0.8, 1.0, 1.2]

    def fn() -> Value:
        compared = t if threshold == "t" else t * 1.0
        hs = [(w * x).tanh() * x for x in xs]
        total = autograd.sum([(h * h).exp() if h > compared else h for h in hs])
        return total + compared * compared if in_the_loss else total

    step = compile(fn)
    assert loop_count(step) == (1 if in_the_loss else 0)
    assert_bit_equal(replayed(step, [], [w, t]), eager(fn, [], [w, t]))
    t.data = 0.5  # the first sample's h (0.30) is now below t
    with pytest.raises(GraphChangedError):
        step()


def test_comparisons_between_instances_are_not_looped_and_stay_exact() -> None:
    w = Value(0.9, label="w")
    xs = [0.6, -0.8, 1.0, 1.2]

    def fn() -> Value:
        hs = [((w * x).tanh() * x).exp() for x in xs]
        return autograd.sum([max(a, b) for a, b in itertools.pairwise(hs)])

    step = compile(fn)
    assert loop_count(step) == 0
    assert_bit_equal(replayed(step, [], [w]), eager(fn, [], [w]))


def test_extras_inside_instances_come_out_per_instance() -> None:
    w, b = Value(0.8, label="w"), Value(-0.1, label="b")
    xs = [-1.0, -0.3, 0.4, 1.2, 2.0]

    def fn() -> tuple[Value, ...]:
        scores = [(w * x + b).tanh() * 2.0 + x for x in xs]
        losses = [(s - 0.5 * x).relu() * 3.0 for s, x in zip(scores, xs, strict=True)]
        return (sum(losses, Value(0.0)), *scores)

    step = compile(fn)
    assert loop_count(step) == 1
    for k in range(2):
        out, *scores = fn()
        result = step()
        assert [bits(v) for v in result.outputs] == [bits(s.data) for s in scores]
        assert bits(result.value) == bits(out.data)
        moved([w, b], k)


def test_instances_that_reach_the_output_or_only_extras_loop_exactly() -> None:
    # fn returns every sample's loss: the output is the first's, the others are extras, so one
    # run of instances holds roots with a gradient and roots without.
    w = Value(0.7, label="w")
    xs = [0.3, -0.8, 1.1, 0.05]

    def fn() -> tuple[Value, ...]:
        return tuple(((w * x).tanh() * x + w).exp() for x in xs)

    step = compile(fn)
    assert loop_count(step) == 1
    w.grad = 0.0
    result = step()
    replayed_grad, w.grad = w.grad, 0.0
    outputs = fn()
    outputs[0].backward()
    assert bits(result.value) == bits(outputs[0].data)
    assert [bits(v) for v in result.outputs] == [bits(o.data) for o in outputs[1:]]
    assert bits(replayed_grad) == bits(w.grad)


def test_instances_sharing_an_inner_node_are_not_looped_and_stay_exact() -> None:
    w, b = Value(0.4, label="w"), Value(0.2, label="b")
    xs = [0.5 * k - 1.0 for k in range(6)]

    def fn() -> Value:
        shared = (w * b).tanh()  # computed once, used by every sample
        return autograd.sum([((shared * x + b).tanh() * w).sigmoid() for x in xs])

    step = compile(fn)
    assert loop_count(step) == 0
    assert_bit_equal(replayed(step, [], [w, b]), eager(fn, [], [w, b]))


def test_a_node_of_an_instance_used_outside_it_is_not_looped() -> None:
    w = Value(0.4, label="w")
    xs = [0.5 * k - 1.0 for k in range(6)]

    def fn() -> Value:
        inner = [(w * x).tanh() for x in xs]
        outer = [((h + w) * 2.0).sigmoid() * x for h, x in zip(inner, xs, strict=True)]
        return autograd.sum(outer) * inner[2]  # one instance's inner node, used outside

    step = compile(fn)
    assert_bit_equal(replayed(step, [], [w]), eager(fn, [], [w]))


@pytest.mark.parametrize("p", [0.0, -0.0])
def test_signed_zeros_in_instances_replay_bit_for_bit(p: float) -> None:
    # relu at 0, products with -0.0, and -0.0 constants in some instances and +0.0 in others:
    # a lone -0.0 gradient must come out as 0.0 + -0.0, as backward() makes it.
    w = Value(p, label="w")
    xs = [0.0, -0.0, 1.0, -1.0, -0.0, 0.0]

    def fn(a: Value) -> Value:
        terms = [((w * x).relu() * x + (a * x) * w) * -0.0 + (w * x).relu() for x in xs]
        return autograd.sum(terms) * a

    step = compile(fn, [-0.0])
    assert loop_count(step) == 1
    for point in ([-0.0], [0.0], [2.0]):
        assert_bit_equal(replayed(step, point, [w]), eager(fn, point, [w]))


def test_inputs_users_ops_and_sums_inside_instances_replay_bit_for_bit() -> None:
    def smooth(x: float, y: float) -> float:
        return math.exp(-x * x) * y

    def smooth_backward(x: float, y: float, out: float, out_grad: float) -> Any:
        return (-2.0 * x * out * out_grad, math.exp(-x * x) * out_grad)

    op = define_op("smooth_loop", smooth, smooth_backward)
    w = Value(0.9, label="w")
    xs = [0.1, 0.7, -0.4, 1.3, -2.0]

    def fn(a: Value, b: Value) -> Value:
        terms = [autograd.sum([op(a * x, w), (b * x).tanh(), a * b]).relu() for x in xs]
        return autograd.sum(terms)

    step = compile(fn, [0.5, -0.2])
    assert loop_count(step) == 1
    assert "smooth_loop_backward(" in step.source
    for point in ([0.5, -0.2], [-1.0, 0.8], [2.0, 2.0]):
        assert_bit_equal(replayed(step, point, [w]), eager(fn, point, [w]))


@pytest.mark.parametrize("lines", [3, 4])
@pytest.mark.parametrize("samples_as_inputs", [False, True])
def test_loops_cut_into_parts_replay_bit_for_bit(
    monkeypatch: pytest.MonkeyPatch, lines: int, samples_as_inputs: bool
) -> None:
    # the code cut every few lines: a part may end between a loop and what it saved or summed,
    # or after the comments that head a loop
    monkeypatch.setattr(replay, "PART_LINES", (lines, lines))
    points, labels = make_moons(6, noise=0.1, seed=2, labels=(-1, 1))
    model = nn.MLP(2, [3, 1], seed=3, graph="fused")
    params = model.parameters()
    flat = [x for point in points for x in point] if samples_as_inputs else []

    def fn(*xs: Value) -> tuple[Value, ...]:
        rows = [list(xs[2 * k : 2 * k + 2]) for k in range(len(xs) // 2)]
        rows = rows or [[Value(a), Value(b)] for a, b in points]
        scores = [model(row) for row in rows]
        losses = [(1 + -yi * si).relu() for yi, si in zip(labels, scores, strict=True)]
        return (autograd.sum(losses), *scores)

    step = compile(fn, flat)
    assert loop_count(step) == 1
    assert step.source.count("\ndef replay_") > 3
    for k in range(2):
        scores = fn(*map(Value, flat))[1:]
        result = step(*flat)
        assert [bits(v) for v in result.outputs] == [bits(s.data) for s in scores]
        assert_bit_equal(replayed(step, flat, params), eager(lambda *xs: fn(*xs)[0], flat, params))
        moved(params, k)


def rows_loss(model: nn.MLP, loss: Any) -> Callable[..., Value]:
    """A batch whose samples are fn's arguments, as fit(compiled=True) records it."""

    def fn(*values: Value) -> Value:
        n = len(values) // 3
        rows = [list(values[2 * k : 2 * k + 2]) for k in range(n)]
        out = loss([model(row) for row in rows], list(values[2 * n :]))
        assert isinstance(out, Value)
        return out

    return fn


@pytest.mark.parametrize("loss", [nn.hinge_loss, nn.mse_loss])
def test_samples_given_as_inputs_loop_and_their_grads_come_back_bit_for_bit(loss: Any) -> None:
    points, labels = make_moons(7, noise=0.1, seed=6, labels=(-1, 1))
    model = nn.MLP(2, [5, 5, 1], seed=6, graph="fused")
    params = model.parameters()
    fn = rows_loss(model, loss)
    flat = [x for point in points for x in point] + [float(y) for y in labels]
    step = compile(fn, flat)
    assert loop_count(step) == 1
    assert "inputs[a" in step.source  # each instance reads its own inputs
    for k in range(3):
        assert_bit_equal(replayed(step, flat, params), eager(fn, flat, params))
        flat = [x + 0.1 * (k + 1) for x in flat]
        moved(params, k)


def test_inputs_of_samples_that_reach_the_output_or_only_extras_loop_exactly() -> None:
    w = Value(0.7, label="w")

    def fn(*xs: Value) -> tuple[Value, ...]:
        losses = [((w * x).tanh() * x + w).exp() for x in xs]  # the first: the output
        return tuple(losses)

    points = [0.3, -0.8, 1.1, 0.05]
    step = compile(fn, points)
    assert loop_count(step) == 1
    assert_bit_equal(replayed(step, points, [w]), eager(lambda *xs: fn(*xs)[0], points, [w]))


def test_an_input_two_samples_share_is_not_looped_and_stays_exact() -> None:
    w = Value(0.6, label="w")

    def fn(*xs: Value) -> Value:
        # sample k reads xs[k] and xs[k + 1]: every input but the ends is read by two samples
        return autograd.sum([((w * a).tanh() * b + w).exp() for a, b in itertools.pairwise(xs)])

    points = [0.3, -0.2, 0.8, 1.1, -0.5]
    step = compile(fn, points)
    assert loop_count(step) == 0
    assert_bit_equal(replayed(step, points, [w]), eager(fn, points, [w]))


def test_fit_compiled_records_a_batch_as_one_loop() -> None:
    points, labels = make_moons(16, noise=0.1, seed=7, labels=(-1, 1))
    model = nn.MLP(2, [4, 1], seed=7)
    batch = nn.train._BatchReplay(  # what fit(compiled=True) replays
        lambda rows, ys: (nn.hinge_loss([model(r) for r in rows], ys), []), points, labels
    )
    batch.run(list(range(16)))
    (step,) = batch.steps.values()
    assert loop_count(step) == 1


def test_a_part_is_never_comments_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    # nothing to read before the loop: the code starts with three lines of comments
    monkeypatch.setattr(replay, "PART_LINES", (3, 3))

    def fn() -> Value:
        return autograd.sum([((Value(x) * 2.0).tanh() * x + 1.0).exp() for x in (0.1, 0.2, 0.3)])

    step = compile(fn)
    assert loop_count(step) == 1
    assert bits(step().value) == bits(fn().data)
