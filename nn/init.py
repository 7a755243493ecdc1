"""Weight initialisers: micrograd's U(-1, 1), and Kaiming and Xavier as in ``torch.nn.init``.

An initialiser draws one weight at a time: ``init(rng, fan_in, fan_out, activation) -> float``.
``fan_in`` is the number of inputs of a neuron, ``fan_out`` the number of neurons in its layer
(torch's ``Linear(fan_in, fan_out)``). Formulas: He et al. 2015 and Glorot & Bengio 2010, as in
https://pytorch.org/docs/stable/nn.init.html. Biases start at 0, as in micrograd.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "INITS",
    "Initializer",
    "KaimingNormal",
    "KaimingUniform",
    "Uniform",
    "XavierNormal",
    "XavierUniform",
    "calculate_gain",
    "kaiming_std",
    "resolve",
    "xavier_std",
]

Initializer = Callable[[random.Random, int, int, str], float]

LEAKY_RELU_SLOPE = 0.01  # torch.nn.LeakyReLU's default, used by nn's "leaky_relu" activation


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for an activation (``torch.nn.init.calculate_gain``).

    >>> calculate_gain("tanh")
    1.6666666666666667
    """
    if nonlinearity in ("linear", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = LEAKY_RELU_SLOPE if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    raise ValueError(
        f"no gain known for nonlinearity {nonlinearity!r}; "
        "use 'linear', 'sigmoid', 'tanh', 'relu' or 'leaky_relu'"
    )


def _fan(fan_in: int, fan_out: int, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan = fan_in if mode == "fan_in" else fan_out
    if fan < 1:  # std = gain / sqrt(fan) would divide by zero
        raise ValueError(f"Kaiming init with mode={mode!r} needs {mode} >= 1, got {fan}")
    return fan


def kaiming_std(fan: int, gain: float) -> float:
    """He et al.: std = gain / sqrt(fan) (the uniform bound is sqrt(3) times this)."""
    return gain / math.sqrt(fan)


def xavier_std(fan_in: int, fan_out: int, gain: float = 1.0) -> float:
    """Glorot & Bengio: std = gain * sqrt(2 / (fan_in + fan_out))."""
    return gain * math.sqrt(2.0 / float(fan_in + fan_out))


def _kaiming_gain(a: float, nonlinearity: str | None, activation: str) -> float:
    # None: the neuron's own activation, with the slope nn's leaky_relu really uses.
    if nonlinearity is None:
        nonlinearity = activation
        if activation == "leaky_relu" and a == 0.0:
            a = LEAKY_RELU_SLOPE
    return calculate_gain(nonlinearity, a)


@dataclass(frozen=True)
class Uniform:
    """U(a, b): micrograd's default is U(-1, 1) (``random.uniform(-1, 1)``)."""

    a: float = -1.0
    b: float = 1.0

    def __call__(self, rng: random.Random, fan_in: int, fan_out: int, activation: str) -> float:
        """Draw one weight."""
        return rng.uniform(self.a, self.b)


@dataclass(frozen=True)
class KaimingUniform:
    """U(-bound, bound), bound = sqrt(3) * gain / sqrt(fan) (``kaiming_uniform_``).

    ``nonlinearity=None`` takes the gain of the neuron's own activation.
    """

    a: float = 0.0
    mode: str = "fan_in"
    nonlinearity: str | None = None

    def __call__(self, rng: random.Random, fan_in: int, fan_out: int, activation: str) -> float:
        """Draw one weight."""
        gain = _kaiming_gain(self.a, self.nonlinearity, activation)
        bound = math.sqrt(3.0) * kaiming_std(_fan(fan_in, fan_out, self.mode), gain)
        return rng.uniform(-bound, bound)


@dataclass(frozen=True)
class KaimingNormal:
    """N(0, std**2), std = gain / sqrt(fan) (``kaiming_normal_``)."""

    a: float = 0.0
    mode: str = "fan_in"
    nonlinearity: str | None = None

    def __call__(self, rng: random.Random, fan_in: int, fan_out: int, activation: str) -> float:
        """Draw one weight."""
        gain = _kaiming_gain(self.a, self.nonlinearity, activation)
        return rng.normalvariate(0.0, kaiming_std(_fan(fan_in, fan_out, self.mode), gain))


@dataclass(frozen=True)
class XavierUniform:
    """U(-a, a), a = sqrt(3) * gain * sqrt(2 / (fan_in + fan_out)) (``xavier_uniform_``).

    ``gain=None`` takes the gain of the neuron's own activation.
    """

    gain: float | None = None

    def __call__(self, rng: random.Random, fan_in: int, fan_out: int, activation: str) -> float:
        """Draw one weight."""
        gain = calculate_gain(activation) if self.gain is None else self.gain
        bound = math.sqrt(3.0) * xavier_std(fan_in, fan_out, gain)
        return rng.uniform(-bound, bound)


@dataclass(frozen=True)
class XavierNormal:
    """N(0, std**2), std = gain * sqrt(2 / (fan_in + fan_out)) (``xavier_normal_``)."""

    gain: float | None = None

    def __call__(self, rng: random.Random, fan_in: int, fan_out: int, activation: str) -> float:
        """Draw one weight."""
        gain = calculate_gain(activation) if self.gain is None else self.gain
        return rng.normalvariate(0.0, xavier_std(fan_in, fan_out, gain))


INITS: dict[str, Initializer] = {
    "uniform": Uniform(),
    "kaiming_uniform": KaimingUniform(),
    "kaiming_normal": KaimingNormal(),
    "xavier_uniform": XavierUniform(),
    "xavier_normal": XavierNormal(),
}


def resolve(init: str | Initializer) -> Initializer:
    """The initialiser called ``init`` (a key of ``INITS``), or ``init`` itself if callable.

    >>> resolve("kaiming_uniform")
    KaimingUniform(a=0.0, mode='fan_in', nonlinearity=None)
    """
    if callable(init):
        return init
    if init in INITS:
        return INITS[init]
    raise ValueError(f"unknown init {init!r}; use one of {sorted(INITS)} or a callable")
