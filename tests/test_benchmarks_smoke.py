"""The benchmark scripts run on toy sizes and compute the right maths (no timing is asserted)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from benchmarks.data import initial_weights, make_moons
from benchmarks.engines import EngineUnavailableError, load_engine
from benchmarks.floor import FloorMLP
from benchmarks.report import render
from benchmarks.suite import (
    ROOT,
    Settings,
    run_fit,
    run_phases,
    run_w1,
    run_w1_checks,
    run_w2,
    run_w3,
)
from benchmarks.w1 import ALPHA, check_against_floor
from benchmarks.w2 import chain
from benchmarks.w3 import graph_bytes_per_node
from tests.oracle import import_torch, same

TINY = Settings(rounds=1, quick=True, points=4, chain_sizes=(300,), w3_chain=300)


def engine_or_skip(name: str) -> Any:
    """The engine, or a skip while it is missing (micrograd: the bench extra; ours: nn.MLP)."""
    try:
        return load_engine(name)
    except EngineUnavailableError as e:
        pytest.skip(str(e))


def test_floor_gradients_match_pytorch() -> None:
    torch = import_torch()
    xs, ys = make_moons(8)
    weights = initial_weights()
    loss, dw, db = FloorMLP(weights).loss_and_grads(xs, ys, ALPHA)
    params = [
        (
            torch.tensor([w for w, _ in layer], dtype=torch.float64, requires_grad=True),
            torch.tensor([b for _, b in layer], dtype=torch.float64, requires_grad=True),
        )
        for layer in weights
    ]
    h = torch.tensor(xs, dtype=torch.float64)
    for i, (w, b) in enumerate(params):
        h = h @ w.T + b
        if i < len(params) - 1:
            h = torch.relu(h)
    scores = h[:, 0]
    data_loss = torch.relu(1 - torch.tensor(ys, dtype=torch.float64) * scores).mean()
    total = data_loss + ALPHA * sum((p * p).sum() for pair in params for p in pair)
    total.backward()
    assert same(loss, total.item())
    for (w, b), dwl, dbl in zip(params, dw, db, strict=True):
        flat_dw = [g for row in dwl for g in row]
        assert all(same(g, t) for g, t in zip(flat_dw, w.grad.flatten().tolist(), strict=True))
        assert all(same(g, t) for g, t in zip(dbl, b.grad.tolist(), strict=True))


@pytest.mark.parametrize("engine", ["micrograd", "ours", "ours-fused", "ours-engine"])
def test_engines_agree_with_the_floor(engine: str) -> None:
    result = check_against_floor(engine_or_skip(engine), points=8)
    assert result["grad_max_rel_diff"] < 1e-12
    assert result["loss_rel_diff"] < 1e-12


@pytest.mark.parametrize("engine", ["micrograd", "ours"])
def test_chain_gradient_is_one(engine: str) -> None:
    # y = relu(y * 1 + 1e-6) stays positive, so dy/dx = 1 through every link
    value_type = engine_or_skip("micrograd" if engine == "micrograd" else "ours-engine").value_type
    assert chain(value_type, 300)["grad"] == 1.0


def test_the_suite_runs_and_renders_a_table(tmp_path: Path) -> None:
    w1, checks, w2, w3 = run_w1(TINY), run_w1_checks(TINY), run_w2(TINY), run_w3(TINY)
    phases = run_phases(TINY)
    # this very checkout as the baseline: the fit worker runs in a directory of links to it
    fit = run_fit(replace(TINY, baseline=ROOT))
    runs = [*(r for rs in w1.values() for r in rs), *checks.values(), *w3.values()]
    runs += [r for rs in w2.values() for r in rs] + [*phases.values(), *fit["before"]]
    assert not [r for r in runs if "error" in r]  # missing engines say "unavailable" instead
    assert [r for r in w1["hand-written floats (the floor)"] if "per_step" in r]
    assert fit["before"][0]["loss"] == fit["after"][0]["loss"]
    assert fit["after, compiled=True"][0]["loss"] == fit["after"][0]["loss"]
    assert fit["after, compiled=False"][0]["loss"] == fit["after"][0]["loss"]
    page = render(TINY, w1=w1, checks=checks, phases=phases, w2=w2, w3=w3, fit=fit)
    assert "| target | measured | met |" in page
    assert "fit, micrograd's demo for 100 epochs" in page
    assert "recording the fused W1 step" in page
    assert "fit(compiled=True), recording included" in page


def test_the_fused_w1_graph_takes_a_fraction_of_the_bytes() -> None:
    ops = graph_bytes_per_node(engine_or_skip("ours"), points=8)
    fused = graph_bytes_per_node(engine_or_skip("ours-fused"), points=8)
    assert fused["bytes"] < ops["bytes"] / 3


@pytest.mark.parametrize("engine", ["ours", "ours-fused"])
def test_compiled_replay_agrees_with_the_floor(engine: str) -> None:
    result = check_against_floor(engine_or_skip(engine), points=8, compiled=True)
    assert result["grad_max_rel_diff"] < 1e-12
    assert result["loss_rel_diff"] < 1e-12
