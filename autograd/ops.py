"""The op table: each scalar op's forward maths and, right below it, its named backward rule.

Forward functions compute with PyTorch float64 (IEEE 754) semantics: they return inf or nan where
Python's ``math`` would raise. Backward rules are named ``<op>_backward`` so a debugger stack
inside ``backward()`` reads like the chain rule. Each rule adds ``local derivative * out.grad``
into every input's ``.grad``; formulas follow PyTorch's ``tools/autograd/derivatives.yaml`` so
the awkward points (relu'(0), |x|'(0), x**0 ...) agree.

Everything here is written once for three kinds of number. A rule reads its inputs from
``out._x`` and ``out._y`` (see ``Value``; an n-ary op, ``sum`` or ``linear``, reads them all
from ``out._prev``), touches only ``.data`` and ``.grad``, and uses only
arithmetic, comparisons and the functions of this module, choosing with ``where`` instead of
``if``. A function given a float computes; given anything else it asks that thing (``x.exp()``).
So the same rules run on floats (``backward``), on Values (``grad(create_graph=True)``: the
derivative of a rule is taken by the rules) and on symbols (``compile`` writes them out as code).
"""

from __future__ import annotations

import builtins
import functools
import math
import operator
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autograd.value import Value

__all__ = [
    "DEFINED",
    "FUNCTIONS",
    "OPS",
    "MissingRuleError",
    "Op",
    "absolute",
    "add_all",
    "binary_cross_entropy",
    "closure_backward",
    "cos",
    "div",
    "exp",
    "leaky_relu",
    "linear",
    "log",
    "log1p",
    "missing_backward",
    "missing_rule_message",
    "op_of",
    "power",
    "register",
    "relu",
    "sigmoid",
    "sign",
    "sin",
    "softplus",
    "sqrt",
    "tanh",
    "weighted_sum",
    "where",
]

# The maths of this module: what rules and forward functions may call, so what compiled code
# calls too (the rest of __all__ is the table and its bookkeeping).
FUNCTIONS = (
    "absolute",
    "add_all",
    "binary_cross_entropy",
    "cos",
    "div",
    "exp",
    "leaky_relu",
    "linear",
    "log",
    "log1p",
    "power",
    "relu",
    "sigmoid",
    "sign",
    "sin",
    "softplus",
    "sqrt",
    "tanh",
    "weighted_sum",
    "where",
)

# A float in backward(), a Value when building a graph of the gradient, a symbol when compiling.
Num = Any


def _is_float(x: object) -> bool:
    return isinstance(x, float | int)


def where(condition: Any, if_true: Num, if_false: Num) -> Num:
    """``if_true`` if ``condition`` else ``if_false``, like torch.where.

    Rules choose through this instead of ``if``, so that tracing them with symbols records the
    choice instead of taking one side of it.

    >>> where(2.0 > 1.0, "yes", "no")
    'yes'
    """
    if condition is True:  # a bool: the only two (bool has no subclasses), tested cheapest
        return if_true
    if condition is False:
        return if_false
    return condition.where(if_true, if_false)


# ---------------------------------------------------------------------------------------------
# Arithmetic. The forward maths of + - * is Python's (IEEE already); / and ** need care.


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


def neg_backward(out: Value) -> None:
    """out = -x:  x.grad += -out.grad"""
    x = out._x
    x.grad += -out.grad


def div(x: Num, y: Num) -> Num:
    """x / y; for floats a zero divisor gives ±inf or nan (IEEE), not ZeroDivisionError."""
    try:
        return x / y
    except ZeroDivisionError:
        if math.isnan(x) or x == 0.0:
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)


def div_backward(out: Value) -> None:
    """out = x / y:  x.grad += out.grad / y;  y.grad += -out.grad * (out / y)"""
    x, y = out._x, out._y
    x.grad += div(out.grad, y.data)
    # PyTorch's -grad * ((x / y) / y): y * y would overflow or underflow where the quotient
    # does not (1e300 / 1e160 gave 0 instead of -1e-20, 0 / 1e-170 nan instead of -0)
    y.grad += -out.grad * div(out.data, y.data)


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


