"""micrograd's ``nn.py`` (MLP, Layer, Neuron), line for line, for any Value class.

With it the same model code runs on micrograd's Value and on ours, so W1 can separate the
engine's cost from the cost of our ``nn`` package.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ReferenceMLP"]


class ReferenceNeuron:
    """micrograd's Neuron: ``relu(b + sum(w_i * x_i))``, linear in the last layer."""

    def __init__(self, value_type: Any, w: list[float], b: float, nonlin: bool) -> None:
        self.w = [value_type(wi) for wi in w]
        self.b = value_type(b)
        self.nonlin = nonlin

    def __call__(self, x: list[Any]) -> Any:
        act = sum((wi * xi for wi, xi in zip(self.w, x, strict=True)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Any]:
        return [*self.w, self.b]


class ReferenceLayer:
    """micrograd's Layer: a list of neurons; a one-neuron layer returns a scalar."""

    def __init__(self, value_type: Any, neurons: list[tuple[list[float], float]], nonlin: bool):
        self.neurons = [ReferenceNeuron(value_type, w, b, nonlin) for w, b in neurons]

    def __call__(self, x: list[Any]) -> Any:
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Any]:
        return [p for n in self.neurons for p in n.parameters()]


class ReferenceMLP:
    """micrograd's MLP built from given weights (``data.initial_weights``) on ``value_type``."""

    def __init__(self, value_type: Any, weights: list[list[tuple[list[float], float]]]) -> None:
        last = len(weights) - 1
        self.layers = [ReferenceLayer(value_type, w, i != last) for i, w in enumerate(weights)]

    def __call__(self, x: list[Any]) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Any]:
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0
