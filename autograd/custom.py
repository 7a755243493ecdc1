"""Users' own ops: ``define_op`` turns a forward and a backward function into a row of the op table.

A defined op is as good as a built-in one: it is drawn, stepped, traced, hooked, checked for
anomalies, differentiated again (``grad(create_graph=True)``: its backward runs on Values when it
uses only arithmetic and ``autograd.ops``' functions) and compiled, because every one of those
tools asks the table (``ops.op_of``) and runs the rule found there.
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable
from typing import Any

from autograd import ops
from autograd.value import Value, _constant, _record, joined_inputs, split_inputs

__all__ = ["define_op"]


def define_op(
    name: str, forward: Callable[..., float], backward: Callable[..., Any]
) -> Callable[..., Value]:
    """Make an op from ``forward(*xs)`` and ``backward(*xs, out, out_grad)``; returns the op.

    ``backward`` returns what each input's grad receives: ``local derivative * out_grad``, a
    number for a one-input op, a tuple otherwise. Inside ``backward()`` a debugger's stack shows
    ``<name>_backward`` calling your ``backward``.

    >>> import math
    >>> softsign = define_op(
    ...     "softsign",
    ...     lambda x: x / (1.0 + abs(x)),
    ...     lambda x, out, out_grad: out_grad / (1.0 + abs(x)) ** 2,
    ... )
    >>> x = Value(1.0, label="x")
    >>> y = softsign(x)
    >>> y.backward()
    >>> y.data, x.grad, y._op
    (0.5, 0.25, 'softsign')
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"define_op: name must be an identifier like 'softsign', got {name!r}")
    for what, function in (("forward", forward), ("backward", backward)):
        if not callable(function):
            raise TypeError(f"define_op({name!r}): {what} must be a function, got {function!r}")
    arity = _arity(name, forward)
    rule = _rule(name, backward, arity)
    words = _parameter_names(forward, arity)
    local = tuple(f"d{name}/d{word}" for word in words)
    op = ops.Op(name, name, forward, rule, arity, local, "defined", backward)
    ops.register(op)

    def apply(*inputs: Value | float) -> Value:
        if len(inputs) != arity:
            raise TypeError(f"{name} takes {arity} input(s), got {len(inputs)}")
        xs = tuple(x if isinstance(x, Value) else _constant(x, name) for x in inputs)
        data = forward(*(x.data for x in xs))
        if not isinstance(data, numbers.Real):
            raise TypeError(
                f"{name}: forward must return a number, got {type(data).__name__} ({data!r})"
            )
        x, y = split_inputs(xs)
        return _record(float(data), x, y, rule)

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = forward.__doc__ or f"The op {name!r} (made with define_op)."
    return apply


def _arity(name: str, forward: Callable[..., float]) -> int:
    try:
        parameters = list(inspect.signature(forward).parameters.values())
    except (TypeError, ValueError):
        raise TypeError(f"define_op({name!r}): cannot read the parameters of forward") from None
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.KEYWORD_ONLY) for p in parameters):
        raise TypeError(
            f"define_op({name!r}): forward must take a fixed number of inputs (no *args, "
            "**kwargs or keyword-only parameters)"
        )
    if not parameters:
        raise TypeError(f"define_op({name!r}): forward must take at least one input")
    return len(parameters)


def _parameter_names(forward: Callable[..., float], arity: int) -> list[str]:
    names = list(inspect.signature(forward).parameters)
    return names if len(names) == arity else [f"x{i}" for i in range(arity)]


def _rule(name: str, backward: Callable[..., Any], arity: int) -> Callable[[Value], None]:
    """The named backward rule of the op: asks ``backward`` and adds what it returns."""

    def rule(out: Value) -> None:
        xs = joined_inputs(out._x, out._y)  # a Value or a stand-in: both hold _x and _y
        grads = backward(*(x.data for x in xs), out.data, out.grad)
        if arity == 1:
            grads = (grads,)
        if not isinstance(grads, tuple | list) or len(grads) != arity:
            raise TypeError(f"the backward of {name!r} must return {_wanted(arity)}, got {grads!r}")
        for x, g in zip(xs, grads, strict=True):
            x.grad += g

    # Name the frame itself, not only the function: tracebacks and pdb read co_name.
    rule.__code__ = rule.__code__.replace(
        co_name=f"{name}_backward", co_qualname=f"{name}_backward"
    )
    rule.__name__ = rule.__qualname__ = f"{name}_backward"
    rule.__doc__ = f"out = {name}(...): each input's grad += what {backward.__name__} returns"
    return rule


def _wanted(arity: int) -> str:
    return "one number" if arity == 1 else f"a tuple of {arity} numbers, one per input"
