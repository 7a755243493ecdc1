"""Chapter 4, Gradientenabstieg (gradient descent): the fastest way into the valley.

Goal (Ziel): der schnellste Weg ins Tal. Tool (Werkzeug): the gradient, which always points in
the direction of steepest ascent. So we step against it, again and again:
w <- w - learning_rate * dL/dw. Every gradient here comes from ``backward()`` on the
squared-error mountain of chapter 3; no derivative is written by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib import cm
from matplotlib.axes import Axes

from autograd import Value
from demos.common import (
    Report,
    draw_valley,
    heading,
    label_contours,
    new_figure,
    on_grid,
    round_levels,
    run_chapter,
    save,
)
from demos.fehlerberg import W1_RANGE, W2_RANGE, loss_grid, sum_of_squared_errors
from demos.loss_funktion import W_BEST
from demos.texts import say, text

__all__ = ["descend", "gradient", "main"]

# -- settings
STEPS = 25  # gradient-descent steps per path
STARTS = [(-0.3, 1.8), (2.3, 1.5), (1.8, -0.9), (-0.4, -0.5)]  # four hikers on the mountain
GOOD_RATE = 0.02
# Learning rates compared. Above 2 / (the curvature of the steepest direction) = 0.0446 each
# step overshoots the valley by more than it started; 0.0455 just so, so the path stays in view.
RATES = {"too_small": 0.002, "good": GOOD_RATE, "too_large": 0.0455}
RATE_COLOURS = {"too_small": "tab:orange", "good": "tab:green", "too_large": "tab:pink"}
HIKER_COLOURS = ["tab:orange", "tab:pink", "tab:green", "gold"]  # not red or blue: those are signs
START = STARTS[0]  # where the three learning rates start
ARROWS = 11  # gradient arrows per axis

Path2D = list[tuple[float, float, float]]  # (w1, w2, loss) after each step


def gradient(w1: float, w2: float) -> tuple[float, float]:
    """(dL/dw1, dL/dw2) of the squared-error loss at (w1, w2), by ``backward()``.

    >>> gradient(1.0, 0.5)  # the valley floor is flat
    (0.0, 0.0)
    """
    a, b = Value(w1, label="w1"), Value(w2, label="w2")
    sum_of_squared_errors(a, b).backward()
    return a.grad, b.grad


def descend(start: tuple[float, float], rate: float, steps: int) -> Path2D:
    """Gradient descent from ``start``: the weights and loss before each step and after the last.

    >>> path = descend((0.0, 0.0), 0.02, 100)
    >>> round(path[-1][0], 6), round(path[-1][1], 6)
    (1.0, 0.5)
    """
    w1, w2 = Value(start[0], label="w1"), Value(start[1], label="w2")
    path: Path2D = []
    for _ in range(steps):
        loss = sum_of_squared_errors(w1, w2)
        path.append((w1.data, w2.data, loss.data))
        w1.grad = w2.grad = 0.0  # leaves accumulate gradients: clear them first
        loss.backward()
        w1.data -= rate * w1.grad  # a step against the gradient: downhill
        w2.data -= rate * w2.grad
    path.append((w1.data, w2.data, sum_of_squared_errors(w1, w2).data))
    return path


def main(out_dir: Path, quick: bool = False) -> Report:
    """Draw the gradient arrows, walk four starting points down, compare three learning rates."""
    heading("ch4.heading")
    report = Report("4. Gradientenabstieg")
    g1, g2 = gradient(*START)
    say("ch4.gradient", start=START, loss=sum_of_squared_errors(*START).data, g1=g1, g2=g2)
    say("ch4.descent", steps=STEPS)
    hikers = [descend(start, GOOD_RATE, STEPS) for start in STARTS]
    for start, path in zip(STARTS, hikers, strict=True):
        w1, w2, loss = path[-1]
        say("ch4.hiker", start=f"{start!s:<12}", w1=w1, w2=w2, first=path[0][2], last=loss)
    say("ch4.rates")
    runs = {rate: descend(START, value, STEPS) for rate, value in RATES.items()}
    for rate, path in runs.items():
        name = text(f"ch4.{rate}")
        say(
            "ch4.rate",
            name=f"{name:<10}",
            rate=f"{RATES[rate]:<6}",
            first=path[0][2],
            last=path[-1][2],
        )
        report.numbers[f"final_loss_{rate}_rate"] = path[-1][2]
    say("ch4.verdict", steps=STEPS)
    steps = 31 if quick else 81
    mountain = loss_grid(sum_of_squared_errors, steps)
    report.pictures.append(draw_arrows_and_hikers(mountain, hikers, out_dir))
    report.pictures.append(draw_learning_rates(mountain, runs, out_dir))
    return report


Mountain = tuple[np.ndarray, np.ndarray, np.ndarray]


def draw_map(ax: Axes, mountain: Mountain) -> None:
    """The squared-error mountain as a contour map with its valley, as in chapter 3."""
    w1, w2, height = mountain
    ax.contourf(w1, w2, height, levels=round_levels(0, height.max()), cmap=cm.viridis, alpha=0.85)
    lines = ax.contour(
        w1, w2, height, levels=[2, 5, 10, 20, 40, 60, 80], colors="white", linewidths=0.7
    )
    ax.set_xlim(*W1_RANGE)
    ax.set_ylim(*W2_RANGE)
    ax.set_aspect("equal")
    # down to the lower right: the starting points and the paths are mostly in the upper left
    label_contours(ax, lines, "L=%g", start=W_BEST, direction=(1.0, -0.35))
    draw_valley(ax, W_BEST, text("ch4.valley"))
    ax.set_xlabel(text("ch3.w1"))
    ax.set_ylabel(text("ch3.w2"))


def draw_arrows_and_hikers(mountain: Mountain, hikers: list[Path2D], out_dir: Path) -> Path:
    """Left: gradient arrows on the map; right: gradient descent from four starting points."""
    fig = new_figure(12, 5.4)
    left, right = fig.subplots(1, 2)
    draw_map(left, mountain)
    a1, a2 = np.meshgrid(np.linspace(*W1_RANGE, ARROWS), np.linspace(*W2_RANGE, ARROWS))
    grads = on_grid(gradient, a1, a2)  # shape (ARROWS, ARROWS, 2)
    length = np.hypot(grads[..., 0], grads[..., 1])
    length[length == 0] = 1.0  # the flat valley floor has no direction
    left.quiver(
        a1,
        a2,
        grads[..., 0] / length,
        grads[..., 1] / length,
        color="white",
        angles="xy",
        scale_units="xy",
        scale=4.5,
        width=0.006,
        label=text("ch4.arrows"),
    )
    left.set_title(text("ch4.arrows_title"))
    left.legend(loc="lower left", fontsize=9)

    draw_map(right, mountain)
    for colour, path in zip(HIKER_COLOURS, hikers, strict=True):
        xs, ys, _ = zip(*path, strict=True)
        right.plot(
            xs,
            ys,
            "o-",
            color=colour,
            markersize=3.5,
            linewidth=1.5,
            label=text("ch4.start", w1=xs[0], w2=ys[0]),
        )
    right.set_title(text("ch4.hikers_title", steps=STEPS, rate=GOOD_RATE))
    right.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9)  # beside the map
    fig.suptitle(text("ch4.title_arrows"))
    return save(fig, out_dir, "04-gradient-arrows.png")


def draw_learning_rates(mountain: Mountain, runs: dict[str, Path2D], out_dir: Path) -> Path:
    """One map per learning rate with its path, and the loss of each over the steps."""
    fig = new_figure(16, 4.8)
    axes = fig.subplots(1, len(runs) + 1, width_ratios=[1] * len(runs) + [1.25])
    for ax, (rate, path) in zip(axes[:-1], runs.items(), strict=True):
        draw_map(ax, mountain)
        xs, ys, losses = zip(*path, strict=True)
        ax.plot(xs, ys, "o-", color=RATE_COLOURS[rate], markersize=3.5, linewidth=1.5)
        ax.plot(
            xs[0],
            ys[0],
            "s",
            color="white",
            markeredgecolor="black",
            markersize=8,
            label=text("ch4.start_marker"),
        )
        ax.set_title(
            text(
                "ch4.rate_title",
                name=text(f"ch4.{rate}"),
                rate=RATES[rate],
                first=losses[0],
                last=losses[-1],
                steps=STEPS,
            ),
            fontsize=10,
        )
        ax.legend(loc="lower left", fontsize=8)
    curves = axes[-1]
    for rate, path in runs.items():
        curves.plot(
            [loss for *_, loss in path],
            "o-",
            markersize=3,
            color=RATE_COLOURS[rate],
            label=f"{text(f'ch4.{rate}')} ({RATES[rate]})",
        )
    curves.set_yscale("log")
    curves.set_xlabel(text("ch4.step_axis"))
    curves.set_ylabel(text("ch4.loss_axis"))
    curves.set_title(text("ch4.curves_title"))
    curves.legend(title=text("ch4.learning_rate"), fontsize=9)
    curves.grid(alpha=0.3)
    fig.suptitle(text("ch4.title_rates", count=len(runs), start=START))
    return save(fig, out_dir, "04-learning-rates.png")


if __name__ == "__main__":
    run_chapter(main, "demos.gradientenabstieg", "Chapter 4, Gradientenabstieg: into the valley.")
