"""Backward, frame by frame: one picture per step of ``backward()``, all with one layout.

Each frame highlights the node whose step it is, with the contributions it passes to its inputs
written at the inputs' ends of the edges; gradients fill in as they arrive (``grad ?``: nothing
arrived yet, ``grad 0.5 + …``: more to come from other consumers). The graph is laid out once,
with every box as large as its largest text in any frame, so boxes keep their place.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from autograd.backward import topological_order
from autograd.debug import backward_steps
from autograd.draw import Drawing, Moment, grad_scale, picture, require_value
from autograd.names import node_names
from autograd.player import MIME, player_html
from autograd.render import render_dot, require_renderer
from autograd.summary import Graph, inputs_of
from autograd.value import Value

__all__ = ["backward_moments", "one_layout", "render_backward"]

GIF_FRAME_MS = 1200


def render_backward(
    root: Value,
    directory: str | Path,
    format: str = "svg",
    *,
    rankdir: str = "LR",
    params: Iterable[Value] | None = None,
    max_steps: int = 100,
    html: bool = True,
    gif: bool = False,
    variable_names: bool | None = None,
) -> list[Path]:
    """Run ``root.backward()`` and draw each step into ``directory``; return the pictures' paths.

    Afterwards every ``.grad`` is what ``backward()`` leaves (leaves accumulate). With ``html``
    (svg or png) a self-contained ``backward.html`` player steps through the frames; with
    ``gif`` (needs Pillow) an animated ``backward.gif`` is written too, one frame at a time.
    Nodes are named as in ``draw_dot`` (``variable_names``: see ``autograd.names``).
    """
    root = require_value(root, "render_backward")
    require_renderer("render the backward frames")
    chosen = None if params is None else set(params)
    graph = Graph.of(root, chosen)
    if len(graph.nodes) > max_steps:
        raise ValueError(
            f"the graph has {len(graph.nodes)} nodes, so backward has {len(graph.nodes)} steps, "
            f"more than max_steps={max_steps} pictures: draw a smaller graph (one neuron, one "
            "data point) or pass max_steps=..."
        )
    if (html or gif) and format not in MIME:
        raise ValueError(f"the HTML player and the GIF need format svg or png, got {format!r}")
    names = node_names(topological_order(root), variables=variable_names)
    moments = list(backward_moments(root, names=names))
    # One colour scale for all frames, the final one, so a colour means the same in each.
    scale = grad_scale(graph, graph.nodes, {n: n.grad for n in graph.nodes})
    moments = _same_caption_height([replace(m, scale=scale) for m in moments])
    drawings = [
        picture(root, m, rankdir=rankdir, format=format, params=chosen, max_nodes=None)
        for m in moments
    ]
    sources = one_layout(drawings)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for i, source in enumerate(sources, start=1):
        path = out / f"step-{i:03d}.{format}"
        path.write_bytes(render_dot(source, format, pinned=True))
        paths.append(path)
    if html:
        (out / "backward.html").write_text(player_html(paths), encoding="utf-8")
    if gif:
        pngs = (render_dot(source, "png", pinned=True) for source in sources)
        write_gif(out / "backward.gif", pngs)
    return paths


def backward_moments(root: Value, *, names: Mapping[int, str] | None = None) -> Iterator[Moment]:
    """Run one backward pass from ``root``; after each step, yield what a picture of it shows.

    Exhausting it leaves exactly the gradients ``backward()`` would (it runs
    ``backward_steps``). Unlabelled nodes are named as in its printout, or by ``names``.
    """
    graph = Graph.of(root, None)
    drawn = set(graph.nodes)
    waiting = dict.fromkeys(graph.nodes, 0)  # how many consumers have not sent their part
    for node in graph.nodes:
        for p in set(inputs_of(node)):
            waiting[p] += 1
    arrived: set[Value] = {root}
    sent: set[Value] = set()
    for step in backward_steps(root):
        node = step.node
        if node not in drawn:  # a constant setting (the 2 of x**2): not in the picture
            continue
        if names is not None:
            step = replace(step, names=dict(names))  # noqa: PLW2901 (the same step, renamed)
        sent.add(node)
        for p in set(inputs_of(node)):
            waiting[p] -= 1
            arrived.add(p)
        grads = {n: n.grad for n in graph.nodes if n in arrived}
        partial = frozenset(n for n in arrived if waiting[n] > 0)
        lines = repr(step).split(" | ")  # the op, then one line per input it passes to
        caption = "\n".join([f"step {len(sent)} of {len(graph.nodes)}:  {lines[0]}", *lines[1:]])
        yield Moment(grads, partial, frozenset(sent), node, caption, names=step.names)


def _same_caption_height(moments: list[Moment]) -> list[Moment]:
    """Captions padded with blank lines to the longest one's, so every frame is as tall."""
    most = max((m.caption.count("\n") for m in moments), default=0)
    return [
        replace(m, caption=m.caption + "\n\u00a0" * (most - m.caption.count("\n"))) for m in moments
    ]


