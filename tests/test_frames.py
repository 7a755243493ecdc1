"""Backward frames: one picture per step, gradients arriving, the same grads as backward()."""

from __future__ import annotations

import gc
import io
import math
import re
from collections.abc import Iterator
from pathlib import Path

import PIL.Image
import pytest

from autograd import Value, backward_steps
from autograd import render as render_module
from autograd.draw import DotNotFoundError, picture
from autograd.frames import backward_moments, render_backward, write_gif
from autograd.player import player_html
from autograd.summary import Graph
from tests.test_draw import NEURON, neuron


def grads(values: dict[str, Value]) -> dict[str, float]:
    """Each node's grad by label."""
    return {name: v.grad for name, v in values.items()}


def test_one_moment_per_step_and_grads_fill_in() -> None:
    v = neuron()
    moments = list(backward_moments(v["o"]))
    assert len(moments) == len(Graph.of(v["o"], None).nodes) == 10
    assert moments[0].current is v["o"]
    assert set(moments[0].grads) == {v["o"], v["n"]}  # o passed its grad to n, nothing else yet
    arrived = [len(m.grads) for m in moments]
    assert arrived == sorted(arrived)
    assert arrived[-1] == 10
    assert moments[-1].caption.startswith("step 10 of 10")


def test_a_node_with_two_consumers_is_partial_until_both_have_sent() -> None:
    x = Value(3.0, label="x")
    y = x * x + x  # x feeds the * and the +
    moments = list(backward_moments(y))
    first = moments[0]  # the + has sent: x has its part from the +, not yet from the *
    assert first.current is y
    assert x in first.partial
    assert first.grads[x] == 1.0
    assert x not in moments[1].partial  # the * has sent too
    assert moments[1].grads[x] == 7.0


def test_caption_explains_the_step_with_the_local_derivative() -> None:
    v = neuron()
    first = next(iter(backward_moments(v["o"])))
    local = (
        1 - math.tanh(NEURON["x1"] * NEURON["w1"] + NEURON["x2"] * NEURON["w2"] + NEURON["b"]) ** 2
    )
    assert first.caption.splitlines() == [
        "step 1 of 10:  o = tanh(n)",
        f"n.grad += (1 - o**2) * o.grad = {local:.4g} * 1 = {local:.4g}",
    ]


def test_unlabelled_nodes_get_the_names_of_the_printout() -> None:
    x = Value(0.5, label="x")
    y = (x * 2).tanh()
    moments = list(backward_moments(y))
    names = moments[0].names
    assert names[id(y)] == "y"  # the caller's variable
    source = picture(y, moments[0], max_nodes=None).source
    assert "<TD>y</TD>" in source
    assert "<TD>v2</TD>" in source  # x * 2 is held by no variable
    assert moments[0].caption.startswith("step 1 of 4:  y = tanh(v2)")


def test_moments_leave_the_grads_backward_leaves() -> None:
    stepped, plain = neuron(), neuron()
    for values in (stepped, plain):
        values["w1"].grad = 0.25  # a leaf's earlier gradient: it accumulates
    list(backward_moments(stepped["o"]))
    plain["o"].backward()
    assert grads(stepped) == grads(plain)


@pytest.mark.needs_dot
def test_render_backward_writes_one_picture_per_step(tmp_path: Path) -> None:
    v = neuron()
    paths = render_backward(v["o"], tmp_path / "frames")
    assert len(paths) == 10
    assert [p.name for p in paths[:2]] == ["step-001.svg", "step-002.svg"]
    pictures = [p.read_text(encoding="utf-8") for p in paths]
    assert all("<svg" in svg for svg in pictures)
    assert len(set(pictures)) == len(pictures)  # each step changes the picture
    assert pictures[0].count("grad ?") > pictures[-1].count("grad ?") == 0


@pytest.mark.needs_dot
def test_render_backward_leaves_the_grads_backward_leaves(tmp_path: Path) -> None:
    drawn, plain = neuron(), neuron()
    render_backward(drawn["o"], tmp_path, html=False)
    plain["o"].backward()
    assert grads(drawn) == grads(plain)


@pytest.mark.needs_dot
def test_the_player_is_one_self_contained_page(tmp_path: Path) -> None:
    v = neuron()
    paths = render_backward(v["o"], tmp_path)
    page = (tmp_path / "backward.html").read_text(encoding="utf-8")
    assert page == player_html(paths)
    assert page.count("data:image/svg+xml;base64,") == len(paths)
    assert 'max="9"' in page
    assert not re.search(r"(src|href)=\"http", page)


