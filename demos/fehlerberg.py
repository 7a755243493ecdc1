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
from demos.common import Report, heading, new_figure, on_grid, run_chapter, save
from demos.loss_funktion import LABELS, W_BEST, predict, sum_of_errors

__all__ = ["W1_RANGE", "W2_RANGE", "loss_grid", "main", "sum_of_squared_errors"]

# -- settings: the part of the weight plane we look at
W1_RANGE = (-0.5, 2.5)
W2_RANGE = (-1.0, 2.0)
STEPS = 81  # grid points per axis (31 in quick mode)

SUM_OF_ERRORS = r"sum of errors  $L = \sum_i\,|y_i - p_i|$"
SUM_OF_SQUARES = r"sum of squared errors  $L = \sum_i\,(y_i - p_i)^2$"
WHO_IS_WHO = "y = label, p = prediction = w1*x1 + w2*x2"

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
    heading("3. Fehlerberg (error mountain): the loss over the plane of two weights")
    report = Report("3. Fehlerberg")
    steps = 31 if quick else STEPS
    surfaces = {
        SUM_OF_ERRORS: loss_grid(sum_of_errors, steps),
        SUM_OF_SQUARES: loss_grid(sum_of_squared_errors, steps),
    }
    print(
        f"  We fed forward {steps * steps} settings of (w1, w2) per loss: the weights span the\n"
        "  plane, the loss gives the height (die Werte der Loss-Funktion ergeben die Höhe)."
    )
    names = ["sum of errors", "sum of squared errors"]
    for name, (_, _, height) in zip(names, surfaces.values(), strict=True):
        print(f"    {name:<22} from {height.min():6.2f} up to {height.max():6.2f}")
    print(
        f"  Both valleys bottom out at (w1, w2) = {W_BEST}, loss 0: the weights of chapter 2.\n"
        "  The sum of errors is a faceted mountain with sharp creases (|e| has a kink at e = 0,\n"
        "  and its slope is always +-1, near the valley or far from it). Squaring the errors\n"
        "  rounds the valley floor: the slope shrinks as we near the bottom, which is why\n"
        "  chapter 4 descends the squared-error mountain."
    )
    report.pictures.append(draw_mountains(surfaces, out_dir))
    report.pictures.append(draw_maps(surfaces, out_dir))
    report.numbers["lowest_loss_on_grid"] = float(surfaces[SUM_OF_ERRORS][2].min())
    return report


Surfaces = dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]


def draw_mountains(surfaces: Surfaces, out_dir: Path) -> Path:
    """Each loss as a 3-D surface over the (w1, w2) plane, the valley marked."""
    fig = new_figure(12, 5.2)
    for i, (name, (w1, w2, height)) in enumerate(surfaces.items(), start=1):
        # computed_zorder=False: draw in our order, so the valley's marker stays on top
        ax = fig.add_subplot(1, len(surfaces), i, projection="3d", computed_zorder=False)
        ax.plot_surface(w1, w2, height, cmap=cm.viridis, linewidth=0, rcount=30, ccount=30)
        top = height.max() * 0.6  # a pole out of the valley, so it shows from any angle
        ax.plot([W_BEST[0]] * 2, [W_BEST[1]] * 2, [0.0, top], color="red", linewidth=2)
        ax.scatter([W_BEST[0]], [W_BEST[1]], [0.0], color="red", s=40, depthshade=False)
        ax.text(
            W_BEST[0],
            W_BEST[1],
            top * 1.05,
            "valley (Tal), loss 0",
            color="red",
            fontweight="bold",
            bbox={"facecolor": "white", "alpha": 0.8, "linewidth": 0},
        )
        ax.set_xlabel("weight w1")
        ax.set_ylabel("weight w2")
        ax.set_zlabel("loss (height)")
        ax.set_title(name)
        ax.view_init(elev=40, azim=-60)
    fig.suptitle(
        f"Fehlerberg: the weights span the plane, the loss gives the height ({WHO_IS_WHO})"
    )
    return save(fig, out_dir, "03-fehlerberg-3d.png")


def draw_maps(surfaces: Surfaces, out_dir: Path) -> Path:
    """Each loss as a contour map (lines of equal loss, like a hiking map), the valley marked."""
    fig = new_figure(12, 5.2)
    axes = fig.subplots(1, len(surfaces))
    for ax, (name, (w1, w2, height)) in zip(axes, surfaces.items(), strict=True):
        filled = ax.contourf(w1, w2, height, levels=20, cmap=cm.viridis)
        lines = ax.contour(w1, w2, height, levels=10, colors="white", linewidths=0.7)
        ax.clabel(lines, fontsize=8, fmt="%g")
        ax.plot(*W_BEST, marker="*", color="red", markersize=16)
        ax.annotate(
            f"valley (Tal)\nw = {W_BEST}, loss 0",
            W_BEST,
            xytext=(12, -22),
            textcoords="offset points",
            color="red",
            fontweight="bold",
            bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8},
        )
        fig.colorbar(filled, ax=ax, label="loss (height of the mountain)")
        ax.set_xlabel("weight w1")
        ax.set_ylabel("weight w2")
        ax.set_title(name)
        ax.set_aspect("equal")
    fig.suptitle(
        "The same mountains seen from above: each contour line joins weights of equal loss\n"
        f"({WHO_IS_WHO})"
    )
    return save(fig, out_dir, "03-fehlerberg-contour.png")


if __name__ == "__main__":
    run_chapter(main, __doc__.splitlines()[0])
