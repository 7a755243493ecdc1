"""Where a W1 step of our engine spends its time: ``python -m benchmarks.profile_w1 [--cprofile]``.

Splits a step of the demo's loop into phases (forward, freeing the last step's graph, zero_grad,
topological order, begin_pass's grad reset, the backward loop, end_pass, SGD update), charges
the cyclic collector's time to the phase it interrupted (``gc.callbacks``), and compares
collector settings.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from autograd.backward import end_pass, topological_order
from autograd.hooks import run_hooks
from benchmarks.data import make_moons
from benchmarks.engines import EngineUnavailableError, default_weights, load_engine
from benchmarks.w1 import learning_rate, loss, train_step

__all__ = ["PhaseClock", "gc_settings", "main", "phases", "step_times"]

PHASES = (
    "forward",
    "free last graph",
    "zero_grad",
    "topological_order",
    "grad reset",
    "backward loop",
    "end_pass",
    "update",
)


class PhaseClock:
    """CPU time per phase of each step, and the collector's time and collections in each phase."""

    def __init__(self) -> None:
        self.steps: list[dict[str, float]] = []  # per step: phase -> seconds
        self.gc_steps: list[dict[str, float]] = []  # per step: phase -> seconds in the collector
        self.collections = {phase: [0, 0, 0] for phase in PHASES}
        self.phase = PHASES[0]
        self._gc_start = 0.0

    def new_step(self) -> None:
        """Start a fresh row of phase times."""
        self.steps.append(dict.fromkeys(PHASES, 0.0))
        self.gc_steps.append(dict.fromkeys(PHASES, 0.0))

    def on_gc(self, event: str, info: dict[str, int]) -> None:
        """A ``gc.callbacks`` hook: time each collection, charge it to the running phase."""
        if event == "start":
            self._gc_start = time.process_time()
        elif self.gc_steps:
            self.gc_steps[-1][self.phase] += time.process_time() - self._gc_start
            self.collections[self.phase][info["generation"]] += 1

    @contextmanager
    def run(self, phase: str) -> Iterator[None]:
        """Time the block as ``phase``."""
        self.phase = phase
        t0 = time.process_time()
        yield
        self.steps[-1][phase] += time.process_time() - t0


def _reset_grads(order: list[Any], root: Any) -> list[tuple[Any, float]]:
    # The loop of autograd.backward.begin_pass, copied to time it apart from the ordering.
    earlier: list[tuple[Any, float]] = []
    for node in order:
        if node.grad and node.grad_fn is None:
            earlier.append((node, node.grad))
        node.grad = 0.0
    root.grad = 1.0
    return earlier


def _backward_loop(order: list[Any]) -> None:
    # The loop of autograd.backward.backward, copied so it can be timed apart from begin_pass.
    for node in reversed(order):
        if node._meta is not None and node._meta.hooks:
            node.grad = float(run_hooks(node, node.grad))
        rule = node.grad_fn
        if rule is not None:
            rule(node)


def phases(model: Any, value_type: Any, steps: int, warmup: int = 2) -> PhaseClock:
    """Run W1 steps phase by phase (GC on), timing the last ``steps`` of them."""
    xs, ys = make_moons()
    clock = PhaseClock()
    gc.callbacks.append(clock.on_gc)
    total_loss = None  # as in the demo, the last step's graph lives until the next loss is built
    try:
        for k in range(warmup + steps):
            clock.new_step()
            with clock.run("forward"):
                root = loss(model, value_type, xs, ys)
            with clock.run("free last graph"):
                total_loss = root
            with clock.run("zero_grad"):
                model.zero_grad()
            with clock.run("topological_order"):
                order = topological_order(root)
            with clock.run("grad reset"):
                earlier = _reset_grads(order, root)
            with clock.run("backward loop"):
                _backward_loop(order)
            with clock.run("end_pass"):
                end_pass(earlier)
            with clock.run("update"):
                lr = learning_rate(k)
                for p in model.parameters():
                    p.data -= lr * p.grad
            del root, order, earlier
            if k < warmup:
                clock.steps.pop()
                clock.gc_steps.pop()
                clock.collections = {phase: [0, 0, 0] for phase in PHASES}
    finally:
        gc.callbacks.remove(clock.on_gc)
    del total_loss
    return clock


