"""Chapter 2, Loss-Funktion: the sum of all errors, as a function of a tiny model's weights.

The lecture's recipe: a data set (Datensatz) and a neural network; set the weights (Gewichte
einstellen); feed forward; judge the predictions (Bewertung). Its two steps to a loss function:
1. sum all errors, 2. make that sum depend on the weights. Our network is one neuron with two
weights and no bias: prediction = w1 * x1 + w2 * x2.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from autograd import Value
from demos.common import Report, heading, new_figure, run_chapter, save

__all__ = ["FEATURES", "LABELS", "W_BEST", "main", "predict", "sum_of_errors"]

# -- settings: six observations with two features (Merkmale) each, labelled as in chapter 1
FEATURES = [(1, 0), (0, 2), (2, 0), (1, 2), (3, 0), (2, 2)]  # (x1, x2)
LABELS = [1, 1, 2, 2, 3, 3]
W_BEST = (1.0, 0.5)  # these weights predict every label exactly (1*x1 + 0.5*x2)
W2_FIXED = 0.5  # we turn w1 and hold w2 here
W1_TRIED = [0.0, 0.5, 1.0, 1.5, 2.0]  # the settings of w1 we feed forward and judge


def predict(w1: Value | float, w2: Value | float) -> list[Value]:
    """Feed forward: the neuron's prediction w1 * x1 + w2 * x2 for every observation.

    >>> [p.data for p in predict(1.0, 0.5)]
    [1.0, 1.0, 2.0, 2.0, 3.0, 3.0]
    """
    w1 = w1 if isinstance(w1, Value) else Value(w1)
    w2 = w2 if isinstance(w2, Value) else Value(w2)
    return [w1 * x1 + w2 * x2 for x1, x2 in FEATURES]


def sum_of_errors(w1: Value | float, w2: Value | float) -> Value:
    """The loss: sum of |label - prediction| over all observations, a function of the weights.

    >>> sum_of_errors(1.0, 0.5).data, sum_of_errors(0.0, 0.5).data
    (0.0, 9.0)
    """
    preds = predict(w1, w2)
    return sum((abs(y - p) for y, p in zip(LABELS, preds, strict=True)), start=Value(0.0))


def main(out_dir: Path, quick: bool = False) -> Report:
    """Turn one weight, feed forward, and print and draw how the sum of errors changes."""
    heading("2. Loss-Funktion (loss function): the sum of all errors depends on the weights")
    report = Report("2. Loss-Funktion")
    print("  Datensatz (data set): features (x1, x2) -> label")
    for i, ((x1, x2), y) in enumerate(zip(FEATURES, LABELS, strict=True), start=1):
        print(f"    observation {i}: ({x1}, {x2}) -> {y}")
    print(f"  Neuronales Netz: one neuron, prediction = w1 * x1 + w2 * x2, w2 held at {W2_FIXED}")
    print("  Gewichte einstellen -> feed forward -> Bewertung (judge), for a few settings of w1:")
    tried: list[tuple[float, list[float], float, float]] = []  # w1, errors, loss, dL/dw1
    for w in W1_TRIED:
        w1, w2 = Value(w, label="w1"), Value(W2_FIXED, label="w2")
        preds = predict(w1, w2)
        errors = [abs(y - p.data) for y, p in zip(LABELS, preds, strict=True)]
        loss = sum_of_errors(w1, w2)
        loss.backward()  # dL/dw1: how fast the loss changes as w1 turns (chapter 4's tool)
        tried.append((w, errors, loss.data, w1.grad))
        shown = " ".join(f"{e:g}" for e in errors)
        print(
            f"    w1 = {w:3.1f}: errors {shown:<26} sum = {loss.data:4.1f}   dL/dw1 = {w1.grad:+g}"
        )
    print(
        f"  The sum is smallest, 0, at w1 = {W_BEST[0]:g}: there the neuron predicts every label.\n"
        "  Left of it the loss falls as w1 grows (dL/dw1 < 0), right of it the loss rises.\n"
        "  (At the kink itself backward() says 0: PyTorch's convention for d|e|/de at e = 0.)"
    )
    steps = 61 if quick else 241
    w1_axis = np.linspace(-0.5, 2.5, steps)
    curve = [sum_of_errors(float(w), W2_FIXED).data for w in w1_axis]
    report.pictures.append(draw_loss_curve(w1_axis, curve, tried, out_dir))
    report.numbers["loss_at_best_weights"] = sum_of_errors(*W_BEST).data
    report.numbers["loss_at_w1_0"] = tried[0][2]
    return report


def draw_loss_curve(
    w1_axis: np.ndarray,
    curve: list[float],
    tried: list[tuple[float, list[float], float, float]],
    out_dir: Path,
) -> Path:
    """Left: the loss over w1 with the tried settings and their slopes; right: its parts."""
    fig = new_figure(12, 4.8)
    left, right = fig.subplots(1, 2, width_ratios=[1.15, 1])
    left.plot(w1_axis, curve, color="tab:blue", label="loss L(w1) = sum of all errors")
    for w, _, loss, slope in tried:
        span = np.array([w - 0.18, w + 0.18])
        left.plot(span, loss + slope * (span - w), color="tab:orange", linewidth=2.5)
        left.scatter([w], [loss], color="black", zorder=3)
        left.annotate(
            f"dL/dw1 = {slope:+g}",
            (w, loss),
            xytext=(0, 12),
            textcoords="offset points",
            ha="center",
            fontsize=9,
        )
    left.plot([], [], color="tab:orange", linewidth=2.5, label="slope dL/dw1 (from backward())")
    left.set_xlabel("weight w1 (Gewicht)   [w2 held at 0.5]")
    left.set_ylabel("loss: sum of |label - prediction|")
    left.set_title("Turning one weight changes the loss")
    left.set_ylim(-0.5, max(curve) + 1.5)
    left.legend(loc="upper center")
    left.grid(alpha=0.3)

    bottom = np.zeros(len(tried))
    names = [f"w1 = {w:g}" for w, *_ in tried]
    colors = [f"C{i}" for i in range(len(LABELS))]
    for i in range(len(LABELS)):
        errors = np.array([e[i] for _, e, _, _ in tried])
        name = f"error of obs. {i + 1}" + (" (always 0 here)" if not errors.any() else "")
        right.bar(names, errors, bottom=bottom, color=colors[i], label=name)
        bottom += errors
    for x, total in enumerate(bottom):
        right.annotate(
            f"L = {total:g}",
            (x, total),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            fontweight="bold",
        )
    right.set_ylabel("loss = sum of the six errors")
    right.set_title("Each bar: the six errors stacked (Summe aller Fehler)")
    right.set_ylim(0, max(bottom) + 4)  # room for the legend
    right.legend(fontsize=8, ncols=2, loc="upper center")
    fig.suptitle(
        "Loss-Funktion: one neuron, prediction = w1*x1 + w2*x2, judged on six observations"
    )
    return save(fig, out_dir, "02-loss-funktion.png")


if __name__ == "__main__":
    run_chapter(main, __doc__.splitlines()[0])
