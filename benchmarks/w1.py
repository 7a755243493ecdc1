"""W1: micrograd's demo training step, written once for any engine (micrograd's or ours).

MLP(2, [16, 16, 1]) on 100 two-moons points; hinge loss ``relu(1 - y * score)`` averaged, plus
1e-4 * L2; forward, backward and SGD update, as in micrograd's ``demo.ipynb``. Its two sums are
the engine's ``total``: Python's ``sum``, or ``autograd.sum`` for the fused graph.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from benchmarks.data import make_moons
from benchmarks.engines import Engine, EngineUnavailableError, default_weights
from benchmarks.floor import FloorMLP, flat

__all__ = [
    "ALPHA",
    "CompiledW1",
    "check_against_floor",
    "count_nodes",
    "learning_rate",
    "loss",
    "train_step",
]

ALPHA = 1e-4  # L2 weight, as in micrograd's demo


def learning_rate(k: int) -> float:
    """micrograd's demo schedule: 1.0 decaying to 0.1 over 100 steps."""
    return 1.0 - 0.9 * k / 100


def loss(
    model: Any,
    value_type: Any,
    xs: list[tuple[float, float]],
    ys: list[float],
    total: Callable[..., Any] = sum,
) -> Any:
    """The demo's total loss (a graph): mean hinge loss plus ALPHA * sum of squared weights."""
    inputs = [[value_type(a), value_type(b)] for a, b in xs]
    scores = [model(x) for x in inputs]
    losses = [(1 + -yi * score).relu() for yi, score in zip(ys, scores, strict=True)]
    data_loss = total(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * total(p * p for p in model.parameters())
    return data_loss + reg_loss


def train_step(  # noqa: PLR0917 (the demo's names, in its order)
    model: Any,
    value_type: Any,
    xs: list[tuple[float, float]],
    ys: list[float],
    k: int,
    total: Callable[..., Any] = sum,
) -> Any:
    """Step ``k`` of the demo's loop: loss graph, backward, SGD update; returns the loss graph.

    The demo keeps ``total_loss`` until the next step replaces it, so callers keep the result
    until then too: the last step's graph is alive while the next one is built, as in the demo.
    """
    total_loss = loss(model, value_type, xs, ys, total)
    model.zero_grad()
    total_loss.backward()
    lr = learning_rate(k)
    for p in model.parameters():
        p.data -= lr * p.grad
    return total_loss


class CompiledW1:
    """W1 on our compiled replay: the step's graph recorded once, then rerun as generated Python.

    ``autograd.compile`` records ``loss`` on the model's Values once and writes its forward and
    backward out as straight-line float code; each step replays it, then updates as usual.
    """

    def __init__(self, engine: Engine, xs: list[tuple[float, float]], ys: list[float]) -> None:
        try:
            from autograd import compile as record  # noqa: PLC0415 (newer than the engine)
        except ImportError:
            raise EngineUnavailableError("autograd.compile is not there yet") from None
        self.model = engine.make_model(default_weights())
        started = time.process_time()
        self.replay = record(lambda: loss(self.model, engine.value_type, xs, ys, engine.total))
        self.record_seconds = time.process_time() - started

    def step(self, k: int) -> float:
        """Step ``k``: replay forward and backward (grads land in ``.grad``), SGD update."""
        self.model.zero_grad()
        result = self.replay()
        lr = learning_rate(k)
        for p in self.model.parameters():
            p.data -= lr * p.grad
        return float(result.value)


def count_nodes(root: Any) -> int:
    """How many Values ``root`` depends on (itself included), for micrograd's nodes and ours."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for parent in stack.pop()._prev:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)


def check_against_floor(
    engine: Engine, points: int = 100, compiled: bool = False
) -> dict[str, float]:
    """Loss and gradients of the engine vs the hand-written floor, on the same weights and data.

    Returns the largest relative difference of the gradients (0 means bit for bit) and of the
    loss; with ``compiled``, of the engine's compiled replay of the step.
    """
    xs, ys = make_moons(points)
    weights = default_weights()
    if compiled:
        replayed = CompiledW1(engine, xs, ys)
        model = replayed.model
        model.zero_grad()
        value = float(replayed.replay().value)
        nodes = replayed.replay.nodes
    else:
        model = engine.make_model(weights)
        total_loss = loss(model, engine.value_type, xs, ys, engine.total)
        model.zero_grad()
        total_loss.backward()
        value, nodes = float(total_loss.data), count_nodes(total_loss)
    floor_loss, dw, db = FloorMLP(weights).loss_and_grads(xs, ys, ALPHA)
    ours = [float(p.grad) for p in model.parameters()]
    worst = max(_relative(a, b) for a, b in zip(ours, flat(dw, db), strict=True))
    return {
        "grad_max_rel_diff": worst,
        "loss_rel_diff": _relative(value, floor_loss),
        "parameters": float(len(ours)),
        "nodes": float(nodes),
    }


def _relative(a: float, b: float) -> float:
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0.0 else math.fabs(a - b) / scale
