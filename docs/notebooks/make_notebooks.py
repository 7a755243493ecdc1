"""Write the tour's notebooks from its chapter modules: ``python -m docs.notebooks.make_notebooks``.

One notebook per chapter of ``python -m demos``, made from the chapter's own source, so the story
exists once: the module docstring becomes the opening text, the imports and settings one cell,
every function a cell of its own, and two cells at the end run the chapter and show its
pictures. Edit the chapter in ``demos/``, then run this again (a test checks the notebooks are
up to date and runs each in a real kernel).
"""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path
from types import ModuleType

import nbformat
from nbformat import NotebookNode

from demos.__main__ import CHAPTERS

__all__ = ["HERE", "SETTINGS", "chapter_modules", "main", "notebook", "notebook_path"]

HERE = Path(__file__).parent
SETTINGS = """\
from pathlib import Path

from demos.texts import language

OUT = Path("demos-out")  # where the pictures go
QUICK = True  # fewer points and steps, as in the tests; False for the full run
LANG = "en"  # or "de": the story and the pictures in German"""
RUN = """\
with language(LANG):
    report = main(OUT, QUICK)
report.numbers"""
SHOW = """\
from IPython.display import Image, display

for picture in report.pictures:
    display(Image(filename=picture))"""


def chapter_modules() -> list[ModuleType]:
    """The chapter modules, in the tour's order (``demos.__main__.CHAPTERS``)."""
    return [sys.modules[chapter.__module__] for chapter in CHAPTERS]


def notebook_path(index: int, module: ModuleType) -> Path:
    """Where chapter ``index`` (from 1) lives, e.g. ``docs/notebooks/01-fehler.ipynb``."""
    return HERE / f"{index:02d}-{module.__name__.rsplit('.', 1)[-1].replace('_', '-')}.ipynb"


def first_line(lines: list[str], node: ast.stmt) -> int:
    """The 0-based first line of ``node``, with its decorators and the comments right above."""
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    return start


def is_plumbing(node: ast.stmt) -> bool:
    """The module's docstring, its ``__all__`` and its command-line entry: not for a notebook."""
    docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    exports = isinstance(node, ast.Assign) and any(
        isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
    )
    return docstring or exports or (isinstance(node, ast.If) and "__main__" in ast.unparse(node))


def code_cells(module: ModuleType) -> list[str]:
    """The module's source as cells: what comes before the first function, then one per function.

    Statements between two functions (a type alias, say) open the cell of the function after them.
    """
    source = inspect.getsource(module)
    lines = source.splitlines()
    groups: list[list[ast.stmt]] = [[]]
    for node in ast.parse(source).body:
        if is_plumbing(node):
            continue
        groups[-1].append(node)
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            groups.append([])
    cells = []
    for group in (g for g in groups if g):
        start, end = first_line(lines, group[0]), group[-1].end_lineno
        cells.append("\n".join(lines[start:end]).strip())
    return cells


def notebook(index: int, module: ModuleType) -> NotebookNode:
    """Chapter ``index`` of the tour as a notebook, made from the source of ``module``."""
    name = module.__name__
    title, _, story = (module.__doc__ or name).partition("\n")
    source = f"{name.replace('.', '/')}.py"
    opening = (
        f"# {title}\n\n{story.strip()}\n\n"
        f"This notebook is made from [`{source}`](../../{source})"
        f" by `python -m docs.notebooks.make_notebooks`: the chapter's own code, cell by cell."
        f" The whole tour: `python -m demos`; the story told: [the tutorial](../tutorial.md)."
    )
    cells = [
        nbformat.v4.new_markdown_cell(opening),
        nbformat.v4.new_code_cell(SETTINGS),
        nbformat.v4.new_markdown_cell("The chapter's imports and settings, then its functions:"),
        *(nbformat.v4.new_code_cell(cell) for cell in code_cells(module)),
        nbformat.v4.new_markdown_cell("Run the chapter: it prints its story and its pictures."),
        nbformat.v4.new_code_cell(RUN),
        nbformat.v4.new_code_cell(SHOW),
    ]
    for number, cell in enumerate(cells):
        cell.id = f"chapter-{index}-cell-{number}"  # stable ids: the same file on every run
    return nbformat.v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )


def main() -> None:
    """Write every chapter's notebook next to this file."""
    for index, module in enumerate(chapter_modules(), start=1):
        path = notebook_path(index, module)
        nbformat.write(notebook(index, module), path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
