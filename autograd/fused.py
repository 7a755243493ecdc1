"""Fewer, bigger nodes: a whole sum (``sum``) or a neuron's ``b + Σ w·x`` (``linear``) as one node.

Python's ``sum(values)`` and micrograd's neuron build a chain of ``+`` and ``*`` nodes, one Python
object per scalar op. These build a single node with a named rule of the op table
(``sum_backward``, ``linear_backward``) that adds in the order of that chain: the same value and
the same gradients, bit for bit, from a fraction of the nodes.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from autograd import ops
from autograd.value import Value, _constant, _record, split_inputs

__all__ = ["linear", "linear_layer", "sum"]

Operand = Value | float
_data = operator.attrgetter("data")
# Value.data's slot: reads .data from a Value (or subclass) and raises TypeError for anything else
_value_data: Callable[[Value], float] = vars(Value)["data"].__get__


def _operand(x: object, what: str) -> Value:
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real):
        return _constant(x, what)  # a number becomes a constant leaf, as in the chain of +
    raise TypeError(f"{what} must be a Value or a number, got {type(x).__name__}: {x!r}")


def sum(values: Iterable[Operand], start: Operand = 0.0) -> Value:
    """``start + v0 + v1 + ...`` as one node: Python's ``sum(values, start)``, to the bit.

    The inputs are ``start`` (a number becomes a constant leaf, as in Python's sum) and then
    the values, in order; each receives ``out.grad``. With no values it returns ``start``.

    >>> a, b = Value(1.5, label="a"), Value(2.0, label="b")
    >>> s = sum([a, b, a])
    >>> s.backward()
    >>> s.data, a.grad, b.grad, s._op
    (5.0, 2.0, 1.0, 'Σ')
    """
    inputs = [_operand(start, "sum: start")]
    inputs += [_operand(v, f"sum: value {i}") for i, v in enumerate(values)]
    if len(inputs) == 1:
        return inputs[0]
    data = ops.add_all(*[v.data for v in inputs])
    x, y = split_inputs(tuple(inputs))
    return _record(data, x, y, ops.sum_backward)


def linear(ws: Sequence[Operand], xs: Sequence[Operand], b: Operand = 0.0) -> Value:
    """``b + w0*x0 + w1*x1 + ...`` as one node: a neuron's pre-activation, in micrograd's order.

    The node's inputs are ``b, w0, x0, w1, x1, ...`` (``_prev`` in that order), the maths read
    left to right; numbers become constant leaves. It computes ``((b + w0*x0) + w1*x1) + ...``
    like ``sum((wi*xi for wi, xi in zip(ws, xs)), b)``, whose value and gradients it gives to
    the bit. With no weights it returns ``b``.

    >>> w, x = [Value(2.0), Value(-1.0)], [Value(3.0), Value(4.0)]
    >>> out = linear(w, x, Value(0.5))
    >>> out.backward()
    >>> out.data, w[0].grad, x[1].grad, out._op
    (2.5, 3.0, -1.0, 'b + Σ w·x')
    """
    n = len(ws)
    if n != len(xs):
        raise ValueError(f"linear: {n} weights but {len(xs)} inputs; give one weight each")
    bias = b if isinstance(b, Value) else _operand(b, "linear: b")
    if n == 0:
        return bias
    # w0, x0, w1, x1, ... interleaved by slices, and checked in one go: a neuron is the hot path
    pairs: list[Any] = [None] * (2 * n)
    pairs[0::2] = ws
    pairs[1::2] = xs
    if set(map(type, pairs)) != {Value}:
        pairs = [_operand(v, f"linear: {_role(k)}") for k, v in enumerate(pairs)]
    data = ops.weighted_sum(bias.data, map(_data, pairs[0::2]), map(_data, pairs[1::2]))
    return _record(data, bias, tuple(pairs), ops.linear_backward)  # _x = b, _y = the pairs


def linear_layer(
    weights: Sequence[Sequence[Value]], biases: Sequence[Value], xs: Sequence[Operand]
) -> list[Value]:
    """``[linear(ws, xs, b) for ws, b in zip(weights, biases)]``: a layer of neurons, one node
    each, reading the shared inputs ``xs`` once instead of once per neuron.

    Numbers among ``xs`` become constant leaves once, shared by every neuron. The weights and
    biases should be Values (a layer's parameters); anything else takes the checked way,
    ``linear``, with its errors.

    >>> xs = [Value(1.0), Value(2.0)]
    >>> rows, biases = [[Value(3.0), Value(4.0)], [Value(-1.0), Value(0.5)]], [Value(0.5)] * 2
    >>> [out.data for out in linear_layer(rows, biases, xs)]
    [11.5, 0.5]
    """
    if len(weights) != len(biases):
        raise ValueError(f"linear_layer: {len(weights)} rows of weights but {len(biases)} biases")
    n = len(xs)
    if n == 0:
        return [linear(ws, xs, b) for ws, b in zip(weights, biases, strict=True)]
    if set(map(type, xs)) != {Value}:
        xs = [_operand(x, f"linear_layer: input {i}") for i, x in enumerate(xs)]
    x_data = list(map(_data, xs))
    pairs: list[Any] = [None] * (2 * n)  # w0, x0, w1, x1, ...: the inputs stay, weights change
    pairs[1::2] = xs
    outs = []
    for ws, b in zip(weights, biases, strict=True):
        if len(ws) != n:
            raise ValueError(f"linear: {len(ws)} weights but {n} inputs; give one weight each")
        pairs[0::2] = ws
        try:  # reading the weights through Value's own slot checks that each is a Value
            data = ops.weighted_sum(_value_data(b), map(_value_data, ws), x_data)
        except TypeError:  # a number or another type: the checked way converts or refuses it
            outs.append(linear(ws, xs, b))
            continue
        outs.append(_record(data, b, tuple(pairs), ops.linear_backward))
    return outs


def _role(k: int) -> str:
    return f"{'input' if k % 2 else 'weight'} {k // 2}"
