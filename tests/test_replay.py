"""Compiled replay: bit-for-bit equal to the eager engine, guarded, and clear about its limits."""

from __future__ import annotations

import gc
import linecache
import math
import random
import re
import struct
import tracemalloc
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value, define_op, grad, modes, replay
from autograd.replay import CompileError, GraphChangedError, compile
from nn.datasets import make_moons
from tests.test_properties import BINARY, UNARY, build, leaves, steps


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def eager(
    fn: Any, points: list[float], params: list[Value]
) -> tuple[float, list[float], list[float]]:
    """Value, input grads and parameter grads of fn by the eager engine (params zeroed first)."""
    for p in params:
        p.grad = 0.0
    xs = [Value(x) for x in points]
    out = fn(*xs)
    out.backward()
    return out.data, [x.grad for x in xs], [p.grad for p in params]


def replayed(
    step: Any, points: list[float], params: list[Value]
) -> tuple[float, list[float], list[float]]:
    for p in params:
        p.grad = 0.0
    result = step(*points)
    return result.value, list(result.grads), [p.grad for p in params]


def assert_bit_equal(
    a: tuple[float, list[float], list[float]], b: tuple[float, list[float], list[float]]
) -> None:
    assert bits(a[0]) == bits(b[0])
    assert [bits(g) for g in a[1]] == [bits(g) for g in b[1]]
    assert [bits(g) for g in a[2]] == [bits(g) for g in b[2]]


@settings(max_examples=60, deadline=None)
@given(leaves, steps, st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=4), st.integers(0, 3))
def test_random_graphs_replay_bit_for_bit(
    points: list[float],
    plan: list[tuple[bool, int, int, int]],
    new_points: list[float],
    n_params: int,
) -> None:
    params = [Value(0.3 * (k + 1), label=f"p{k}") for k in range(n_params)]

    def fn(*xs: Value) -> Value:
        return build(plan, [*xs, *params])

    step = compile(fn, points)
    assert_bit_equal(replayed(step, points, params), eager(fn, points, params))
    moved = (new_points * len(points))[: len(points)]
    for p in params:
        p.data += 0.25  # parameters are read afresh at every call
    assert_bit_equal(replayed(step, moved, params), eager(fn, moved, params))


def test_every_op_replays_bit_for_bit() -> None:
    def fn(x: Value, y: Value) -> Value:
        total = Value(0.0)
        for unary in UNARY:
            total = total + unary(x) * unary(y)
        for binary in BINARY:
            total = total + binary(x, y)
        extras = [x.leaky_relu(0.2), y.softplus(2.0, 3.0), x.sign() * y, abs(x - y), x.log1p()]
        return total + sum(extras, Value(0.0)) + x**y + 2.0**x + 1.0 / y

    step = compile(fn, [0.7, 1.3])
    for point in ([0.7, 1.3], [1.9, 0.4], [0.0, 2.0], [2.5, -0.0]):
        assert_bit_equal(replayed(step, point, []), eager(fn, point, []))


def test_micrograd_demo_step_replays_bit_for_bit() -> None:
    points, labels = make_moons(30, noise=0.1, seed=1, labels=(-1, 1))
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    params = model.parameters()

    def loss() -> Value:
        scores = [model([Value(a), Value(b)]) for a, b in points]
        losses = [(1 + -yi * si).relu() for yi, si in zip(labels, scores, strict=True)]
        return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)

    step = compile(loss)
    for k in range(3):
        ours = replayed(step, [], params)
        assert_bit_equal(ours, eager(loss, [], params))
        for p in params:  # an SGD step moves the parameters between replays
            p.data -= (1.0 - 0.9 * k / 100) * p.grad


def test_parameter_grads_accumulate_like_backward() -> None:
    w = Value(0.5)
    step = compile(lambda x: (w * x).tanh(), [2.0])
    w.grad = 1.0
    step(2.0)
    once = w.grad - 1.0
    w.grad = 1.0
    (w * Value(2.0)).tanh().backward()
    assert w.grad == 1.0 + once


def test_source_shows_the_chain_rule_for_the_graph() -> None:
    w = Value(-3.0, label="w")
    step = compile(lambda x: (x * w).tanh(), [2.0])
    assert "mul_backward" in step.source
    assert "tanh_backward" in step.source
    assert "leaves[0].data  # w: parameter" in step.source
    assert step.parameters == [w]


def test_a_comparison_that_steers_the_graph_is_a_guard() -> None:
    def fn(x: Value) -> Value:
        return x * 2.0 if x > 0 else x * x

    step = compile(fn, [1.0])
    assert step(3.0).value == 6.0
    with pytest.raises(GraphChangedError, match="came out True"):
        step(-3.0)