def _is_zero(x: Num) -> Any:
    """x == 0 for floats, Values and symbols alike (a Value's == is identity, as in micrograd)."""
    return (x >= 0.0) & (x <= 0.0)


def _power_slope(x: Num, y: Num, out: Num) -> Num:
    """d/dx x**y = y * x**(y-1), PyTorch's formula, or y * (out / x) where y - 1 rounds.

    The rounding of y - 1 (e.g. y = -3.7) is multiplied by log(x) in x**(y-1): up to 200 ulp.
    out / x has no such error; it is taken where out is a normal number, so the quotient is too.
    """
    y_minus_one_rounds = absolute(((y - 1.0) + 1.0) - y) > 0.0
    normal = (absolute(out) > 1e-290) & (absolute(out) < 1e300)
    return where(y_minus_one_rounds & normal, y * div(out, x), y * power(x, y - 1.0))


def pow_backward(out: Value) -> None:
    """out = x ** y:  x.grad += out.grad * y * x**(y-1);  y.grad += out.grad * out * log(x)"""
    x, y = out._x, out._y
    # PyTorch masks both terms: d/dx x**0 = 0 even at x = 0, and d/dy 0**y = 0 for y >= 0.
    x.grad += where(_is_zero(y.data), 0.0, out.grad * _power_slope(x.data, y.data, out.data))
    y.grad += where(_is_zero(x.data) & (y.data >= 0.0), 0.0, out.grad * (out.data * log(x.data)))


def pow_const_backward(out: Value) -> None:
    """out = x ** c for a constant c:  x.grad += out.grad * c * x**(c-1)"""
    x, c = out._x, out._y
    # PyTorch: d/dx x**0 = 0, even at x = 0
    x.grad += where(_is_zero(c.data), 0.0, out.grad * _power_slope(x.data, c.data, out.data))


# ---------------------------------------------------------------------------------------------
# Piecewise functions: their derivatives at the kinks are PyTorch's.


def absolute(x: Num) -> Num:
    """|x|."""
    return math.fabs(x) if _is_float(x) else abs(x)


def abs_backward(out: Value) -> None:
    """out = |x|:  x.grad += out.grad * sign(x)   (PyTorch: |x|'(0) = 0)"""
    x = out._x
    x.grad += out.grad * sign(x.data)


def sign(x: Num) -> Num:
    """-1.0, 0.0 or 1.0; 0 at 0 and at nan, like torch.sign (and so the slope of |x|)."""
    if not _is_float(x):
        return x.sign()
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return 0.0


def sign_backward(out: Value) -> None:
    """out = sign(x):  x.grad += 0   (flat everywhere, as in PyTorch)"""
    x = out._x
    x.grad += 0.0


def relu(x: Num) -> Num:
    """max(0, x); nan stays nan, as in PyTorch."""
    return where(x <= 0.0, 0.0, x)


def relu_backward(out: Value) -> None:
    """out = relu(x):  x.grad += out.grad if out > 0 else 0   (PyTorch: relu'(0) = 0)"""
    x = out._x
    x.grad += where(out.data <= 0.0, 0.0, out.grad)


def leaky_relu(x: Num, slope: Num) -> Num:
    """x for x > 0, else slope * x (torch.nn.functional.leaky_relu)."""
    return where(x > 0.0, x, x * slope)


def leaky_relu_backward(out: Value) -> None:
    """out = leaky_relu(x, slope):  x.grad += out.grad if x > 0 else out.grad * slope"""
    x, slope = out._x, out._y
    x.grad += where(x.data > 0.0, out.grad, out.grad * slope.data)


# ---------------------------------------------------------------------------------------------
# Smooth functions.


