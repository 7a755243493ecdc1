"""Chapter 6, training over many epochs: an MLP learns to separate two moons.

Everything so far, repeated (Epochen): feed forward, the loss over all observations, backward()
for every weight's gradient, one step of gradient descent. The network is micrograd's demo
network (2 inputs, two hidden layers of 16 ReLU neurons, one output) with its max-margin
(hinge) loss; its score's sign is the predicted class.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib import cm

import nn
from autograd import Value, no_grad
from demos.common import (
    LABEL,
    LOSS,
    NEGATIVE,
    POSITIVE,
    Report,
    colour_bar,
    heading,
    new_figure,
    on_grid,
    round_levels,
    run_chapter,
    save,
)
from demos.texts import say, text

__all__ = ["main"]

# -- settings (micrograd's demo.ipynb); quick mode trains on fewer points for fewer epochs
POINTS, EPOCHS = 100, 100
QUICK_POINTS, QUICK_EPOCHS = 50, 60
NOISE = 0.1
SEED = 1337
HIDDEN = [16, 16]
LEARNING_RATE = 1.0  # decays linearly to 0.1 over the epochs, as in micrograd's demo
L2 = 1e-4  # a small pull of every weight towards 0 (weight decay)


def main(out_dir: Path, quick: bool = False) -> Report:
    """Train the MLP with a progress bar, print its accuracy, draw boundary and curves."""
    heading("ch6.heading")
    report = Report("6. Training")
    points, epochs = (QUICK_POINTS, QUICK_EPOCHS) if quick else (POINTS, EPOCHS)
    inputs, labels = nn.datasets.make_moons(points, noise=NOISE, seed=SEED, labels=(-1, 1))
    model = nn.MLP(2, [*HIDDEN, 1], seed=SEED)  # an explicit seed: the same network every run
    config = model.config()
    say(
        "ch6.setup",
        points=points,
        nin=config["nin"],
        nouts=config["nouts"],
        activation=config["activation"],
        output=config["output_activation"],
        weights=len(model.parameters()),
        l2=L2,
    )
    optimizer = nn.SGD(model.parameters(), lr=LEARNING_RATE)
    history = nn.fit(
        model,
        inputs,
        labels,
        nn.hinge_loss,
        optimizer,
        epochs,
        l2=L2,
        lr_schedule=lambda k: LEARNING_RATE * (1.0 - 0.9 * k / epochs),
        compiled=False,  # the loop as the chapter tells it: each epoch a graph and backward()
    )
    with no_grad():  # judging the trained model needs no graph
        scores = [model(x) for x in inputs]
    accuracy = nn.train.accuracy(scores, labels)
    first = next((k for k, a in enumerate(history.accuracy) if a == 1.0), None)
    say(
        "ch6.result",
        first_loss=history.loss[0],
        last_loss=history.loss[-1],
        first_percent=100 * history.accuracy[0],
        percent=100 * accuracy,
    )
    if first is not None:
        say("ch6.first_full", epoch=first + 1)
    report.pictures.append(
        draw_boundary(model, inputs, labels, accuracy, steps=40 if quick else 100, out_dir=out_dir)
    )
    report.pictures.append(draw_curves(history, out_dir))
    report.numbers["final_accuracy"] = accuracy
    report.numbers["final_loss"] = history.loss[-1]
    report.numbers["epochs"] = epochs
    return report


def score_of(model: nn.MLP, x: list[float]) -> float:
    """The model's one output for input ``x``: its sign is the predicted class."""
    out = model(x)
    assert isinstance(out, Value), "the tour's MLP ends in one neuron"
    return out.data


def draw_boundary(
    model: nn.MLP,
    inputs: list[list[float]],
    labels: list[int],
    accuracy: float,
    *,
    steps: int,
    out_dir: Path,
) -> Path:
    """The model's score over the plane, its zero line (the decision boundary), and the data."""
    xs, ys = np.array(inputs)[:, 0], np.array(inputs)[:, 1]
    g1, g2 = np.meshgrid(
        np.linspace(xs.min() - 0.5, xs.max() + 0.5, steps),
        np.linspace(ys.min() - 0.5, ys.max() + 0.5, steps),
    )
    with no_grad():
        score = on_grid(lambda a, b: score_of(model, [a, b]), g1, g2)
    fig = new_figure(7.5, 6)
    ax = fig.subplots()
    limit = float(np.abs(score).max())
    # blue below 0, red above, as everywhere in the tour (and white at the boundary)
    filled = ax.contourf(
        g1, g2, score, levels=round_levels(-limit, limit), cmap=cm.RdBu_r, alpha=0.6
    )
    ax.contour(g1, g2, score, levels=[0.0], colors="black", linewidths=2)
    colour_bar(fig, filled, ax, text("ch6.colour_bar"))
    classes = np.array(labels)
    for cls, colour, marker in ((-1, NEGATIVE, "o"), (1, POSITIVE, "s")):
        ax.scatter(
            xs[classes == cls],
            ys[classes == cls],
            c=colour,
            marker=marker,
            s=30,
            edgecolors="black",
            linewidths=0.6,
            label=text("ch6.class", cls=cls),
        )
    ax.plot([], [], color="black", linewidth=2, label=text("ch6.boundary"))
    ax.set_xlabel(text("ch6.x1"))
    ax.set_ylabel(text("ch6.x2"))
    ax.set_title(text("ch6.boundary_title", percent=100 * accuracy, points=len(inputs)))
    ax.legend(loc="upper right", fontsize=9)
    return save(fig, out_dir, "06-decision-boundary.png")


def draw_curves(history: nn.History, out_dir: Path) -> Path:
    """Loss and training accuracy after every epoch."""
    fig = new_figure(11, 4)
    loss_ax, acc_ax = fig.subplots(1, 2)
    epochs = range(1, len(history.loss) + 1)
    loss_ax.plot(epochs, history.loss, color=LOSS)
    loss_ax.set_yscale("log")
    loss_ax.set_xlabel(text("ch6.epoch"))
    loss_ax.set_ylabel(text("ch6.loss_axis"))
    loss_ax.set_title(text("ch6.loss_title"))
    loss_ax.grid(alpha=0.3)
    acc_ax.plot(epochs, [100 * a for a in history.accuracy], color=LABEL)
    acc_ax.axhline(100, color="gray", linestyle="--", linewidth=0.8)
    acc_ax.set_ylim(0, 105)
    acc_ax.set_xlabel(text("ch6.epoch"))
    acc_ax.set_ylabel(text("ch6.accuracy_axis"))
    acc_ax.set_title(text("ch6.accuracy_title"))
    acc_ax.grid(alpha=0.3)
    fig.suptitle(text("ch6.title"))
    return save(fig, out_dir, "06-training-curves.png")


if __name__ == "__main__":
    run_chapter(main, "demos.training", "Chapter 6, Training: an MLP over many epochs.")
