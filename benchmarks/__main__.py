"""Run W1, W2, W3 and fit; write the table: ``python -m benchmarks [--quick] [--rounds N]``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from benchmarks.report import render
from benchmarks.suite import (
    Settings,
    run_fit,
    run_phases,
    run_w1,
    run_w1_checks,
    run_w2,
    run_w3,
)

__all__ = ["main"]

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run every benchmark, write the results page and print it."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--rounds", type=int, default=5, help="A B A B rounds for W1 (default 5)")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"default {RESULTS.name}")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a checkout of the code before a change, to time fit against "
        "(e.g. git worktree add /tmp/before <commit>)",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, got {args.rounds}")
    if args.baseline is not None and not (args.baseline / "autograd").is_dir():
        parser.error(f"--baseline {args.baseline} is not a checkout: it has no autograd/")

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    if args.quick:
        settings = Settings(rounds=1, quick=True, chain_sizes=(1_000, 10_000), w3_chain=10_000)
    else:
        settings = Settings(rounds=args.rounds)
    settings = replace(settings, log=log, baseline=args.baseline)
    page = render(
        settings,
        w1=run_w1(settings),
        checks=run_w1_checks(settings),
        phases=run_phases(settings),
        w2=run_w2(settings),
        w3=run_w3(settings),
        fit=run_fit(settings),
    )
    args.output.write_text(page)
    print(page)
    log(f"written to {args.output}")


if __name__ == "__main__":
    main()
