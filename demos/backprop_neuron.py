"""Chapter 5, Backpropagation (Fehlerrückführung) through a neuron, by hand and by the engine.

The lecture's recipe: first the derivative of the loss by the network's output o,
dL/do = loss_grad(o, y); then each weight's gradient is its input times that gradient,
dL/dW = x * dL/do (the chain rule), and the bias's gradient is dL/do itself; then the same again
for the previous layer. We do exactly that with floats, let ``backward()`` do it on the graph,
and compare every number.
"""

from __future__ import annotations

import math
from pathlib import Path

from matplotlib.patches import Patch

from autograd import Value, backward_steps
from autograd.draw import DotNotFoundError, draw_dot
from autograd.frames import render_backward
from demos.common import (
    NEGATIVE,
    POSITIVE,
    Report,
    heading,
    new_figure,
    run_chapter,
    save,
    write_worksheet,
)
from demos.texts import say, text

__all__ = ["build", "lecture_neuron", "loss_grad", "main", "manual_gradients"]

# -- settings: input x -> hidden layer of two tanh neurons -> one linear output neuron -> loss
X = 0.8  # the input feature (Merkmal)
Y = 2.0  # its label (Beobachtung -> Label)
HIDDEN_WEIGHTS = (1.5, -0.7)  # u1, u2: the previous layer's weights
HIDDEN_BIASES = (0.1, 0.4)  # c1, c2
OUTPUT_WEIGHTS = (0.9, -1.2)  # w1, w2: the output neuron's weights W
OUTPUT_BIAS = 0.3  # b


def build() -> dict[str, Value]:
    """The forward pass with every node named: h_j = tanh(u_j*x + c_j), o = w.h + b, L = (o-y)^2."""
    x, y = Value(X, label="x"), Value(Y, label="y")
    nodes = {"x": x, "y": y}
    for j in (1, 2):
        u = nodes[f"u{j}"] = Value(HIDDEN_WEIGHTS[j - 1], label=f"u{j}")
        c = nodes[f"c{j}"] = Value(HIDDEN_BIASES[j - 1], label=f"c{j}")
        ux = nodes[f"u{j}x"] = u * x
        z = nodes[f"z{j}"] = ux + c
        nodes[f"h{j}"] = z.tanh()
    terms = []
    for j in (1, 2):
        w = nodes[f"w{j}"] = Value(OUTPUT_WEIGHTS[j - 1], label=f"w{j}")
        terms.append(w * nodes[f"h{j}"])
        nodes[f"w{j}h{j}"] = terms[-1]
    nodes["b"] = Value(OUTPUT_BIAS, label="b")
    nodes["wh"] = terms[0] + terms[1]  # w . h, the weighted sum of the neuron's inputs
    nodes["o"] = nodes["wh"] + nodes["b"]
    nodes["e"] = nodes["o"] - y  # the error (Fehler), signed
    nodes["L"] = nodes["e"] ** 2
    for name, node in nodes.items():
        node.label = name
    return nodes


def lecture_neuron() -> Value:
    """The lecture's neuron, o = tanh(x1*w1 + x2*w2 + b), every node named, for a worksheet.

    >>> round(lecture_neuron().data, 4)
    0.7071
    """
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")  # makes n = 0.8814, so o = 1/sqrt(2)
    x1w1 = x1 * w1
    x1w1.label = "x1w1"
    x2w2 = x2 * w2
    x2w2.label = "x2w2"
    s = x1w1 + x2w2
    s.label = "s"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def loss_grad(o: float, y: float) -> float:
    """dL/do for L = (o - y)**2: the lecture's first step, at the network's output.

    >>> loss_grad(3.0, 2.0)
    2.0
    """
    return 2.0 * (o - y)


