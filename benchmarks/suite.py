"""Run W1, W2, W3 and fit, each measurement in a fresh process, engines alternating by round."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "W1_VARIANTS",
    "Settings",
    "median_of",
    "run_fit",
    "run_phases",
    "run_w1",
    "run_w1_checks",
    "run_w2",
    "run_w3",
    "run_worker",
]

ROOT = Path(__file__).resolve().parent.parent  # the checkout: workers import from here


@dataclass(frozen=True)
class Settings:
    """How much to measure: ``quick`` is a smoke run of a few seconds, not a measurement."""

    rounds: int = 5
    quick: bool = False
    points: int = 100  # W1's data set size (micrograd's demo: 100)
    chain_sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    w3_chain: int = 100_000
    fit_epochs: int = 100  # fit end to end: micrograd's demo runs 100
    baseline: Path | None = None  # a checkout of the code before, to time fit against
    log: Any = field(default=None, compare=False)  # a callable for progress lines, or None


@dataclass(frozen=True)
class Variant:
    """One W1 row: an engine, the collector on or off during the step, and how many steps."""

    label: str
    engine: str
    gc: str
    warmup: int
    steps: int


W1_VARIANTS = (
    Variant("micrograd (GC on, as users run it)", "micrograd", "on", 1, 3),
    Variant("ours: autograd + nn.MLP (GC on)", "ours", "on", 2, 15),
    Variant("micrograd, GC off during the step", "micrograd", "off", 1, 5),
    Variant("ours: autograd + nn.MLP, GC off", "ours", "off", 2, 10),
    Variant("ours: nn.MLP(graph='fused') + autograd.sum (GC on)", "ours-fused", "on", 2, 30),
    Variant("ours: nn.MLP(graph='fused') + autograd.sum, GC off", "ours-fused", "off", 2, 30),
    Variant("ours: autograd + micrograd's nn code (GC on)", "ours-engine", "on", 2, 15),
    Variant("ours: autograd + micrograd's nn code, GC off", "ours-engine", "off", 2, 10),
    Variant(
        "ours: autograd.compile, the step recorded once and replayed", "ours-compiled", "on", 2, 20
    ),
    Variant(
        "ours: autograd.compile of the fused step, recorded once and replayed",
        "ours-fused-compiled",
        "on",
        2,
        20,
    ),
    Variant("hand-written floats (the floor)", "floor", "on", 2, 20),
)


def run_worker(spec: dict[str, Any], root: Path = ROOT) -> dict[str, Any]:
    """Run one measurement in a fresh ``python -m benchmarks.worker`` and return its JSON.

    ``root`` is the directory it runs in, whose ``autograd`` and ``nn`` it imports.
    """
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.worker", json.dumps(spec)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"]
        return {"error": lines[-1]}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _say(settings: Settings, text: str) -> None:
    if settings.log is not None:
        settings.log(text)


def run_w1(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Per variant label, one result per round; odd rounds run the variants in reverse order."""
    results: dict[str, list[dict[str, Any]]] = {v.label: [] for v in W1_VARIANTS}
    for r in range(settings.rounds):
        order = W1_VARIANTS if r % 2 == 0 else tuple(reversed(W1_VARIANTS))
        for v in order:
            steps, warmup = (1, 1) if settings.quick else (v.steps, v.warmup)
            spec = {
                "task": "w1",
                "engine": v.engine,
                "gc": v.gc,
                "warmup": warmup,
                "steps": steps,
                "points": settings.points,
            }
            results[v.label].append(run_worker(spec))
        _say(settings, f"W1 round {r + 1}/{settings.rounds} done")
    return results


def run_w1_checks(settings: Settings) -> dict[str, dict[str, Any]]:
    """Each engine's loss and gradients against the hand-written floor, on the same weights."""
    return {
        e: run_worker({"task": "w1check", "engine": e, "points": settings.points})
        for e in (
            "micrograd",
            "ours",
            "ours-fused",
            "ours-engine",
            "ours-compiled",
            "ours-fused-compiled",
        )
    }


W2_VARIANTS = (("ours", "on"), ("micrograd", "on"), ("ours", "off"))


def run_phases(settings: Settings) -> dict[str, dict[str, Any]]:
    """Where a W1 step of ours goes, phase by phase, per engine ('ours' and 'ours-fused')."""
    steps = 3 if settings.quick else 20
    results = {e: run_worker({"task": "phases", "engine": e, "steps": steps}) for e in PHASED}
    _say(settings, "phases done")
    return results


PHASED = ("ours", "ours-fused")


def run_fit(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """``nn.fit`` end to end, 'after' (this checkout) and 'before' (``settings.baseline``).

    The baseline runs in a directory whose ``autograd`` and ``nn`` are the baseline's and whose
    ``benchmarks`` is this one, so the very same timing code runs on both.
    """
    epochs = 2 if settings.quick else settings.fit_epochs
    defaults = {"task": "fit", "epochs": epochs}  # fit as users call it
    specs = {
        "after": defaults,
        "after, compiled=False": {**defaults, "compiled": False},
        "after, compiled=True": {**defaults, "compiled": True},
        "before": defaults,
    }
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in specs}
    with tempfile.TemporaryDirectory(prefix="baseline-") as mixed:
        roots = dict.fromkeys(["after", "after, compiled=False", "after, compiled=True"], ROOT)
        if settings.baseline is not None:
            for package, source in (
                ("autograd", settings.baseline),
                ("nn", settings.baseline),
                ("benchmarks", ROOT),
            ):
                (Path(mixed) / package).symlink_to(source.resolve() / package)
            roots["before"] = Path(mixed)
        names = list(roots)
        for r in range(1 if settings.quick else 3):
            for name in names if r % 2 == 0 else names[::-1]:
                results[name].append(run_worker(specs[name], roots[name]))
            _say(settings, f"fit round {r + 1} done")
    return results


def run_w2(settings: Settings) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """Per (engine, chain size), one result per round, engines alternating within each size.

    The engine is named ``"ours"``, ``"micrograd"`` or ``"ours, GC off"``.
    """
    results: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in range(min(settings.rounds, 3)):
        for n in settings.chain_sizes:
            for engine, collector in W2_VARIANTS if r % 2 == 0 else W2_VARIANTS[::-1]:
                name = engine if collector == "on" else f"{engine}, GC off"
                spec = {"task": "w2", "engine": engine, "nodes": n, "gc": collector}
                results.setdefault((name, n), []).append(run_worker(spec))
        _say(settings, f"W2 round {r + 1} done")
    return results


def run_w3(settings: Settings) -> dict[tuple[str, str], dict[str, Any]]:
    """Bytes per node per (engine, graph); tracemalloc counts are exact, one run is enough."""
    results = {}
    for e in ("ours", "ours-fused", "ours-engine", "micrograd"):
        spec = {"task": "w3", "engine": e, "graph": "w1", "points": settings.points}
        results[e, "w1"] = run_worker(spec)
    for e in ("ours", "micrograd"):
        spec = {"task": "w3", "engine": e, "graph": "chain", "nodes": settings.w3_chain}
        results[e, "chain"] = run_worker(spec)
    _say(settings, "W3 done")
    return results


def median_of(runs: list[dict[str, Any]], key: str) -> float | None:
    """The median of ``key`` over the runs that have it (None if none do)."""
    values = [run[key] for run in runs if key in run]
    return statistics.median(values) if values else None