def _quotient(n: float, d: float, d_error: float) -> tuple[float, float]:
    """n / (d + d_error) as q + r: q rounded, r its error, for 1 <= d <= 2, |n| <= 2, d_error tiny.

    Dekker's exact product: each factor splits into halves of 26 bits (Veltkamp), whose products
    are exact, so n - q * d is known exactly.
    """
    q = n / d
    product = q * d
    c = 134217729.0 * q  # 2**27 + 1
    q_high = c - (c - q)
    q_low = q - q_high
    c = 134217729.0 * d
    d_high = c - (c - d)
    d_low = d - d_high
    product_error = ((q_high * d_high - product) + q_high * d_low + q_low * d_high) + q_low * d_low
    return q, (((n - product) - product_error) - q * d_error) / d


# tanh(a) = a + a z (c2 + c3 z + c4 z**2 + ...), z = a**2, cn = 2**2n (2**2n - 1) B_2n / (2n)!
# (B_2n the Bernoulli numbers; computed with mpmath). For a < 0.55 the 21 terms below leave 5e-20.
_TANH_SERIES = (
    -0.3333333333333333,
    0.13333333333333333,
    -0.05396825396825397,
    0.021869488536155203,
    -0.008863235529902197,
    0.003592128036572481,
    -0.0014558343870513183,
    0.000590027440945586,
    -0.00023912911424355248,
    9.691537956929451e-05,
    -3.927832388331683e-05,
    1.5918905069328964e-05,
    -6.451689215655431e-06,
    2.6147711512907546e-06,
    -1.0597268320104654e-06,
    4.294911078273806e-07,
    -1.7406618963571648e-07,
    7.054636946400968e-08,
    -2.859136662305254e-08,
    1.1587644432798853e-08,
    -4.6962953982309016e-09,
)


def tanh(x: Num) -> Num:
    """Hyperbolic tangent, within 0.8 ulp of exact (libm's is 2 ulp off): tanh(1000) = 1."""
    if not _is_float(x):
        return x.tanh()
    a = math.fabs(x)
    if a < 0.55:
        # The series' tail is below a / 10, so its rounding errors shrink tenfold in the sum.
        z = a * a
        tail = 0.0
        for c in reversed(_TANH_SERIES):
            tail = tail * z + c
        t = a + a * (z * tail)
    else:  # tanh(a) = 1 - 2 sigmoid(-2a), sigmoid(-2a) = e / (1 + e) = q + r exactly (see below)
        e = math.exp(-2.0 * a)  # a >= 0.55: no overflow
        w = 1.0 + e
        q, r = _quotient(e, w, (1.0 - w) + e)
        high = 1.0 - 2.0 * q  # and its rounding error, exactly (two-sum), added back:
        t = high + (((1.0 - high) - 2.0 * q) - 2.0 * r)
    return math.copysign(t, x)


def tanh_backward(out: Value) -> None:
    """out = tanh(x):  x.grad += out.grad * (1 - out**2)   (= 4 (s - s**2), s = sigmoid(-2|x|))"""
    x = out._x
    y = out.data
    # Near |y| = 1, 1 - y*y cancels the digits the rounded y has lost already (2e-9 relative at
    # x = 10): there the exact identity sech(x)**2 = 4 s (1 - s) computes it from x (s <= 1/4,
    # written s - s*s so that s's own error is not magnified).
    s = sigmoid(-2.0 * absolute(x.data))
    x.grad += where(absolute(y) < 0.5, out.grad * (1.0 - y * y), out.grad * (4.0 * (s - s * s)))


def sigmoid(x: Num) -> Num:
    """1 / (1 + e**-x), within 1.25 ulp of exact (only exp's error is left); sigmoid(-1000) = 0."""
    if not _is_float(x):
        return x.sigmoid()
    # sigmoid(x) = n / (1 + e) with e = exp(-|x|) <= 1 and n = 1 (x >= 0) or e (x < 0). The sum
    # and the quotient are carried with their exact rounding errors (two-sum, Dekker), so only
    # exp's error is left, and the result rounds once.
    e = math.exp(-math.fabs(x))  # <= 1: no overflow
    w = 1.0 + e
    q, r = _quotient(1.0 if x >= 0.0 else e, w, (1.0 - w) + e)  # 1 + e = w + its error exactly
    return q + r


