"""Render the README's pictures into docs/images: ``python -m docs.images.make_images``."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from autograd import record_scopes, render
from autograd.draw import draw_dot
from autograd.frames import render_backward
from tests.test_draw import micrograd_demo_loss, neuron

HERE = Path(__file__).parent


def main() -> None:
    """Write neuron.png, neuron-backward.png and big-graph.png next to this file."""
    render.renderer = "graphviz-pure"  # what pip installs: the same pictures on every system
    v = neuron()
    params = [v["w1"], v["w2"], v["b"]]
    with tempfile.TemporaryDirectory() as frames:
        paths = render_backward(v["o"], frames, format="png", params=params, html=False)
        shutil.copy(paths[3], HERE / "neuron-backward.png")
    (HERE / "neuron.png").write_bytes(draw_dot(v["o"], params=params, format="png").pipe())
    with record_scopes():
        loss, weights = micrograd_demo_loss()
    loss.backward()
    big = draw_dot(loss, params=weights, format="png", max_nodes=40)
    big.graph_attr["dpi"] = "60"  # keep the file small; the SVG in a notebook is sharp anyway
    (HERE / "big-graph.png").write_bytes(big.pipe())


if __name__ == "__main__":
    main()
