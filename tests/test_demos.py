"""The lecture tour's chapters 2-5: their numbers agree with PyTorch float64."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from demos import backprop_neuron, fehlerberg, gradientenabstieg, loss_funktion
from tests.oracle import import_torch, same

torch = import_torch()

PNG = b"\x89PNG\r\n\x1a\n"
SEED_LABELS = [1, 1, 2, 2, 3, 3]  # the seeds' table (003_...txt)
SEED_PREDICTIONS = ([1, 2, 2, 1, 2, 3], [1, 1, 2, 2, 3, 1])


def torch_sum_of_errors(w1: float, w2: float, squared: bool) -> tuple[float, float, float]:
    """The loss of chapters 2-4 and its gradient in (w1, w2), from PyTorch float64."""
    w = torch.tensor([w1, w2], dtype=torch.float64, requires_grad=True)
    x = torch.tensor(loss_funktion.FEATURES, dtype=torch.float64)
    y = torch.tensor(loss_funktion.LABELS, dtype=torch.float64)
    error = y - x @ w
    loss = (error**2).sum() if squared else error.abs().sum()
    loss.backward()
    assert w.grad is not None
    return loss.item(), w.grad[0].item(), w.grad[1].item()


@pytest.mark.parametrize("w", [(0.0, 0.5), (0.3, -0.7), (2.2, 1.9), (1.0, 0.5)])
def test_loss_of_the_tiny_model_matches_torch(w: tuple[float, float]) -> None:
    assert same(loss_funktion.sum_of_errors(*w).data, torch_sum_of_errors(*w, False)[0])
    assert same(fehlerberg.sum_of_squared_errors(*w).data, torch_sum_of_errors(*w, True)[0])


def test_fehlerberg_grid_holds_the_losses() -> None:
    w1, w2, height = fehlerberg.loss_grid(fehlerberg.sum_of_squared_errors, 5)
    for i in range(5):
        for j in range(5):
            expected = torch_sum_of_errors(float(w1[i, j]), float(w2[i, j]), True)[0]
            assert same(float(height[i, j]), expected)


@pytest.mark.parametrize("w", [(-0.3, 1.8), (2.3, 1.5), (0.25, 0.75)])
def test_gradient_arrows_come_from_backward_and_match_torch(w: tuple[float, float]) -> None:
    _, g1, g2 = torch_sum_of_errors(*w, True)
    ours = gradientenabstieg.gradient(*w)
    assert same(ours[0], g1)
    assert same(ours[1], g2)


def test_gradient_descent_path_matches_torch() -> None:
    rate, steps = gradientenabstieg.GOOD_RATE, 10
    path = gradientenabstieg.descend((-0.3, 1.8), rate, steps)
    w = [-0.3, 1.8]
    for k in range(steps):
        loss, g1, g2 = torch_sum_of_errors(w[0], w[1], True)
        assert same(path[k][2], loss, rel=1e-10)
        w = [w[0] - rate * g1, w[1] - rate * g2]
    assert math.isclose(path[-1][0], w[0], rel_tol=1e-10)
    assert math.isclose(path[-1][1], w[1], rel_tol=1e-10)


def torch_neuron_gradients() -> dict[str, float]:
    """Chapter 5's network in PyTorch float64: the reference for both hand and engine."""
    m = backprop_neuron
    leaf = {
        name: torch.tensor(v, dtype=torch.float64, requires_grad=True)
        for name, v in {
            "u1": m.HIDDEN_WEIGHTS[0], "u2": m.HIDDEN_WEIGHTS[1],
            "c1": m.HIDDEN_BIASES[0], "c2": m.HIDDEN_BIASES[1],
            "w1": m.OUTPUT_WEIGHTS[0], "w2": m.OUTPUT_WEIGHTS[1], "b": m.OUTPUT_BIAS,
        }.items()
    }  # fmt: skip
    inner = {}
    for j in (1, 2):
        inner[f"z{j}"] = leaf[f"u{j}"] * m.X + leaf[f"c{j}"]
        inner[f"h{j}"] = torch.tanh(inner[f"z{j}"])
    inner["o"] = leaf["w1"] * inner["h1"] + leaf["w2"] * inner["h2"] + leaf["b"]
    for node in inner.values():
        node.retain_grad()
    ((inner["o"] - m.Y) ** 2).backward()
    return {name: t.grad.item() for name, t in {**leaf, **inner}.items() if t.grad is not None}


def test_manual_derivation_and_engine_agree_with_torch() -> None:
    reference = torch_neuron_gradients()
    manual = backprop_neuron.manual_gradients(verbose=False)
    nodes = backprop_neuron.build()
    nodes["L"].backward()
    assert set(manual) == set(reference)
    for name, expected in reference.items():
        assert same(manual[name], expected), name
        assert same(nodes[name].grad, expected), name


def test_a_chapter_runs_alone_from_the_command_line(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "demos.fehlerberg", "--out", str(tmp_path), "--quick"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    assert "Fehlerberg" in run.stdout
    assert (tmp_path / "03-fehlerberg-3d.png").read_bytes().startswith(PNG)
    assert (tmp_path / "03-fehlerberg-contour.png").read_bytes().startswith(PNG)
