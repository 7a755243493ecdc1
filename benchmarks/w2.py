"""W2: a long chain ``y = relu(y * a + b)`` through forward and backward, timed per node.

Three op nodes per link; ``a`` and ``b`` are shared leaves, so no constants are made per link.
"""

from __future__ import annotations

import gc
import resource
import sys
import time
from typing import Any

__all__ = ["build_chain", "chain"]


def build_chain(value_type: Any, nodes: int) -> tuple[Any, Any]:
    """The input leaf and the output of a chain of about ``nodes`` op nodes."""
    x = value_type(0.5)
    a, b = value_type(1.0), value_type(1e-6)  # y stays positive and finite: relu passes it on
    y = x
    for _ in range(nodes // 3):
        y = (y * a + b).relu()
    return x, y


def _max_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def chain(value_type: Any, nodes: int, *, collector: bool = True) -> dict[str, float]:
    """CPU seconds per node for forward, backward and freeing the graph; peak RSS growth.

    With ``collector=False`` the cyclic garbage collector is off while the chain is built and
    differentiated (and back on to free it).
    """
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 4 * nodes))  # micrograd's walk recurses
    gc.collect()
    if not collector:
        gc.disable()
    rss_before = _max_rss_bytes()
    t0 = time.process_time()
    x, y = build_chain(value_type, nodes)
    t1 = time.process_time()
    y.backward()
    t2 = time.process_time()
    grad = float(x.grad)
    gc.enable()
    del x, y
    gc.collect()  # micrograd's nodes are cycles: only the collector frees them
    t3 = time.process_time()
    made = 3 * (nodes // 3)
    return {
        "nodes": float(made),
        "forward_s_per_node": (t1 - t0) / made,
        "backward_s_per_node": (t2 - t1) / made,
        "free_s_per_node": (t3 - t2) / made,
        "peak_rss_bytes_per_node": (_max_rss_bytes() - rss_before) / made,
        "grad": grad,
    }
