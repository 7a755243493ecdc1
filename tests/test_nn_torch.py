"""nn.torch_export: to_torch() gives a float64 torch model with the same weights and outputs."""

from __future__ import annotations

import math
import random
import sys

import pytest

import nn
from nn.modules import MLP, Layer, Neuron
from tests.oracle import import_torch

torch = import_torch()

ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu", "linear"]


def inputs(n: int, nin: int) -> list[list[float]]:
    rng = random.Random(n)
    return [[rng.uniform(-2.0, 2.0) for _ in range(nin)] for _ in range(n)]


def outputs(module: nn.Module, x: list[float]) -> list[float]:
    out = module(x)
    return [v.data for v in out] if isinstance(out, list) else [out.data]


def assert_same_outputs(module: nn.Module, nin: int) -> None:
    exported = module.to_torch()
    xs = inputs(8, nin)
    with torch.no_grad():
        theirs = exported(torch.tensor(xs, dtype=torch.float64)).tolist()
    for x, row in zip(xs, theirs, strict=True):
        ours = outputs(module, x)
        assert len(ours) == len(row)
        for a, b in zip(ours, row, strict=True):  # torch sums in its own order
            assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (a, b)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_mlp_outputs_equal_torch(activation: str) -> None:
    model = MLP(3, [8, 8, 2], activation=activation, output_activation="sigmoid", seed=4)
    assert_same_outputs(model, 3)


def test_micrograds_demo_network_exports() -> None:
    assert_same_outputs(MLP(2, [16, 16, 1], seed=1337), 2)


def test_layers_and_neurons_export() -> None:
    assert_same_outputs(Layer(3, 4, activation="tanh", init="xavier_normal", seed=1), 3)
    assert_same_outputs(Neuron(5, activation="leaky_relu", seed=2), 5)


def test_the_export_is_float64_with_the_same_weights() -> None:
    model = MLP(2, [3, 1], seed=0)
    exported = model.to_torch()
    params = list(exported.parameters())
    assert all(p.dtype == torch.float64 for p in params)
    first = exported[0]
    assert first.weight.tolist() == [[w.data for w in n.w] for n in model.layers[0].neurons]
    assert first.bias.tolist() == [n.b.data for n in model.layers[0].neurons]
    assert sum(p.numel() for p in params) == len(model.parameters())


def test_the_export_trains_like_the_original() -> None:
    model = MLP(2, [4, 1], seed=3)
    exported = model.to_torch()
    x = [0.5, -1.5]
    model(x).backward()  # type: ignore[union-attr]
    exported(torch.tensor([x], dtype=torch.float64)).sum().backward()
    ours = [n.w[0].grad for n in model.layers[0].neurons]
    theirs = exported[0].weight.grad[:, 0].tolist()
    assert len(ours) == len(theirs) == 4
    for a, b in zip(ours, theirs, strict=True):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


def test_missing_torch_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    with pytest.raises(ImportError, match="pip install torch"):
        Neuron(2, seed=0).to_torch()
