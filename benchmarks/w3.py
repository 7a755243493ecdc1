"""W3: bytes per node, measured with tracemalloc on W1's graph and on a W2 chain."""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

from benchmarks.data import make_moons
from benchmarks.engines import Engine, default_weights
from benchmarks.w1 import count_nodes, loss
from benchmarks.w2 import build_chain

__all__ = ["chain_bytes_per_node", "graph_bytes_per_node"]


def _traced(build: Callable[[], tuple[Any, int]]) -> dict[str, float]:
    """Traced bytes per new node after ``build()`` -> (root, new nodes), and after backward."""
    gc.collect()
    gc.disable()  # keep collections out of the count (nothing here is garbage)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        root, new_nodes = build()
        built = tracemalloc.get_traced_memory()[0] - base
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 4 * new_nodes))  # micrograd recurses
        root.backward()
        after = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
        gc.enable()
    return {
        "nodes": float(new_nodes),
        "bytes": float(built),
        "bytes_per_node": built / new_nodes,
        "bytes_per_node_after_backward": after / new_nodes,
    }


def graph_bytes_per_node(engine: Engine, points: int = 100) -> dict[str, float]:
    """Bytes per node of W1's loss graph; the model's weights exist before and are not counted."""
    xs, ys = make_moons(points)
    model = engine.make_model(default_weights())

    def build() -> tuple[Any, int]:
        root = loss(model, engine.value_type, xs, ys, engine.total)
        return root, count_nodes(root) - len(model.parameters())

    return _traced(build)


def chain_bytes_per_node(value_type: Any, nodes: int) -> dict[str, float]:
    """Bytes per node of a W2 chain of ``nodes`` op nodes (and its three leaves)."""

    def build() -> tuple[Any, int]:
        _, root = build_chain(value_type, nodes)
        return root, count_nodes(root)

    return _traced(build)
