"""The Value type: a scalar that remembers the ops that made it, with its operators and methods."""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, SupportsIndex, Union

from autograd import modes, ops
from autograd.hooks import RemovableHandle, add_hook

if TYPE_CHECKING:
    from autograd.debug import Step

__all__ = ["Value"]

# Set once any node is built by hand with inputs (Value(data, children, op)): from then on
# backward() checks every graph for such a node without a rule before it changes any grad.
hand_built = False

Operand = Union["Value", float, int]
Backward = Callable[["Value"], None]


class _Meta:
    """The rarely used parts of a node, kept apart so that a plain node stays small."""

    __slots__ = ("hooks", "label", "op", "scope", "site", "step")

    def __init__(self) -> None:
        self.label = ""
        self.op = ""  # the op text of a node built by hand: Value(data, children, "op")
        self.step: Callable[[], None] | None = None  # a micrograd-style closure: out._backward
        self.hooks: list[Callable[[float], float | None]] = []
        self.site: tuple[str, int, str] | None = None  # (file, line, code) in anomaly mode
        self.scope = ""  # e.g. "layers.0.neurons.3", set inside record_scopes()


def _to_float(data: object, what: str) -> float:
    # bool is an int and numpy floats are Reals: all fine. Complex, str, None, lists are not.
    # numpy's bools and 0-d arrays are not Reals: found by duck typing, numpy stays optional.
    if isinstance(data, numbers.Real) or (
        getattr(data, "ndim", None) == 0
        and getattr(getattr(data, "dtype", None), "kind", None) in ("b", "i", "u", "f")
    ):
        return float(data)  # type: ignore[arg-type]  # a Real, or a 0-d array of a real dtype
    raise TypeError(
        f"{what} must be a real number (int or float), got {type(data).__name__}: {data!r}"
    )


