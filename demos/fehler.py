"""Chapter 1, Fehler (error): the lecture's table of labels, predictions and errors, in Values.

An observation (Beobachtung) gives a label; a model's prediction (Vorhersage) comes from the
features (Merkmale); the error size (Fehlergröße) is |label - prediction|. Two models predict the
same six labels; summing their errors says which one is better.
"""

from __future__ import annotations

from pathlib import Path

import nn
from autograd import Value
from demos.common import (
    ERROR,
    LABEL,
    PREDICTION,
    Report,
    heading,
    new_figure,
    run_chapter,
    save,
)
from demos.texts import say, text

__all__ = ["main"]

# -- settings: the lecture's worked example
LABELS = [1, 1, 2, 2, 3, 3]  # Beobachtung -> Label
PREDICTIONS = {  # Vorhersage <- Merkmale, from two models
    "A": [1, 2, 2, 1, 2, 3],
    "B": [1, 1, 2, 2, 3, 1],
}

Rows = dict[str, tuple[list[float], list[float], float]]  # model: predictions, errors, total


def main(out_dir: Path, quick: bool = False) -> Report:
    """Compute both models' errors and total error (3 and 2) and draw the table."""
    heading("ch1.heading")
    say("ch1.ingredients")
    report = Report("1. Fehler")
    labels = [Value(y, label=f"y{i}") for i, y in enumerate(LABELS)]
    rows: Rows = {}
    for model, numbers in PREDICTIONS.items():
        preds = [Value(p, label=f"p{i}") for i, p in enumerate(numbers)]
        errors = [abs(y - p) for y, p in zip(labels, preds, strict=True)]  # Fehlergröße
        total = nn.l1_loss(preds, labels, reduction="sum")  # the same sum, as a loss
        assert isinstance(total, Value)  # reduction="sum" gives one Value
        assert total.data == sum(e.data for e in errors)
        rows[model] = ([p.data for p in preds], [e.data for e in errors], total.data)
        say(
            "ch1.model_rows",
            model=text("ch1.model", model=model),
            predictions=numbers,
            labels=LABELS,
            errors=[int(e.data) for e in errors],
            total=total.data,
        )
    misses = {model: [f"{e:g}" for e in errors if e] for model, (_, errors, _) in rows.items()}
    say(
        "ch1.verdict",
        count=len(LABELS),
        a_wrong=len(misses["A"]),
        a_sizes=", ".join(misses["A"]),
        b_wrong=len(misses["B"]),
        b_sizes=", ".join(misses["B"]),
        a=rows["A"][2],
        b=rows["B"][2],
        best=min(rows, key=lambda model: rows[model][2]),
    )
    report.pictures.append(draw_table(rows, out_dir))
    report.numbers["total_error_model_A"] = rows["A"][2]
    report.numbers["total_error_model_B"] = rows["B"][2]
    return report


def draw_table(rows: Rows, out_dir: Path) -> Path:
    """Per model: labels, predictions and the error bars between them, over the lecture's table."""
    fig = new_figure(11, 4.6)
    axes = fig.subplots(1, len(rows), sharey=True)
    positions = range(1, len(LABELS) + 1)
    for ax, (model, (preds, errors, total)) in zip(axes, rows.items(), strict=True):
        for i, y, p in zip(positions, LABELS, preds, strict=True):
            if y != p:  # the error: a line from label to prediction
                ax.plot([i, i], [y, p], color=ERROR, linewidth=3, zorder=1)
                ax.annotate(
                    f"|{y} - {p:g}| = {abs(y - p):g}",
                    (i, (y + p) / 2),
                    xytext=(-6 if i == len(LABELS) else 6, 0),  # the last one looks inwards
                    textcoords="offset points",
                    ha="right" if i == len(LABELS) else "left",
                    va="center",
                    color=ERROR,
                    fontweight="bold",
                )
        ax.scatter(positions, LABELS, s=120, color=LABEL, label=text("ch1.legend_label"))
        ax.scatter(
            positions,
            preds,
            s=80,
            marker="x",
            color=PREDICTION,
            label=text("ch1.legend_prediction"),
        )
        ax.set_title(text("ch1.panel_title", model=model, total=total), fontsize=13)
        ax.set_xticks([])  # the table's columns below name the observations
        ax.set_xlim(0.5, len(LABELS) + 0.5)  # one table column per observation, aligned
        ax.set_ylim(0.5, 3.5)
        ax.set_yticks([1, 2, 3])
        ax.grid(axis="y", alpha=0.3)
        table = ax.table(
            cellText=[
                [f"{p:g}" for p in preds],
                [str(y) for y in LABELS],
                [f"{e:g}" for e in errors],
            ],
            rowLabels=[text("ch1.row_prediction"), text("ch1.row_label"), text("ch1.row_error")],
            colLabels=[text("ch1.column", i=i) for i in positions],
            loc="bottom",
            cellLoc="center",
        )
        table.auto_set_font_size(False)  # else matplotlib shrinks the text to fit
        table.set_fontsize(11)
        table.scale(1, 1.4)
        for col, e in enumerate(errors):
            if e:
                table[3, col].set_text_props(color=ERROR, fontweight="bold")
    axes[0].set_ylabel(text("ch1.y_axis"))
    axes[0].legend(loc="upper left")
    fig.suptitle(text("ch1.title"))
    return save(fig, out_dir, "01-fehler-table.png")


if __name__ == "__main__":
    run_chapter(main, "demos.fehler", "Chapter 1, Fehler: the lecture's table of errors.")
