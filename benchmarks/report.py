"""The markdown table of results: what ``python -m benchmarks`` writes to ``RESULTS.md``."""

from __future__ import annotations

import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.profile_w1 import phase_table
from benchmarks.suite import W1_VARIANTS, Settings, median_of

__all__ = ["pairwise", "render"]

Runs = list[dict[str, Any]]

(
    MICROGRAD,
    OURS,
    MICROGRAD_OFF,
    OURS_OFF,
    FUSED,
    FUSED_OFF,
    ENGINE,
    ENGINE_OFF,
    COMPILED,
    COMPILED_FUSED,
    FLOOR,
) = (v.label for v in W1_VARIANTS)
RECORDING_GOAL = 0.3  # seconds to record the fused W1 step (issue 14)


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1e3:.1f}"


def _ns(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1e9:.0f}"


def _why_missing(runs: Runs) -> str:
    for run in runs:
        for key in ("unavailable", "error"):
            if key in run:
                return str(run[key])
    return "no result"


def pairwise(w1: dict[str, Runs], slow: str, fast: str) -> list[float]:
    """``slow / fast`` CPU time per step, round by round (they ran next to each other)."""
    return [
        a["per_step"] / b["per_step"]
        for a, b in zip(w1[slow], w1[fast], strict=True)
        if "per_step" in a and "per_step" in b
    ]


def _ratio(ratios: list[float]) -> str:
    if not ratios:
        return "—"
    low, mid, high = min(ratios), statistics.median(ratios), max(ratios)
    return f"{mid:.1f}x ({low:.1f} to {high:.1f})" if len(ratios) > 1 else f"{mid:.1f}x"


def _w1_table(w1: dict[str, Runs]) -> list[str]:
    lines = [
        (
            "| W1 variant | CPU ms/step | wall ms/step | CPU ms/step in each process "
            "| micrograd (GC on) time ÷ this |"
        ),
        "| --- | ---: | ---: | --- | ---: |",
    ]
    for v in W1_VARIANTS:
        runs = w1[v.label]
        median = median_of(runs, "per_step")
        if median is None:
            lines.append(f"| {v.label} | — | — | {_why_missing(runs)} | — |")
            continue
        each = ", ".join(_ms(r["per_step"]) if "per_step" in r else "failed" for r in runs)
        if any("per_step" not in r for r in runs):
            each += f" (failed: {_why_missing(runs)})"
        wall = _ms(median_of(runs, "wall_per_step"))
        ratio = _ratio(pairwise(w1, MICROGRAD, v.label))
        lines.append(f"| {v.label} | {_ms(median)} | {wall} | {each} | {ratio} |")
    for label, graph in ((COMPILED, "op-by-op"), (COMPILED_FUSED, "fused")):
        record = median_of(w1[label], "record_s")
        if record is not None:
            lines += [
                "",
                (
                    f"Recording the compiled {graph} step (once, before its first replay): "
                    f"{record:.2f} s."
                ),
            ]
    return lines


def _speed_target(name: str, ratios: list[float], goal: float, what: str) -> str:
    if not ratios:
        return f"| {name} | not measured ({what}) | — |"
    met = "yes" if statistics.median(ratios) >= goal else "**no**"
    return f"| {name} | {_ratio(ratios)}, {what} | {met} |"


def _fit_ratios(fit: dict[str, Runs], slow: str = "before", fast: str = "after") -> list[float]:
    """``slow`` / ``fast`` CPU seconds of fit, round by round."""
    return [
        b["cpu_s"] / a["cpu_s"]
        for b, a in zip(fit[slow], fit[fast], strict=False)
        if "cpu_s" in a and "cpu_s" in b
    ]


def _recording_target(w1: dict[str, Runs]) -> str:
    name = f"recording the fused W1 step ≤ {RECORDING_GOAL} s"
    record = median_of(w1[COMPILED_FUSED], "record_s")
    if record is None:
        return f"| {name} | not measured ({_why_missing(w1[COMPILED_FUSED])}) | — |"
    each = ", ".join(f"{r['record_s']:.2f}" for r in w1[COMPILED_FUSED] if "record_s" in r)
    ops = median_of(w1[COMPILED], "record_s")
    op_graph = f"; the op-by-op step: {ops:.2f} s" if ops is not None else ""
    met = "yes" if record <= RECORDING_GOAL else "**no**"
    return f"| {name} | {record:.2f} s (each: {each}){op_graph} | {met} |"


