"""The tour as notebooks (docs/notebooks/): made from the chapters, up to date, and they run."""

from __future__ import annotations

import base64
import inspect
import os
import re
from pathlib import Path
from types import ModuleType

import nbformat
import pytest
from nbclient import NotebookClient

from docs.notebooks import make_notebooks

ROOT = Path(__file__).parents[1]
PNG = b"\x89PNG\r\n\x1a\n"
CHAPTERS = list(enumerate(make_notebooks.chapter_modules(), start=1))


def test_there_is_one_notebook_per_chapter_and_no_other() -> None:
    expected = {make_notebooks.notebook_path(i, module) for i, module in CHAPTERS}
    assert set(make_notebooks.HERE.glob("*.ipynb")) == expected
    assert len(expected) == 6


@pytest.mark.parametrize(("index", "module"), CHAPTERS, ids=[m.__name__ for _, m in CHAPTERS])
def test_committed_notebook_is_made_from_the_chapter_as_it_is(
    index: int, module: ModuleType
) -> None:
    path = make_notebooks.notebook_path(index, module)
    made = nbformat.writes(make_notebooks.notebook(index, module))
    assert path.read_text(encoding="utf-8") == made + "\n", (
        f"{path.name} is out of date: run python -m docs.notebooks.make_notebooks"
    )


def test_notebook_holds_every_function_of_its_chapter_once() -> None:
    for index, module in CHAPTERS:
        code = "\n".join(
            cell.source
            for cell in make_notebooks.notebook(index, module).cells
            if cell.cell_type == "code"
        )
        functions = [
            name
            for name, function in inspect.getmembers(module, inspect.isfunction)
            if function.__module__ == module.__name__
        ]
        assert "main" in functions
        for name in functions:
            assert len(re.findall(rf"^def {name}\(", code, re.MULTILINE)) == 1, name
        assert "__main__" not in code  # the command line is the tour's, not the notebook's


@pytest.mark.parametrize(("index", "module"), CHAPTERS, ids=[m.__name__ for _, m in CHAPTERS])
def test_notebook_runs_top_to_bottom_in_a_kernel(
    index: int, module: ModuleType, tmp_path: Path
) -> None:
    notebook = nbformat.read(make_notebooks.notebook_path(index, module), as_version=4)
    (settings,) = [c for c in notebook.cells if c.source == make_notebooks.SETTINGS]
    settings.source = settings.source.replace('Path("demos-out")', f"Path({str(tmp_path)!r})")
    # The kernel starts in the repository, so it imports this checkout's demos, autograd, nn.
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT)}},
    )
    client.execute(env={**os.environ, "PYTHONPATH": str(ROOT)})  # raises on any error
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    images = [
        base64.b64decode(o.data["image/png"])
        for o in notebook.cells[-1].outputs
        if o.output_type == "display_data"
    ]
    assert images, "the last cell shows the chapter's pictures"
    assert all(image.startswith(PNG) for image in images)
    pictures = sorted(p.name for p in tmp_path.glob("*.png"))
    assert len(images) == len(pictures) > 0
