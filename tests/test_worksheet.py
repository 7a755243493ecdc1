"""Worksheets: the answer key against PyTorch float64, the blanks, the languages, and the print.

The printed form is checked in Debian's chromium: each sheet printed to PDF (A4), the pages
turned into PNGs with pdftoppm, the answer key on a page of its own, nothing past the edge.
"""

from __future__ import annotations

import doctest
import html
import re
import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from autograd import Value, render, worksheet, worksheet_html
from autograd.backward import topological_order
from autograd.draw import number
from tests.browser import ARGS, CHROMIUM
from tests.oracle import same
from tests.test_quiz import (
    GRAPHS,
    diamond,
    grads_of,
    lecture_neuron,
    seeds_network,
    torch_grads,
    torch_locals,
)


def seeds() -> Value:
    return seeds_network()[0]


SHEETS: dict[str, tuple[Callable[[], Value], bool]] = {  # graph, and whether params= is used
    **{name: (build, False) for name, build in GRAPHS.items()},
    "seeds network": (seeds, True),
}


class Cells(HTMLParser):
    """The cells of the page's tables: (table class, attributes, text) per <td>."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, dict[str, str], str]] = []
        self.table = ""
        self.cell: dict[str, str] | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.table = dict(attrs).get("class") or ""
        elif tag == "td":
            self.cell, self.text = {k: v or "" for k, v in attrs}, ""

    def handle_data(self, data: str) -> None:
        self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None:
            self.cells.append((self.table, self.cell, self.text.strip()))
            self.cell = None


def cells(page: str, table: str) -> list[tuple[dict[str, str], str]]:
    parser = Cells()
    parser.feed(page)
    return [(attrs, text) for t, attrs, text in parser.cells if t == table]


def sheet_of(build: Callable[[], Value], with_params: bool, **options: Any) -> tuple[Value, str]:
    if with_params:
        root, params = seeds_network()
        return root, worksheet_html(root, params=params, **options)
    root = build()
    return root, worksheet_html(root, **options)


# -- the answer key is the chain rule's numbers (torch float64)


@pytest.mark.parametrize(("build", "with_params"), SHEETS.values(), ids=SHEETS.keys())
def test_answer_key_equals_torch(build: Callable[[], Value], with_params: bool) -> None:
    root, page = sheet_of(build, with_params)
    grads, locals_ = torch_grads(root), torch_locals(root)
    data = {n.label: n.data for n in topological_order(root)}
    key = cells(page, "answers")
    checked = {"grad": 0, "local": 0, "upstream": 0, "value": 0}
    for attrs, text in key:
        field = attrs["data-field"]
        if "data-value" not in attrs:
            assert field in ("node", "via") or text == "—"
            continue
        ours = float(attrs["data-value"])
        node = attrs["data-node"]
        if field == "grad":
            assert same(ours, grads[node]), (node, ours, grads[node])
        elif field == "local":
            assert any(same(ours, t) for t in locals_[attrs["data-consumer"], node]), node
        elif field == "upstream":
            assert same(ours, grads[attrs["data-consumer"]])
        else:
            assert ours == data[node]
        assert text == number(ours)  # what is printed is the number, to four digits
        checked[field] += 1
    asked = [n for n in topological_order(root) if n._prev or not with_params or n.label]
    assert checked["grad"] == checked["value"] == len(asked)
    edges = sum(1 for n in topological_order(root) for p in n._prev if p in asked and p.label)
    assert checked["local"] == checked["upstream"] == edges


def test_answer_key_picture_shows_every_gradient() -> None:
    root = lecture_neuron()
    page = worksheet_html(root)
    key_svg = html.unescape(page[page.index('<section class="key">') :])
    sheet_svg = html.unescape(page[: page.index('<section class="key">')])
    for name, grad in torch_grads(root).items():
        assert f"grad {number(grad)}" in key_svg, name
    assert "grad ?" in sheet_svg
    assert "grad 0.5" not in sheet_svg
    assert page.count("<svg") == 2


# -- what the sheet leaves blank


def test_default_sheet_blanks_every_derivative_and_gradient() -> None:
    _, page = sheet_of(lecture_neuron, False)
    sheet = cells(page, "sheet")
    for field in ("local", "upstream", "grad"):
        fields = [(a, t) for a, t in sheet if a["data-field"] == field]
        assert fields
        assert all(a.get("class") in ("blank", "none") and "data-value" not in a for a, _ in fields)
    assert all("data-value" in a for a, _ in sheet if a["data-field"] == "value")


def test_blank_chooses_the_fields() -> None:
    _root, page = sheet_of(lecture_neuron, False, blank=("grad",))
    sheet = cells(page, "sheet")
    key = cells(page, "answers")
    shown = [(a["data-field"], a.get("data-value")) for a, _ in sheet]
    assert ("grad", None) in shown
    assert [(f, v) for f, v in shown if f in ("local", "upstream")] == [
        (a["data-field"], a.get("data-value"))
        for a, _ in key
        if a["data-field"] in ("local", "upstream")
    ]  # the hints are the key's numbers
    assert all(v is None for f, v in shown if f == "grad")


def test_hiding_values_blanks_computed_nodes_in_table_and_picture() -> None:
    root, page = sheet_of(lecture_neuron, False, show_values=False)
    sheet_part = page[: page.index('<section class="key">')]
    computed = [n for n in topological_order(root) if n._prev]
    leaves = [n for n in topological_order(root) if not n._prev]
    for attrs, _ in cells(page, "sheet"):
        if attrs["data-field"] == "value":
            leaf = attrs["data-node"] in {n.label for n in leaves}
            assert ("data-value" in attrs) is leaf
    leaf_numbers = {number(n.data) for n in leaves}
    for node in computed:
        if number(node.data) not in leaf_numbers:
            assert f"data {number(node.data)}" not in sheet_part, node.label
            assert repr(node.data) not in sheet_part
    assert sheet_part.count(">data ?<") == len(computed)
    for node in leaves:
        assert f"data {number(node.data)}" in html.unescape(sheet_part)
    assert "Compute the forward pass first" in sheet_part
    key = cells(page, "answers")
    assert sum(1 for a, _ in key if a["data-field"] == "value" and "data-value" in a) == 10


@pytest.mark.parametrize("renderer", ["dot", "graphviz-pure"])
def test_values_hidden_with_either_renderer(renderer: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "renderer", renderer)
    root = lecture_neuron()
    page = worksheet_html(root, show_values=False)
    sheet_part = html.unescape(page[: page.index('<section class="key">')])
    computed = [n for n in topological_order(root) if n._prev]
    assert sheet_part.count(">data ?<") == len(computed)
    assert "data 0.7071" not in sheet_part  # the output's value
    assert "data 0.8814" not in sheet_part  # n's
    assert "data 6.881" in sheet_part  # b, a leaf, is given


def test_unlabelled_nodes_have_the_same_names_in_picture_and_table() -> None:
    a, b = Value(2.0), Value(-3.0)
    e = a * b
    d = e + 10.0  # the 10 is a leaf of its own, named after its place: v0 or so
    f = d.tanh()
    page = worksheet_html(f)
    sheet_part = html.unescape(page[: page.index('<section class="key">')])
    in_picture = set(re.findall(r"<text[^>]*>([^<]*)</text>", sheet_part))
    in_table = [attrs["data-node"] for attrs, _ in cells(page, "sheet") if "data-node" in attrs]
    assert {"f", "d", "e", "a", "b"} <= set(in_table)
    assert set(in_table) <= in_picture


def test_german_sheet() -> None:
    _, page = sheet_of(lecture_neuron, False, lang="de", title="Übung 3: ein Neuron")
    assert '<html lang="de">' in page
    for word in (
        "Knoten",
        "lokale Ableitung",
        "Gradient von oben",
        "Lösungen",
        "(der Ausgang)",
        "Übung 3: ein Neuron",
        "Datum",
    ):
        assert word in page
    visible = re.sub(r"<[^>]*>", " ", page)
    assert "Answer key" not in visible
    assert "upstream" not in visible
    assert "node" not in visible


def test_title_is_escaped() -> None:
    page = worksheet_html(diamond(), title="x < y & <script>")
    assert "<script>" not in page
    assert "x &lt; y &amp; &lt;script&gt;" in page


# -- looking changes nothing, and bad input says what was wrong


@pytest.mark.parametrize(("build", "with_params"), SHEETS.values(), ids=SHEETS.keys())
def test_every_grad_is_as_before(build: Callable[[], Value], with_params: bool) -> None:
    root, params = seeds_network() if with_params else (build(), None)
    for i, node in enumerate(topological_order(root)):
        node.grad = 0.25 * i - 1.0
    before = grads_of(root)
    worksheet_html(root, params=params, show_values=False)
    assert grads_of(root) == before


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"blank": ("gradient",)}, ValueError, r"blank= takes fields of .*'gradient'"),
        ({"blank": "grads"}, ValueError, r"blank= takes fields"),
        ({"lang": "fr"}, ValueError, r"lang must be one of en, de, got 'fr'"),
        ({"show_values": "no"}, TypeError, r"show_values must be True or False"),
        ({"title": 3}, TypeError, r"title must be text, got int"),
        ({"max_rows": 5}, ValueError, r"the table would have 10 rows, more than max_rows=5"),
        ({"rankdir": "XY"}, ValueError, r"rankdir must be one of"),
        ({"params": [1.0]}, TypeError, r"params are the Values .* got float"),
    ],
)
def test_bad_options_are_named_and_nothing_is_written(
    tmp_path: Path, options: dict[str, Any], error: type[Exception], message: str
) -> None:
    root = lecture_neuron()
    before = grads_of(root)
    with pytest.raises(error, match=message):
        worksheet(root, tmp_path / "sheet.html", **options)
    assert not (tmp_path / "sheet.html").exists()
    assert grads_of(root) == before


def test_root_must_be_a_value() -> None:
    with pytest.raises(TypeError, match=r"needs the Value .* got list"):
        worksheet_html([1, 2])  # type: ignore[arg-type]


def test_worksheet_writes_the_page(tmp_path: Path) -> None:
    root = diamond()
    path = worksheet(root, tmp_path / "sheets" / "diamond.html", blank="grad")
    assert path == tmp_path / "sheets" / "diamond.html"
    assert path.read_text(encoding="utf-8") == worksheet_html(root, blank="grad")


def test_docs_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the examples write their worksheets here
    page = Path(__file__).resolve().parent.parent / "docs" / "teaching.md"
    result = doctest.testfile(
        str(page), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False
    )
    assert result.attempted > 20
    assert result.failed == 0
    assert sorted(p.name for p in tmp_path.glob("*.html")) == [
        "network-worksheet.html",
        "neuron-arbeitsblatt.html",
        "neuron-worksheet.html",
    ]


# -- the printed form, in chromium


def print_to_pdf(
    pages: dict[str, str], out: Path
) -> dict[str, tuple[Path, list[dict[str, float]]]]:
    """Print each page to A4 PDF in chromium; also measure what sticks out past the body."""
    found = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        for name, text in pages.items():
            html_path = out / f"{name}.html"
            html_path.write_text(text, encoding="utf-8")
            page.goto(html_path.as_uri())
            page.emulate_media(media="print")
            overflow = page.evaluate(
                """() => {
                  const width = document.body.getBoundingClientRect().right;
                  return [...document.querySelectorAll('svg, table, p, h1, h2, ol')]
                    .map(e => ({tag: e.tagName, right: e.getBoundingClientRect().right, width}))
                    .filter(box => box.right > box.width + 0.5);
                }"""
            )
            pdf = out / f"{name}.pdf"
            page.pdf(path=str(pdf), prefer_css_page_size=True)
            found[name] = (pdf, overflow)
        browser.close()
    return found


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]


def test_printed_sheets(tmp_path: Path) -> None:
    for program in ("pdftoppm", "pdftotext"):
        assert shutil.which(program), f"{program} is missing: apt-get install poppler-utils"
    neuron = lecture_neuron()
    six, params = seeds_network(6)
    pages = {
        "neuron": worksheet_html(neuron),
        "neuron-de": worksheet_html(neuron, lang="de", show_values=False),
        "seeds-six": worksheet_html(six, params=params, rankdir="TB", title="The seeds' network"),
    }
    printed = print_to_pdf(pages, tmp_path)
    for name, (pdf, overflow) in printed.items():
        assert overflow == [], (name, overflow)  # nothing wider than the page
        texts = pdf_pages(pdf)
        heading = "Lösungen" if name.endswith("-de") else "Answer key"
        starts = [i for i, t in enumerate(texts) if heading in t]
        assert len(starts) == 1, (name, starts)
        key_page = starts[0]
        assert key_page >= 1  # the key is not on the sheet's first page ...
        assert texts[key_page].strip().startswith(heading)  # ... it starts a page of its own
        sheet_text = "".join(texts[:key_page])
        assert not re.search(r"\bgrad -?\d", sheet_text)  # no gradient printed on the sheet
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / name)], check=True)
        pngs = sorted(tmp_path.glob(f"{name}-*.png"))
        assert len(pngs) == len(texts)
        for png in pngs:
            assert png.stat().st_size > 5000  # a page with something on it
    # the six observations' sheet runs over pages; the table's head repeats on each
    six_texts = pdf_pages(printed["seeds-six"][0])
    sheet_pages = six_texts[: next(i for i, t in enumerate(six_texts) if "Answer key" in t)]
    assert len(sheet_pages) >= 2
    assert all("local derivative" in t for t in sheet_pages)
    # constants (the features, the labels) read as numbers: w1x1_0 = w1 * 1, d0 = 1 - p0
    assert "w1x1_0 = w1 * 1" in "".join(sheet_pages)
    assert "d0 = 1 - p0" in sheet_pages[0]
