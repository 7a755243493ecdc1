"""The lecture tour: ``python -m demos [--out DIR] [--quick] [--lang de]`` runs six chapters.

Fehler -> Loss-Funktion -> Fehlerberg -> Gradientenabstieg -> Backpropagation -> Training:
each chapter prints its part of the story and writes its pictures to ``--out``
(default ``./demos-out/``). Each also runs alone, e.g. ``python -m demos.fehlerberg``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from demos import (
    backprop_neuron,
    fehler,
    fehlerberg,
    gradientenabstieg,
    loss_funktion,
    training,
)
from demos.common import Report, parse_args
from demos.texts import DEFAULT_LANGUAGE, language, say, text

__all__ = ["CHAPTERS", "main", "tour"]

CHAPTERS: list[Callable[[Path, bool], Report]] = [
    fehler.main,
    loss_funktion.main,
    fehlerberg.main,
    gradientenabstieg.main,
    backprop_neuron.main,
    training.main,
]


def tour(out_dir: Path, quick: bool = False, lang: str = DEFAULT_LANGUAGE) -> list[Report]:
    """Run every chapter in order in language ``lang``, then print the key numbers."""
    with language(lang):
        say("tour.intro", chapters=len(CHAPTERS))
        print(text("tour.out", out=out_dir) + (text("tour.quick") if quick else ""))
        start = time.perf_counter()
        reports = [chapter(out_dir, quick) for chapter in CHAPTERS]
        summarize(reports, out_dir, time.perf_counter() - start)
    return reports


def summarize(reports: list[Report], out_dir: Path, seconds: float) -> None:
    """The key numbers of every chapter and what the tour wrote, all counted from the reports."""
    numbers = {name: value for report in reports for name, value in report.numbers.items()}
    figures = sum(len(report.pictures) for report in reports)
    frames = sum(len(report.frames) for report in reports)
    print()
    say(
        "tour.summary",
        seconds=seconds,
        pictures=figures + frames,
        figures=figures,
        frames=frames,
        out=out_dir,
    )
    say("tour.summary_1", a=numbers["total_error_model_A"], b=numbers["total_error_model_B"])
    say("tour.summary_2", at_0=numbers["loss_at_w1_0"], best=numbers["loss_at_best_weights"])
    say("tour.summary_3", lowest=numbers["lowest_loss_on_grid"])
    say(
        "tour.summary_4",
        steps=gradientenabstieg.STEPS,
        small=numbers["final_loss_too_small_rate"],
        good=numbers["final_loss_good_rate"],
        large=numbers["final_loss_too_large_rate"],
    )
    say("tour.summary_5", diff=numbers["max_difference_manual_vs_autograd"])
    say("tour.summary_6", percent=100 * numbers["final_accuracy"], epochs=numbers["epochs"])


def main() -> None:
    """Parse ``--out``, ``--quick`` and ``--lang`` and run the tour."""
    args = parse_args(
        "python -m demos",
        f"The lecture tour: backpropagation told in {len(CHAPTERS)} chapters, with pictures.",
    )
    tour(args.out, args.quick, args.lang)


if __name__ == "__main__":
    main()
