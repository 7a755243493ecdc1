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
from demos.common import Report, heading, new_figure, on_grid, run_chapter, save
from demos.fehlerberg import W1_RANGE, W2_RANGE, loss_grid, sum_of_squared_errors
from demos.loss_funktion import W_BEST

__all__ = ["descend", "gradient", "main"]

# -- settings
STEPS = 25  # gradient-descent steps per path
STARTS = [(-0.3, 1.8), (2.3, 1.5), (1.8, -0.9), (-0.4, -0.5)]  # four hikers on the mountain
GOOD_RATE = 0.02
RATES = {"too small": 0.002, "good": GOOD_RATE, "too large": 0.046}  # learning rates compared
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
    heading("4. Gradientenabstieg (gradient descent): der schnellste Weg ins Tal")
    report = Report("4. Gradientenabstieg")
    g1, g2 = gradient(*START)
    print(
        f"  At (w1, w2) = {START} the loss is {sum_of_squared_errors(*START).data:g}; backward()\n"
        f"  gives the gradient (dL/dw1, dL/dw2) = ({g1:g}, {g2:g}). It points uphill, the\n"
        "  steepest ascent (steilster Aufstieg); minus the gradient is the steepest descent."
    )
    print(f"  Gradient descent: w <- w - learning_rate * gradient, {STEPS} steps per path.")
    hikers = [descend(start, GOOD_RATE, STEPS) for start in STARTS]
    for start, path in zip(STARTS, hikers, strict=True):
        w1, w2, loss = path[-1]
        print(
            f"    from {start!s:<12} -> ({w1:.4f}, {w2:.4f}), loss {path[0][2]:6.2f} -> {loss:.2e}"
        )
    print("  The learning rate decides the step length:")
    runs = {name: descend(START, rate, STEPS) for name, rate in RATES.items()}
    for name, path in runs.items():
        print(f"    {name:<9} ({RATES[name]:<5}): loss {path[0][2]:g} -> {path[-1][2]:.3g}")
        report.numbers[f"final_loss_{name.replace(' ', '_')}_rate"] = path[-1][2]
    print(
        f"  Too small: every step is safe but the valley is still far after {STEPS} steps.\n"
        "  Too large: each step jumps across the valley and lands higher up: the loss grows."
    )
    steps = 31 if quick else 81
    mountain = loss_grid(sum_of_squared_errors, steps)
    report.pictures.append(draw_arrows_and_hikers(mountain, hikers, out_dir))
    report.pictures.append(draw_learning_rates(mountain, runs, out_dir))
    return report


Mountain = tuple[np.ndarray, np.ndarray, np.ndarray]


def draw_map(ax: Axes, mountain: Mountain) -> None:
    """The squared-error mountain as a contour map with its valley, as in chapter 3."""
    w1, w2, height = mountain
    ax.contourf(w1, w2, height, levels=20, cmap=cm.viridis, alpha=0.85)
    lines = ax.contour(
        w1, w2, height, levels=[2, 5, 10, 20, 40, 60, 80], colors="white", linewidths=0.7
    )
    ax.clabel(lines, fontsize=8, fmt="L=%g")
    ax.plot(*W_BEST, marker="*", color="red", markersize=16, linestyle="none", label="valley (Tal)")
    ax.set_xlim(*W1_RANGE)
    ax.set_ylim(*W2_RANGE)
    ax.set_xlabel("weight w1")
    ax.set_ylabel("weight w2")
    ax.set_aspect("equal")


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
        label="gradient direction (uphill)",
    )
    left.set_title("The gradient points uphill, across the contour lines")
    left.legend(loc="lower left", fontsize=9)

    draw_map(right, mountain)
    for i, path in enumerate(hikers):
        xs, ys, _ = zip(*path, strict=True)
        right.plot(
            xs,
            ys,
            "o-",
            color=f"C{i + 1}",
            markersize=3.5,
            linewidth=1.5,
            label=f"start ({xs[0]:g}, {ys[0]:g})",
        )
    right.set_title(f"Gradient descent: {STEPS} steps against the gradient, rate {GOOD_RATE}")
    right.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9)  # beside the map
    fig.suptitle("Gradientenabstieg: der schnellste Weg ins Tal (squared-error mountain)")
    return save(fig, out_dir, "04-gradient-arrows.png")


def draw_learning_rates(mountain: Mountain, runs: dict[str, Path2D], out_dir: Path) -> Path:
    """One map per learning rate with its path, and the loss of each over the steps."""
    fig = new_figure(16, 4.6)
    axes = fig.subplots(1, len(runs) + 1, width_ratios=[1] * len(runs) + [1.25])
    colors = {"too small": "tab:orange", "good": "tab:green", "too large": "tab:red"}
    for ax, (name, path) in zip(axes[:-1], runs.items(), strict=True):
        draw_map(ax, mountain)
        xs, ys, losses = zip(*path, strict=True)
        ax.plot(xs, ys, "o-", color=colors[name], markersize=3.5, linewidth=1.5)
        ax.plot(
            xs[0], ys[0], "s", color="white", markeredgecolor="black", markersize=8, label="start"
        )
        ax.set_title(
            f"{name}: rate {RATES[name]}\nloss {losses[0]:.3g} -> {losses[-1]:.3g} "
            f"after {STEPS} steps",
            fontsize=10,
        )
        ax.legend(loc="lower left", fontsize=8)
    curves = axes[-1]
    for name, path in runs.items():
        curves.plot(
            [loss for *_, loss in path],
            "o-",
            markersize=3,
            color=colors[name],
            label=f"{name} ({RATES[name]})",
        )
    curves.set_yscale("log")
    curves.set_xlabel("gradient descent step")
    curves.set_ylabel("loss (log scale)")
    curves.set_title("Loss after each step")
    curves.legend(title="learning rate", fontsize=9)
    curves.grid(alpha=0.3)
    fig.suptitle(f"The learning rate sets the step length (all three start at {START})")
    return save(fig, out_dir, "04-learning-rates.png")


if __name__ == "__main__":
    run_chapter(main, __doc__.splitlines()[0])
