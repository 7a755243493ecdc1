"""gradcheck: agrees on correct gradients, and names the input and both numbers when not."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pytest

from autograd import GradcheckError, Value, check_rules, define_op, gradcheck, ops
from autograd.backward import topological_order
from autograd.value import _record


def test_gradcheck_passes_on_a_correct_function() -> None:
    assert gradcheck(lambda x, y: (x * y).sin() + (x / y).exp(), [0.3, 1.2])


def _wrong_square_backward(out: Value) -> None:
    x = out._x
    x.grad += 3.0 * x.data * out.grad  # the correct factor is 2


def test_gradcheck_names_the_wrong_input_and_both_numbers() -> None:
    def f(x: Value, y: Value) -> Value:
        return x + _record(y.data * y.data, y, None, _wrong_square_backward)

    with pytest.raises(GradcheckError) as info:
        gradcheck(f, [1.0, Value(2.0, label="w")])
    message = str(info.value)
    assert "input 1 ('w')" in message
    assert "says 6.0" in message
    assert "3.99999" in message or "4.0000" in message


# -- check_rules: each node's rule against central differences of its own forward


def test_every_built_in_rule_agrees_on_a_graph_using_every_op() -> None:
    x, y = Value(0.7, label="x"), Value(1.3, label="y")
    out = (
        (x + y) * (x - y) / (y**x)
        + (x**2.5)
        + abs(-x)
        + x.sign()
        + x.relu()
        + x.leaky_relu(0.2)
        + x.tanh()
        + x.sigmoid()
        + x.exp()
        + y.log()
        + x.log1p()
        + y.sqrt()
        + x.sin()
        + x.cos()
        + x.softplus(beta=2.0)
        - (-y)
    )
    report = check_rules(out)
    assert report.unchecked == ()
    assert report.checked == len([n for n in topological_order(out) if n._prev])


def test_a_wrong_built_in_rule_is_caught_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrong(out: Value) -> None:
        out._x.grad += out.grad * (1.0 - out.data)  # forgot the square

    monkeypatch.setattr(ops.tanh_backward, "__code__", wrong.__code__)
    x = Value(0.5, label="x")
    n = x * 3.0
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    with pytest.raises(GradcheckError) as caught:
        check_rules(o)
    message = str(caught.value)
    assert "o = tanh(...) (tanh_backward)" in message
    assert "input 0 (n = 1.5)" in message
    assert repr(1.0 - math.tanh(1.5)) in message  # what the wrong rule says
    central = float(re.search(r"differences of tanh's forward say (\S+) ", message)[1])  # type: ignore[index]
    assert central == pytest.approx(1 - math.tanh(1.5) ** 2, rel=1e-8)


def test_a_wrong_defined_op_is_caught() -> None:
    cube = define_op("cube", lambda x: x * x * x, lambda x, out, g: 2.0 * x * x * g)
    x = Value(1.5, label="x")
    with pytest.raises(GradcheckError, match=r"cube\(\.\.\.\) \(cube_backward\).*input 0 \(x"):
        check_rules(cube(x) + x)


def test_a_wrong_micrograd_closure_named_like_a_built_in_is_caught() -> None:
    x = Value(0.5, label="x")
    out = Value(math.exp(x.data), (x,), "exp")

    def _backward() -> None:
        x.grad += out.grad  # forgot the local derivative exp(x)

    out._backward = _backward
    with pytest.raises(GradcheckError, match="exp"):
        check_rules(out)
    assert (x.grad, out.grad) == (0.0, 0.0)  # checking changed nothing


def test_a_right_closure_passes_and_an_unknown_one_is_listed() -> None:
    x = Value(0.5, label="x")
    e = Value(math.exp(x.data), (x,), "exp")

    def _exp_backward() -> None:
        x.grad += e.data * e.grad

    e._backward = _exp_backward
    mystery = Value(e.data * 2.0, (e,), "twice")

    def _twice_backward() -> None:
        e.grad += 2.0 * mystery.grad

    mystery._backward = _twice_backward
    with pytest.warns(UserWarning, match="could not check v2 \\(twice\\)"):
        report = check_rules(mystery)
    assert report.checked == 1
    assert report.unchecked == (
        "v2 (twice): a micrograd-style closure: its forward maths is unknown",
    )


@pytest.mark.parametrize("make", [Value.relu, abs, Value.leaky_relu])
def test_kinks_accept_pytorchs_choice_of_slope(make: Callable[[Value], Value]) -> None:
    assert check_rules(make(Value(0.0))).unchecked == ()


def test_check_rules_refuses_a_number() -> None:
    with pytest.raises(TypeError, match="must be a Value"):
        check_rules(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("eps", 0.0),
        ("eps", -1e-6),
        ("eps", math.nan),
        ("eps", math.inf),
        ("atol", -1e-5),
        ("atol", math.nan),
        ("rtol", -1e-3),
        ("rtol", math.nan),
    ],
)
def test_an_invalid_tolerance_is_a_value_error_naming_it(setting: str, value: float) -> None:
    calls: list[float] = []

    def f(x: Value) -> Value:
        calls.append(x.data)
        return x * x

    with pytest.raises(ValueError, match=rf"gradcheck: {setting} must be .*, got {value}"):
        gradcheck(f, [1.0], **{setting: value})
    assert calls == []  # refused before fn ran
    with pytest.raises(ValueError, match=rf"check_rules: {setting} must be .*, got {value}"):
        check_rules(f(Value(1.0)), **{setting: value})


@pytest.mark.parametrize("setting", ["eps", "atol", "rtol"])
def test_a_tolerance_that_is_not_a_number_is_a_type_error(setting: str) -> None:
    with pytest.raises(TypeError, match=rf"gradcheck: {setting} must be a number, got str"):
        gradcheck(lambda x: x * x, [1.0], **{setting: "1e-6"})


def test_zero_tolerances_are_allowed() -> None:
    assert gradcheck(lambda x: x * 2.0, [1.0], eps=0.5, atol=0.0, rtol=0.0)
