"""Forward mode: tangents flow from the inputs to the output, ``jvp`` (like torch.func.jvp).

A node's tangent is how fast it moves when the inputs move along their tangents:
``tangent(out) = sum over its inputs of d out/d input * tangent(input)``. The local derivatives
come from each node's own backward rule (``contributions(node, 1.0)``), so forward mode needs no
rules of its own: built-in ops, ``define_op`` ops and micrograd-style closures all have it.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from autograd.backward import contributions, topological_order
from autograd.summary import inputs_of
from autograd.value import Value

__all__ = ["TangentStep", "jvp", "tangent_flow", "tangent_steps"]


@dataclass(frozen=True)
class TangentStep:
    """One node of a forward-mode pass: its local derivatives and the tangent they give it."""

    node: Value
    local: tuple[float, ...]  # d node/d input, one per input slot (none for a seed)
    tangent: float  # sum of local * the input's tangent, or the seed's own tangent


def tangent_steps(output: Value, seeds: Mapping[Value, float]) -> Iterator[TangentStep]:
    """The forward-mode pass node by node, inputs first: only the nodes that depend on a seed.

    >>> x, y = Value(2.0, label="x"), Value(3.0)
    >>> [(s.local, s.tangent) for s in tangent_steps(x * y + x, {x: 1.0})]
    [((), 1.0), ((3.0, 2.0), 3.0), ((1.0, 1.0), 4.0)]
    """
    known: dict[Value, float] = {}
    for node in topological_order(output):
        if node in seeds:
            known[node] = float(seeds[node])
            yield TangentStep(node, (), known[node])
            continue
        xs = inputs_of(node)
        if not any(x in known for x in xs):
            continue  # nothing it depends on moves: its tangent is 0
        local = tuple(contributions(node, 1.0))  # d node/d input, from the node's own rule
        known[node] = sum((d * known.get(x, 0.0) for d, x in zip(local, xs, strict=True)), 0.0)
        yield TangentStep(node, local, known[node])


def tangent_flow(output: Value, seeds: Mapping[Value, float]) -> dict[Value, float]:
    """The tangent of every node of ``output``'s graph, given the ``seeds``' tangents.

    Nodes that depend on no seed have tangent 0. Looking changes nothing in the graph.

    >>> x, y = Value(2.0), Value(3.0)
    >>> out = x * y + x
    >>> tangent_flow(out, {x: 1.0})[out]  # d out/d x = y + 1
    4.0
    """
    flow = dict.fromkeys(topological_order(output), 0.0)
    flow.update((step.node, step.tangent) for step in tangent_steps(output, seeds))
    return flow


def jvp(
    fn: Callable[..., Value | float], inputs: Sequence[float], tangents: Sequence[float]
) -> tuple[float, float]:
    """``fn(*inputs)`` and its derivative along ``tangents``, in one forward pass.

    Like ``torch.func.jvp(fn, primals, tangents)``: returns (output value, output tangent), where
    the output tangent is ``sum_i d fn/d input_i * tangents[i]``.

    >>> jvp(lambda x, y: x * y, (2.0, 3.0), (1.0, 0.5))  # y * 1 + x * 0.5
    (6.0, 4.0)
    """
    if not callable(fn):
        raise TypeError(f"jvp: fn must be a function of Values, got {type(fn).__name__}")
    xs = _numbers("inputs", inputs)
    dxs = _numbers("tangents", tangents)
    if len(xs) != len(dxs):
        raise ValueError(
            f"jvp: {len(xs)} inputs but {len(dxs)} tangents; give one tangent per input"
        )
    leaves = [Value(x) for x in xs]
    out = fn(*leaves)
    if isinstance(out, numbers.Real) and not isinstance(out, Value):
        return float(out), 0.0  # a constant function: nothing moves
    if not isinstance(out, Value):
        raise TypeError(f"jvp: fn must return a Value (or a number), got {type(out).__name__}")
    flow = tangent_flow(out, dict(zip(leaves, dxs, strict=True)))
    return out.data, flow[out]


def _numbers(what: str, values: Sequence[float]) -> list[float]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise TypeError(
            f"jvp: {what} must be a tuple or list of numbers, got {type(values).__name__}"
        )
    for i, x in enumerate(values):
        if isinstance(x, Value):
            raise TypeError(
                f"jvp: {what}[{i}] is a Value; pass numbers (x.data), jvp makes the Values"
            )
        if not isinstance(x, numbers.Real):
            raise TypeError(f"jvp: {what}[{i}] must be a number, got {type(x).__name__}: {x!r}")
    return [float(x) for x in values]
