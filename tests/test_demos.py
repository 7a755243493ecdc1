"""The lecture tour: every chapter's pictures exist and its numbers are right (quick mode)."""

from __future__ import annotations

import contextlib
import io
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from demos import backprop_neuron, fehlerberg, gradientenabstieg, loss_funktion
from demos.__main__ import tour
from demos.common import Report
from tests.oracle import import_torch, same

torch = import_torch()

PNG = b"\x89PNG\r\n\x1a\n"
SEED_LABELS = [1, 1, 2, 2, 3, 3]  # the seeds' table (003_...txt)
SEED_PREDICTIONS = ([1, 2, 2, 1, 2, 3], [1, 1, 2, 2, 3, 1])


@pytest.fixture(scope="module")
def tour_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Report], str, Path]:
    """The whole tour in quick mode, once for this module: reports by chapter, output, dir."""
    out = tmp_path_factory.mktemp("demos-out")
    text = io.StringIO()
    # Figures are drawn on matplotlib's Agg canvas without pyplot: no display is needed.
    with contextlib.redirect_stdout(text), contextlib.redirect_stderr(io.StringIO()):
        reports = tour(out, quick=True)
    return {r.chapter.split(".")[0]: r for r in reports}, text.getvalue(), out


def numbers(tour_run: tuple[dict[str, Report], str, Path]) -> dict[str, float]:
    return {k: v for r in tour_run[0].values() for k, v in r.numbers.items()}


def test_tour_runs_six_chapters_in_order(tour_run: tuple[dict[str, Report], str, Path]) -> None:
    assert list(tour_run[0]) == ["1", "2", "3", "4", "5", "6"]


@pytest.mark.parametrize("chapter", ["1", "2", "3", "4", "5", "6"])
def test_every_chapter_writes_real_pictures(
    tour_run: tuple[dict[str, Report], str, Path], chapter: str
) -> None:
    reports, _, out = tour_run
    pictures = reports[chapter].pictures
    assert pictures, f"chapter {chapter} wrote no picture"
    for path in pictures:
        assert path.parent == out or out in path.parents
        data = path.read_bytes()
        if path.suffix == ".png":
            assert data.startswith(PNG), path
            assert 5_000 < len(data) < 250_000, (path, len(data))
        else:
            assert path.suffix == ".svg"
            assert b"<svg" in data[:2000], path


def test_fehler_totals_are_the_lecture_3_and_2(
    tour_run: tuple[dict[str, Report], str, Path],
) -> None:
    expected = [
        torch.nn.functional.l1_loss(
            torch.tensor(p, dtype=torch.float64),
            torch.tensor(SEED_LABELS, dtype=torch.float64),
            reduction="sum",
        ).item()
        for p in SEED_PREDICTIONS
    ]
    assert expected == [3.0, 2.0]  # the seeds' "Fehler: 3", "Fehler: 2"
    got = numbers(tour_run)
    assert [got["total_error_model_A"], got["total_error_model_B"]] == expected


def test_summary_prints_the_key_numbers(tour_run: tuple[dict[str, Report], str, Path]) -> None:
    text = tour_run[1]
    summary = text[text.index("Summary") :]
    assert "model A = 3, of model B = 2" in summary
    assert "largest difference" in summary
    assert "training accuracy 100%" in summary


def torch_sum_of_errors(w1: float, w2: float, squared: bool) -> tuple[float, float, float]:
    """The loss of chapters 2-4 and its gradient in (w1, w2), from PyTorch float64."""
    w = torch.tensor([w1, w2], dtype=torch.float64, requires_grad=True)
    x = torch.tensor(loss_funktion.FEATURES, dtype=torch.float64)
    y = torch.tensor(loss_funktion.LABELS, dtype=torch.float64)
    error = y - x @ w
    loss = (error**2).sum() if squared else error.abs().sum()
    loss.backward()
    assert w.grad is not None
    return loss.item(), w.grad[0].item(), w.grad[1].item()


@pytest.mark.parametrize("w", [(0.0, 0.5), (0.3, -0.7), (2.2, 1.9), (1.0, 0.5)])
def test_loss_of_the_tiny_model_matches_torch(w: tuple[float, float]) -> None:
    assert same(loss_funktion.sum_of_errors(*w).data, torch_sum_of_errors(*w, False)[0])
    assert same(fehlerberg.sum_of_squared_errors(*w).data, torch_sum_of_errors(*w, True)[0])


def test_loss_funktion_numbers(tour_run: tuple[dict[str, Report], str, Path]) -> None:
    got = numbers(tour_run)
    assert got["loss_at_best_weights"] == torch_sum_of_errors(*loss_funktion.W_BEST, False)[0]
    assert got["loss_at_best_weights"] == 0.0
    assert same(got["loss_at_w1_0"], torch_sum_of_errors(0.0, loss_funktion.W2_FIXED, False)[0])


def test_fehlerberg_grid_holds_the_losses() -> None:
    w1, w2, height = fehlerberg.loss_grid(fehlerberg.sum_of_squared_errors, 5)
    for i in range(5):
        for j in range(5):
            expected = torch_sum_of_errors(float(w1[i, j]), float(w2[i, j]), True)[0]
            assert same(float(height[i, j]), expected)