def test_on_change_record_records_again_and_matches_eager() -> None:
    def fn(x: Value) -> Value:
        return x * 2.0 if x > 0 else x * x

    step = compile(fn, [1.0], on_change="record")
    result = step(-3.0)
    assert (result.value, result.grads) == (9.0, (-6.0,))
    assert step.recordings == 2


def test_max_of_values_guards_which_one_is_largest() -> None:
    def fn(a: Value, b: Value) -> Value:
        return max(a, b) * 3.0

    step = compile(fn, [1.0, 2.0])
    assert step(1.0, 5.0).grads == (0.0, 3.0)
    with pytest.raises(GraphChangedError):
        step(5.0, 1.0)


def test_second_derivatives_compile_through_create_graph() -> None:
    def fn(x: Value) -> Value:
        (dx,) = grad((x * x * x).sin(), [x], create_graph=True)
        return dx

    step = compile(fn, [0.4])
    for point in (0.4, 1.1):
        x = Value(point)
        (dx,) = grad((x * x * x).sin(), [x], create_graph=True)
        (ddx,) = grad(dx, [x])
        result = step(point)
        assert bits(result.value) == bits(dx.data)
        assert bits(result.grads[0]) == bits(ddx)


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (lambda x: (x.backward(), x)[1], "backward()"),
        (lambda x: Value(grad(x * x, [x])[0]), "create_graph=True"),
    ],
)
def test_differentiating_inside_fn_is_refused(fn: Any, message: str) -> None:
    with pytest.raises(CompileError, match=message):
        compile(fn, [1.0])


def test_hooks_are_refused() -> None:
    w = Value(1.0)
    w.register_hook(lambda g: g)
    with pytest.raises(CompileError, match="hooks"):
        compile(lambda x: x * w, [1.0])


def test_hand_built_nodes_are_refused() -> None:
    with pytest.raises(CompileError, match="built by hand"):
        compile(lambda x: Value(x.data, (x,), "mystery") * 2.0, [1.0])


def test_wrong_number_of_inputs_is_a_type_error() -> None:
    step = compile(lambda x: x * x, [1.0])
    with pytest.raises(TypeError, match="takes 1 inputs, got 2"):
        step(1.0, 2.0)


def test_fn_must_return_a_value() -> None:
    with pytest.raises(CompileError, match="float"):
        compile(lambda x: 1.0, [1.0])


def test_replay_builds_no_values() -> None:
    w = Value(0.5)
    step = compile(lambda x: (w * x).tanh(), [2.0])
    made: list[Value] = []

    class Spy:
        def made(self, node: Value) -> None:
            made.append(node)

        def compared(self, *args: Any) -> None:
            pass

    with modes.recording(Spy()):
        step(1.0)
    assert made == []


def test_extra_outputs_are_computed_and_returned() -> None:
    w = Value(2.0)

    def fn(x: Value) -> tuple[Value, Value, Value]:
        h = w * x
        return h.tanh(), h, x + 1.0

    result = compile(fn, [0.5])(0.25)
    assert result.outputs == (0.5, 1.25)
    assert bits(result.value) == bits(Value(0.5).tanh().data)


def test_fn_returning_a_number_among_values_is_refused() -> None:
    with pytest.raises(CompileError, match="item 1 is a float"):
        compile(lambda x: (x * x, 2.0), [1.0])


SIGNED_ZEROS = [(0.0, -0.0), (-0.0, -0.0), (-0.0, 1.0), (2.0, -0.0)]


@pytest.mark.parametrize(("a", "b"), SIGNED_ZEROS)
def test_signed_zero_gradients_replay_bit_for_bit(a: float, b: float) -> None:
    # A + passes gradients on without a line of code; -0.0 is where that could go wrong.
    p = Value(-0.0, label="p")

    def fn(x: Value, y: Value) -> Value:
        s = x * y + y * p + x
        return (s * -1.0 + s.relu() * y) * x + p * p

    step = compile(fn, [a, b])
    assert_bit_equal(replayed(step, [a, b], [p]), eager(fn, [a, b], [p]))


def test_compiling_inside_no_grad_is_refused() -> None:
    # Inside no_grad nothing is recorded: the replay would be a constant (6.0, grads 0.0)
    # where eager gives 15.0 and 3.0.
    w = Value(3.0)
    with modes.no_grad(), pytest.raises(CompileError, match="no_grad"):
        compile(lambda x: x * w, [2.0])
    step = compile(lambda x: x * w, [2.0])
    with modes.no_grad():
        result = step(5.0)  # a replay builds no graph, so no_grad changes nothing
    assert (result.value, list(result.grads)) == eager(lambda x: x * w, [5.0], [])[:2]


