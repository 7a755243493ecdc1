"""The engines under test, loaded by name, each with its Value type and a way to build W1's MLP."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.data import initial_weights
from benchmarks.mlp import ReferenceMLP

__all__ = [
    "ENGINES",
    "Engine",
    "EngineUnavailableError",
    "default_weights",
    "load_engine",
    "load_value_type",
]

Weights = list[list[tuple[list[float], float]]]


class EngineUnavailableError(RuntimeError):
    """The engine (or its nn package) cannot be imported here; the message says why."""


@dataclass(frozen=True)
class Engine:
    """A Value type and a model factory: ``make_model(weights)`` returns an MLP(2, [16, 16, 1]).

    ``total`` is the sum W1's loss takes of the losses and of the squared weights: Python's
    ``sum`` (a chain of + nodes) or ``autograd.sum`` (one node).
    """

    name: str
    value_type: Any
    make_model: Callable[[Weights], Any]
    total: Callable[..., Any] = builtins.sum


def _set_weights(model: Any, weights: Weights) -> Any:
    """Overwrite a freshly built model's parameters, taken in micrograd's order (w's, then b)."""
    flat = [p for layer in weights for w, b in layer for p in (*w, b)]
    params = model.parameters()
    if len(params) != len(flat):
        raise EngineUnavailableError(
            f"{type(model).__name__} has {len(params)} parameters, expected {len(flat)} "
            "for MLP(2, [16, 16, 1])"
        )
    for p, x in zip(params, flat, strict=True):
        p.data = x
    return model


def _micrograd() -> Engine:
    try:
        from micrograd.engine import Value  # type: ignore[import-untyped]  # noqa: PLC0415
        from micrograd.nn import MLP  # type: ignore[import-untyped]  # noqa: PLC0415
    except ImportError as e:
        raise EngineUnavailableError(
            f"micrograd is not installed ({e}): pip install -e '.[bench]'"
        ) from None

    def make(weights: Weights) -> Any:
        sizes = [len(layer) for layer in weights]
        return _set_weights(MLP(len(weights[0][0][0]), sizes), weights)

    return Engine("micrograd", Value, make)


def _ours() -> Engine:
    from autograd import Value  # noqa: PLC0415 (import only the engine asked for)

    try:
        from nn import MLP  # noqa: PLC0415
    except ImportError:
        raise EngineUnavailableError("pending nn: nn.MLP is not there yet") from None

    def make(weights: Weights) -> Any:
        sizes = [len(layer) for layer in weights]
        return _set_weights(MLP(len(weights[0][0][0]), sizes), weights)

    return Engine("ours", Value, make)


def _ours_fused() -> Engine:
    import autograd  # noqa: PLC0415
    from nn import MLP  # noqa: PLC0415

    if not hasattr(autograd, "sum"):
        raise EngineUnavailableError("autograd.sum and graph='fused' are not there yet")

    def make(weights: Weights) -> Any:
        sizes = [len(layer) for layer in weights]
        model = MLP(len(weights[0][0][0]), sizes, graph="fused")  # a node per neuron
        return _set_weights(model, weights)

    return Engine("ours-fused", autograd.Value, make, autograd.sum)


def _ours_engine() -> Engine:
    from autograd import Value  # noqa: PLC0415

    return Engine("ours-engine", Value, lambda weights: ReferenceMLP(Value, weights))


ENGINES: dict[str, Callable[[], Engine]] = {
    "micrograd": _micrograd,  # micrograd.engine.Value + micrograd.nn.MLP
    "ours": _ours,  # autograd.Value + nn.MLP
    "ours-fused": _ours_fused,  # autograd.Value + nn.MLP(graph="fused") + autograd.sum
    "ours-engine": _ours_engine,  # autograd.Value + micrograd's nn code (benchmarks/mlp.py)
}


def load_engine(name: str) -> Engine:
    """The engine called ``name`` (a key of ``ENGINES``); EngineUnavailableError if missing."""
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; choose one of {sorted(ENGINES)}")
    return ENGINES[name]()


def load_value_type(name: str) -> Any:
    """Just the Value type of ``name``: every 'ours...' engine means autograd.Value."""
    if name.startswith("ours"):
        return _ours_engine().value_type
    return load_engine(name).value_type


def default_weights() -> Weights:
    """W1's starting weights, the same for every engine."""
    return initial_weights(2, (16, 16, 1))
