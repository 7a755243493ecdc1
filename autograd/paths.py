"""The chain rule as a sum over paths: d output/d leaf = sum of each path's product of locals.

Each path runs from the leaf through the graph to the output; its product multiplies the local
derivative of every edge on it (from each node's own backward rule, ``contributions(node, 1.0)``).
A fork gives several paths, and the sum of their products is the leaf's ``.grad``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from autograd.backward import contributions, topological_order
from autograd.draw import number
from autograd.forward import tangent_flow
from autograd.names import node_names
from autograd.summary import inputs_of
from autograd.value import Value

__all__ = ["PathProduct", "PathSum", "paths"]


@dataclass(frozen=True)
class PathProduct:
    """A path from a leaf to the output: its nodes, each edge's local derivative, their product."""

    nodes: tuple[Value, ...]  # the leaf first, the output last
    slots: tuple[int, ...]  # nodes[i] is input slot slots[i] of nodes[i + 1]
    locals: tuple[float, ...]  # d nodes[i + 1] / d nodes[i]
    product: float

    def text(self, names: Mapping[int, str]) -> str:
        """The path and its product, e.g. ``a → c → o: 3 * 0.42 = 1.26``; ``names`` by ``id``."""
        route = " → ".join(names.get(id(n), "?") for n in self.nodes)
        factors = " * ".join(number(d) for d in self.locals) or "1"
        return f"{route}: {factors} = {number(self.product)}"


@dataclass(frozen=True)
class PathSum:
    """Every path from ``leaf`` to ``output`` with its product, and their sum, d output/d leaf.

    ``listed`` holds all ``count`` paths, or none when there are more than ``max_paths``; then
    ``total`` comes from forward mode, which sums the same products without listing them.
    """

    output: Value
    leaf: Value
    count: int
    listed: tuple[PathProduct, ...]
    total: float
    max_paths: int

    @property
    def complete(self) -> bool:
        """Whether every path is listed."""
        return len(self.listed) == self.count

    def __iter__(self) -> Iterator[PathProduct]:
        return iter(self.listed)

    def __len__(self) -> int:
        return len(self.listed)

    def __repr__(self) -> str:
        names = node_names(topological_order(self.output))
        head = f"{self.count} path{'s' if self.count != 1 else ''} from {names[id(self.leaf)]}"
        lines = [f"{head} to {names[id(self.output)]}, sum of products {number(self.total)}"]
        lines += [f"  {p.text(names)}" for p in self.listed]
        if not self.complete:
            lines.append(f"  (too many to list: more than max_paths={self.max_paths})")
        return "\n".join(lines)


def paths(output: Value, leaf: Value, *, max_paths: int = 1000) -> PathSum:
    """Every path from ``leaf`` to ``output`` and its product of local derivatives.

    The products sum to d output/d leaf, the ``.grad`` that ``output.backward()`` gives ``leaf``.
    More than ``max_paths`` paths are counted, not listed. Looking changes nothing in the graph.

    >>> x = Value(3.0, label="x")
    >>> out = x * x + x
    >>> out.label = "out"
    >>> paths(out, x)
    3 paths from x to out, sum of products 7
      x → v1 → out: 3 * 1 = 3
      x → v1 → out: 3 * 1 = 3
      x → out: 1 = 1
    """
    if not isinstance(output, Value):
        raise TypeError(f"paths: output must be a Value, got {type(output).__name__}")
    if not isinstance(leaf, Value):
        raise TypeError(f"paths: leaf must be a Value, got {type(leaf).__name__}")
    if not isinstance(max_paths, int) or max_paths < 0:
        raise ValueError(f"paths: max_paths must be a whole number >= 0, got {max_paths!r}")
    order = topological_order(output)
    if leaf not in set(order):
        name = f" {leaf.label!r}" if leaf.label else ""
        raise ValueError(f"paths: the leaf{name} ({leaf!r}) is not part of the graph of output")
    count = _count(order, leaf)
    if count[output] > max_paths:
        total = tangent_flow(output, {leaf: 1.0})[output]
        return PathSum(output, leaf, count[output], (), total, max_paths)
    listed = tuple(_listed(order, leaf, count))
    total = math.fsum(p.product for p in listed)
    return PathSum(output, leaf, count[output], listed, total, max_paths)


def _count(order: list[Value], leaf: Value) -> dict[Value, int]:
    """How many paths lead from ``leaf`` to each node (exact: Python's ints do not overflow)."""
    count: dict[Value, int] = {}
    for node in order:
        count[node] = 1 if node is leaf else sum(count[x] for x in inputs_of(node))
    return count


def _listed(order: list[Value], leaf: Value, count: dict[Value, int]) -> list[PathProduct]:
    """Build every path to each node from the paths to its inputs, inputs first."""
    # A path to a node is (nodes, slots, locals); no node has more paths than the output.
    partial: dict[Value, list[tuple[tuple[Value, ...], tuple[int, ...], tuple[float, ...]]]] = {
        leaf: [((leaf,), (), ())]
    }
    for node in order:
        if node is leaf or not count[node]:
            continue
        local = contributions(node, 1.0)
        partial[node] = [
            ((*nodes, node), (*slots, slot), (*factors, local[slot]))
            for slot, x in enumerate(inputs_of(node))
            if count[x]
            for nodes, slots, factors in partial[x]
        ]
    return [
        PathProduct(nodes, slots, factors, math.prod(factors))
        for nodes, slots, factors in partial[order[-1]]
    ]