def manual_gradients(verbose: bool = True) -> dict[str, float]:
    """Every gradient by hand, in the lecture's order, with plain floats (no Values)."""
    say_ = say if verbose else (lambda *_, **__: None)
    h = [math.tanh(u * X + c) for u, c in zip(HIDDEN_WEIGHTS, HIDDEN_BIASES, strict=True)]
    o = OUTPUT_WEIGHTS[0] * h[0] + OUTPUT_WEIGHTS[1] * h[1] + OUTPUT_BIAS
    grads: dict[str, float] = {}
    grads["o"] = loss_grad(o, Y)
    say_("ch5.step1", o=o, y=Y, do=grads["o"])
    say_("ch5.step2")
    for j in (1, 2):
        grads[f"w{j}"] = h[j - 1] * grads["o"]  # its input times the output's gradient
        say_("ch5.step2_weight", j=j, h=h[j - 1], do=grads["o"], dw=grads[f"w{j}"])
    grads["b"] = grads["o"]  # the bias is added straight to the output
    say_("ch5.step2_bias", db=grads["b"])
    say_("ch5.step3")
    for j in (1, 2):
        grads[f"h{j}"] = OUTPUT_WEIGHTS[j - 1] * grads["o"]
        grads[f"z{j}"] = (1.0 - h[j - 1] ** 2) * grads[f"h{j}"]  # d tanh(z)/dz = 1 - tanh(z)^2
        grads[f"u{j}"] = X * grads[f"z{j}"]
        grads[f"c{j}"] = grads[f"z{j}"]
        say_(
            "ch5.step3_neuron",
            j=j,
            dh=grads[f"h{j}"],
            dz=grads[f"z{j}"],
            du=grads[f"u{j}"],
            dc=grads[f"c{j}"],
        )
    return grads


def main(out_dir: Path, quick: bool = False) -> Report:
    """Backpropagate by hand and by ``backward()``, print both, and draw graph and comparison."""
    heading("ch5.heading")
    report = Report("5. Backpropagation")
    nodes = build()
    loss = nodes["L"]
    say("ch5.forward", x=X, o=nodes["o"].data, y=Y, loss=loss.data)
    steps = list(backward_steps(loss))
    ops = [step for step in steps if step.op is not None]  # leaves only receive their gradient
    leaves = [step.name(step.node) for step in steps if step.op is None]
    say("ch5.engine", ops=len(ops), leaves=len(leaves), names=", ".join(leaves))
    for step in ops:
        print(f"    {step.name(step.node)} = {step.forward_text()}")
        for line in step.edge_texts():
            print(f"        {line}")
    say("ch5.by_hand")
    manual = manual_gradients()
    rows = [(name, manual[name], nodes[name].grad) for name in manual]
    max_difference = max(abs(by_hand - engine) for _, by_hand, engine in rows)
    header = (text("ch5.gradient"), text("ch5.hand"), "backward()", text("ch5.difference"))
    print(f"  {header[0]:<8} {header[1]:>20} {header[2]:>20} {header[3]:>11}")
    for name, by_hand, engine in rows:
        print(f"  dL/d{name:<4} {by_hand:20.16f} {engine:20.16f} {abs(by_hand - engine):11.1e}")
    say("ch5.largest", diff=max_difference)
    report.pictures.append(draw_comparison(rows, out_dir))
    graph, frames = draw_graph(out_dir)
    report.pictures += graph
    report.frames += frames
    report.numbers["max_difference_manual_vs_autograd"] = max_difference
    report.numbers["dL_do"] = nodes["o"].grad
    sheet = out_dir / "05-worksheet-neuron.html"
    report.worksheets.append(write_worksheet(lecture_neuron(), sheet, "ch5.worksheet"))
    return report