_NODE = re.compile(r"^\t(n\d+\w*) \[", re.MULTILINE)  # n3, n3op, n3more: not graph, node, edge
_EDGE = re.compile(r"^\t(n\d+\w*) -> (n\d+\w*) \[", re.MULTILINE)


def one_layout(drawings: list[Drawing]) -> list[str]:
    """The DOT text of each drawing, all pinned to one layout (render with ``pinned=True``).

    Every node gets the largest size it has in any drawing; the first drawing, so sized, is
    laid out once; each drawing then gets its nodes' and edges' positions from that layout.
    The drawings must have the same nodes and edges (frames of one graph do).
    """
    size: dict[str, tuple[float, float]] = {}
    for drawing in drawings:
        for node in json.loads(render_dot(drawing.source, "json"))["objects"]:
            w, h = size.get(node["name"], (0.0, 0.0))
            size[node["name"]] = (max(w, float(node["width"])), max(h, float(node["height"])))

    def sized(source: str, pos: Mapping[str, str] | None = None) -> str:
        def node(match: re.Match[str]) -> str:
            name = match[1]
            pinned = "" if pos is None else f'pos="{pos[name]}!" '
            return f"\t{name} [{pinned}width={size[name][0]} height={size[name][1]} "

        return _NODE.sub(node, source)

    layout = json.loads(render_dot(sized(drawings[0].source), "json"))
    pos = {node["name"]: node["pos"] for node in layout["objects"]}
    splines: dict[tuple[str, str], list[str]] = {}  # (tail, head) -> its edges' splines, in order
    for edge in sorted(layout["edges"], key=lambda e: e["_gvid"]):
        ends = (layout["objects"][edge["tail"]]["name"], layout["objects"][edge["head"]]["name"])
        splines.setdefault(ends, []).append(edge["pos"])
    sources = []
    for drawing in drawings:
        seen: dict[tuple[str, str], int] = {}

        def edge(match: re.Match[str], seen: dict[tuple[str, str], int] = seen) -> str:
            ends = (match[1], match[2])
            k = seen[ends] = seen.get(ends, -1) + 1
            return f'\t{match[1]} -> {match[2]} [pos="{splines[ends][k]}" '

        sources.append(_EDGE.sub(edge, sized(drawing.source, pos)))
    return sources


def write_gif(path: Path, pngs: Iterable[bytes], *, frame_ms: int = GIF_FRAME_MS) -> None:
    """An animated GIF of PNG frames, written one frame at a time (memory for one frame).

    Frames are padded (or cut) to the first one's size; each has its own colour table.
    """
    try:
        from PIL import GifImagePlugin, Image  # noqa: PLC0415 (optional: only the GIF needs it)
    except ImportError as error:
        raise ImportError("render_backward(gif=True) needs Pillow: pip install pillow") from error
    size: tuple[int, int] | None = None
    with path.open("wb") as file:
        for png in pngs:
            with Image.open(io.BytesIO(png)) as image:
                rgb = image.convert("RGB")
            if size is None:
                size = rgb.size
            elif rgb.size != size:
                canvas = Image.new("RGB", size, "white")
                canvas.paste(rgb, (0, 0))
                rgb = canvas
            frame = rgb.convert("P", palette=Image.Palette.ADAPTIVE)
            del rgb
            if file.tell() == 0:
                header, _ = GifImagePlugin.getheader(frame, info={"loop": 0, "duration": frame_ms})
                file.writelines(header)
            file.writelines(
                GifImagePlugin.getdata(frame, duration=frame_ms, include_color_table=True)
            )
            del frame
        file.write(b";")  # the GIF trailer
