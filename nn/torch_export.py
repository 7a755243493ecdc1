"""Export to PyTorch: the same network as a float64 ``torch.nn.Sequential`` of Linear layers.

The road for users who outgrow a scalar engine: the exported model runs batched, on GPUs and
across machines. torch is optional; it is imported only when ``to_torch`` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nn.modules import MLP, Layer, Module, Neuron

if TYPE_CHECKING:
    import torch

__all__ = ["to_torch"]


def _layers(module: Module) -> list[list[Neuron]]:
    if isinstance(module, MLP):
        return [layer.neurons for layer in module.layers]
    if isinstance(module, Layer):
        return [module.neurons]
    if isinstance(module, Neuron):
        return [[module]]
    raise TypeError(f"to_torch knows Neuron, Layer and MLP, not {type(module).__name__}")


def to_torch(module: Module) -> torch.nn.Sequential:
    """A float64 ``torch.nn.Sequential`` computing what ``module`` computes, with its weights.

    Each layer becomes ``Linear(nin, nout)`` (row j of the weight holds neuron j's ``w``)
    followed by its activation. Inputs are tensors of shape ``(batch, nin)``; outputs have
    shape ``(batch, nout)``, also for width 1.
    """
    try:
        import torch  # noqa: PLC0415 (optional dependency, imported on first use)
    except ImportError:
        raise ImportError(
            "to_torch() needs PyTorch, which fehlerberg does not install: pip install torch"
        ) from None
    activations = {
        "relu": torch.nn.ReLU,
        "tanh": torch.nn.Tanh,
        "sigmoid": torch.nn.Sigmoid,
        "leaky_relu": torch.nn.LeakyReLU,  # default slope 0.01, as nn's leaky_relu
    }
    parts: list[torch.nn.Module] = []
    for neurons in _layers(module):
        linear = torch.nn.Linear(len(neurons[0].w), len(neurons), dtype=torch.float64)
        with torch.no_grad():
            weight = [[w.data for w in n.w] for n in neurons]
            linear.weight.copy_(torch.tensor(weight, dtype=torch.float64))
            linear.bias.copy_(torch.tensor([n.b.data for n in neurons], dtype=torch.float64))
        parts.append(linear)
        activation = neurons[0].activation
        if activation != "linear":
            parts.append(activations[activation]())
    return torch.nn.Sequential(*parts)
