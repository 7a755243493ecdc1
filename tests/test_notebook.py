"""A real Jupyter kernel runs a small notebook: the graph fits the cell, fit shows one bar."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent

DRAW = """
from autograd import Value, draw_dot
x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
n = x1 * w1 + x2 * w2 + b
o = n.tanh()
o.backward()
draw_dot(o)
"""

FIT = """
import nn
from nn.datasets import make_moons
points, labels = make_moons(30, noise=0.1, seed=1, labels=(-1, 1))
model = nn.MLP(2, [4, 1], seed=1)
history = nn.fit(model, points, labels, nn.hinge_loss, nn.SGD(model.parameters(), lr=0.1), 30)
history
"""


@pytest.fixture(scope="module")
def cells() -> list[Any]:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(DRAW), nbformat.v4.new_code_cell(FIT)]
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    return list(notebook.cells)


def test_a_drawing_fits_the_cells_width(cells: list[Any]) -> None:
    (output,) = cells[0].outputs
    assert output.output_type == "execute_result"
    page = output.data["text/html"]
    assert re.fullmatch(r'<img src="data:image/svg\+xml;base64,[^"]+" [^>]*>', page)
    assert 'style="max-width: 100%; height: auto"' in page
    svg = base64.b64decode(re.findall(r"base64,([^\"]+)", page)[0]).decode("utf-8")
    width = float(re.findall(r'<svg width="([0-9.]+)pt"', svg)[0])
    assert width > 800  # wider than a notebook cell: it is the style that makes it fit
    assert ">n<" in svg  # the unlabelled node is named after the variable n
    assert output.data["text/plain"].startswith("<Drawing of 10 boxes")


def test_fit_shows_one_progress_bar(cells: list[Any]) -> None:
    outputs = cells[1].outputs
    streams = [o for o in outputs if o.output_type == "stream"]
    bars = [o for o in outputs if o.output_type == "display_data"]
    assert streams == []  # no wall of stderr updates
    assert len(bars) == 1
    assert "application/vnd.jupyter.widget-view+json" in bars[0].data
    (result,) = [o for o in outputs if o.output_type == "execute_result"]
    assert result.data["text/plain"].startswith("History(30 epochs: loss ")
    assert "[" not in result.data["text/plain"]  # a summary, not the lists
