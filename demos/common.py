"""What every chapter shares: its report, colours, the command line, and saving pictures."""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colorbar import Colorbar
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image

from autograd import Value, worksheet
from demos.texts import DEFAULT_LANGUAGE, LANGUAGES, current_language, language, say, text

__all__ = [
    "DEFAULT_OUT",
    "ERROR",
    "LABEL",
    "LOSS",
    "NEGATIVE",
    "POSITIVE",
    "PREDICTION",
    "Report",
    "colour_bar",
    "draw_valley",
    "heading",
    "label_contours",
    "new_figure",
    "on_grid",
    "parse_args",
    "round_levels",
    "run_chapter",
    "save",
    "write_worksheet",
]

DEFAULT_OUT = Path("demos-out")
DPI = 100  # a 10 x 4 inch figure becomes 1000 x 400 pixels: sharp enough, well under 250 KB

# One meaning per colour across the tour. Blue and red are the sign, as in the graph pictures
# (autograd.draw): negative gradients, scores and class -1 are blue; positive ones are red.
NEGATIVE = "tab:blue"
POSITIVE = "tab:red"
LABEL = "tab:green"  # what the observation gives (Beobachtung -> Label)
PREDICTION = "black"  # what the model says (Vorhersage <- Merkmale)
ERROR = "tab:orange"  # an error |label - prediction|, a part of the loss
LOSS = "tab:purple"  # the loss, the sum of the errors


@dataclass
class Report:
    """What a chapter hands back: its key numbers by name, its figures, its graph frames."""

    chapter: str
    numbers: dict[str, float] = field(default_factory=dict)
    pictures: list[Path] = field(default_factory=list)  # figures, one "picture:" line each
    frames: list[Path] = field(default_factory=list)  # the backward pass, a picture per moment
    worksheets: list[Path] = field(default_factory=list)  # printable HTML, one "worksheet:" line


def heading(key: str) -> None:
    """Print the chapter title ``key``, underlined, as the narrative's section break."""
    title = text(key)
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


def round_levels(low: float, high: float, count: int = 20) -> np.ndarray:
    """About ``count`` contour levels from ``low`` to ``high`` at round steps (1, 2, 2.5, 5).

    >>> round_levels(0.0, 22.5, 10).tolist()
    [0.0, 2.5, 5.0, 7.5, 10.0, 12.5, 15.0, 17.5, 20.0, 22.5]
    """
    return np.asarray(MaxNLocator(count, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high))


def colour_bar(fig: Figure, mappable: ScalarMappable, ax: Axes, label: str) -> Colorbar:
    """A colour bar beside ``ax`` with a few round ticks (0, 5, 10 rather than 0, 3.3, 6.6)."""
    bar = fig.colorbar(mappable, ax=ax, label=label)
    bar.locator = MaxNLocator(6, steps=[1, 2, 5, 10])
    bar.update_ticks()
    return bar


def draw_valley(ax: Axes, at: tuple[float, float], label: str) -> None:
    """The valley (Tal) as a white star with a black rim, on top of any path that ends there."""
    ax.plot(
        *at,
        marker="*",
        markersize=18,
        color="white",
        markeredgecolor="black",
        markeredgewidth=1.2,
        linestyle="none",
        zorder=10,
        label=label,
    )


def label_contours(
    ax: Axes,
    lines: ContourSet,
    fmt: str,
    *,
    start: tuple[float, float],
    direction: tuple[float, float],
) -> None:
    """Label each contour line once, where it crosses a ray from ``start``, inside the axes.

    matplotlib's own placement puts labels at the edges, where they are cut off; on one ray
    the labels read in order, like the heights along a path up the mountain.
    """
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    margin_x, margin_y = 0.1 * (x1 - x0), 0.1 * (y1 - y0)  # a label is that wide
    ray = np.array(direction, dtype=float) / np.hypot(*direction)
    positions = []
    for segments in lines.allsegs:
        points = np.concatenate([s for s in segments if len(s)] or [np.empty((0, 2))])
        inside = (
            (points[:, 0] > x0 + margin_x)
            & (points[:, 0] < x1 - margin_x)
            & (points[:, 1] > y0 + margin_y)
            & (points[:, 1] < y1 - margin_y)
        )
        offsets = points[inside] - np.array(start)
        ahead = offsets @ ray > 0
        if not ahead.any():
            continue  # this line crosses the ray outside the picture: no label
        off_ray = np.abs(offsets[ahead] @ np.array([-ray[1], ray[0]]))
        positions.append(tuple(points[inside][ahead][np.argmin(off_ray)]))
    ax.clabel(lines, fontsize=8, fmt=fmt, manual=positions)


def new_figure(width: float, height: float) -> Figure:
    """A figure drawn without pyplot, so no window or GUI backend is ever needed (Agg)."""
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def save(fig: Figure, out_dir: Path, name: str) -> Path:
    """Write ``fig`` as ``out_dir/name`` (PNG or SVG by suffix), print and return the path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    fig.set_label(name)  # the figure knows its file (tests look at figures by name)
    if path.suffix == ".png":
        # 256 colours look the same in a plot and make the file 3x smaller (docs, git).
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI)
        with Image.open(buffer) as image:
            image.convert("RGB").quantize(256).save(path, optimize=True)
    else:
        fig.savefig(path, dpi=DPI)
    say("picture", path=path)
    return path


def parse_args(prog: str, description: str) -> argparse.Namespace:
    """The options of every chapter and the tour: ``--out DIR``, ``--quick``, ``--lang``."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"directory the pictures are written to (default: ./{DEFAULT_OUT}/)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer points and steps (for tests and CI)"
    )
    parser.add_argument(
        "--lang",
        choices=sorted(LANGUAGES),
        default=DEFAULT_LANGUAGE,
        help=f"the language of the story and the pictures (default: {DEFAULT_LANGUAGE})",
    )
    return parser.parse_args()


def run_chapter(main: Callable[[Path, bool], Report], module: str, description: str) -> Report:
    """Run one chapter from the command line (``python -m demos.<chapter> --out DIR``)."""
    args = parse_args(f"python -m {module}", description)
    with language(args.lang):
        report = main(args.out, args.quick)
    # the chapter's key numbers as the code holds them (names of report.numbers, not prose)
    shown = ", ".join(f"{name!r}: {number:.6g}" for name, number in report.numbers.items())
    print(f"\n  report.numbers = {{{shown}}}")
    return report


def write_worksheet(root: Value, path: Path, title_key: str, **options: Any) -> Path:
    """A printable worksheet of ``root`` (``autograd.worksheet``) in the tour's language."""
    written = worksheet(root, path, lang=current_language(), title=text(title_key), **options)
    say("worksheet", path=written)
    return written