def sigmoid_backward(out: Value) -> None:
    """out = sigmoid(x):  x.grad += out.grad * (1 - out) * out   (= out * sigmoid(-x))"""
    x = out._x
    s = out.data
    # 1 - s cancels for s near 1 (x > 0): there sigmoid(-x) is that difference, computed from x
    x.grad += where(s > 0.5, out.grad * (s * sigmoid(-x.data)), out.grad * (1.0 - s) * s)


def exp(x: Num) -> Num:
    """e ** x; inf past 709.78 (where math.exp raises OverflowError)."""
    if not _is_float(x):
        return x.exp()
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def exp_backward(out: Value) -> None:
    """out = exp(x):  x.grad += out.grad * out"""
    x = out._x
    x.grad += out.grad * out.data


def log(x: Num) -> Num:
    """Natural log: log(0) = -inf, log(negative) = nan, as in PyTorch."""
    if not _is_float(x):
        return x.log()
    try:
        return math.log(x)
    except ValueError:
        return -math.inf if x == 0.0 else math.nan


def log_backward(out: Value) -> None:
    """out = log(x):  x.grad += out.grad / x"""
    x = out._x
    x.grad += div(out.grad, x.data)


def log1p(x: Num) -> Num:
    """log(1 + x), accurate near 0: log1p(-1) = -inf, below -1 nan."""
    if not _is_float(x):
        return x.log1p()
    try:
        return math.log1p(x)
    except ValueError:
        return -math.inf if x == -1.0 else math.nan


def log1p_backward(out: Value) -> None:
    """out = log1p(x):  x.grad += out.grad / (1 + x)"""
    x = out._x
    x.grad += div(out.grad, x.data + 1.0)


def sqrt(x: Num) -> Num:
    """Square root: nan for negative numbers."""
    if not _is_float(x):
        return x.sqrt()
    return math.sqrt(x) if x >= 0.0 or math.isnan(x) else math.nan


def sqrt_backward(out: Value) -> None:
    """out = sqrt(x):  x.grad += out.grad / (2 * out)   (inf at 0, like PyTorch)"""
    x = out._x
    x.grad += div(out.grad, 2.0 * out.data)


def sin(x: Num) -> Num:
    """Sine: nan at ±inf (math.sin raises there)."""
    if not _is_float(x):
        return x.sin()
    return math.sin(x) if math.isfinite(x) else math.nan


def sin_backward(out: Value) -> None:
    """out = sin(x):  x.grad += out.grad * cos(x)"""
    x = out._x
    x.grad += out.grad * cos(x.data)


def cos(x: Num) -> Num:
    """Cosine: nan at ±inf (math.cos raises there)."""
    if not _is_float(x):
        return x.cos()
    return math.cos(x) if math.isfinite(x) else math.nan


def cos_backward(out: Value) -> None:
    """out = cos(x):  x.grad += out.grad * -sin(x)"""
    x = out._x
    x.grad += out.grad * -sin(x.data)


def softplus(x: Num, beta: Num = 1.0, threshold: Num = 20.0) -> Num:
    """log(1 + e**(beta*x)) / beta, and x itself past the threshold (PyTorch's formula)."""
    if not _is_float(x):
        return x.softplus(beta, threshold)
    if x * beta > threshold:
        return x
    return div(log1p(exp(x * beta)), beta)  # beta = 0: log(2) / 0 = inf, as in PyTorch


def softplus_backward(out: Value) -> None:
    """out = softplus(x):  x.grad += out.grad * z / (z + 1) with z = exp(beta * x)"""
    x, (beta, threshold) = out._x, out._y  # a third input travels as a tuple in _y
    z = exp(x.data * beta.data)
    x.grad += where(x.data * beta.data > threshold.data, out.grad, div(out.grad * z, z + 1.0))


# ---------------------------------------------------------------------------------------------
# Losses fused into one op, where PyTorch's gradient is not that of a composition of the above.

