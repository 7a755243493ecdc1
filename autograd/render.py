"""Rendering: DOT text to SVG or PNG with the system's ``dot``, or else the pip-installed one.

The system's Graphviz ``dot`` is used when it is on PATH. Otherwise ``graphviz-pure`` (a
dependency: a port of Graphviz to Rust, one static program per platform, installed by pip) lays
out and draws the same DOT text, with the same shapes, HTML labels and colours. Set
``autograd.render.renderer`` to ``"dot"`` or ``"graphviz-pure"`` to choose one yourself.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import graphviz  # type: ignore[import-untyped]  # (graphviz ships no type information)

from autograd.fonts import fit_fonts

__all__ = [
    "DotNotFoundError",
    "Drawing",
    "RenderError",
    "find_renderer",
    "render_dot",
    "renderer",
    "require_renderer",
]

RENDERERS = ("dot", "graphviz-pure")
renderer: str | None = None  # None: the system's dot when on PATH, else graphviz-pure
FORMATS = ("svg", "png", "json", "xdot", "plain", "dot")
INSTALL = (
    "pip install graphviz-pure (it comes with fehlerberg), or install Graphviz: sudo apt-get "
    "install graphviz (Debian/Ubuntu), brew install graphviz (macOS), conda install graphviz, "
    "or see https://graphviz.org/download/"
)


class DotNotFoundError(graphviz.ExecutableNotFound):  # type: ignore[misc]  # (untyped base)
    """No renderer: neither Graphviz's ``dot`` nor ``graphviz-pure``; says how to install one."""

    def __init__(self, what: str = "render the graph") -> None:
        RuntimeError.__init__(
            self,
            f"cannot {what}: neither Graphviz's `dot` program nor `graphviz-pure` was found. "
            f"Install one: {INSTALL}. Without them the DOT text is still there: "
            "draw_dot(...).source",
        )


class RenderError(RuntimeError):
    """The renderer refused the DOT text: its own message, and which renderer it was."""


def _pure_program() -> str | None:
    """graphviz-pure's program: on PATH, or beside this Python (a venv that is not activated)."""
    found = shutil.which("graphviz-pure")
    if found is not None:
        return found
    name = "graphviz-pure.exe" if sys.platform == "win32" else "graphviz-pure"
    for scripts in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(scripts) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def find_renderer() -> tuple[str, str] | None:
    """The renderer to use as (name, program path), or None when there is none.

    The system's ``dot`` comes first (unless ``renderer`` says otherwise), then graphviz-pure.
    """
    if renderer is not None and renderer not in RENDERERS:
        raise ValueError(
            f"autograd.render.renderer must be None or one of {RENDERERS}, got {renderer!r}"
        )
    names = RENDERERS if renderer is None else (renderer,)
    for name in names:
        program = shutil.which("dot") if name == "dot" else _pure_program()
        if program is not None:
            return name, program
    return None


def require_renderer(what: str = "render the graph") -> tuple[str, str]:
    """The renderer as (name, program path); ``DotNotFoundError`` saying what to install if none."""
    found = find_renderer()
    if found is None:
        raise DotNotFoundError(what)
    return found


def render_dot(source: str, format: str = "svg", *, pinned: bool = False) -> bytes:
    """Lay out and draw DOT text: the SVG (fonts fitted, see ``autograd.fonts``) or PNG bytes.

    ``pinned``: the DOT text gives every node's and edge's ``pos``; keep them (``neato -n2``).
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    name, program = require_renderer()
    done = subprocess.run(  # our DOT text to a program found above, no shell
        [program, f"-T{format}", *(["-Kneato", "-n2"] if pinned else [])],
        input=source.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"{name} could not render the graph (exit {done.returncode}): {message}")
    if format == "svg":
        svg = fit_fonts(done.stdout.decode("utf-8"), hold_widths=name == "graphviz-pure")
        return svg.encode("utf-8")
    return done.stdout


def fit_width(svg: str) -> str:
    """HTML showing the SVG at its size, shrunk to the container's width when wider: notebooks.

    An ``<img>`` rather than inline SVG: no element ids clash between outputs, and notebook
    viewers that sanitise HTML (JupyterLab for a notebook not trusted, GitHub) still show it.
    """
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img src="data:image/svg+xml;base64,{data}" alt="a computation graph" '
        'style="max-width: 100%; height: auto">'
    )


class Drawing(graphviz.Digraph):  # type: ignore[misc]  # (untyped base)
    """A ``graphviz.Digraph`` drawn by ``dot`` or graphviz-pure; fits a notebook cell's width."""

    def pipe(self, format: str | None = None, *, encoding: str | None = None) -> Any:
        """The picture as bytes, or text with ``encoding`` (``format`` defaults to ``.format``)."""
        data = render_dot(self.source, format or self.format)
        return data if encoding is None else data.decode(encoding)

    def render(
        self,
        filename: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        view: bool = False,
        cleanup: bool = True,
        format: str | None = None,
        *,
        outfile: str | os.PathLike[str] | None = None,
    ) -> str:
        """Write the picture to ``filename.format`` (or ``outfile``) and return its path.

        Unlike graphviz's, it leaves no DOT file beside the picture (``cleanup=False`` keeps one
        as ``filename``, as graphviz does; ``save()`` writes the DOT text alone).
        """
        if outfile is not None:
            path = Path(directory or "", outfile)
            format = format or path.suffix.lstrip(".") or self.format
        else:
            format = format or self.format
            path = Path(directory or "", f"{filename or self.name}.{format}")
        data = render_dot(self.source, format)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if not cleanup:
            path.with_suffix("").write_text(self.source, encoding="utf-8")
        if view:
            graphviz.view(str(path))
        return str(path)

    def view(
        self,
        filename: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        cleanup: bool = True,
    ) -> str:
        """Write the picture and open it in the system's viewer; return its path."""
        return self.render(filename, directory, view=True, cleanup=cleanup)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> Any:
        """For Jupyter: the SVG, and HTML that shrinks it to the cell's width when wider."""
        svg = self.pipe("svg", encoding="utf-8")
        bundle = {"image/svg+xml": svg, "text/html": fit_width(svg), "text/plain": repr(self)}
        return {
            mime: data
            for mime, data in bundle.items()
            if (include is None or mime in include) and (exclude is None or mime not in exclude)
        }

    def __repr__(self) -> str:
        boxes = sum(1 for line in self.body if re.match(r"\s*n\d+ \[", line))
        return (
            f"<Drawing of {boxes} boxes (a graphviz.Digraph): shown as a picture in Jupyter; "
            "elsewhere .render('name', format='png') writes name.png, .source is the DOT text>"
        )