@contextmanager
def gc_settings(name: str) -> Iterator[None]:
    """The collector as configured by ``name``; the previous settings come back afterwards."""
    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    try:
        if name == "off":
            gc.disable()
        elif name == "freeze":
            gc.collect()
            gc.freeze()  # everything alive now (modules, model) leaves the collector's view
        elif name.startswith("threshold="):
            gc.set_threshold(int(name.split("=")[1]), *thresholds[1:])
        yield
    finally:
        if name == "freeze":
            gc.unfreeze()
        gc.set_threshold(*thresholds)
        if enabled:
            gc.enable()


GC_SETTINGS = ("on", "off", "freeze", "threshold=10000", "threshold=100000")


def step_times(model: Any, value_type: Any, steps: int) -> dict[str, list[float]]:
    """CPU time of W1 steps (``train_step``) per collector setting, settings interleaved.

    Each timed step follows an untimed one under the same setting, whose graph it keeps alive
    as the demo's loop does; then that setting's graphs are dropped.
    """
    xs, ys = make_moons()
    times: dict[str, list[float]] = {setting: [] for setting in GC_SETTINGS}
    for k in range(steps):
        for setting in GC_SETTINGS if k % 2 else GC_SETTINGS[::-1]:
            with gc_settings(setting):
                kept = train_step(model, value_type, xs, ys, k)
                t0 = time.process_time()
                kept = train_step(model, value_type, xs, ys, k)
                times[setting].append(time.process_time() - t0)
                del kept
    return times


def _model(kind: str) -> tuple[Any, Any]:
    engine = load_engine("ours" if kind == "nn" else "ours-engine")
    return engine.make_model(default_weights()), engine.value_type


def main(argv: list[str] | None = None) -> None:
    """Print the phase table, the collector comparison and, optionally, a cProfile listing."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_w1", description=__doc__)
    parser.add_argument("--model", choices=("nn", "reference"), default="reference")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--cprofile", action="store_true", help="also list the top functions")
    args = parser.parse_args(argv)
    try:
        model, value_type = _model(args.model)
    except EngineUnavailableError as e:
        parser.error(str(e))

    clock = phases(model, value_type, args.steps)
    print(f"W1 step of ours ({args.model} MLP), GC on, CPU ms per step over {args.steps} steps\n")
    print("| phase | median ms | min ms | of which GC, median ms | collections gen0/1/2 per step |")
    print("| --- | ---: | ---: | ---: | --- |")
    for phase in PHASES:
        wall = [step[phase] for step in clock.steps]
        in_gc = [step[phase] for step in clock.gc_steps]
        counts = "/".join(f"{c / args.steps:.1f}" for c in clock.collections[phase])
        print(
            f"| {phase} | {statistics.median(wall) * 1e3:.1f} | {min(wall) * 1e3:.1f} | "
            f"{statistics.median(in_gc) * 1e3:.1f} | {counts} |"
        )
    totals = [sum(step.values()) for step in clock.steps]
    gc_totals = [sum(step.values()) for step in clock.gc_steps]
    print(
        f"| total | {statistics.median(totals) * 1e3:.1f} | {min(totals) * 1e3:.1f} | "
        f"{statistics.median(gc_totals) * 1e3:.1f} | |\n"
    )

    print("| collector during the step | median CPU ms/step | min | max |")
    print("| --- | ---: | ---: | ---: |")
    for setting, times in step_times(model, value_type, args.steps).items():
        print(
            f"| {setting} | {statistics.median(times) * 1e3:.1f} | {min(times) * 1e3:.1f} | "
            f"{max(times) * 1e3:.1f} |"
        )

    if args.cprofile:
        _cprofile(lambda k: train_step(model, value_type, *make_moons(), k))


def _cprofile(step: Callable[[int], float]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for k in range(3):
        step(k)
    profiler.disable()
    print("\ncProfile, 3 steps (cProfile's own overhead inflates the many small calls):\n")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
