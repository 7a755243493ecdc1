"""Render the README's pictures into docs/images: ``python -m docs.images.make_images``."""

from __future__ import annotations

from pathlib import Path

from autograd import record_scopes
from autograd.draw import draw_dot, picture
from autograd.frames import backward_moments
from tests.test_draw import micrograd_demo_loss, neuron

HERE = Path(__file__).parent


def main() -> None:
    """Write neuron.png, neuron-backward.png and big-graph.png next to this file."""
    v = neuron()
    params = [v["w1"], v["w2"], v["b"]]
    moments = list(backward_moments(v["o"]))  # runs backward(), one step at a time
    (HERE / "neuron.png").write_bytes(draw_dot(v["o"], params=params, format="png").pipe())
    step = picture(v["o"], moments[3], params=set(params), format="png", max_nodes=None)
    (HERE / "neuron-backward.png").write_bytes(step.pipe())
    with record_scopes():
        loss, weights = micrograd_demo_loss()
    loss.backward()
    big = draw_dot(loss, params=weights, format="png", max_nodes=40)
    big.graph_attr["dpi"] = "60"  # keep the file small; the SVG in a notebook is sharp anyway
    (HERE / "big-graph.png").write_bytes(big.pipe())


if __name__ == "__main__":
    main()
