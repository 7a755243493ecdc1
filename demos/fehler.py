"""Chapter 1, Fehler (error): the lecture's table of labels, predictions and errors, in Values.

An observation (Beobachtung) gives a label; a model's prediction (Vorhersage) comes from the
features (Merkmale); the error size (Fehlergröße) is |label - prediction|. Two models predict the
same six labels; summing their errors says which one is better.
"""

from __future__ import annotations

from pathlib import Path

import nn
from autograd import Value
from demos.common import Report, heading, new_figure, run_chapter, save

__all__ = ["main"]

# -- settings: the lecture's worked example
LABELS = [1, 1, 2, 2, 3, 3]  # Beobachtung -> Label
PREDICTIONS = {  # Vorhersage <- Merkmale, from two models
    "model A": [1, 2, 2, 1, 2, 3],
    "model B": [1, 1, 2, 2, 3, 1],
}


def main(out_dir: Path, quick: bool = False) -> Report:
    """Compute both models' errors and total error (3 and 2) and draw the table."""
    heading("1. Fehler (error): how far is each prediction from its label?")
    report = Report("1. Fehler")
    labels = [Value(y, label=f"y{i}") for i, y in enumerate(LABELS)]
    rows: dict[str, tuple[list[float], list[float], float]] = {}
    for name, numbers in PREDICTIONS.items():
        preds = [Value(p, label=f"p{i}") for i, p in enumerate(numbers)]
        errors = [abs(y - p) for y, p in zip(labels, preds, strict=True)]  # Fehlergröße
        total = nn.l1_loss(preds, labels, reduction="sum")  # the same sum, as a loss
        assert isinstance(total, Value)  # reduction="sum" gives one Value
        assert total.data == sum(e.data for e in errors)
        rows[name] = ([p.data for p in preds], [e.data for e in errors], total.data)
        print(f"  {name}: prediction {numbers}")
        print(f"  {'':{len(name)}}  label      {LABELS}")
        print(f"  {'':{len(name)}}  error      {[int(e.data) for e in errors]}")
        print(f"  {'':{len(name)}}  total error (Fehler) = {total.data:g}")
    print(
        "  Model A is wrong more often (three times by 1); model B is wrong once but by 2.\n"
        "  Summing |label - prediction| ranks B first (2 < 3): one number per model, which is\n"
        "  what a loss function is."
    )
    report.pictures.append(draw_table(rows, out_dir))
    report.numbers["total_error_model_A"] = rows["model A"][2]
    report.numbers["total_error_model_B"] = rows["model B"][2]
    return report


def draw_table(rows: dict[str, tuple[list[float], list[float], float]], out_dir: Path) -> Path:
    """Per model: labels, predictions and the error bars between them, over the lecture's table."""
    fig = new_figure(11, 4.6)
    axes = fig.subplots(1, len(rows), sharey=True)
    positions = range(1, len(LABELS) + 1)
    for ax, (name, (preds, errors, total)) in zip(axes, rows.items(), strict=True):
        for i, y, p in zip(positions, LABELS, preds, strict=True):
            if y != p:  # the error: a red line from label to prediction
                ax.plot([i, i], [y, p], color="tab:red", linewidth=3, zorder=1)
                ax.annotate(
                    f"|{y} - {p:g}| = {abs(y - p):g}",
                    (i, (y + p) / 2),
                    xytext=(-6 if i == len(LABELS) else 6, 0),  # the last one looks inwards
                    textcoords="offset points",
                    ha="right" if i == len(LABELS) else "left",
                    va="center",
                    color="tab:red",
                )
        ax.scatter(positions, LABELS, s=120, color="tab:green", label="label (Beobachtung)")
        ax.scatter(
            positions, preds, s=80, marker="x", color="black", label="prediction (Vorhersage)"
        )
        ax.set_title(f"{name}: total error (Fehler) = {total:g}", fontsize=13)
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
            rowLabels=["prediction", "label", "error"],
            colLabels=[f"obs. {i}" for i in positions],
            loc="bottom",
            cellLoc="center",
        )
        table.auto_set_font_size(False)  # else matplotlib shrinks the text to fit
        table.set_fontsize(11)
        table.scale(1, 1.4)
        for col, e in enumerate(errors):
            if e:
                table[3, col].set_text_props(color="tab:red", fontweight="bold")
    axes[0].set_ylabel("class label")
    axes[0].legend(loc="upper left")
    fig.suptitle("Fehler: error size = |label - prediction|, summed over all observations")
    return save(fig, out_dir, "01-fehler-table.png")


if __name__ == "__main__":
    run_chapter(main, __doc__.splitlines()[0])
