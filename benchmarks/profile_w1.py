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

from autograd.backward import end_pass, propagate, reset_grads, topological_order
from benchmarks.data import make_moons
from benchmarks.engines import EngineUnavailableError, default_weights, load_engine
from benchmarks.suite import run_worker
from benchmarks.w1 import learning_rate, loss, train_step

__all__ = ["PhaseClock", "main", "phase_table", "phases", "step_times", "summary"]

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
        self.generation_time = [0.0, 0.0, 0.0]  # seconds in collections of gen 0, 1, 2
        self.collected = 0  # objects the collector found unreachable (and freed)
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
            elapsed = time.process_time() - self._gc_start
            self.gc_steps[-1][self.phase] += elapsed
            self.collections[self.phase][info["generation"]] += 1
            self.generation_time[info["generation"]] += elapsed
            self.collected += info["collected"]

    @contextmanager
    def run(self, phase: str) -> Iterator[None]:
        """Time the block as ``phase``."""
        self.phase = phase
        t0 = time.process_time()
        yield
        self.steps[-1][phase] += time.process_time() - t0


def phases(
    model: Any, value_type: Any, steps: int, warmup: int = 2, total: Callable[..., Any] = sum
) -> PhaseClock:
    """Run W1 steps phase by phase (GC on), timing the last ``steps`` of them."""
    xs, ys = make_moons()
    clock = PhaseClock()
    gc.callbacks.append(clock.on_gc)
    total_loss = None  # as in the demo, the last step's graph lives until the next loss is built
    try:
        for k in range(warmup + steps):
            clock.new_step()
            with clock.run("forward"):
                root = loss(model, value_type, xs, ys, total)
            with clock.run("free last graph"):
                total_loss = root
            with clock.run("zero_grad"):
                model.zero_grad()
            with clock.run("topological_order"):
                order = topological_order(root)
            with clock.run("grad reset"):
                earlier = reset_grads(order, root)
            with clock.run("backward loop"):
                propagate(order)
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
                clock.generation_time = [0.0, 0.0, 0.0]
                clock.collected = 0
    finally:
        gc.callbacks.remove(clock.on_gc)
    del total_loss
    return clock


GC_SETTINGS = ("on", "off", "freeze", "threshold=10000", "threshold=100000")


def step_times(engine: str, rounds: int) -> dict[str, list[float]]:
    """CPU seconds per W1 step per collector setting: fresh processes, settings alternating."""
    times: dict[str, list[float]] = {setting: [] for setting in GC_SETTINGS}
    for r in range(rounds):
        for setting in GC_SETTINGS if r % 2 == 0 else GC_SETTINGS[::-1]:
            spec = {"task": "w1", "engine": engine, "gc": setting, "warmup": 2, "steps": 10}
            result = run_worker({**spec, "points": 100})
            if "per_step" in result:
                times[setting].append(result["per_step"])
    return times


def _model(kind: str) -> tuple[Any, Any]:
    engine = load_engine("ours" if kind == "nn" else "ours-engine")
    return engine.make_model(default_weights()), engine.value_type


def summary(clock: PhaseClock) -> dict[str, Any]:
    """Per phase: mean and min CPU seconds, mean seconds in the collector, collections per step."""
    n = len(clock.steps)
    table = {
        phase: {
            "mean": statistics.fmean(step[phase] for step in clock.steps),
            "min": min(step[phase] for step in clock.steps),
            "gc": statistics.fmean(step[phase] for step in clock.gc_steps),
            "collections": [c / n for c in clock.collections[phase]],
        }
        for phase in PHASES
    }
    totals = [sum(step.values()) for step in clock.steps]
    return {
        "steps": n,
        "phases": table,
        "total_mean": statistics.fmean(totals),
        "total_min": min(totals),
        "generation_gc": [t / n for t in clock.generation_time],
        "collected": clock.collected,
    }


def phase_table(result: dict[str, Any]) -> list[str]:
    """The phases of ``summary`` as markdown lines, with the collector's time per generation."""
    lines = [
        "| phase | mean ms | min ms | of which in the GC, mean ms | collections gen0/1/2 |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    gc_total = 0.0
    for phase, row in result["phases"].items():
        gc_total += row["gc"]
        counts = "/".join(f"{c:.1f}" for c in row["collections"])
        lines.append(
            f"| {phase} | {row['mean'] * 1e3:.1f} | {row['min'] * 1e3:.1f} | "
            f"{row['gc'] * 1e3:.1f} | {counts} |"
        )
    lines.append(
        f"| total | {result['total_mean'] * 1e3:.1f} | {result['total_min'] * 1e3:.1f} | "
        f"{gc_total * 1e3:.1f} | |"
    )
    per_generation = ", ".join(
        f"generation {g}: {t * 1e3:.1f} ms" for g, t in enumerate(result["generation_gc"])
    )
    found = result["collected"]
    return [
        *lines,
        "",
        (
            f"The collector's time per step by generation: {per_generation}; objects it found "
            f"unreachable in {result['steps']} steps: {found}."
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    """Print the phase table, the collector comparison and, optionally, a cProfile listing."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_w1", description=__doc__)
    parser.add_argument("--model", choices=("nn", "reference"), default="reference")
    parser.add_argument("--steps", type=int, default=20, help="steps for the phase table")
    parser.add_argument("--rounds", type=int, default=3, help="processes per collector setting")
    parser.add_argument("--cprofile", action="store_true", help="also list the top functions")
    args = parser.parse_args(argv)
    try:
        model, value_type = _model(args.model)
    except EngineUnavailableError as e:
        parser.error(str(e))

    result = summary(phases(model, value_type, args.steps))
    print(f"W1 step of ours ({args.model} MLP), GC on, CPU time over {result['steps']} steps\n")
    print("\n".join(phase_table(result)), end="\n\n")

    print("| collector during the step (fresh processes) | median CPU ms/step | min | max |")
    print("| --- | ---: | ---: | ---: |")
    engine = "ours" if args.model == "nn" else "ours-engine"
    for setting, times in step_times(engine, args.rounds).items():
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