def _fused_targets(
    w1: dict[str, Runs], w3: dict[Any, dict[str, Any]], fit: dict[str, Runs]
) -> list[str]:
    fused = "nn.MLP(graph='fused') + autograd.sum"
    lines = [
        "| target | measured | met |",
        "| --- | --- | --- |",
        _speed_target(
            "W1 fused ≥ 70x faster than micrograd", pairwise(w1, MICROGRAD, FUSED), 70, fused
        ),
        _speed_target(
            "W1 fused ≥ 6x faster than micrograd with GC off (ours GC on)",
            pairwise(w1, MICROGRAD_OFF, FUSED),
            6,
            fused,
        ),
        _speed_target(
            "W1 op by op ≥ 25x faster than micrograd", pairwise(w1, MICROGRAD, OURS), 25, "nn.MLP"
        ),
        _speed_target(
            "W1 op by op ≥ 2.5x faster than micrograd with GC off (ours GC on)",
            pairwise(w1, MICROGRAD_OFF, OURS),
            2.5,
            "nn.MLP",
        ),
    ]
    ops, fused_graph = w3.get(("ours", "w1"), {}), w3.get(("ours-fused", "w1"), {})
    if "bytes" in ops and "bytes" in fused_graph:
        share = fused_graph["bytes"] / ops["bytes"]
        lines.append(
            f"| bytes of a W1 step's graph, fused ≤ 1/5 of the op graph's | "
            f"{fused_graph['bytes'] / 1e6:.2f} MB vs {ops['bytes'] / 1e6:.2f} MB: "
            f"1/{1 / share:.1f} | {'yes' if share <= 0.2 else '**no**'} |"
        )
    lines.append(
        _speed_target(
            "fit, micrograd's demo for 100 epochs, ≥ 5x faster than before",
            _fit_ratios(fit),
            5,
            "before ÷ after, fit's defaults, CPU time",
        )
    )
    lines.append(
        _speed_target(
            "the same with compiled=False (every step eager)",
            _fit_ratios(fit, "before", "after, compiled=False"),
            5,
            "before ÷ after, CPU time",
        )
    )
    lines.append(_recording_target(w1))
    lines.append(
        _speed_target(
            "fit(compiled=True), recording included, ≥ 3x faster than eager fit",
            _fit_ratios(fit, "after, compiled=False", "after, compiled=True"),
            3,
            "eager ÷ compiled, CPU time",
        )
    )
    return lines


def _targets(w1: dict[str, Runs], w2: dict[Any, Runs], w3: dict[Any, dict[str, Any]]) -> list[str]:
    ours, ours_off, what = OURS, OURS_OFF, "nn.MLP"
    if median_of(w1[OURS], "per_step") is None:  # nn not there yet: judge the engine alone
        ours, ours_off, what = ENGINE, ENGINE_OFF, "micrograd's nn code (nn.MLP pending)"
    lines = [
        "| target | measured | met |",
        "| --- | --- | --- |",
        _speed_target(
            "W1 ≥ 20x faster than micrograd (GC on)", pairwise(w1, MICROGRAD, ours), 20, what
        ),
        _speed_target(
            "W1 ≥ 2.5x faster than micrograd with GC off; ours as users run it (GC on)",
            pairwise(w1, MICROGRAD_OFF, ours),
            2.5,
            what,
        ),
        _speed_target(
            "W1 ≥ 2.5x faster than micrograd with GC off; like for like (both GC off)",
            pairwise(w1, MICROGRAD_OFF, ours_off),
            2.5,
            what,
        ),
        _speed_target(
            "W1 ≥ 2.5x faster than micrograd with GC off; ours compiled (GC on)",
            pairwise(w1, MICROGRAD_OFF, COMPILED),
            2.5,
            "autograd.compile",
        ),
    ]
    built = w3.get(("ours", "w1"), {})
    if "bytes_per_node" in built:
        b, a = built["bytes_per_node"], built["bytes_per_node_after_backward"]
        lines.append(
            f"| ≤ 160 bytes per node (W1 graph) | {b:.0f} built; {a:.0f} after backward | "
            f"{'yes' if b <= 160 else '**no**'}; {'yes' if a <= 160 else '**no**'} |"
        )
    spread, each = _spread(w2, "ours")
    if spread is not None:
        off, _ = _spread(w2, "ours, GC off")
        aside = "" if off is None else f"; with GC off: {off:.2f}"
        lines.append(
            f"| W2 time per node flat within 1.5x | max/min {spread:.2f} ({each}){aside} | "
            f"{'yes' if spread <= 1.5 else '**no**'} |"
        )
    return lines


