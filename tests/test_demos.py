"""The lecture tour: every chapter's pictures exist and its numbers are right (quick mode)."""

from __future__ import annotations

import contextlib
import io
import itertools
import math
import re
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgb
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.text import Text

from autograd import backward_steps, draw
from demos import backprop_neuron, common, fehlerberg, gradientenabstieg, loss_funktion
from demos.__main__ import tour
from demos.common import Report
from tests.oracle import import_torch, same

torch = import_torch()

PNG = b"\x89PNG\r\n\x1a\n"
SEED_LABELS = [1, 1, 2, 2, 3, 3]  # the seeds' table (003_...txt)
SEED_PREDICTIONS = ([1, 2, 2, 1, 2, 3], [1, 1, 2, 2, 3, 1])


@dataclass
class TourRun:
    """One run of the tour: reports by chapter number, what it printed, its figures, its dir."""

    reports: dict[str, Report]
    stdout: str
    figures: dict[str, Figure]  # by file name, as drawn
    warnings: list[str]
    out: Path


def run_tour(out: Path, lang: str) -> TourRun:
    """The whole tour in quick mode, keeping every figure it saves and every warning."""
    figures: dict[str, Figure] = {}
    savefig = Figure.savefig

    def keep(fig: Figure, *args: Any, **kwargs: Any) -> None:
        savefig(fig, *args, **kwargs)
        figures[fig.get_label()] = fig  # save() names the figure after its file

    text = io.StringIO()
    with (
        pytest.MonkeyPatch.context() as patch,
        warnings.catch_warnings(record=True) as caught,
        contextlib.redirect_stdout(text),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("always")
        patch.setattr(Figure, "savefig", keep)
        # Figures are drawn on matplotlib's Agg canvas without pyplot: no display is needed.
        reports = tour(out, quick=True, lang=lang)
    return TourRun(
        {r.chapter.split(".")[0]: r for r in reports},
        text.getvalue(),
        figures,
        [str(w.message) for w in caught],
        out,
    )


@pytest.fixture(scope="module")
def tour_run(tmp_path_factory: pytest.TempPathFactory) -> TourRun:
    """The whole tour in English, quick mode, once for this module."""
    return run_tour(tmp_path_factory.mktemp("demos-out"), "en")


def numbers(run: TourRun) -> dict[str, float]:
    return {k: v for r in run.reports.values() for k, v in r.numbers.items()}


def test_tour_runs_six_chapters_in_order(tour_run: TourRun) -> None:
    assert list(tour_run.reports) == ["1", "2", "3", "4", "5", "6"]


@pytest.mark.parametrize("chapter", ["1", "2", "3", "4", "5", "6"])
def test_every_chapter_writes_real_pictures(tour_run: TourRun, chapter: str) -> None:
    reports, out = tour_run.reports, tour_run.out
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
    tour_run: TourRun,
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


def test_summary_prints_the_key_numbers(tour_run: TourRun) -> None:
    text = tour_run.stdout
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


def test_loss_funktion_numbers(tour_run: TourRun) -> None:
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
    tour_run: TourRun,
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
    tour_run: TourRun,
) -> None:
    manual = backprop_neuron.manual_gradients(verbose=False)
    nodes = backprop_neuron.build()
    nodes["L"].backward()
    largest = max(abs(manual[name] - nodes[name].grad) for name in manual)
    reported = numbers(tour_run)["max_difference_manual_vs_autograd"]
    assert reported == largest
    assert reported <= 1e-12


def test_training_reaches_full_accuracy(tour_run: TourRun) -> None:
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
    tour_run: TourRun,
) -> None:
    out = tour_run.out
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


def test_summary_counts_what_the_tour_wrote(tour_run: TourRun) -> None:
    summary = tour_run.stdout[tour_run.stdout.index("Summary") :]
    match = re.search(r"(\d+) pictures in .*: (\d+) figures and (\d+) frames", summary)
    assert match, summary
    total, figures, frames = map(int, match.groups())
    on_disk = sorted(tour_run.out.rglob("*.png"))
    assert total == len(on_disk) == figures + frames
    assert figures == tour_run.stdout.count("  picture: ")
    assert frames == len(list((tour_run.out / "05-backward-frames").glob("*.png")))


def test_backprop_chapter_prints_the_counts_of_its_backward_pass(tour_run: TourRun) -> None:
    steps = list(backward_steps(backprop_neuron.build()["L"]))
    ops = [s for s in steps if s.op is not None]
    text = tour_run.stdout
    assert f"one step per op, {len(ops)} in all" in text
    assert f"the {len(steps) - len(ops)} leaves" in text
    chapter = text[text.index("5. Backpropagation") : text.index("The same by hand")]
    printed = [line for line in chapter.splitlines() if re.match(r"    \w+ = ", line)]
    assert len(printed) == len(ops)
    frames = len(list((tour_run.out / "05-backward-frames").glob("*.png")))
    assert f"{frames} frames of the backward pass in" in text


