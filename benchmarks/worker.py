"""One measurement in a fresh process: ``python -m benchmarks.worker '<json spec>'``.

Prints one JSON object on the last line of stdout. Each engine runs in a process of its own,
so neither one's heap, garbage or collector state leaks into the other's timings.
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
from typing import Any

from benchmarks.data import make_moons
from benchmarks.engines import EngineUnavailableError, default_weights, load_engine, load_value_type
from benchmarks.fit import fit_demo
from benchmarks.floor import FloorMLP
from benchmarks.profile_w1 import phases, summary
from benchmarks.w1 import CompiledW1, check_against_floor, learning_rate, train_step
from benchmarks.w2 import chain
from benchmarks.w3 import chain_bytes_per_node, graph_bytes_per_node

__all__ = ["COMPILED_ENGINES", "TASKS", "main", "run"]

# a compiled W1 row -> the engine whose step it records: the op-by-op graph or the fused one
COMPILED_ENGINES = {"ours-compiled": "ours", "ours-fused-compiled": "ours-fused"}


def _w1(spec: dict[str, Any]) -> dict[str, Any]:
    """Time W1 steps as the demo's loop runs them.

    With gc 'off' the collector is off during each step and runs between steps, untimed;
    'freeze' calls ``gc.freeze()`` once before the steps; 'threshold=N' sets generation 0's.
    """
    xs, ys = make_moons(spec["points"])
    extra: dict[str, Any] = {}
    if spec["engine"] == "floor":
        floor = FloorMLP(default_weights())

        def step(k: int) -> Any:
            return floor.step(xs, ys, learning_rate(k))
    elif spec["engine"] in COMPILED_ENGINES:
        replayed = CompiledW1(load_engine(COMPILED_ENGINES[spec["engine"]]), xs, ys)
        extra["record_s"] = replayed.record_seconds
        step = replayed.step
    else:
        engine = load_engine(spec["engine"])
        model = engine.make_model(default_weights())

        def step(k: int) -> Any:
            return train_step(model, engine.value_type, xs, ys, k, engine.total)

    gc_off = spec["gc"] == "off"
    if spec["gc"] == "freeze":  # the model and the interpreter's objects leave the GC's view
        gc.collect()
        gc.freeze()
    elif spec["gc"].startswith("threshold="):  # collect generation 0 every N allocations
        gc.set_threshold(int(spec["gc"].split("=")[1]), *gc.get_threshold()[1:])
    total_loss = None  # the demo's variable: the last graph lives until the next replaces it
    wall: list[float] = []
    cpu: list[float] = []  # this process's CPU time: other jobs on the machine barely move it
    for k in range(spec["warmup"] + spec["steps"]):
        if gc_off:
            gc.collect()  # untimed: free the last step's garbage (micrograd's cycles)
            gc.disable()
        t0, c0 = time.perf_counter(), time.process_time()
        total_loss = step(k)
        t1, c1 = time.perf_counter(), time.process_time()
        gc.enable()
        if k >= spec["warmup"]:
            wall.append(t1 - t0)
            cpu.append(c1 - c0)
    del total_loss
    return {
        "wall": wall,
        "cpu": cpu,
        # a training loop's cost per step: the mean, since a full collection hits only some steps
        "wall_per_step": statistics.fmean(wall),
        "per_step": statistics.fmean(cpu),
        **extra,
    }


def _w1check(spec: dict[str, Any]) -> dict[str, Any]:
    if spec["engine"] in COMPILED_ENGINES:
        engine = load_engine(COMPILED_ENGINES[spec["engine"]])
        return check_against_floor(engine, points=spec["points"], compiled=True)
    return check_against_floor(load_engine(spec["engine"]), points=spec["points"])


def _phases(spec: dict[str, Any]) -> dict[str, Any]:
    engine = load_engine(spec["engine"])
    model = engine.make_model(default_weights())
    return summary(phases(model, engine.value_type, spec["steps"], total=engine.total))


def _fit(spec: dict[str, Any]) -> dict[str, Any]:
    return fit_demo(spec["epochs"], compiled=spec.get("compiled"))


def _w2(spec: dict[str, Any]) -> dict[str, Any]:
    collector = spec.get("gc", "on") == "on"
    return chain(load_value_type(spec["engine"]), spec["nodes"], collector=collector)


def _w3(spec: dict[str, Any]) -> dict[str, Any]:
    if spec["graph"] == "w1":
        return graph_bytes_per_node(load_engine(spec["engine"]), points=spec["points"])
    return chain_bytes_per_node(load_value_type(spec["engine"]), spec["nodes"])


TASKS = {
    "w1": _w1,
    "w1check": _w1check,
    "phases": _phases,
    "w2": _w2,
    "w3": _w3,
    "fit": _fit,
}


def run(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the measurement ``spec['task']`` (a key of ``TASKS``) and return its numbers."""
    if spec["task"] not in TASKS:
        raise ValueError(f"unknown task {spec['task']!r}; expected one of {sorted(TASKS)}")
    try:
        return TASKS[spec["task"]](spec)
    except EngineUnavailableError as e:
        return {"unavailable": str(e)}


def main() -> None:
    """Read the spec from argv, print the result as JSON."""
    spec = json.loads(sys.argv[1])
    print(json.dumps(run(spec)))


if __name__ == "__main__":
    main()
