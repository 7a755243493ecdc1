"""Chapter 3, Fehlerberg (the error mountain): the loss over two weights, as a landscape.

The lecture's two steps: 1. the values of the weights span a plane, 2. the loss function's
values give the height. Every point of the plane is one setting of (w1, w2) of chapter 2's
neuron; its height is the sum of errors there. The lowest point, the valley (Tal), is where
the neuron predicts best.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from matplotlib import cm

from autograd import Value
from demos.common import (
    Report,
    colour_bar,
    draw_valley,
    heading,
    label_contours,
    new_figure,
    on_grid,
    round_levels,
    run_chapter,
    save,
)
from demos.loss_funktion import LABELS, W_BEST, predict, sum_of_errors
from demos.texts import say, text

__all__ = ["W1_RANGE", "W2_RANGE", "loss_grid", "main", "sum_of_squared_errors"]

# -- settings: the part of the weight plane we look at
W1_RANGE = (-0.5, 2.5)
W2_RANGE = (-1.0, 2.0)
STEPS = 81  # grid points per axis (31 in quick mode)

FORMULAS = {  # the losses by key, as formulas (their names are texts of each language)
    "errors": r"$L = \sum_i\,|y_i - p_i|$",
    "squares": r"$L = \sum_i\,(y_i - p_i)^2$",
}

Loss = Callable[[Value | float, Value | float], Value]


def sum_of_squared_errors(w1: Value | float, w2: Value | float) -> Value:
    """A smooth cousin of the sum of errors: sum of (label - prediction)**2.

    >>> sum_of_squared_errors(1.0, 0.5).data, sum_of_squared_errors(0.0, 0.5).data
    (0.0, 19.0)
    """
    preds = predict(w1, w2)
    return sum(((y - p) ** 2 for y, p in zip(LABELS, preds, strict=True)), start=Value(0.0))


def loss_grid(loss: Loss, steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The weight plane as a ``steps`` x ``steps`` grid (W1, W2) and the loss at every point."""
    w1, w2 = np.meshgrid(np.linspace(*W1_RANGE, steps), np.linspace(*W2_RANGE, steps))
    return w1, w2, on_grid(lambda a, b: loss(a, b).data, w1, w2)


def main(out_dir: Path, quick: bool = False) -> Report:
    """Evaluate both losses on a grid of weights and draw them as mountains and as maps."""
    heading("ch3.heading")
    report = Report("3. Fehlerberg")
    steps = 31 if quick else STEPS
    surfaces = {
        "errors": loss_grid(sum_of_errors, steps),
        "squares": loss_grid(sum_of_squared_errors, steps),
    }
    say("ch3.grid", settings=steps * steps)
    for loss, (_, _, height) in surfaces.items():
        say("ch3.range", name=f"{text(f'ch3.{loss}'):<28}", low=height.min(), high=height.max())
    w1, w2, height = surfaces["squares"]
    lowest = np.unravel_index(np.argmin(height), height.shape)  # the same place on both
    say("ch3.verdict", w1=w1[lowest], w2=w2[lowest], lowest=height[lowest])
    report.pictures.append(draw_mountains(surfaces, out_dir))
    report.pictures.append(draw_maps(surfaces, out_dir))
    report.numbers["lowest_loss_on_grid"] = float(surfaces["errors"][2].min())
    return report


Surfaces = dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]


def draw_mountains(surfaces: Surfaces, out_dir: Path) -> Path:
    """Each loss as a 3-D surface over the (w1, w2) plane, the valley marked."""
    fig = new_figure(12, 5.2)
    for i, (loss, (w1, w2, height)) in enumerate(surfaces.items(), start=1):
        # computed_zorder=False: draw in our order, so the valley's marker stays on top
        ax = fig.add_subplot(1, len(surfaces), i, projection="3d", computed_zorder=False)
        ax.plot_surface(w1, w2, height, cmap=cm.viridis, linewidth=0, rcount=30, ccount=30)
        top = height.max() * 0.6  # a pole out of the valley, so it shows from any angle
        ax.plot([W_BEST[0]] * 2, [W_BEST[1]] * 2, [0.0, top], color="black", linewidth=2)
        ax.scatter(
            [W_BEST[0]],
            [W_BEST[1]],
            [0.0],
            marker="*",
            s=250,
            color="white",
            edgecolors="black",
            depthshade=False,
        )
        ax.text(
            W_BEST[0],
            W_BEST[1],
            top * 1.05,
            text("ch3.valley_3d"),
            fontweight="bold",
            bbox={"facecolor": "white", "alpha": 0.8, "linewidth": 0},
        )
        ax.set_xlabel(text("ch3.w1"))
        ax.set_ylabel(text("ch3.w2"))
        ax.set_zlabel(text("ch3.height"))
        ax.set_title(f"{text(f'ch3.{loss}')}  {FORMULAS[loss]}")
        ax.view_init(elev=40, azim=-60)
    fig.suptitle(text("ch3.title_3d"))
    return save(fig, out_dir, "03-fehlerberg-3d.png")


def draw_maps(surfaces: Surfaces, out_dir: Path) -> Path:
    """Each loss as a contour map (lines of equal loss, like a hiking map), the valley marked."""
    fig = new_figure(12, 5.6)
    axes = fig.subplots(1, len(surfaces))
    for ax, (loss, (w1, w2, height)) in zip(axes, surfaces.items(), strict=True):
        filled = ax.contourf(w1, w2, height, levels=round_levels(0, height.max()), cmap=cm.viridis)
        lines = ax.contour(
            w1,
            w2,
            height,
            levels=round_levels(0, height.max(), 10)[1:],
            colors="white",
            linewidths=0.7,
        )
        ax.set_aspect("equal")
        # up the mountain towards the upper left, where no path or marker is in the way
        label_contours(ax, lines, "%g", start=W_BEST, direction=(-1.0, 1.2))
        draw_valley(ax, W_BEST, text("ch3.valley_legend", best=W_BEST))
        colour_bar(fig, filled, ax, text("ch3.colour_bar"))
        ax.set_xlabel(text("ch3.w1"))
        ax.set_ylabel(text("ch3.w2"))
        ax.set_title(f"{text(f'ch3.{loss}')}  {FORMULAS[loss]}")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center")
    fig.suptitle(text("ch3.title_maps"))
    return save(fig, out_dir, "03-fehlerberg-contour.png")


if __name__ == "__main__":
    run_chapter(main, "demos.fehlerberg", "Chapter 3, Fehlerberg: the loss over two weights.")
