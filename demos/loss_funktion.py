"""Chapter 2, Loss-Funktion: the sum of all errors, as a function of a tiny model's weights.

The lecture's recipe: a data set (Datensatz) and a neural network; set the weights (Gewichte
einstellen); feed forward; judge the predictions (Bewertung). Its two steps to a loss function:
1. sum all errors, 2. make that sum depend on the weights. Our network is one neuron with two
weights and no bias: prediction = w1 * x1 + w2 * x2.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib import colormaps

from autograd import Value
from demos.common import (
    LOSS,
    NEGATIVE,
    POSITIVE,
    Report,
    heading,
    new_figure,
    run_chapter,
    save,
    write_worksheet,
)
from demos.texts import say, text

__all__ = ["FEATURES", "LABELS", "W_BEST", "main", "predict", "sum_of_errors", "worksheet_network"]

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


def worksheet_network(observations: int = 3) -> tuple[Value, list[Value]]:
    """The neuron's sum of errors on the first observations, every node named, for a worksheet.

    >>> loss, weights = worksheet_network()
    >>> round(loss.data, 10), [w.label for w in weights]
    (1.1, ['w1', 'w2'])
    """
    w1, w2 = Value(0.7, label="w1"), Value(0.4, label="w2")  # no error is 0 here: |.|' is clear
    errors = []
    for i, ((x1, x2), y) in enumerate(list(zip(FEATURES, LABELS, strict=True))[:observations]):
        w1x1 = w1 * x1
        w1x1.label = f"w1x1_{i}"
        w2x2 = w2 * x2
        w2x2.label = f"w2x2_{i}"
        p = w1x1 + w2x2
        p.label = f"p{i}"  # Vorhersage
        d = y - p
        d.label = f"d{i}"  # label - prediction
        e = abs(d)
        e.label = f"e{i}"  # Fehlergröße
        errors.append(e)
    loss = errors[0]
    for i, e in enumerate(errors[1:], start=1):
        loss = loss + e
        loss.label = f"L{i}"
    return loss, [w1, w2]


def main(out_dir: Path, quick: bool = False) -> Report:
    """Turn one weight, feed forward, and print and draw how the sum of errors changes."""
    heading("ch2.heading")
    report = Report("2. Loss-Funktion")
    say("ch2.data")
    for i, ((x1, x2), y) in enumerate(zip(FEATURES, LABELS, strict=True), start=1):
        say("ch2.observation", i=i, x1=x1, x2=x2, y=y)
    say("ch2.network", w2=W2_FIXED)
    tried: list[tuple[float, list[float], float, float]] = []  # w1, errors, loss, dL/dw1
    for w in W1_TRIED:
        w1, w2 = Value(w, label="w1"), Value(W2_FIXED, label="w2")
        preds = predict(w1, w2)
        errors = [abs(y - p.data) for y, p in zip(LABELS, preds, strict=True)]
        loss = sum_of_errors(w1, w2)
        loss.backward()  # dL/dw1: how fast the loss changes as w1 turns (chapter 4's tool)
        tried.append((w, errors, loss.data, w1.grad))
        shown = " ".join(f"{e:g}" for e in errors)
        say("ch2.tried", w=w, errors=f"{shown:<26}", loss=loss.data, slope=w1.grad)
    best, _, lowest, _ = min(tried, key=lambda setting: setting[2])
    say("ch2.verdict", best=best, lowest=lowest)
    steps = 61 if quick else 241
    w1_axis = np.linspace(-0.5, 2.5, steps)
    curve = [sum_of_errors(float(w), W2_FIXED).data for w in w1_axis]
    report.pictures.append(draw_loss_curve(w1_axis, curve, tried, out_dir))
    report.numbers["loss_at_best_weights"] = sum_of_errors(*W_BEST).data
    report.numbers["loss_at_w1_0"] = tried[0][2]
    loss, weights = worksheet_network()
    sheet = out_dir / "02-worksheet-network.html"
    report.worksheets.append(
        write_worksheet(loss, sheet, "ch2.worksheet", params=weights, rankdir="TB")
    )
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
    left.plot(w1_axis, curve, color=LOSS, linewidth=2, label=text("ch2.legend_loss"))
    for w, _, loss, slope in tried:
        span = np.array([w - 0.18, w + 0.18])
        sign = NEGATIVE if slope < 0 else POSITIVE if slope > 0 else "gray"
        left.plot(span, loss + slope * (span - w), color=sign, linewidth=3)
        left.scatter([w], [loss], color="black", zorder=3)
        left.annotate(
            f"dL/dw1 = {slope:+g}",
            (w, loss),
            xytext=(0, 12),
            textcoords="offset points",
            ha="center",
            fontsize=9,
            color=sign,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
        )
    left.plot([], [], color=NEGATIVE, linewidth=3, label=text("ch2.legend_slope_negative"))
    left.plot([], [], color=POSITIVE, linewidth=3, label=text("ch2.legend_slope_positive"))
    left.set_xlabel(text("ch2.x_axis", w2=W2_FIXED))
    left.set_ylabel(text("ch2.y_axis"))
    left.set_title(text("ch2.left_title"))
    left.set_ylim(-0.5, max(curve) + 3)  # room for the legend
    left.legend(loc="upper center", fontsize=9)
    left.grid(alpha=0.3)

    bottom = np.zeros(len(tried))
    names = [f"w1 = {w:g}" for w, *_ in tried]
    shades = colormaps["Oranges"](np.linspace(0.3, 0.9, len(LABELS)))  # errors: orange
    for i in range(len(LABELS)):
        errors = np.array([e[i] for _, e, _, _ in tried])
        key = "ch2.legend_error" if errors.any() else "ch2.legend_error_zero"
        right.bar(
            names,
            errors,
            bottom=bottom,
            color=shades[i],
            edgecolor="white",
            label=text(key, i=i + 1),
        )
        bottom += errors
    for x, total in enumerate(bottom):
        right.annotate(
            f"L = {total:g}",
            (x, total),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            fontweight="bold",
            color=LOSS,
        )
    right.set_ylabel(text("ch2.right_y_axis", count=len(LABELS)))
    right.set_title(text("ch2.right_title", count=len(LABELS)))
    right.set_ylim(0, max(bottom) + 4)  # room for the legend
    right.legend(fontsize=8, ncols=2, loc="upper center")
    fig.suptitle(text("ch2.title", count=len(LABELS)))
    return save(fig, out_dir, "02-loss-funktion.png")


if __name__ == "__main__":
    run_chapter(main, "demos.loss_funktion", "Chapter 2, Loss-Funktion: the sum of all errors.")