@pytest.mark.parametrize("w", [(-0.3, 1.8), (2.3, 1.5), (0.25, 0.75)])
def test_gradient_arrows_come_from_backward_and_match_torch(w: tuple[float, float]) -> None:
    _, g1, g2 = torch_sum_of_errors(*w, True)
    ours = gradientenabstieg.gradient(*w)
    assert same(ours[0], g1)
    assert same(ours[1], g2)


def test_gradient_descent_path_matches_torch() -> None:
    rate, steps = gradientenabstieg.GOOD_RATE, 10
    path = gradientenabstieg.descend((-0.3, 1.8), rate, steps)
    w = [-0.3, 1.8]
    for k in range(steps):
        loss, g1, g2 = torch_sum_of_errors(w[0], w[1], True)
        assert same(path[k][2], loss, rel=1e-10)
        w = [w[0] - rate * g1, w[1] - rate * g2]
    assert math.isclose(path[-1][0], w[0], rel_tol=1e-10)
    assert math.isclose(path[-1][1], w[1], rel_tol=1e-10)


def test_learning_rates_too_small_good_too_large(
    tour_run: tuple[dict[str, Report], str, Path],
) -> None:
    got = numbers(tour_run)
    start = torch_sum_of_errors(*gradientenabstieg.START, True)[0]
    assert got["final_loss_good_rate"] < 1e-6  # in the valley (its loss is 0)
    assert 0.01 < got["final_loss_too_small_rate"] < start  # downhill, but not there yet
    assert got["final_loss_too_large_rate"] > start  # overshoots and climbs


def torch_neuron_gradients() -> dict[str, float]:
    """Chapter 5's network in PyTorch float64: the reference for both hand and engine."""
    m = backprop_neuron
    leaf = {
        name: torch.tensor(v, dtype=torch.float64, requires_grad=True)
        for name, v in {
            "u1": m.HIDDEN_WEIGHTS[0], "u2": m.HIDDEN_WEIGHTS[1],
            "c1": m.HIDDEN_BIASES[0], "c2": m.HIDDEN_BIASES[1],
            "w1": m.OUTPUT_WEIGHTS[0], "w2": m.OUTPUT_WEIGHTS[1], "b": m.OUTPUT_BIAS,
        }.items()
    }  # fmt: skip
    inner = {}
    for j in (1, 2):
        inner[f"z{j}"] = leaf[f"u{j}"] * m.X + leaf[f"c{j}"]
        inner[f"h{j}"] = torch.tanh(inner[f"z{j}"])
    inner["o"] = leaf["w1"] * inner["h1"] + leaf["w2"] * inner["h2"] + leaf["b"]
    for node in inner.values():
        node.retain_grad()
    ((inner["o"] - m.Y) ** 2).backward()
    return {name: t.grad.item() for name, t in {**leaf, **inner}.items() if t.grad is not None}


def test_manual_derivation_and_engine_agree_with_torch() -> None:
    reference = torch_neuron_gradients()
    manual = backprop_neuron.manual_gradients(verbose=False)
    nodes = backprop_neuron.build()
    nodes["L"].backward()
    assert set(manual) == set(reference)
    for name, expected in reference.items():
        assert same(manual[name], expected), name
        assert same(nodes[name].grad, expected), name


def test_reported_manual_vs_autograd_difference(
    tour_run: tuple[dict[str, Report], str, Path],
) -> None:
    manual = backprop_neuron.manual_gradients(verbose=False)
    nodes = backprop_neuron.build()
    nodes["L"].backward()
    largest = max(abs(manual[name] - nodes[name].grad) for name in manual)
    reported = numbers(tour_run)["max_difference_manual_vs_autograd"]
    assert reported == largest
    assert reported <= 1e-12


def test_training_reaches_full_accuracy(tour_run: tuple[dict[str, Report], str, Path]) -> None:
    assert numbers(tour_run)["final_accuracy"] == 1.0


def test_a_chapter_runs_alone_from_the_command_line(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "demos.fehlerberg", "--out", str(tmp_path), "--quick"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    assert "Fehlerberg" in run.stdout
    assert (tmp_path / "03-fehlerberg-3d.png").read_bytes().startswith(PNG)
    assert (tmp_path / "03-fehlerberg-contour.png").read_bytes().startswith(PNG)


@pytest.mark.needs_dot
def test_backprop_chapter_draws_the_graph_and_every_backward_frame(
    tour_run: tuple[dict[str, Report], str, Path],
) -> None:
    out = tour_run[2]
    assert (out / "05-graph.png").read_bytes().startswith(PNG)
    frames = sorted((out / "05-backward-frames").glob("step-*.png"))
    nodes = backprop_neuron.build()  # every node of the graph is one backward step
    assert len(frames) == len(nodes)
    assert all(f.read_bytes().startswith(PNG) for f in frames)
    assert (out / "05-backward-frames" / "backward.html").stat().st_size > 0


def test_tutorial_shows_every_chapter_with_small_real_pictures() -> None:
    docs = Path(__file__).parents[1] / "docs"
    links = re.findall(r"!\[[^\]]+\]\((images/[^)]+)\)", (docs / "tutorial.md").read_text())
    assert {link.split("-")[1] for link in links} == {"01", "02", "03", "04", "05", "06"}
    for link in links:
        data = (docs / link).read_bytes()
        assert data.startswith(PNG), link
        assert len(data) < 250_000, link
