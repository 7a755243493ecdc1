"""Backward, frame by frame: one picture per step of ``backward()``, and a player to step through.

Each frame highlights the node whose step it is, with the contributions it passes to its inputs
written on the edges; gradients fill in as they arrive (``grad ?``: nothing arrived yet,
``grad 0.5 + …``: more to come from other consumers).
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from autograd.debug import backward_steps
from autograd.draw import Graph, Moment, grad_scale, inputs_of, picture, require_dot
from autograd.value import Value

__all__ = ["backward_moments", "player_html", "render_backward"]

MIME = {"svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "gif": "image/gif"}


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
) -> list[Path]:
    """Run ``root.backward()`` and draw each step into ``directory``; return the pictures' paths.

    Afterwards every ``.grad`` is what ``backward()`` leaves (leaves accumulate). With ``html``
    (svg or png) a self-contained ``backward.html`` player steps through the frames; with
    ``gif`` (needs Pillow) an animated ``backward.gif`` is written too.
    """
    require_dot("render the backward frames")
    graph = Graph.of(root, None)
    if len(graph.nodes) > max_steps:
        raise ValueError(
            f"the graph has {len(graph.nodes)} nodes, so backward has {len(graph.nodes)} steps, "
            f"more than max_steps={max_steps} pictures: draw a smaller graph (one neuron, one "
            "data point) or pass max_steps=..."
        )
    if (html or gif) and format not in MIME:
        raise ValueError(f"the HTML player and the GIF need format svg or png, got {format!r}")
    chosen = None if params is None else set(params)
    moments = list(backward_moments(root))
    # One colour scale for all frames, the final one, so a colour means the same in each.
    final = Graph.of(root, chosen)
    scale = grad_scale(final, final.nodes, {n: n.grad for n in final.nodes})
    moments = [replace(m, scale=scale) for m in moments]
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for i, moment in enumerate(moments, start=1):
        drawing = picture(
            root, moment, rankdir=rankdir, format=format, params=chosen, max_nodes=None
        )
        path = out / f"step-{i:03d}.{format}"
        path.write_bytes(drawing.pipe())
        paths.append(path)
    if html:
        (out / "backward.html").write_text(player_html(paths), encoding="utf-8")
    if gif:
        _write_gif(root, moments, out / "backward.gif", rankdir=rankdir, params=chosen)
    return paths


def backward_moments(root: Value) -> Iterator[Moment]:
    """Run one backward pass from ``root``; after each step, yield what a picture of it shows.

    Exhausting it leaves exactly the gradients ``backward()`` would (it runs
    ``backward_steps``). Unlabelled nodes are named as in its printout (``v3``).
    """
    graph = Graph.of(root, None)
    drawn = set(graph.nodes)
    waiting = dict.fromkeys(graph.nodes, 0)  # how many consumers have not sent their part
    for node in graph.nodes:
        for p in set(inputs_of(node)):
            waiting[p] += 1
    arrived: set[Value] = {root}
    sent: set[Value] = set()
    names: dict[Value, str] = {}
    for step in backward_steps(root):
        node = step.node
        if node not in drawn:  # a constant setting (the 2 of x**2): not in the picture
            continue
        if not names:
            names = {n: step.name(n) for n in graph.nodes if not n.label}
        sent.add(node)
        for p in set(inputs_of(node)):
            waiting[p] -= 1
            arrived.add(p)
        grads = {n: n.grad for n in graph.nodes if n in arrived}
        partial = frozenset(n for n in arrived if waiting[n] > 0)
        lines = repr(step).split(" | ")  # the op, then one line per input it passes to
        caption = "\n".join([f"step {len(sent)} of {len(graph.nodes)}:  {lines[0]}", *lines[1:]])
        yield Moment(grads, partial, frozenset(sent), node, caption, names=names)


def player_html(paths: list[Path]) -> str:
    """A self-contained HTML page (no network) with the frames, prev/next buttons and a slider."""
    frames = []
    for path in paths:
        mime = MIME[path.suffix.lstrip(".")]
        frames.append(f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii"))
    return _PLAYER.replace("FRAMES", json.dumps(frames)).replace("LAST", str(len(frames) - 1))


_PLAYER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>backward(), step by step</title>
<style>
 body { font-family: sans-serif; margin: 1em; }
 #controls { display: flex; gap: 0.6em; align-items: center; margin-bottom: 0.6em; }
 #slider { width: 24em; }
 img { max-width: 100%; border: 1px solid #ddd; }
</style></head>
<body>
<div id="controls">
 <button id="prev" title="left arrow">&#9664; prev</button>
 <input id="slider" type="range" min="0" max="LAST" value="0">
 <button id="next" title="right arrow">next &#9654;</button>
 <span id="count"></span>
</div>
<img id="frame" alt="a step of backward()">
<script>
const frames = FRAMES;
const slider = document.getElementById("slider");
function show(i) {
  i = Math.max(0, Math.min(frames.length - 1, i));
  slider.value = i;
  document.getElementById("frame").src = frames[i];
  document.getElementById("count").textContent = "step " + (i + 1) + " of " + frames.length;
}
document.getElementById("prev").onclick = () => show(+slider.value - 1);
document.getElementById("next").onclick = () => show(+slider.value + 1);
slider.oninput = () => show(+slider.value);
document.addEventListener("keydown", (e) => {
  if (e.key === "ArrowLeft") show(+slider.value - 1);
  if (e.key === "ArrowRight") show(+slider.value + 1);
});
show(0);
</script>
</body></html>
"""


def _write_gif(
    root: Value, moments: list[Moment], path: Path, *, rankdir: str, params: set[Value] | None
) -> None:
    """An animated GIF of the frames (Pillow), each padded to the size of the largest."""
    try:
        from PIL import Image  # noqa: PLC0415 (optional: only the GIF needs Pillow)
    except ImportError as error:
        raise ImportError("render_backward(gif=True) needs Pillow: pip install pillow") from error
    images = []
    for moment in moments:
        drawing = picture(
            root, moment, rankdir=rankdir, format="png", params=params, max_nodes=None
        )
        images.append(Image.open(io.BytesIO(drawing.pipe())).convert("RGB"))
    width = max(im.width for im in images)
    height = max(im.height for im in images)
    padded = []
    for im in images:
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(im, (0, 0))
        padded.append(canvas)
    padded[0].save(path, save_all=True, append_images=padded[1:], duration=1200, loop=0)