# torch's EPSILON for the denominator of the BCE gradient is a float32 1e-12
_BCE_EPSILON = 9.999999960041972e-13


def _clamped_log(log_value: Num) -> Num:
    # torch clamps each log at -100 (std::max: nan stays nan), so a sure wrong answer costs 100
    return where(log_value < -100.0, -100.0, log_value)


def binary_cross_entropy(p: Num, t: Num) -> Num:
    """-(t log p + (1 - t) log(1 - p)), each log clamped at -100 (torch's CPU kernel)."""
    return (t - 1.0) * _clamped_log(log1p(-p)) - t * _clamped_log(log(p))


def binary_cross_entropy_backward(out: Value) -> None:
    """out = bce(p, t):  p.grad += out.grad * (p - t) / max((1 - p) p, 1e-12);  t.grad += ...

    ... -log(p / (1 - p)) * out.grad: torch's formulas, not those of the composition. At p = 0
    or 1 the clamped logs are flat, yet torch's gradient is (p - t) / 1e-12 there (0 for p = t).
    """
    p, t = out._x, out._y
    denominator = (1.0 - p.data) * p.data
    p.grad += div(
        out.grad * (p.data - t.data),
        where(denominator < _BCE_EPSILON, _BCE_EPSILON, denominator),
    )
    t.grad += -log(div(p.data, 1.0 - p.data)) * out.grad


# ---------------------------------------------------------------------------------------------
# N-ary ops: one node for a whole sum, or for a neuron's b + w0*x0 + w1*x1 + ... . Each adds in
# the very order of the chain of + and * nodes it replaces, so its value is that chain's to the
# bit; its rule adds what that chain's rules would add, so gradients are too.


def add_all(*xs: Num) -> Num:
    """x0 + x1 + ... + xn, added left to right: ((x0 + x1) + x2) + ..., like Python's sum."""
    return _left_fold_sum(xs[1:], xs[0])


def sum_backward(out: Value) -> None:
    """out = x0 + x1 + ... + xn:  every xi.grad += out.grad"""
    out_grad = out.grad
    for x in out._prev:
        x.grad += out_grad


def linear(b: Num, *ws_and_xs: Num) -> Num:
    """b + w0*x0 + w1*x1 + ... from the inputs b, w0, x0, w1, x1, ..., each product in turn.

    A neuron's pre-activation, as micrograd's ``sum((wi*xi for wi, xi in zip(w, x)), b)``
    computes it: ((b + w0*x0) + w1*x1) + ...
    """
    if len(ws_and_xs) % 2:
        raise ValueError(f"linear takes b, then a weight and an input each: {len(ws_and_xs)} more")
    return weighted_sum(b, ws_and_xs[0::2], ws_and_xs[1::2])


def weighted_sum(b: Num, ws: Iterable[Num], xs: Iterable[Num]) -> Num:
    """``linear``'s maths with the weights and the inputs apart: ((b + w0*x0) + w1*x1) + ..."""
    return _left_fold_sum(map(operator.mul, ws, xs), b)


def _reduce_sum(terms: Iterable[Num], start: Num) -> Num:
    return functools.reduce(operator.add, terms, start)


# Python's sum adds left to right, one rounding per +, as the chain of + nodes does, up to 3.11
# (and fastest); from 3.12 it compensates the rounding of floats, so a plain fold stands in.
_left_fold_sum: Callable[[Iterable[Num], Num], Num] = (
    builtins.sum if sys.version_info < (3, 12) else _reduce_sum
)


def linear_backward(out: Value) -> None:
    """out = b + Σ wi*xi:  b.grad += out.grad;  wi.grad += out.grad * xi;  xi.grad += out.grad * wi

    What the chain's rules add: each + passes out.grad on unchanged, each wi * xi node then
    gives wi and xi their shares, w first, as ``mul_backward`` does.
    """
    b, ws_and_xs = out._x, out._y  # b, then (w0, x0, w1, x1, ...) as a tuple: see Value._x
    out_grad = out.grad
    b.grad += out_grad
    pairs = iter(ws_and_xs)
    for w in pairs:  # the hot loop of a fused backward: next() is cheaper than zip(it, it)
        x = next(pairs)
        w.grad += out_grad * x.data
        x.grad += out_grad * w.data