@pytest.mark.parametrize("module", ["demos", "demos.fehlerberg"])
def test_help_names_the_command_in_plain_text(module: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    assert run.stdout.startswith(f"usage: python -m {module} ")
    assert "__main__" not in run.stdout
    assert "``" not in run.stdout
    assert "--lang {de,en}" in run.stdout


def is_blue(colour: str) -> bool:
    red, _, blue = to_rgb(colour)
    return blue > red


def test_blue_and_red_mean_the_sign_as_in_the_graph_pictures() -> None:
    assert is_blue(common.NEGATIVE)
    assert is_blue(draw.colour(-1.0, 1.0))
    assert not is_blue(common.POSITIVE)
    assert not is_blue(draw.colour(1.0, 1.0))


def test_decision_boundary_draws_class_minus_one_blue_and_plus_one_red(
    tour_run: TourRun,
) -> None:
    (ax, *_) = tour_run.figures["06-decision-boundary.png"].axes
    classes = {c.get_label(): c for c in ax.collections if c.get_label().startswith("class")}
    assert set(classes) == {"class -1", "class +1"}
    assert tuple(classes["class -1"].get_facecolor()[0][:3]) == to_rgb(common.NEGATIVE)
    assert tuple(classes["class +1"].get_facecolor()[0][:3]) == to_rgb(common.POSITIVE)
    (scores,) = [c for c in ax.collections if getattr(c, "colorbar", None)]
    low, high = scores.get_clim()
    assert is_blue(to_hex(scores.to_rgba(low)))
    assert not is_blue(to_hex(scores.to_rgba(high)))


def round_step(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, m) for m in (1, 2, 5, 10))


def test_colour_bars_have_round_ticks(tour_run: TourRun) -> None:
    bars = [
        c.colorbar
        for fig in tour_run.figures.values()
        for ax in fig.axes
        for c in ax.collections
        if getattr(c, "colorbar", None)
    ]
    assert len(bars) == 3  # chapter 3's two maps, chapter 6's scores
    for bar in bars:
        low, high = bar.mappable.get_clim()
        ticks = [t for t in bar.get_ticks() if low - 1e-9 <= t <= high + 1e-9]
        steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
        assert len(ticks) >= 3, ticks
        assert len(steps) == 1, ticks
        (step,) = steps
        assert round_step(step), ticks
        assert all(math.isclose(t / step, round(t / step), abs_tol=1e-9) for t in ticks), ticks


@pytest.mark.parametrize(
    "name", ["03-fehlerberg-contour.png", "04-gradient-arrows.png", "04-learning-rates.png"]
)
def test_contour_labels_lie_inside_their_maps(tour_run: TourRun, name: str) -> None:
    fig = tour_run.figures[name]
    renderer = FigureCanvasAgg(fig).get_renderer()
    maps = [ax for ax in fig.axes if ax.get_xlabel() == "weight w1"]
    assert maps
    for ax in maps:
        box = ax.get_window_extent(renderer)
        labels = [
            label
            for lines in ax.collections
            if isinstance(lines, ContourSet)
            for label in lines.labelTexts
        ]
        assert len(labels) >= 4, name  # a few heights per map
        for label in labels:
            extent = label.get_window_extent(renderer)
            inside = (
                box.x0 <= extent.x0,
                extent.x1 <= box.x1,
                box.y0 <= extent.y0,
                extent.y1 <= box.y1,
            )
            assert all(inside), (name, label.get_text())


@pytest.mark.parametrize("name", ["04-gradient-arrows.png", "04-learning-rates.png"])
def test_the_valley_star_is_drawn_above_the_paths_that_end_there(
    tour_run: TourRun, name: str
) -> None:
    for ax in tour_run.figures[name].axes:
        stars = [line for line in ax.lines if line.get_marker() == "*"]
        if not ax.collections:
            continue  # the panel of loss curves has no map
        (star,) = stars
        assert all(star.get_zorder() > line.get_zorder() for line in ax.lines if line is not star)


def test_every_learning_rate_path_stays_on_the_map() -> None:
    for rate in gradientenabstieg.RATES.values():
        for w1, w2, _ in gradientenabstieg.descend(
            gradientenabstieg.START, rate, gradientenabstieg.STEPS
        ):
            assert fehlerberg.W1_RANGE[0] <= w1 <= fehlerberg.W1_RANGE[1], rate
            assert fehlerberg.W2_RANGE[0] <= w2 <= fehlerberg.W2_RANGE[1], rate


def test_fehler_legend_says_the_observation_gives_the_label(tour_run: TourRun) -> None:
    legend = tour_run.figures["01-fehler-table.png"].axes[0].get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert "Beobachtung → Label" in texts[0]
    assert "Vorhersage ← Merkmale" in texts[1]


def test_the_tour_raises_no_warning(tour_run: TourRun) -> None:
    assert tour_run.warnings == []


def texts_cut_off(fig: Figure) -> list[str]:
    """The texts of ``fig`` that reach past its edges (a title too long, a label cut off).

    Tick labels are left out (matplotlib skips those outside the view), and so are the texts
    of 3-D axes, whose place on the page is only known while drawing.
    """
    renderer = FigureCanvasAgg(fig).get_renderer()
    page = fig.bbox
    ticks = {
        label
        for ax in fig.axes
        for axis in (ax.xaxis, ax.yaxis, getattr(ax, "zaxis", ax.yaxis))  # z: of 3-D axes
        for tick in axis.get_major_ticks() + axis.get_minor_ticks()
        for label in (tick.label1, tick.label2)
    }
    cut = []
    for text in fig.findobj(Text):
        if text in ticks or not text.get_visible() or not text.get_text().strip():
            continue
        if text.axes is not None and text.axes.name == "3d":
            continue
        box = text.get_window_extent(renderer)
        inside = page.x0 - 1 <= box.x0, box.x1 <= page.x1 + 1, page.y0 - 1 <= box.y0
        if not all(inside) or box.y1 > page.y1 + 1:
            cut.append(text.get_text())
    return cut


def test_no_text_reaches_past_the_edge_of_its_picture(tour_run: TourRun) -> None:
    cut = {name: texts_cut_off(fig) for name, fig in tour_run.figures.items()}
    assert {name: texts for name, texts in cut.items() if texts} == {}
