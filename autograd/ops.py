"""The op table: every scalar op's forward maths and, beside it, its named backward rule.

Forward functions take and return floats with PyTorch float64 (IEEE 754) semantics: they return
inf or nan where Python's ``math`` would raise. Backward rules are named ``<op>_backward`` so a
debugger stack inside ``backward()`` reads like the chain rule. Each rule adds its contribution
``local derivative * out.grad`` into every input's ``.grad``; formulas follow PyTorch's
``tools/autograd/derivatives.yaml`` so edge points (relu'(0), |x|'(0), x**0 ...) agree.

A rule reads its inputs from ``out._x`` and ``out._y`` (see ``Value``), touches only ``.data``
and ``.grad``, and uses only arithmetic and the float-or-Value functions below (``div``,
``power``, ``exp`` ...). So the same rule also runs on stand-in nodes whose ``.data`` and
``.grad`` are Values: that is how ``grad(create_graph=True)`` gets second derivatives without a
second table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autograd.value import Value

__all__ = [
    "OPS",
    "Op",
    "cos",
    "div",
    "exp",
    "log",
    "log1p",
    "op_of",
    "power",
    "sigmoid",
    "sign",
    "sin",
    "softplus",
    "sqrt",
    "where",
]

# A rule sees floats in the backward pass and Values when building a graph of the gradient.
Num = Any


def _is_float(x: object) -> bool:
    return isinstance(x, float | int)


# ---------------------------------------------------------------------------------------------
# IEEE-safe float maths: Python raises where C and PyTorch return inf or nan.
# Each of these also accepts Values (then it records the op), so rules can use them.


def div(x: Num, y: Num) -> Num:
    """x / y; for floats a zero divisor gives ±inf or nan (IEEE), not ZeroDivisionError."""
    try:
        return x / y
    except ZeroDivisionError:
        if math.isnan(x) or x == 0.0:
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)


def _is_odd_integer(y: float) -> bool:
    return math.isfinite(y) and y == math.floor(y) and math.fmod(y, 2.0) != 0.0


def power(x: Num, y: Num) -> Num:
    """x ** y with C ``pow`` semantics: 0**-1 = inf, (-8)**(1/3) = nan, never a complex number."""
    if not (_is_float(x) and _is_float(y)):
        return x**y
    try:
        return math.pow(x, y)
    except OverflowError:  # too large: negative only for a negative base and an odd exponent
        return -math.inf if x < 0.0 and _is_odd_integer(y) else math.inf
    except ValueError:  # math.pow refuses 0**negative (C: ±inf) and negative**fraction (C: nan)
        if x == 0.0:
            return math.copysign(math.inf, x) if _is_odd_integer(y) else math.inf
        return math.nan


def exp(x: Num) -> Num:
    """e ** x; inf past 709.78 (where math.exp raises OverflowError)."""
    if not _is_float(x):
        return x.exp()
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def log(x: Num) -> Num:
    """Natural log: log(0) = -inf, log(negative) = nan, as in PyTorch."""
    if not _is_float(x):
        return x.log()
    try:
        return math.log(x)
    except ValueError:
        return -math.inf if x == 0.0 else math.nan


def log1p(x: Num) -> Num:
    """log(1 + x), accurate near 0: log1p(-1) = -inf, below -1 nan."""
    if not _is_float(x):
        return x.log1p()
    try:
        return math.log1p(x)
    except ValueError:
        return -math.inf if x == -1.0 else math.nan


def sqrt(x: Num) -> Num:
    """Square root: nan for negative numbers."""
    if not _is_float(x):
        return x.sqrt()
    return math.sqrt(x) if x >= 0.0 or math.isnan(x) else math.nan


def sin(x: Num) -> Num:
    """Sine: nan at ±inf (math.sin raises there)."""
    if not _is_float(x):
        return x.sin()
    return math.sin(x) if math.isfinite(x) else math.nan


def cos(x: Num) -> Num:
    """Cosine: nan at ±inf (math.cos raises there)."""
    if not _is_float(x):
        return x.cos()
    return math.cos(x) if math.isfinite(x) else math.nan


def sigmoid(x: Num) -> Num:
    """1 / (1 + e**-x), computed so neither branch overflows: sigmoid(-1000) = 0."""
    if not _is_float(x):
        return x.sigmoid()
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = exp(x)
    return z / (1.0 + z)


def softplus(x: Num, beta: float = 1.0, threshold: float = 20.0) -> Num:
    """log(1 + e**(beta*x)) / beta, and x itself past the threshold (PyTorch's formula)."""
    if not _is_float(x):
        return x.softplus(beta, threshold)
    if x * beta > threshold:
        return x
    return log1p(exp(x * beta)) / beta


def sign(x: Num) -> Num:
    """-1.0, 0.0 or 1.0; 0 at 0 and at nan, like torch.sign (and so the slope of |x|)."""
    if not _is_float(x):
        return x.sign()
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return 0.0


def where(condition: Any, if_true: Num, if_false: Num) -> Num:
    """``if_true`` if ``condition`` else ``if_false``, like torch.where.

    Rules branch through this instead of ``if``, so that tracing them with symbols (to compile a
    graph) records the choice instead of taking one side of it.
    """
    if isinstance(condition, bool):
        return if_true if condition else if_false
    return condition.where(if_true, if_false)


# ---------------------------------------------------------------------------------------------
# Backward rules, one per op. ``out`` is the op's result; ``x``, ``y`` its inputs.
# Binary ops


def add_backward(out: Value) -> None:
    """out = x + y:  x.grad += out.grad;  y.grad += out.grad"""
    x, y = out._x, out._y
    x.grad += out.grad
    y.grad += out.grad


def sub_backward(out: Value) -> None:
    """out = x - y:  x.grad += out.grad;  y.grad += -out.grad"""
    x, y = out._x, out._y
    x.grad += out.grad
    y.grad += -out.grad


def mul_backward(out: Value) -> None:
    """out = x * y:  x.grad += y * out.grad;  y.grad += x * out.grad"""
    x, y = out._x, out._y
    x.grad += out.grad * y.data
    y.grad += out.grad * x.data


def div_backward(out: Value) -> None:
    """out = x / y:  x.grad += out.grad / y;  y.grad += -out.grad * x / y**2"""
    x, y = out._x, out._y
    x.grad += div(out.grad, y.data)
    y.grad += div(-out.grad * x.data, y.data * y.data)


def pow_backward(out: Value) -> None:
    """out = x ** y:  x.grad += out.grad * y * x**(y-1);  y.grad += out.grad * out * log(x)"""
    x, y = out._x, out._y
    # PyTorch masks both terms: d/dx x**0 = 0 even at x = 0, and d/dy 0**y = 0 for y >= 0.
    x.grad += where(y.data == 0.0, 0.0, out.grad * (y.data * power(x.data, y.data - 1.0)))
    y.grad += where((x.data == 0.0) & (y.data >= 0.0), 0.0, out.grad * (out.data * log(x.data)))


def pow_const_backward(out: Value) -> None:
    """out = x ** c for a constant c:  x.grad += out.grad * c * x**(c-1)"""
    x, c = out._x, out._y
    # PyTorch: d/dx x**0 = 0, even at x = 0
    x.grad += where(c.data == 0.0, 0.0, out.grad * (c.data * power(x.data, c.data - 1.0)))


# Unary ops


def neg_backward(out: Value) -> None:
    """out = -x:  x.grad += -out.grad"""
    x = out._x
    x.grad += -out.grad


def sign_backward(out: Value) -> None:
    """out = sign(x):  x.grad += 0   (flat everywhere, as in PyTorch)"""
    x = out._x
    x.grad += 0.0


def abs_backward(out: Value) -> None:
    """out = |x|:  x.grad += out.grad * sign(x)   (PyTorch: |x|'(0) = 0)"""
    x = out._x
    x.grad += out.grad * sign(x.data)


def relu_backward(out: Value) -> None:
    """out = relu(x):  x.grad += out.grad if out > 0 else 0   (PyTorch: relu'(0) = 0)"""
    x = out._x
    x.grad += where(out.data <= 0.0, 0.0, out.grad)


def leaky_relu_backward(out: Value) -> None:
    """out = leaky_relu(x, slope):  x.grad += out.grad if x > 0 else out.grad * slope"""
    x, slope = out._x, out._y
    x.grad += where(x.data > 0.0, out.grad, out.grad * slope.data)


def tanh_backward(out: Value) -> None:
    """out = tanh(x):  x.grad += out.grad * (1 - out**2)"""
    x = out._x
    x.grad += out.grad * (1.0 - out.data * out.data)


def sigmoid_backward(out: Value) -> None:
    """out = sigmoid(x):  x.grad += out.grad * (1 - out) * out"""
    x = out._x
    x.grad += out.grad * (1.0 - out.data) * out.data


def exp_backward(out: Value) -> None:
    """out = exp(x):  x.grad += out.grad * out"""
    x = out._x
    x.grad += out.grad * out.data


def log_backward(out: Value) -> None:
    """out = log(x):  x.grad += out.grad / x"""
    x = out._x
    x.grad += div(out.grad, x.data)


def log1p_backward(out: Value) -> None:
    """out = log1p(x):  x.grad += out.grad / (1 + x)"""
    x = out._x
    x.grad += div(out.grad, x.data + 1.0)


def sqrt_backward(out: Value) -> None:
    """out = sqrt(x):  x.grad += out.grad / (2 * out)   (inf at 0, like PyTorch)"""
    x = out._x
    x.grad += div(out.grad, 2.0 * out.data)


def sin_backward(out: Value) -> None:
    """out = sin(x):  x.grad += out.grad * cos(x)"""
    x = out._x
    x.grad += out.grad * cos(x.data)


def cos_backward(out: Value) -> None:
    """out = cos(x):  x.grad += out.grad * -sin(x)"""
    x = out._x
    x.grad += out.grad * -sin(x.data)


def softplus_backward(out: Value) -> None:
    """out = softplus(x):  x.grad += out.grad * z / (z + 1) with z = exp(beta * x)"""
    x, (beta, threshold) = out._x, out._y  # a third input travels as a tuple in _y
    z = exp(x.data * beta.data)
    x.grad += where(x.data * beta.data > threshold.data, out.grad, div(out.grad * z, z + 1.0))


# ---------------------------------------------------------------------------------------------
# The table: what renderers, debuggers, tests and the compiler loop over.


@dataclass(frozen=True)
class Op:
    """One scalar op: its name, the symbol drawn in graphs, its backward rule and local derivatives.

    ``inputs`` counts the differentiable inputs; the rest of ``_prev`` are constant settings
    (the exponent of ``x ** 2``, the slope of ``leaky_relu``). ``local`` gives each input's local
    derivative as text, for step-by-step printouts.
    """

    name: str
    symbol: str
    backward: Callable[[Value], None]
    inputs: int
    local: tuple[str, ...]


OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Op("add", "+", add_backward, 2, ("1", "1")),
        Op("sub", "-", sub_backward, 2, ("1", "-1")),
        Op("mul", "*", mul_backward, 2, ("y", "x")),
        Op("div", "/", div_backward, 2, ("1/y", "-x/y**2")),
        Op("pow", "**", pow_backward, 2, ("y * x**(y-1)", "out * log(x)")),
        Op("pow_const", "**", pow_const_backward, 1, ("c * x**(c-1)",)),
        Op("neg", "neg", neg_backward, 1, ("-1",)),
        Op("abs", "abs", abs_backward, 1, ("sign(x)",)),
        Op("sign", "sign", sign_backward, 1, ("0",)),
        Op("relu", "ReLU", relu_backward, 1, ("1 if out > 0 else 0",)),
        Op("leaky_relu", "leaky_relu", leaky_relu_backward, 1, ("1 if x > 0 else slope",)),
        Op("tanh", "tanh", tanh_backward, 1, ("1 - out**2",)),
        Op("sigmoid", "sigmoid", sigmoid_backward, 1, ("(1 - out) * out",)),
        Op("exp", "exp", exp_backward, 1, ("out",)),
        Op("log", "log", log_backward, 1, ("1/x",)),
        Op("log1p", "log1p", log1p_backward, 1, ("1/(1 + x)",)),
        Op("sqrt", "sqrt", sqrt_backward, 1, ("1/(2 * out)",)),
        Op("sin", "sin", sin_backward, 1, ("cos(x)",)),
        Op("cos", "cos", cos_backward, 1, ("-sin(x)",)),
        Op("softplus", "softplus", softplus_backward, 1, ("exp(x) / (exp(x) + 1)",)),
    )
}

_OP_BY_BACKWARD: dict[Callable[[Value], None], Op] = {op.backward: op for op in OPS.values()}


def op_of(node: Value) -> Op | None:
    """The Op that made ``node``, or None for a leaf."""
    return _OP_BY_BACKWARD.get(node.grad_fn) if node.grad_fn is not None else None
