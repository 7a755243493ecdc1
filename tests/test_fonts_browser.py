"""Fonts in a real browser (Debian's chromium): columns line up even in a wider fallback font."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from autograd import draw_dot
from autograd import render as render_module
from tests.browser import ARGS, CHROMIUM
from tests.test_draw import neuron

# Each box's texts, left to right, with where they are drawn in the browser.
CELLS = """
[...document.querySelectorAll("g.node")].map((node) =>
  [...node.querySelectorAll("text")].map((t) => {
    const box = t.getBBox();
    return [t.textContent, box.x, box.x + box.width];
  }))
"""


@pytest.mark.parametrize("forced", ["'DejaVu Sans'", "serif"])
def test_cells_do_not_overlap_whatever_font_the_browser_has(
    forced: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render_module, "renderer", "graphviz-pure")
    v = neuron()
    v["o"].backward()
    svg = draw_dot(v["o"]).pipe(encoding="utf-8")
    page_html = (
        f"<style>text {{ font-family: {forced} !important }}</style>{svg[svg.index('<svg') :]}"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page: Any = browser.new_page()
        page.set_content(page_html)
        boxes = page.evaluate(CELLS)
        browser.close()
    rows = [cells for cells in boxes if len(cells) == 3]  # label | data | grad
    assert len(rows) == 10
    for cells in rows:
        for (text, _, right), (_, next_left, _) in itertools.pairwise(cells):
            assert right <= next_left + 0.5, f"{text!r} runs into the next cell"