def test_a_node_made_under_no_grad_inside_fn_is_refused() -> None:
    def fn(x: Value) -> Value:
        with modes.no_grad():
            scale = x * 2.0  # cut off from x: a replay could only repeat its number
        return x * scale

    with pytest.raises(CompileError, match=r"inside no_grad\(\)"):
        compile(fn, [1.0])


@pytest.mark.parametrize("returned", [(), []])
def test_fn_returning_nothing_is_refused_by_name(returned: Any) -> None:
    with pytest.raises(CompileError, match=f"empty {type(returned).__name__}"):
        compile(lambda x: returned, [1.0])


def test_cross_entropy_replays_the_max_shift_of_the_new_logits() -> None:
    # The shift was the max of .data, frozen at recording: 720.0 then gave inf, (nan, -1.0).
    def fn(a: Value, b: Value) -> Value:
        loss = nn.cross_entropy([[a, b]], [1])
        assert isinstance(loss, Value)
        return loss

    step = compile(fn, [0.0, 0.0])
    for point in ([720.0, 0.0], [0.0, 720.0], [-3.0, 2.5]):
        assert_bit_equal(replayed(step, point, []), eager(fn, point, []))
    result = step(720.0, 0.0)
    assert (result.value, result.grads) == (720.0, (1.0, -1.0))


# Every documented loss, recorded at one point and replayed where each of its choices (signs,
# the largest logit, relu's kink) comes out the other way: the replay still equals eager.
LOSS_CASES: list[tuple[Any, list[float], list[float]]] = [
    (lambda xs: nn.mse_loss(xs, [0.5, -1.0, 2.0]), [0.1, 0.2, 0.3], [3.0, -2.0, -1.0]),
    (lambda xs: nn.l1_loss(xs, [0.5, -1.0, 2.0]), [0.1, 0.2, 0.3], [3.0, -2.0, -1.0]),
    (lambda xs: nn.hinge_loss(xs, [1, -1, 1]), [0.1, 0.2, 0.3], [3.0, -2.0, -1.0]),
    (lambda xs: nn.binary_cross_entropy(xs, [1.0, 0.0, 0.3]), [0.2, 0.5, 0.9], [0.7, 0.1, 0.4]),
    (
        lambda xs: nn.binary_cross_entropy_with_logits(xs, [1.0, 0.0, 0.3]),
        [0.5, -0.2, 3.0],
        [-40.0, 0.0, 800.0],
    ),
    (
        lambda xs: nn.cross_entropy([xs[:3], xs[3:]], [2, 0]),
        [0.1, 0.2, 0.3, 2.0, 1.0, 0.0],
        [5.0, -1.0, 0.2, -800.0, 800.0, 799.0],
    ),
]


@pytest.mark.parametrize(("loss", "recorded", "new"), LOSS_CASES)
def test_every_loss_replays_bit_for_bit_where_its_choices_flip(
    loss: Any, recorded: list[float], new: list[float]
) -> None:
    def fn(*xs: Value) -> Value:
        out = loss(list(xs))
        assert isinstance(out, Value)
        return out

    step = compile(fn, recorded)
    for point in (recorded, new):
        assert_bit_equal(replayed(step, point, []), eager(fn, point, []))


def test_code_cut_into_parts_replays_bit_for_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    # A big graph is compiled as several functions passing numbers on; cut a small one so.
    monkeypatch.setattr(replay, "PART_LINES", (5, 5))
    p = Value(0.3, label="p")

    def fn(x: Value, y: Value) -> Value:
        total = Value(0.0)
        for unary in UNARY:
            total = total + unary(x) * unary(y) * p
        s = total if total > 0 else -total  # a guard, somewhere among the parts
        return s + sum((binary(x, y) for binary in BINARY), Value(0.0))

    step = compile(fn, [0.7, 1.3])
    assert step.source.count("\ndef replay_") > 3
    for point in ([0.7, 1.3], [1.9, 0.4], [0.1, 2.0]):
        assert_bit_equal(replayed(step, point, [p]), eager(fn, point, [p]))


def test_a_dropped_step_releases_its_source_and_leaves_no_cycles() -> None:
    w = Value(0.5)
    gc.collect()
    gc.disable()
    try:
        before = set(linecache.cache)
        step = compile(lambda x: (w * x).tanh() if x > 0 else x, [2.0], on_change="record")
        (first,) = set(linecache.cache) - before
        step(-1.0)  # records again: only the new recording's source stays
        (second,) = set(linecache.cache) - before
        assert second != first
        del step
        assert second not in linecache.cache
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_peak_memory_per_node_is_bounded() -> None:
    # CPython's compiler needs ~5 KB per generated line (more for long ones) while it works:
    # one function for the whole graph peaked at ~13 KB per node; compiled in parts, ~3.5 KB.
    w = Value(0.5)

    def chain(x: Value) -> Value:
        for _ in range(2500):
            x = (x * w + 1.0).tanh()
        return x

    tracemalloc.start()
    try:
        step = compile(chain, [0.3])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert step.nodes > 10_000
    assert peak / step.nodes < 5000


