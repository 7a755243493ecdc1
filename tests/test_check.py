"""gradcheck: agrees on correct gradients, and names the input and both numbers when not."""

from __future__ import annotations

import pytest

from autograd import GradcheckError, Value, gradcheck
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
