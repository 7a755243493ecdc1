"""define_op: users' ops checked against PyTorch float64, first and second order, in every tool."""

from __future__ import annotations

import math
import sys
import traceback

import pytest

from autograd import (
    Value,
    backward_steps,
    define_op,
    detect_anomaly,
    draw_dot,
    grad,
    gradcheck,
    hessian,
    ops,
)
from tests.oracle import import_torch

torch = import_torch()


def _softsign_forward(x: float) -> float:
    return x / (1.0 + abs(x))


def _softsign_backward(x: float, out: float, out_grad: float) -> float:
    return out_grad / ((1.0 + abs(x)) * (1.0 + abs(x)))


def _hypot_forward(x: float, y: float) -> float:
    return math.hypot(x, y)


def _hypot_backward(x: float, y: float, out: float, out_grad: float) -> tuple[float, float]:
    # arithmetic and our ops' functions only, so the rule runs on Values too
    return out_grad * x / out, out_grad * y / out


softsign = define_op("softsign", _softsign_forward, _softsign_backward)
hypot = define_op("hypot", _hypot_forward, _hypot_backward)


def torch_softsign(x: object) -> object:
    return torch.nn.functional.softsign(x)


@pytest.mark.parametrize("x", [-3.5, -0.25, 0.0, 0.7, 12.0])
def test_a_one_input_op_matches_torch(x: float) -> None:
    v = Value(x)
    y = softsign(v * 2.0).tanh()
    y.backward()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ty = torch.tanh(torch_softsign(t * 2.0))
    ty.backward()
    assert y.data == pytest.approx(ty.item(), rel=1e-15, abs=1e-300)
    assert v.grad == pytest.approx(t.grad.item(), rel=1e-14, abs=1e-300)


@pytest.mark.parametrize(("x", "y"), [(3.0, 4.0), (-1.5, 0.25), (1e-3, -2.0)])
def test_a_two_input_op_matches_torch(x: float, y: float) -> None:
    a, b = Value(x), Value(y)
    out = hypot(a, b) * a
    out.backward()
    ta = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    (torch.hypot(ta, tb) * ta).backward()
    assert out.data == pytest.approx((torch.hypot(ta, tb) * ta).item(), rel=1e-15)
    assert a.grad == pytest.approx(ta.grad.item(), rel=1e-14)
    assert b.grad == pytest.approx(tb.grad.item(), rel=1e-14)


@pytest.mark.parametrize(("x", "y"), [(3.0, 4.0), (-1.5, 0.25)])
def test_second_derivatives_of_a_defined_op_match_torch(x: float, y: float) -> None:
    ours = hessian(lambda a, b: hypot(a, b) * a, [x, y])
    t = torch.tensor([x, y], dtype=torch.float64)
    theirs = torch.autograd.functional.hessian(lambda v: torch.hypot(v[0], v[1]) * v[0], t)
    for row, their_row in zip(ours, theirs.tolist(), strict=True):
        assert row == pytest.approx(their_row, rel=1e-13)


def test_grad_with_create_graph_runs_the_users_rule_on_values() -> None:
    x = Value(0.5)
    (dx,) = grad(softsign(x * x), [x], create_graph=True)
    (d2x,) = grad(dx, [x])
    t = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    (tdx,) = torch.autograd.grad(torch_softsign(t * t), [t], create_graph=True)
    (td2x,) = torch.autograd.grad(tdx, [t])
    assert dx.data == pytest.approx(tdx.item(), rel=1e-15)
    assert d2x == pytest.approx(td2x.item(), rel=1e-13)


def test_gradcheck_accepts_a_right_op() -> None:
    assert gradcheck(lambda a, b: hypot(a, b).tanh(), [0.3, -0.8])


def test_numbers_become_constants() -> None:
    assert hypot(3.0, Value(4.0)).data == 5.0


def test_the_op_is_named_everywhere() -> None:
    x = Value(1.0, label="x")
    y = softsign(x)
    y.label = "y"
    assert y._op == "softsign"
    assert ops.op_of(y).kind == "defined"
    assert "label=<softsign>" in draw_dot(y).source
    first = next(backward_steps(y))
    assert repr(first) == "y = softsign(x) | x.grad += (dsoftsign/dx) * y.grad = 0.25 * 1 = 0.25"


def test_the_debugger_stack_shows_the_rule_and_the_users_backward() -> None:
    seen: list[str] = []

    def spy(x: float, out: float, out_grad: float) -> float:
        seen.extend(frame.name for frame in traceback.extract_stack(sys._getframe()))
        return out_grad

    ident = define_op("ident", lambda x: x, spy)
    ident(Value(2.0)).backward()
    assert seen[-3:] == ["propagate", "ident_backward", "spy"]


def test_hooks_and_anomaly_mode_work_on_a_defined_op() -> None:
    x = Value(4.0)
    y = softsign(x)
    y.register_hook(lambda g: g * 10.0)
    y.backward()
    assert x.grad == pytest.approx(10.0 / 25.0)
    bad = define_op("bad_log", lambda x: math.log(x) if x > 0 else math.nan, lambda x, o, g: g / x)
    with detect_anomaly(), pytest.raises(FloatingPointError, match="bad_log made nan"):
        bad(Value(-1.0))


def test_a_rule_that_returns_the_wrong_count_is_a_clear_error() -> None:
    broken = define_op("broken", lambda x, y: x * y, lambda x, y, out, g: g)
    out = broken(Value(1.0), Value(2.0))
    with pytest.raises(TypeError, match=r"backward of 'broken' must return a tuple of 2"):
        out.backward()


@pytest.mark.parametrize(
    ("name", "forward", "error"),
    [
        ("not a name", lambda x: x, ValueError),
        ("tanh", lambda x: x, ValueError),  # a built-in
        ("varargs", lambda *xs: 0.0, TypeError),
        ("nothing", lambda: 0.0, TypeError),
    ],
)
def test_bad_definitions_are_refused(name: str, forward: object, error: type) -> None:
    with pytest.raises(error):
        define_op(name, forward, lambda *a: 0.0)  # type: ignore[arg-type]


def test_defining_again_replaces_the_op() -> None:
    first = define_op("twice", lambda x: 2.0 * x, lambda x, out, g: 2.0 * g)
    second = define_op("twice", lambda x: 2.0 * x, lambda x, out, g: 3.0 * g)
    a, b = Value(1.0), Value(1.0)
    first(a).backward()
    second(b).backward()
    assert (a.grad, b.grad) == (2.0, 3.0)
    assert ops.DEFINED["twice"].user_backward is not None