@pytest.mark.needs_dot
def test_gif_has_a_frame_per_step(tmp_path: Path) -> None:
    image = PIL.Image
    x = Value(0.5, label="x")
    render_backward((x * 2).tanh(), tmp_path, format="png", gif=True)
    with image.open(tmp_path / "backward.gif") as gif:
        assert gif.n_frames == 4  # tanh, *, x and the 2


def test_too_many_steps_are_refused(tmp_path: Path) -> None:
    xs = [Value(float(i)) for i in range(20)]
    with pytest.raises(ValueError, match="max_steps=10"):
        render_backward(sum(xs), tmp_path, max_steps=10)


def test_no_renderer_fails_before_backward_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(render_module, "_pure_program", lambda: None)
    v = neuron()
    with pytest.raises(DotNotFoundError, match="pip install graphviz-pure"):
        render_backward(v["o"], tmp_path)
    assert all(g == 0.0 for g in grads(v).values())


def test_a_number_instead_of_a_value_is_a_type_error_naming_the_argument(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"render_backward\(root\) draws the graph of a Value"):
        render_backward(5, tmp_path)  # type: ignore[arg-type]


def node_places(svg: str) -> dict[str, tuple[float, float]]:
    """Where each node of an SVG is drawn: its first point, in the picture's own pixels."""
    translate = re.search(
        r'transform="scale\(1 1\) rotate\(0\) translate\(([0-9.]+) ([0-9.]+)\)"', svg
    )
    assert translate is not None
    dx, dy = float(translate[1]), float(translate[2])
    places = {}
    for name, shape in re.findall(
        r'<g id="node\d+" class="node">\s*<title>(\w+)</title>(.*?)</g>', svg, flags=re.DOTALL
    ):
        point = re.search(r'(?:points="|d="M|cx=")([0-9.-]+)[," cy="]+([0-9.-]+)', shape)
        assert point is not None, name
        places[name] = (round(float(point[1]) + dx, 1), round(float(point[2]) + dy, 1))
    return places


@pytest.mark.needs_dot
@pytest.mark.parametrize("renderer", ["dot", "graphviz-pure"])
def test_every_box_keeps_its_place_in_every_frame(
    renderer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render_module, "renderer", renderer)
    v = neuron()
    svgs = [p.read_text(encoding="utf-8") for p in render_backward(v["o"], tmp_path, html=False)]
    sizes = {re.search(r'<svg width="[^"]+" height="[^"]+"', svg)[0] for svg in svgs}  # type: ignore[index]
    assert len(sizes) == 1  # every frame is as large
    places = [node_places(svg) for svg in svgs]
    assert len(places[0]) == 15  # 10 boxes and 5 op ovals
    assert all(p == places[0] for p in places)


@pytest.mark.needs_dot
def test_without_params_frames_draw_leaves_as_draw_dot_does(tmp_path: Path) -> None:
    v = neuron()
    plain = [p.read_text(encoding="utf-8") for p in render_backward(v["o"], tmp_path / "a")]
    assert not any('stroke-width="2.2"' in svg for svg in plain)  # no leaf is called a parameter
    w = neuron()
    marked = render_backward(w["o"], tmp_path / "b", params=[w["w1"], w["w2"], w["b"]])
    assert all('stroke-width="2.2"' in p.read_text(encoding="utf-8") for p in marked)


def test_the_gif_is_written_one_frame_at_a_time(tmp_path: Path) -> None:
    image = PIL.Image
    live: list[int] = []

    def images() -> int:
        return sum(issubclass(type(o), image.Image) for o in gc.get_objects())

    before = images()  # earlier tests may leave images alive: count only the new ones

    def frames(count: int) -> Iterator[bytes]:
        for i in range(count):
            live.append(images() - before)
            buffer = io.BytesIO()
            image.new("RGB", (200, 100), (i * 8, 100, 200)).save(buffer, "PNG")
            yield buffer.getvalue()

    write_gif(tmp_path / "a.gif", frames(30))
    assert max(live) <= 2  # at most the frame being written: none kept from earlier ones
    with image.open(tmp_path / "a.gif") as gif:
        assert gif.n_frames == 30
        assert gif.info["loop"] == 0
        gif.seek(29)
        assert gif.convert("RGB").getpixel((0, 0)) == (29 * 8, 100, 200)


def test_constant_settings_get_no_frame_of_their_own() -> None:
    x = Value(3.0, label="x")
    steps = list(backward_steps(x**2))  # x**2, x and the exponent 2
    moments = list(backward_moments(Value(3.0, label="x") ** 2))
    assert len(moments) == len(steps) - 1 == 2


def test_hooks_run_once_per_pass_as_in_backward() -> None:
    calls: list[float] = []
    x = Value(0.5, label="x")
    h = x.tanh()
    h.register_hook(calls.append)
    list(backward_moments(h * 3.0))
    assert len(calls) == 1
