"""Nudging a leaf: the forward pass again with ``leaf + h``, its change beside ``grad * h``.

This is the lecture's check of a derivative: (f(x + h) - f(x)) / h is close to ``x.grad`` for a
small h. The forward pass runs again from the op table's forward functions over the recorded
graph, on copies of the data, so the user's graph keeps every ``.data`` and ``.grad``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from autograd.backward import grad, topological_order
from autograd.ops import op_of
from autograd.value import Value

__all__ = ["Nudge", "nudge", "rerun"]


def rerun(output: Value, changes: Mapping[Value, float]) -> dict[Value, float]:
    """The forward pass again with some nodes' data replaced: each node's new data, by node.

    The ops' own forward functions (the op table) compute it; the graph is left as it was.

    >>> x = Value(2.0)
    >>> out = x * x + 1
    >>> rerun(out, {x: 3.0})[out], out.data
    (10.0, 5.0)
    """
    data: dict[Value, float] = {}
    for node in topological_order(output):
        op = op_of(node)
        if node in changes:
            data[node] = float(changes[node])
        elif op is None:
            data[node] = node.data
        else:
            data[node] = float(op.forward(*(data[p] for p in node._prev)))
    return data


@dataclass(frozen=True)
class Nudge:
    """The output's change when a leaf moves by ``h``, beside the linear guess ``grad * h``.

    Unpacks as ``(delta, linear)``: ``delta, linear = nudge(out, x, 1e-3)``.
    """

    h: float
    grad: float  # d output/d leaf, as backward() computes it
    before: float  # the output's data
    after: float  # the output's data with the leaf at data + h

    @property
    def delta(self) -> float:
        """How much the output changed: after - before."""
        return self.after - self.before

    @property
    def linear(self) -> float:
        """The change the gradient predicts: grad * h."""
        return self.grad * self.h

    @property
    def numerical(self) -> float:
        """The numerical derivative delta / h, to set beside ``grad``."""
        return self.delta / self.h

    def __iter__(self) -> Iterator[float]:
        return iter((self.delta, self.linear))

    def __repr__(self) -> str:
        return (
            f"Nudge(h={self.h:g}: Δout = {self.delta:.6g}, grad·h = {self.linear:.6g}; "
            f"Δout/h = {self.numerical:.6g}, grad = {self.grad:.6g})"
        )


def nudge(output: Value, leaf: Value, h: float) -> Nudge:
    """Move ``leaf`` by ``h``, run the forward pass again, and return Δout beside ``grad * h``.

    >>> x = Value(3.0, label="x")
    >>> delta, linear = nudge(x * x, x, 0.001)  # (3.001**2 - 9, 6 * 0.001)
    >>> round(delta, 9), round(linear, 9)
    (0.006001, 0.006)
    """
    if not isinstance(output, Value):
        raise TypeError(f"nudge: output must be a Value, got {type(output).__name__}")
    if not isinstance(leaf, Value):
        raise TypeError(f"nudge: leaf must be a Value, got {type(leaf).__name__}")
    if isinstance(h, bool) or not isinstance(h, numbers.Real):
        raise TypeError(f"nudge: h must be a number, got {type(h).__name__}: {h!r}")
    if h == 0.0 or not math.isfinite(h):
        raise ValueError(f"nudge: h must be a finite number other than 0, got {h!r}")
    if leaf not in set(topological_order(output)):
        name = f" {leaf.label!r}" if leaf.label else ""
        raise ValueError(f"nudge: the leaf{name} ({leaf!r}) is not part of the graph of output")
    after = rerun(output, {leaf: leaf.data + h})[output]
    (slope,) = grad(output, [leaf])
    return Nudge(float(h), float(slope), output.data, after)
