"""What every chapter shares: its report, the command line, and saving pictures headless."""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

__all__ = [
    "DEFAULT_OUT",
    "Report",
    "heading",
    "new_figure",
    "on_grid",
    "parse_args",
    "run_chapter",
    "save",
]

DEFAULT_OUT = Path("demos-out")
DPI = 100  # a 10 x 4 inch figure becomes 1000 x 400 pixels: sharp enough, well under 250 KB


@dataclass
class Report:
    """What a chapter hands back: its key numbers by name and the pictures it wrote."""

    chapter: str
    numbers: dict[str, float] = field(default_factory=dict)
    pictures: list[Path] = field(default_factory=list)


def heading(title: str) -> None:
    """Print a chapter title, underlined, as the narrative's section break."""
    print(f"\n{title}\n{'=' * len(title)}")


def on_grid(fn: Callable[[float, float], object], xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """``fn(x, y)`` at every point of a meshgrid ``xs``, ``ys``, as an array of the same shape.

    >>> xs, ys = np.meshgrid([0.0, 1.0], [0.0, 10.0])
    >>> on_grid(lambda x, y: x + y, xs, ys).tolist()
    [[0.0, 1.0], [10.0, 11.0]]
    """
    return np.array(
        [
            [fn(float(x), float(y)) for x, y in zip(row_x, row_y, strict=True)]
            for row_x, row_y in zip(xs, ys, strict=True)
        ]
    )


def new_figure(width: float, height: float) -> Figure:
    """A figure drawn without pyplot, so no window or GUI backend is ever needed (Agg)."""
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def save(fig: Figure, out_dir: Path, name: str) -> Path:
    """Write ``fig`` as ``out_dir/name`` (PNG or SVG by suffix), print and return the path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    if path.suffix == ".png":
        # 256 colours look the same in a plot and make the file 3x smaller (docs, git).
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI)
        with Image.open(buffer) as image:
            image.convert("RGB").quantize(256).save(path, optimize=True)
    else:
        fig.savefig(path, dpi=DPI)
    print(f"  picture: {path}")
    return path


def parse_args(description: str) -> argparse.Namespace:
    """The options every chapter and the tour understand: ``--out DIR`` and ``--quick``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"directory the pictures are written to (default: ./{DEFAULT_OUT}/)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer points and steps (for tests and CI)"
    )
    return parser.parse_args()


def run_chapter(main: Callable[[Path, bool], Report], description: str) -> Report:
    """Run one chapter from the command line (``python -m demos.<chapter> --out DIR``)."""
    args = parse_args(description)
    report = main(args.out, args.quick)
    print()
    for name, number in report.numbers.items():
        print(f"  {name} = {number:.6g}")
    return report