def draw_graph(out_dir: Path) -> tuple[list[Path], list[Path]]:
    """The graph with its gradients (``draw_dot``), and the frames of the backward pass."""
    nodes = build()  # a fresh graph: leaves of the one above already hold their gradients
    loss = nodes["L"]
    weights = [nodes[name] for name in ("u1", "c1", "u2", "c2", "w1", "w2", "b")]
    frames_dir = out_dir / "05-backward-frames"
    try:
        frames = render_backward(loss, frames_dir, format="png", rankdir="TB", params=weights)
    except DotNotFoundError as error:  # the tour goes on; the DOT text needs no Graphviz
        source = out_dir / "05-graph.dot"
        source.write_text(draw_dot(loss, "TB", params=weights).source, encoding="utf-8")
        say("ch5.no_dot", error=error, source=source)
        return [], []
    say("ch5.frames", frames=len(frames), dir=frames_dir)
    graph = out_dir / "05-graph.png"
    graph.write_bytes(draw_dot(loss, "TB", format="png", params=weights).pipe())
    say("picture", path=graph)
    return [graph], frames


def draw_comparison(rows: list[tuple[str, float, float]], out_dir: Path) -> Path:
    """The hand-derived and the engine's gradients side by side, as a bar chart and a table."""
    fig = new_figure(12, 5.6)
    bars, table_ax = fig.subplots(1, 2, width_ratios=[1.25, 1])
    names = [f"dL/d{name}" for name, *_ in rows]
    positions = range(len(rows))
    signs = [NEGATIVE if engine < 0 else POSITIVE for _, _, engine in rows]  # as in the graph
    bars.barh(  # by hand: an outline, hatched
        [p - 0.2 for p in positions],
        [r[1] for r in rows],
        height=0.4,
        color="white",
        edgecolor=signs,
        hatch="///",
    )
    bars.barh([p + 0.2 for p in positions], [r[2] for r in rows], height=0.4, color=signs)
    legend = [
        Patch(facecolor="white", edgecolor="gray", hatch="///", label=text("ch5.legend_hand")),
        Patch(facecolor="gray", label=text("ch5.legend_engine")),
        Patch(facecolor=NEGATIVE, label=text("ch5.legend_negative")),
        Patch(facecolor=POSITIVE, label=text("ch5.legend_positive")),
    ]
    # The lecture's three steps: dL/do; the output neuron (w1, w2, b); the previous layer.
    for border in (0.5, 3.5):
        bars.axhline(border, color="gray", linestyle="--", linewidth=0.8)
    for middle, key in ((0, "ch5.band1"), (2, "ch5.band2"), (5.5, "ch5.band3")):
        bars.text(
            0.98,
            middle,
            text(key),
            transform=bars.get_yaxis_transform(),
            ha="right",
            va="center",
            color="gray",
            fontstyle="italic",
        )
    bars.set_yticks(list(positions), names)
    bars.invert_yaxis()  # the output first, as backpropagation goes
    bars.axvline(0, color="black", linewidth=0.8)
    bars.set_xlabel(text("ch5.x_axis"))
    bars.set_title(text("ch5.bars_title"))
    bars.legend(handles=legend, loc="lower left", fontsize=9)
    bars.grid(axis="x", alpha=0.3)
    table_ax.axis("off")
    table = table_ax.table(
        cellText=[
            [n, f"{h:+.12f}", f"{e:+.12f}", f"{abs(h - e):.0e}"]
            for n, (_, h, e) in zip(names, rows, strict=True)
        ],
        colLabels=[
            text("ch5.gradient"),
            text("ch5.hand"),
            "backward()",
            text("ch5.abs_difference"),
        ],
        loc="center",
        cellLoc="right",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.scale(1, 1.35)
    table.auto_set_column_width(list(range(4)))
    largest = max(abs(h - e) for _, h, e in rows)
    table_ax.set_title(text("ch5.table_title", diff=largest))
    fig.suptitle(text("ch5.title"))
    return save(fig, out_dir, "05-manual-vs-autograd.png")


if __name__ == "__main__":
    run_chapter(main, "demos.backprop_neuron", "Chapter 5, Backpropagation by hand and by engine.")