class Value:
    """A scalar in a computation graph: ``.data`` holds its value, ``.grad`` dL/d(this).

    >>> a = Value(2.0, label="a")
    >>> b = a * a + 1
    >>> b.backward()
    >>> b.data, a.grad
    (5.0, 4.0)
    """

    # __dict__ lets users hang their own attributes on nodes (p.m = 0.0 for an Adam of their
    # own, v._vis_color for a drawing helper), as on micrograd's Value. Measured, it costs 32
    # bytes per node (92 -> 124 traced on a chain) and about 0.1 us to allocate and free one.
    __slots__ = ("__dict__", "_meta", "_x", "_y", "data", "grad", "grad_fn")

    data: float
    grad: float  # after backward(): d(output)/d(this); leaves accumulate across calls
    grad_fn: Backward | None  # the named backward rule (ops.py) of the op that made it
    # The op's inputs, in two slots rather than a tuple: a tuple per node would double the
    # objects Python's cyclic garbage collector walks. None, None for a leaf; x, None for a
    # unary op; x, y for a binary op; x, (y, z, ...) for more. ``_prev`` gives them as a tuple.
    _x: Any
    _y: Any
    _meta: _Meta | None

    def __init__(
        self,
        data: float,
        _children: Iterable[Value] = (),
        _op: str = "",
        label: str = "",
    ) -> None:
        self.data = _to_float(data, "Value data")
        self.grad = 0.0
        children = tuple(_children)
        for child in children:
            if not isinstance(child, Value):
                raise TypeError(f"_children must be Values, got {type(child).__name__}")
        self._x, self._y = split_inputs(children)
        # A node built by hand with inputs has no rule until one is assigned (out._backward =
        # fn, micrograd's way): until then its rule says so, instead of a silent zero gradient.
        self.grad_fn = None
        self._meta = None
        if children:
            global hand_built
            hand_built = True
            self.grad_fn = ops.missing_backward
        if _op:
            self._annotations().op = _op
        if label:
            self.label = label
        if modes.active:
            if children:  # a node built by hand is an op's result: the modes apply as to ours
                _apply_modes(self)
            elif (recorder := modes.recorder()) is not None:
                recorder.made(self)

    # -- the parts micrograd and PyTorch users look for

    @property
    def label(self) -> str:
        """A name shown in reprs, pictures, step printouts and error messages."""
        return self._meta.label if self._meta is not None else ""

    @label.setter
    def label(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"label must be a str, got {type(text).__name__}")
        self._annotations().label = text

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The inputs of the op that made this node, in order (micrograd's, but a tuple)."""
        return joined_inputs(self._x, self._y)

    @property
    def _op(self) -> str:
        """The op that made this node, spelt as in micrograd ('+', '**2', 'tanh'); '' for a leaf."""
        op = ops.op_of(self)
        if op is None:
            return self._meta.op if self._meta is not None else ""
        if op.name == "pow_const":
            return f"**{_short(self._y.data)}"
        return op.symbol

    @property
    def _backward(self) -> Callable[[], None]:
        """This node's own chain-rule step, as in micrograd: ``o._backward()`` adds the local
        derivative times ``o.grad`` into the ``.grad`` of o's inputs, for this one node only.

        >>> a, b = Value(2.0), Value(3.0)
        >>> c = a * b
        >>> c.grad = 1.0
        >>> c._backward()
        >>> a.grad, b.grad
        (3.0, 2.0)
        """
        if self._meta is not None and self._meta.step is not None:
            return self._meta.step
        rule = self.grad_fn
        if rule is None:
            return _leaf_step
        return functools.partial(rule, self)  # the named rule itself runs, e.g. mul_backward

    @_backward.setter
    def _backward(self, step: Callable[[], None]) -> None:
        # micrograd's way to define an op: out = Value(data, (x,), "exp"); out._backward = fn.
        if not callable(step):
            raise TypeError(
                f"_backward must be a function taking no arguments, got {type(step).__name__}"
            )
        self._annotations().step = step
        if self._x is not None:  # a leaf has nothing to pass a gradient on to
            self.grad_fn = ops.closure_backward

    @property
    def scope(self) -> str:
        """The ``named_scope`` the node was made in (recorded inside ``record_scopes()``)."""
        return self._meta.scope if self._meta is not None else ""

    @property
    def is_leaf(self) -> bool:
        """True for a node no op made (inputs, weights, constants): its grad accumulates."""
        return self.grad_fn is None

    def _annotations(self) -> _Meta:
        if self._meta is None:
            self._meta = _Meta()
        return self._meta

    def backward(self, gradient: float = 1.0) -> None:
        """Fill ``.grad`` of every node this one depends on with d(self)/d(node).

        Leaves (inputs, weights) accumulate: their new gradient is added to ``.grad``, as in
        micrograd and on PyTorch leaves, so set ``v.grad = 0.0`` (or ``model.zero_grad()``)
        between steps. Inner nodes show the gradient of the latest pass.

        >>> x = Value(3.0)
        >>> (x * x).backward()
        >>> x.grad
        6.0
        """
        from autograd.backward import backward  # noqa: PLC0415 (backward.py imports Value)

        backward(self, gradient)

    def backward_steps(self, gradient: float = 1.0) -> Iterator[Step]:
        """Run ``backward()`` one node at a time; each Step reads as the chain rule with numbers.

        >>> x = Value(3.0, label="x")
        >>> y = x * x
        >>> y.label = "y"
        >>> next(y.backward_steps())
        y = x * x | x.grad += x * y.grad = 3 * 1 = 3 | x.grad += x * y.grad = 3 * 1 = 3
        """
        from autograd.debug import backward_steps  # noqa: PLC0415 (debug.py imports Value)

        return backward_steps(self, gradient)

    def detach(self) -> Value:
        """A new leaf with the same data, cut off from the graph (gradients stop here)."""
        return Value(self.data)

    def register_hook(self, hook: Callable[[float], float | None]) -> RemovableHandle:
        """Call ``hook(grad)`` once this node's gradient is complete; a returned number replaces it.

        >>> x = Value(2.0)
        >>> _ = x.register_hook(lambda g: g * 10)
        >>> (x * 3).backward()
        >>> x.grad
        30.0
        """
        add_hook(self, hook)
        return RemovableHandle(self, hook)

    def __repr__(self) -> str:
        # micrograd's repr, digit for digit: Value(data=0.8958441028683222, grad=0)
        grad = "0" if self.grad == 0.0 and math.copysign(1.0, self.grad) > 0.0 else self.grad
        parts = [f"data={self.data}", f"grad={grad}"]
        if self.label:
            parts.append(f"label={self.label!r}")
        if self._op:
            parts.append(f"op={self._op!r}")
        return f"Value({', '.join(parts)})"

    # -- arithmetic operators

    def __add__(self, other: Operand) -> Value:
        y = other if isinstance(other, Value) else _constant(other, "+")
        return _record(self.data + y.data, self, y, ops.add_backward)

    def __radd__(self, other: Operand) -> Value:
        return _constant(other, "+") + self

    def __sub__(self, other: Operand) -> Value:
        y = other if isinstance(other, Value) else _constant(other, "-")
        return _record(self.data - y.data, self, y, ops.sub_backward)

    def __rsub__(self, other: Operand) -> Value:
        return _constant(other, "-") - self

    def __mul__(self, other: Operand) -> Value:
        y = other if isinstance(other, Value) else _constant(other, "*")
        return _record(self.data * y.data, self, y, ops.mul_backward)

    def __rmul__(self, other: Operand) -> Value:
        return _constant(other, "*") * self

    def __truediv__(self, other: Operand) -> Value:
        y = other if isinstance(other, Value) else _constant(other, "/")
        return _record(ops.div(self.data, y.data), self, y, ops.div_backward)

    def __rtruediv__(self, other: Operand) -> Value:
        return _constant(other, "/") / self

    def __pow__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _record(ops.power(self.data, other.data), self, other, ops.pow_backward)
        # A number exponent is a constant setting, not an input: it gets no gradient (PyTorch).
        c = _constant(other, "**")
        return _record(ops.power(self.data, c.data), self, c, ops.pow_const_backward)

    def __rpow__(self, other: Operand) -> Value:
        return _constant(other, "**") ** self

    def __neg__(self) -> Value:
        return _record(-self.data, self, None, ops.neg_backward)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _record(ops.absolute(self.data), self, None, ops.abs_backward)

    # -- functions

    def sign(self) -> Value:
        """-1, 0 or 1 (0 at 0 and nan, like torch.sign); its derivative is 0."""
        return _record(ops.sign(self.data), self, None, ops.sign_backward)

    def relu(self) -> Value:
        """max(0, x); its derivative at 0 is 0, as in PyTorch."""
        return _record(ops.relu(self.data), self, None, ops.relu_backward)

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """x for x > 0, else negative_slope * x (torch.nn.functional.leaky_relu)."""
        slope = _constant(negative_slope, "leaky_relu")
        out = ops.leaky_relu(self.data, slope.data)
        return _record(out, self, slope, ops.leaky_relu_backward)

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return _record(ops.tanh(self.data), self, None, ops.tanh_backward)

    def sigmoid(self) -> Value:
        """1 / (1 + exp(-x)), without overflow for large |x|."""
        return _record(ops.sigmoid(self.data), self, None, ops.sigmoid_backward)

    def exp(self) -> Value:
        """e ** x (inf past 709.78)."""
        return _record(ops.exp(self.data), self, None, ops.exp_backward)

    def log(self) -> Value:
        """Natural logarithm (log(0) = -inf, log of a negative number = nan)."""
        return _record(ops.log(self.data), self, None, ops.log_backward)

    def log1p(self) -> Value:
        """log(1 + x), accurate for small x."""
        return _record(ops.log1p(self.data), self, None, ops.log1p_backward)

    def sqrt(self) -> Value:
        """Square root (nan for negative numbers; derivative inf at 0)."""
        return _record(ops.sqrt(self.data), self, None, ops.sqrt_backward)

    def sin(self) -> Value:
        """Sine."""
        return _record(ops.sin(self.data), self, None, ops.sin_backward)

    def cos(self) -> Value:
        """Cosine."""
        return _record(ops.cos(self.data), self, None, ops.cos_backward)

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Value:
        """log(1 + exp(beta * x)) / beta, linear past the threshold (torch's softplus)."""
        b, t = _constant(beta, "softplus"), _constant(threshold, "softplus")
        out = ops.softplus(self.data, b.data, t.data)
        return _record(out, self, (b, t), ops.softplus_backward)

    # -- comparisons and conversions. == and != are identity (as in micrograd and plain
    # Python), so `v in nodes` on a list of nodes works; < <= > >= compare .data.

    def __float__(self) -> float:
        return self.data

    def __bool__(self) -> bool:
        return _compared(self, "!=", 0.0, self.data != 0.0)

    def __lt__(self, other: Operand) -> bool:
        return _compared(self, "<", other, self.data < _data(other, "<"))

    def __le__(self, other: Operand) -> bool:
        return _compared(self, "<=", other, self.data <= _data(other, "<="))

    def __gt__(self, other: Operand) -> bool:
        return _compared(self, ">", other, self.data > _data(other, ">"))

    def __ge__(self, other: Operand) -> bool:
        return _compared(self, ">=", other, self.data >= _data(other, ">="))

    # -- copy and pickle walk the graph without recursion, at any depth (autograd/copying.py)

    def __copy__(self) -> Value:
        from autograd.copying import copy_node  # noqa: PLC0415 (copying.py imports Value)

        return copy_node(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        from autograd.copying import deepcopy_graph  # noqa: PLC0415 (copying.py imports Value)

        return deepcopy_graph(self, memo)

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        from autograd.copying import reduce_node  # noqa: PLC0415 (copying.py imports Value)

        return reduce_node(self)


def _compared(x: Value, op: str, y: object, result: bool) -> bool:
    # While compile() records, a comparison may steer the graph: it becomes a guard.
    if modes.active and (recorder := modes.recorder()) is not None:
        recorder.compared(x, op, y, result)
    return result


def split_inputs(inputs: tuple[Any, ...]) -> tuple[Any, Any]:
    """The (_x, _y) slots that hold ``inputs``: see the comment on ``Value._x``."""
    if len(inputs) > 2:
        return inputs[0], inputs[1:]
    if len(inputs) == 2:
        return inputs
    return (inputs[0] if inputs else None), None


def joined_inputs(x: Any, y: Any) -> tuple[Any, ...]:
    """The inputs held in the slots ``x``, ``y`` as one tuple (the inverse of ``split_inputs``)."""
    if x is None:
        return ()
    if y is None:
        return (x,)
    if type(y) is tuple:
        return (x, *y)
    return (x, y)


def _leaf_step() -> None:
    """A leaf's ``_backward``: it has no inputs to pass a gradient on to (micrograd's no-op)."""


def _short(x: float) -> str:
    return f"{x:.6g}"


def _data(x: object, op: str) -> float:
    return x.data if isinstance(x, Value) else _to_float(x, f"the other operand of {op}")


def _constant(x: object, op: str) -> Value:
    """A number met in an op becomes a leaf, as in micrograd, so every input is a Value."""
    if isinstance(x, numbers.Real):
        return _record(float(x), None, None, None)
    raise TypeError(
        f"unsupported operand for {op}: Value and {type(x).__name__} ({x!r}); "
        "use a Value, an int or a float"
    )


_new = object.__new__


def _record(data: float, x: Any, y: Any, backward: Backward | None) -> Value:
    """Make the node an op returns. Every op passes through here: one breakpoint sees them all."""
    out: Value = _new(Value)
    out.data = data
    out.grad = 0.0
    out._x = x
    out._y = y
    out.grad_fn = backward
    out._meta = None
    if modes.active:
        _apply_modes(out)
    return out


def _apply_modes(out: Value) -> None:
    if not modes.grad_enabled():
        out._x = out._y = None
        out.grad_fn = None
    if (recorder := modes.recorder()) is not None:
        recorder.made(out)
    if modes.scopes_enabled() and (scope := modes.current_scope()):
        out._annotations().scope = scope
    if out.grad_fn is not None and modes.anomaly_enabled():
        from autograd.anomaly import check_forward, remember_site  # noqa: PLC0415 (debug only)

        remember_site(out)
        check_forward(out)