def _spread(w2: dict[tuple[str, int], Runs], engine: str) -> tuple[float | None, str]:
    """Slowest / fastest forward + backward time per node over the chain sizes, and each."""
    per_size = {n: _total(runs) for (name, n), runs in sorted(w2.items()) if name == engine}
    found = {n: t for n, t in per_size.items() if t is not None}
    if len(found) < 2:
        return None, ""
    each = ", ".join(f"{n:,}: {_ns(t)}" for n, t in found.items())
    return max(found.values()) / min(found.values()), f"{each} ns/node"


def _total(runs: Runs) -> float | None:
    forward = median_of(runs, "forward_s_per_node")
    backward = median_of(runs, "backward_s_per_node")
    return None if forward is None or backward is None else forward + backward


def _w2_table(w2: dict[tuple[str, int], Runs]) -> list[str]:
    lines = [
        (
            "| engine | chain nodes | forward ns/node | backward ns/node | forward + backward "
            "ns/node | freeing ns/node | peak RSS growth, bytes/node |"
        ),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for (engine, n), runs in sorted(w2.items()):
        if median_of(runs, "forward_s_per_node") is None:
            lines.append(f"| {engine} | {n:,} | {_why_missing(runs)} | | | | |")
            continue
        forward = _ns(median_of(runs, "forward_s_per_node"))
        backward = _ns(median_of(runs, "backward_s_per_node"))
        free = _ns(median_of(runs, "free_s_per_node"))
        rss = median_of(runs, "peak_rss_bytes_per_node") or 0.0
        cells = f"{forward} | {backward} | {_ns(_total(runs))} | {free} | {rss:.0f}"
        lines.append(f"| {engine} | {n:,} | {cells} |")
    return lines


def _w3_table(w3: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    lines = [
        (
            "| engine | graph | new nodes | bytes built | bytes/node built "
            "| bytes/node after backward |"
        ),
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for (engine, graph), r in w3.items():
        if "bytes_per_node" not in r:
            lines.append(f"| {engine} | {graph} | {_why_missing([r])} | | | |")
            continue
        built, after = r["bytes_per_node"], r["bytes_per_node_after_backward"]
        total = f"{r['bytes']:,.0f}" if "bytes" in r else "—"
        lines.append(
            f"| {engine} | {graph} | {r['nodes']:,.0f} | {total} | {built:.0f} | {after:.0f} |"
        )
    return lines


def _fit_table(fit: dict[str, Runs]) -> list[str]:
    lines = [
        "| code | CPU s | wall s | CPU s in each process | final loss | final accuracy |",
        "| --- | ---: | ---: | --- | ---: | ---: |",
    ]
    for name, runs in fit.items():
        if not runs:
            lines.append(f"| {name} | not measured (no --baseline) | | | | |")
            continue
        cpu = median_of(runs, "cpu_s")
        if cpu is None:
            lines.append(f"| {name} | {_why_missing(runs)} | | | | |")
            continue
        each = ", ".join(f"{r['cpu_s']:.2f}" for r in runs if "cpu_s" in r)
        losses = sorted({repr(r["loss"]) for r in runs if "loss" in r})
        accuracy = median_of(runs, "accuracy") or 0.0
        lines.append(
            f"| {name} | {cpu:.2f} | {median_of(runs, 'wall_s') or 0.0:.2f} | {each} | "
            f"{', '.join(losses)} | {accuracy:.0%} |"
        )
    return lines


def _checks(checks: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| engine | graph nodes | loss vs floor (relative) | worst gradient vs floor (relative) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for engine, r in checks.items():
        if "grad_max_rel_diff" not in r:
            lines.append(f"| {engine} | {_why_missing([r])} | | |")
            continue
        loss, grad = r["loss_rel_diff"], r["grad_max_rel_diff"]
        lines.append(f"| {engine} | {r['nodes']:,.0f} | {loss:.1e} | {grad:.1e} |")
    return lines


def _phases(results: dict[str, dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for engine, result in results.items():
        graph = "nn.MLP(graph='fused') + autograd.sum" if engine == "ours-fused" else "nn.MLP"
        lines += [f"{graph}:", ""]
        if "phases" not in result:
            lines += [f"Not measured: {_why_missing([result])}.", ""]
            continue
        lines += [*phase_table(result), ""]
    return lines


def render(
    settings: Settings,
    *,
    w1: dict[str, Runs],
    checks: dict[str, dict[str, Any]],
    phases: dict[str, dict[str, Any]],
    w2: dict[tuple[str, int], Runs],
    w3: dict[tuple[str, str], dict[str, Any]],
    fit: dict[str, Runs],
) -> str:
    """The whole results page as markdown."""
    mode = "a quick smoke run, not a measurement" if settings.quick else f"{settings.rounds} rounds"
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    machine = f"Python {platform.python_version()}, {_cpu()}, {os.cpu_count()} cores"
    page = [
        "# Benchmark results",
        "",
        f"`python -m benchmarks` ({mode}), {when}, {machine}.",
        (
            "Each measurement runs in a fresh process per engine, the engines alternating round by "
            "round. A process's time per step is its mean over the timed steps (a full collection "
            "hits only some steps, and a training loop pays for all of them); the tables show the "
            "median over the processes, and ratios taken round by round between processes that "
            "ran next to each other (median, min to max). Times are CPU time "
            "(`time.process_time`), which other jobs on a shared machine move much less than wall "
            "time; wall-clock time is shown beside it."
        ),
        "",
        "## Targets: fewer, bigger nodes (issue 14)",
        "",
        *_fused_targets(w1, w3, fit),
        "",
        "## Targets (issue 7)",
        "",
        *_targets(w1, w2, w3),
        "",
        "## W1: micrograd's demo training step",
        "",
        (
            f"MLP(2, [16, 16, 1]) on {settings.points} two-moons points (noise 0.1, labels ±1), "
            "mean hinge loss + 1e-4 · L2, forward + backward + SGD update. As in the demo's loop, "
            "the last step's loss graph stays referenced until the next step's replaces it. The "
            "same code (`benchmarks/w1.py`) runs on every engine with the same data and starting "
            "weights. GC off: `gc.disable()` during each timed step, `gc.collect()` between steps "
            "(untimed). The fused rows build each neuron as one node and each of the two sums "
            "as one node: the same numbers, bit for bit (the checks below)."
        ),
        "",
        *_w1_table(w1),
        "",
        (
            "The same maths on every engine, checked against the hand-written floor "
            "(`benchmarks/floor.py`, itself checked against PyTorch float64 in the tests):"
        ),
        "",
        *_checks(checks),
        "",
        "## Where a W1 step of ours goes",
        "",
        (
            "`python -m benchmarks.profile_w1` splits steps of the demo's loop into phases (GC on, "
            "CPU time); the collector's time is charged to the phase it interrupted "
            "(`gc.callbacks`). Our nodes hold no reference cycles, so the collector never frees "
            "anything from them: its time is all overhead."
        ),
        "",
        *_phases(phases),
        "## W2: a chain y = relu(y · a + b), forward and backward",
        "",
        (
            "Three op nodes per link, `a` and `b` shared leaves; GC on, as users run it (and, to "
            "show what the collector costs, ours with it off while building and differentiating); "
            "CPU time per node, median of the rounds. Peak RSS growth: how much the process's "
            "peak resident memory grew while building and differentiating the chain."
        ),
        "",
        *_w2_table(w2),
        "",
        "## W3: memory per node (tracemalloc)",
        "",
        (
            "Traced bytes per node that the graph added (W1: the loss graph, not counting the "
            f"model's weights; chain: {settings.w3_chain:,} op nodes), after building it and after "
            "`backward()`."
        ),
        "",
        *_w3_table(w3),
        "",
        "## fit: micrograd's demo end to end",
        "",
        (
            f"`nn.fit` for {settings.fit_epochs} epochs on micrograd's demo (100 moons, "
            "MLP(2, [16, 16, 1]) with seed 1337, hinge loss + 1e-4 · L2, SGD with its schedule, "
            "fit's defaults), fresh processes alternating; 'before' is the code of "
            f"`--baseline {settings.baseline}`, timed by the same code (`benchmarks/fit.py`). "
            "'after' is fit's defaults, which replay a compiled step for this model and loss; "
            "`compiled=False` builds every step's graph and calls `backward()`; "
            "`compiled=True` asks for the replay. A recording is part of the time it is made in."
        ),
        "",
        *_fit_table(fit),
        "",
    ]
    return "\n".join(page)
