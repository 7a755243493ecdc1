"""detect_anomaly: names the op that first made a nan or inf, its inputs and its source line."""

from __future__ import annotations

import math
import sys

import pytest

from autograd import Value, detect_anomaly


def here() -> int:
    """The line number of the caller."""
    return sys._getframe(1).f_lineno


def test_forward_nan_names_log_its_input_and_this_line() -> None:
    x = Value(-1.0, label="x")
    line = here() + 2
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        x.log()
    message = str(info.value)
    assert message.startswith("log made nan")
    assert "x = -1" in message
    assert f'test_anomaly.py", line {line}' in message


def test_zero_times_infinity_names_the_product() -> None:
    a, b = Value(0.0, label="a"), Value(math.inf, label="b")
    line = here() + 2
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        _ = a * b
    message = str(info.value)
    assert message.startswith("* made nan")
    assert "a = 0" in message
    assert "b = inf" in message
    assert f"line {line}" in message


def test_backward_inf_is_blamed_on_sqrt_not_on_the_product_after_it() -> None:
    x = Value(0.0, label="x")
    with detect_anomaly():
        line = here() + 1
        y = (x * x).sqrt()
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        y.backward()
    message = str(info.value)
    assert message.startswith("sqrt_backward made inf")
    assert "mul_backward" not in message
    assert f"line {line}" in message


def test_an_inf_passed_on_is_not_blamed() -> None:
    x = Value(math.inf, label="x")
    with detect_anomaly():
        y = (x + 1.0).exp()
    assert y.data == math.inf


def test_nothing_is_raised_outside_the_context() -> None:
    x = Value(0.0)
    y = (x * x).sqrt()
    y.backward()
    assert math.isnan(x.grad)
    assert math.isnan(Value(-1.0).log().data)
    assert math.isnan((Value(0.0) * Value(math.inf)).data)


def test_nodes_made_outside_the_context_remember_no_site() -> None:
    x = Value(0.0, label="x")
    y = (x * x).sqrt()
    assert y._meta is None
    with detect_anomaly(), pytest.raises(FloatingPointError, match="outside detect_anomaly"):
        y.backward()
