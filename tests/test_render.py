"""Rendering: the system's dot or graphviz-pure, fonts with Helvetica's widths, files, notebooks."""

from __future__ import annotations

import base64
import html
import io
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from autograd import Value, draw_dot
from autograd import render as render_module
from autograd.draw import number
from autograd.fonts import FONT_FAMILY, text_width
from autograd.render import DotNotFoundError, RenderError, find_renderer, render_dot
from tests.test_draw import neuron, torch_neuron_grads


@pytest.fixture
def no_system_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    """Graphviz's dot is not on PATH (nor anything else): as after a plain pip install."""
    monkeypatch.setenv("PATH", "")
    assert shutil.which("dot") is None


@pytest.fixture
def drawn_neuron() -> str:
    v = neuron()
    v["o"].backward()
    return draw_dot(v["o"]).source


def texts(svg: str) -> list[str]:
    """The text of every <text> element of an SVG, unescaped."""
    return [html.unescape(t) for t in re.findall(r"<text [^>]*>([^<]*)</text>", svg)]


@pytest.mark.usefixtures("no_system_dot")
def test_without_dot_graphviz_pure_draws_the_svg(drawn_neuron: str) -> None:
    found = find_renderer()
    assert found is not None
    assert found[0] == "graphviz-pure"
    words = texts(render_dot(drawn_neuron, "svg").decode("utf-8"))
    for name, grad in torch_neuron_grads().items():
        assert name in words
        assert f"grad {number(grad)}" in words
    assert "data 6.881" in words  # b
    assert "data 0.7071" in words  # o = tanh(0.8814)
    assert {"*", "+", "tanh"} <= set(words)


@pytest.mark.usefixtures("no_system_dot")
def test_without_dot_the_png_is_the_svg_in_pixels(drawn_neuron: str) -> None:
    svg = render_dot(drawn_neuron, "svg").decode("utf-8")
    match = re.search(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg)
    assert match is not None
    with Image.open(io.BytesIO(render_dot(drawn_neuron, "png"))) as png:
        assert png.format == "PNG"
        # Graphviz draws PNGs at 96 dpi: 96 pixels for 72 points.
        assert png.width == pytest.approx(float(match[1]) * 96 / 72, abs=2)
        assert png.height == pytest.approx(float(match[2]) * 96 / 72, abs=2)
        colours = png.convert("RGB").getcolors(maxcolors=1 << 24)
    assert colours is not None
    assert len(colours) > 50  # boxes in several colours and anti-aliased text, not a blank page


@pytest.mark.usefixtures("no_system_dot")
def test_drawing_pipe_and_render_work_without_dot(tmp_path: Path) -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    e = a * b
    e.backward()
    assert "<svg" in draw_dot(e).pipe(encoding="utf-8")
    path = draw_dot(e).render("graph", directory=tmp_path, format="png")
    assert Path(path).read_bytes().startswith(b"\x89PNG")


@pytest.mark.needs_dot
def test_both_renderers_draw_the_same_picture(
    drawn_neuron: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pictures = {}
    for name in ("dot", "graphviz-pure"):
        monkeypatch.setattr(render_module, "renderer", name)
        pictures[name] = render_dot(drawn_neuron, "svg").decode("utf-8")
    dot, pure = pictures["dot"], pictures["graphviz-pure"]
    assert Counter(re.findall(r"<title>(.*?)</title>", dot)) == Counter(
        re.findall(r"<title>(.*?)</title>", pure)
    )  # the same nodes and edges
    assert Counter(texts(dot)) == Counter(texts(pure))  # the same words in every box
    assert Counter(re.findall(r'fill="(#[0-9a-f]{6})"', dot)) == Counter(
        re.findall(r'fill="(#[0-9a-f]{6})"', pure)
    )  # the same colours


@pytest.mark.usefixtures("no_system_dot")
def test_texts_are_held_to_the_widths_graphviz_pure_laid_out(drawn_neuron: str) -> None:
    # graphviz-pure's own layout (xdot: "T x y align width n -text") is the oracle for widths.
    xdot = render_dot(drawn_neuron, "xdot").decode("utf-8").replace("\\\n", "")
    laid_out = {
        (text, float(size)): float(width)
        for size, width, text in re.findall(
            r"F ([0-9.]+) \d+ -Helvetica c \d+ -#[0-9a-f]+ T [0-9.]+ [0-9.]+ -?\d "
            r"([0-9.]+) \d+ -([^ ][^F\"]*?) (?=F|\")",
            xdot,
        )
    }
    assert len(laid_out) > 10
    for (text, size), width in laid_out.items():
        assert text_width(text, size) == pytest.approx(width, rel=1e-3), text
    svg = render_dot(drawn_neuron, "svg").decode("utf-8")
    assert f'font-family="{FONT_FAMILY}"' in svg
    assert "Helvetica,sans-Serif" not in svg
    held = re.findall(r'textLength="([0-9.]+)"[^>]*>data 6.881<', svg)
    assert held == [f"{text_width('data 6.881', 11.0):g}"]


def test_render_leaves_no_dot_file_behind(tmp_path: Path) -> None:
    path = draw_dot(Value(1.0, label="x") * 2).render("neuron", directory=tmp_path, format="png")
    assert Path(path) == tmp_path / "neuron.png"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["neuron.png"]


def test_render_keeps_the_dot_file_when_asked(tmp_path: Path) -> None:
    dot = draw_dot(Value(1.0, label="x") * 2)
    dot.render("neuron", directory=tmp_path, format="svg", cleanup=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["neuron", "neuron.svg"]
    assert (tmp_path / "neuron").read_text(encoding="utf-8") == dot.source


def test_no_renderer_at_all_says_how_to_install_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(render_module, "_pure_program", lambda: None)
    dot = draw_dot(Value(1.0, label="x") * 2)
    assert "label=<*>" in dot.source  # the DOT text needs no renderer
    with pytest.raises(DotNotFoundError, match="pip install graphviz-pure") as error:
        dot.pipe()
    assert "apt-get install graphviz" in str(error.value)
    with pytest.raises(DotNotFoundError):
        dot.render("never-written", directory=tmp_path)
    assert not list(tmp_path.iterdir())


def test_an_unknown_renderer_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_module, "renderer", "neato")
    with pytest.raises(ValueError, match="graphviz-pure"):
        find_renderer()


def test_a_refused_graph_says_which_renderer_refused_it() -> None:
    with pytest.raises(RenderError, match="could not render"):
        render_dot("digraph { a -> }", "svg")


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format must be one of"):
        render_dot("digraph { a }", "bmp")


def test_in_a_repl_a_drawing_says_what_it_is_and_how_to_see_it() -> None:
    text = repr(draw_dot(Value(1.0, label="x") * 2))
    assert text.startswith("<Drawing of 3 boxes")
    assert ".render('name', format='png')" in text
    assert "object at 0x" not in text


def test_in_a_notebook_the_picture_shrinks_to_the_cell() -> None:
    dot = draw_dot(Value(1.0, label="x") * 2)
    bundle = dot._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]
    page = bundle["text/html"]
    assert 'style="max-width: 100%; height: auto"' in page
    (data,) = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert base64.b64decode(data).decode("utf-8") == bundle["image/svg+xml"]
    assert set(dot._repr_mimebundle_(include=["text/html"])) == {"text/html"}