def _sum_locals(names: Sequence[str]) -> tuple[str, ...]:
    return ("1",) * len(names)


def _sum_formula(names: Sequence[str]) -> str:
    return " + ".join(names)


def _linear_locals(names: Sequence[str]) -> tuple[str, ...]:
    # inputs b, w0, x0, w1, x1, ...: d/db = 1, d/dwi = xi, d/dxi = wi
    swapped = [names[i + 1] if i % 2 == 1 else names[i - 1] for i in range(1, len(names))]
    return ("1", *swapped)


def _linear_formula(names: Sequence[str]) -> str:
    products = [f"{names[i]} * {names[i + 1]}" for i in range(1, len(names) - 1, 2)]
    return " + ".join([names[0], *products])


# ---------------------------------------------------------------------------------------------
# Nodes built by hand, micrograd's way: out = Value(data, (x,), "exp"), then maybe
# out._backward = fn. Their rules are named too, so a stack trace still says what ran.


class MissingRuleError(TypeError):
    """A node built by hand with inputs has no backward rule: its gradient cannot flow on."""


def missing_rule_message(node: Value) -> str:
    """What to tell a user whose hand-built ``node`` has no rule (used wherever a rule runs)."""
    name = f"{node.label!r} " if node.label else ""
    count = len(node._prev)
    return (
        f"node {name}{node!r} was built by hand, Value(data, children, op), with {count} "
        f"input{'s' if count != 1 else ''} but no backward rule, so its gradient cannot flow "
        "on to its inputs (they would silently get 0). Give it a rule, micrograd's way: "
        "`out._backward = fn`, where fn() adds d(out)/d(x) * out.grad into each x.grad; "
        "or make the op with autograd.define_op(name, forward, backward)."
    )


def missing_backward(out: Value) -> None:
    """out = Value(data, children, op) with no rule: no local derivative is known, so raise."""
    raise MissingRuleError(missing_rule_message(out))


def closure_backward(out: Value) -> None:
    """out._backward = fn, micrograd's way: fn() adds into the inputs' grads itself."""
    meta = out._meta
    assert meta is not None
    assert meta.step is not None
    meta.step()  # the user's closure: step into it to see their chain rule


# ---------------------------------------------------------------------------------------------
# The table: what renderers, debuggers, tests and the compiler loop over.


@dataclass(frozen=True)
class Op:
    """One scalar op: its name, the symbol drawn in graphs, its forward maths and backward rule.

    ``forward`` takes the ``.data`` of every input (constant settings included) and returns the
    result's; ``inputs`` counts the differentiable inputs, the rest of ``_prev`` being constant
    settings (the exponent of ``x ** 2``, the slope of ``leaky_relu``), and is None for an
    n-ary op: any number of inputs, all differentiable. ``local`` gives each input's local
    derivative as text, for step-by-step printouts: in the words x, y, out (c, slope), or for
    an n-ary op a function of the inputs' names; ``formula`` writes an n-ary op's result from
    its inputs' names (``b + w0 * x0 + w1 * x1``).
    """

    name: str
    symbol: str
    forward: Callable[..., Num]
    backward: Callable[[Value], None]
    inputs: int | None
    local: tuple[str, ...] | Callable[[Sequence[str]], tuple[str, ...]]
    # "builtin": a row of OPS; "defined": a user's op from define_op (its forward and
    # backward compute on floats, and on Values if written with arithmetic and our functions);
    # "closure": a node built by hand with a micrograd-style closure (no forward is known).
    kind: str = "builtin"
    user_backward: Callable[..., Any] | None = None  # define_op's backward(*xs, out, out_grad)
    formula: Callable[[Sequence[str]], str] | None = None  # an n-ary op's result, written out


OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Op("add", "+", operator.add, add_backward, 2, ("1", "1")),
        Op("sub", "-", operator.sub, sub_backward, 2, ("1", "-1")),
        Op("mul", "*", operator.mul, mul_backward, 2, ("y", "x")),
        Op("neg", "neg", operator.neg, neg_backward, 1, ("-1",)),
        Op("div", "/", div, div_backward, 2, ("1/y", "-x/y**2")),
        Op("pow", "**", power, pow_backward, 2, ("y * x**(y-1)", "out * log(x)")),
        Op("pow_const", "**", power, pow_const_backward, 1, ("c * x**(c-1)",)),
        Op("abs", "abs", absolute, abs_backward, 1, ("sign(x)",)),
        Op("sign", "sign", sign, sign_backward, 1, ("0",)),
        Op("relu", "ReLU", relu, relu_backward, 1, ("1 if out > 0 else 0",)),
        Op(
            "leaky_relu",
            "leaky_relu",
            leaky_relu,
            leaky_relu_backward,
            1,
            ("1 if x > 0 else slope",),
        ),
        Op("tanh", "tanh", tanh, tanh_backward, 1, ("1 - out**2",)),
        Op("sigmoid", "sigmoid", sigmoid, sigmoid_backward, 1, ("(1 - out) * out",)),
        Op("exp", "exp", exp, exp_backward, 1, ("out",)),
        Op("log", "log", log, log_backward, 1, ("1/x",)),
        Op("log1p", "log1p", log1p, log1p_backward, 1, ("1/(1 + x)",)),
        Op("sqrt", "sqrt", sqrt, sqrt_backward, 1, ("1/(2 * out)",)),
        Op("sin", "sin", sin, sin_backward, 1, ("cos(x)",)),
        Op("cos", "cos", cos, cos_backward, 1, ("-sin(x)",)),
        Op("softplus", "softplus", softplus, softplus_backward, 1, ("exp(x) / (exp(x) + 1)",)),
        Op(
            "binary_cross_entropy",
            "BCE",
            binary_cross_entropy,
            binary_cross_entropy_backward,
            2,
            ("(x - y) / max((1 - x) * x, 1e-12)", "-log(x / (1 - x))"),
        ),
        Op("sum", "Σ", add_all, sum_backward, None, _sum_locals, formula=_sum_formula),
        Op(
            "linear",
            "b + Σ w·x",
            linear,
            linear_backward,
            None,
            _linear_locals,
            formula=_linear_formula,
        ),
    )
}

# Users' ops (define_op), rows like ours, kept apart so that OPS stays the built-in table.
DEFINED: dict[str, Op] = {}

_OP_BY_BACKWARD: dict[Callable[[Value], None], Op] = {op.backward: op for op in OPS.values()}


def register(op: Op) -> None:
    """Add a user's op (``define_op``) to the table, so every tool that asks ``op_of`` knows it."""
    if op.name in OPS:
        raise ValueError(f"{op.name!r} is a built-in op; choose another name for yours")
    # Defined again (a notebook cell run twice): the new row replaces the old under its name,
    # and nodes made before keep the row of the rule they were made with.
    DEFINED[op.name] = op
    _OP_BY_BACKWARD[op.backward] = op


def _no_forward(*inputs: Num) -> Num:
    raise TypeError(
        "this node was built by hand with a micrograd-style closure: its forward maths is not "
        "known; make the op with autograd.define_op(name, forward, backward) instead"
    )


def _hand_built(node: Value, rule: Callable[[Value], None]) -> Op:
    """The row a node built by hand stands for: its ``_op`` text, its inputs, no forward."""
    text = node._meta.op if node._meta is not None and node._meta.op else "?"
    count = len(node._prev)
    return Op(text, text, _no_forward, rule, count, ("local",) * count, "closure")


def op_of(node: Value) -> Op | None:
    """The Op that made ``node``, or None for a leaf."""
    rule = node.grad_fn
    if rule is None:
        return None
    op = _OP_BY_BACKWARD.get(rule)
    if op is None and (rule is closure_backward or rule is missing_backward):
        return _hand_built(node, rule)
    return op
