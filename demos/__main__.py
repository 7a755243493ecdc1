"""The lecture tour: ``python -m demos [--out DIR] [--quick]`` runs all six chapters in order.

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

__all__ = ["CHAPTERS", "main", "tour"]

CHAPTERS: list[Callable[[Path, bool], Report]] = [
    fehler.main,
    loss_funktion.main,
    fehlerberg.main,
    gradientenabstieg.main,
    backprop_neuron.main,
    training.main,
]


def tour(out_dir: Path, quick: bool = False) -> list[Report]:
    """Run every chapter in order, then print the key numbers; returns the chapters' reports."""
    print("Backpropagation / Fehlerrückführung: a tour in six chapters, with pictures.")
    print(f"Pictures go to {out_dir}/" + (" (quick mode: fewer points and steps)" if quick else ""))
    start = time.perf_counter()
    reports = [chapter(out_dir, quick) for chapter in CHAPTERS]
    numbers = {name: value for report in reports for name, value in report.numbers.items()}
    pictures = [path for report in reports for path in report.pictures]
    print(
        f"\nSummary ({time.perf_counter() - start:.0f} s, {len(pictures)} pictures in {out_dir}/)\n"
        f"  1. Fehler: total error of model A = {numbers['total_error_model_A']:g}, "
        f"of model B = {numbers['total_error_model_B']:g} (the lecture: 3 and 2)\n"
        f"  2. Loss-Funktion: loss at w1 = 0 is {numbers['loss_at_w1_0']:g}, "
        f"at the best weights {numbers['loss_at_best_weights']:g}\n"
        f"  3. Fehlerberg: lowest loss on the grid = {numbers['lowest_loss_on_grid']:g}\n"
        f"  4. Gradientenabstieg: loss after {gradientenabstieg.STEPS} steps: too small rate "
        f"{numbers['final_loss_too_small_rate']:.3g}, good {numbers['final_loss_good_rate']:.1e}, "
        f"too large {numbers['final_loss_too_large_rate']:.3g}\n"
        f"  5. Backpropagation: manual vs autograd, largest difference = "
        f"{numbers['max_difference_manual_vs_autograd']:.1e}\n"
        f"  6. Training: final training accuracy = {numbers['final_accuracy']:.0%} "
        f"after {numbers['epochs']:g} epochs"
    )
    return reports


def main() -> None:
    """Parse ``--out`` and ``--quick`` and run the tour."""
    args = parse_args(__doc__.splitlines()[0])
    tour(args.out, args.quick)


if __name__ == "__main__":
    main()