def test_tracebacks_show_the_generated_line_of_a_later_part(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(replay, "PART_LINES", (3, 3))

    def fn(x: Value) -> Value:
        y = (x * 2.0).tanh().exp()
        return y * 3.0 if y > 1.0 else y  # a guard near the end

    step = compile(fn, [1.0])
    with pytest.raises(GraphChangedError) as caught:
        step(-1.0)
    frame = caught.traceback[-1]
    assert frame.name != "replay_0"
    line = linecache.getline(str(frame.path), frame.lineno + 1)
    assert step.source.splitlines()[frame.lineno] == line.rstrip("\n")
    assert "raise GraphChangedError" in line


def test_a_users_op_is_called_from_the_replay_bit_for_bit() -> None:
    # define_op's forward and backward work on floats only (math.exp): the replay calls them.
    def smooth_step(x: float, y: float) -> float:
        return math.exp(-x * x) * y

    def smooth_step_backward(x: float, y: float, out: float, out_grad: float) -> Any:
        return (-2.0 * x * out * out_grad, math.exp(-x * x) * out_grad)

    op = define_op("smooth_step", smooth_step, smooth_step_backward)
    w = Value(0.7, label="w")

    def fn(x: Value) -> Value:
        return op(x, w).tanh() + op(x * x, x)  # the second call has x twice

    step = compile(fn, [0.3])
    assert "float(smooth_step_forward(" in step.source
    assert "= smooth_step_backward(" in step.source
    for point in ([0.3], [-1.2], [2.0]):
        assert_bit_equal(replayed(step, point, [w]), eager(fn, point, [w]))


def test_a_micrograd_style_closure_is_refused_by_name() -> None:
    def fn(x: Value) -> Value:
        out = Value(math.exp(x.data), (x,), "exp")
        out.label = "my_exp"

        def _backward() -> None:
            x.grad += out.data * out.grad

        out._backward = _backward
        return out * 2.0

    with pytest.raises(CompileError, match=r"my_exp.*define_op"):
        compile(fn, [1.0])


def test_a_long_fused_sum_compiles_as_one_call_with_eager_numbers() -> None:
    # traced term by term, 500 terms would nest 500 parentheses, more than Python parses
    w = Value(0.5, label="w")

    def fn(x: Value) -> Value:
        return autograd.sum([(w * x + k).tanh() for k in range(500)])

    step = compile(fn, [0.3])
    w.grad = 0.0
    replay = step(0.7)
    replayed_w_grad, w.grad = w.grad, 0.0
    x = Value(0.7)
    eager = fn(x)
    eager.backward()
    assert replay.value == eager.data
    assert replay.grads == (x.grad,)
    assert replayed_w_grad == w.grad
    assert "add_all(" in step.source


@pytest.mark.parametrize(
    "width", [(replay.INLINE_INPUTS - 1) // 2, (replay.INLINE_INPUTS + 1) // 2]
)
def test_a_fused_neuron_is_written_out_as_its_maths_up_to_the_inline_width(width: int) -> None:
    # linear's inputs are b, then a weight and an input each: 2 * width + 1 of them
    rng = random.Random(width)
    ws = [Value(rng.uniform(-1, 1)) for _ in range(width)]
    b = Value(0.25)

    def fn(*xs: Value) -> Value:
        return autograd.linear(ws, xs, b).tanh()

    points = [rng.uniform(-2, 2) for _ in range(width)]
    step = compile(fn, points)
    for p in [b, *ws]:
        p.grad = 0.0
    replayed = step(*points)
    replayed_grads = [p.grad for p in [b, *ws]]
    for p in [b, *ws]:
        p.grad = 0.0
    xs = [Value(x) for x in points]
    eager = fn(*xs)
    eager.backward()
    assert replayed.value == eager.data
    assert replayed.grads == tuple(x.grad for x in xs)
    assert replayed_grads == [p.grad for p in [b, *ws]]
    inline = 2 * width + 1 <= replay.INLINE_INPUTS
    called = re.search(r"^ +v\d+ = linear\(", step.source, re.MULTILINE) is not None
    assert called is not inline


def test_symbols_know_the_maths_of_the_op_table_and_nothing_else() -> None:
    x = replay.Symbol("x")
    assert x.exp().code == "exp(x)"
    for bookkeeping in ("register", "op_of", "closure_backward", "missing_backward"):
        with pytest.raises(AttributeError):
            getattr(x, bookkeeping)
