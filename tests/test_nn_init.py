"""nn.init: the scale of Kaiming and Xavier draws against torch.nn.init, and fan_in/fan_out."""

from __future__ import annotations

import math
import random
from functools import partial
from typing import Any

import pytest

from nn import init
from nn.modules import MLP, Layer, Neuron
from tests.oracle import import_torch

torch = import_torch()

FAN_IN, FAN_OUT = 7, 5


class Recorder(random.Random):
    """A generator that records the interval or spread each weight is drawn with."""

    def __init__(self) -> None:
        super().__init__(0)
        self.calls: list[tuple[str, float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.calls.append(("uniform", a, b))
        return 0.0

    def normalvariate(self, mu: float = 0.0, sigma: float = 1.0) -> float:
        self.calls.append(("normal", mu, sigma))
        return 0.0


def torch_scale(fill: Any, kind: str) -> float:
    """The bound (uniform) or std (normal) torch uses: its draw divided by the unit draw."""
    weight = torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)
    unit = torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)
    fill(weight, generator=torch.Generator().manual_seed(0))
    if kind == "uniform":
        unit.uniform_(-1.0, 1.0, generator=torch.Generator().manual_seed(0))
    else:
        unit.normal_(0.0, 1.0, generator=torch.Generator().manual_seed(0))
    mask = unit.abs() > 0.1  # away from 0, where -b + 2b*u loses digits
    ratios = (weight[mask] / unit[mask]).tolist()
    assert max(ratios) - min(ratios) <= 1e-12 * max(ratios)
    return float(sum(ratios) / len(ratios))


def our_scale(initializer: init.Initializer, activation: str) -> tuple[str, float]:
    rng = Recorder()
    initializer(rng, FAN_IN, FAN_OUT, activation)
    ((kind, a, b),) = rng.calls
    assert a == (-b if kind == "uniform" else 0.0)  # U(-b, b) or N(0, std)
    return kind, b  # the upper bound of U(-b, b), or the std of N(0, std)


nni = torch.nn.init
CASES = [
    (init.KaimingUniform(), "leaky_relu", partial(nni.kaiming_uniform_, a=0.01)),
    (init.KaimingUniform(nonlinearity="relu"), "linear", partial(nni.kaiming_uniform_)),
    (
        init.KaimingUniform(mode="fan_out"),
        "tanh",
        partial(nni.kaiming_uniform_, mode="fan_out", nonlinearity="tanh"),
    ),
    (
        init.KaimingUniform(a=0.2, nonlinearity="leaky_relu"),
        "relu",
        partial(nni.kaiming_uniform_, a=0.2),
    ),
    (init.KaimingNormal(), "relu", partial(nni.kaiming_normal_, nonlinearity="relu")),
    (
        init.KaimingNormal(mode="fan_out"),
        "sigmoid",
        partial(nni.kaiming_normal_, mode="fan_out", nonlinearity="sigmoid"),
    ),
    (init.XavierUniform(), "linear", partial(nni.xavier_uniform_)),
    (init.XavierUniform(), "tanh", partial(nni.xavier_uniform_, gain=5 / 3)),
    (init.XavierNormal(gain=0.5), "relu", partial(nni.xavier_normal_, gain=0.5)),
    (init.XavierNormal(), "relu", partial(nni.xavier_normal_, gain=math.sqrt(2))),
]


@pytest.mark.parametrize(("initializer", "activation", "fill"), CASES, ids=repr)
def test_kaiming_and_xavier_scales_equal_torch(
    initializer: init.Initializer, activation: str, fill: Any
) -> None:
    kind, scale = our_scale(initializer, activation)
    assert math.isclose(scale, torch_scale(fill, kind), rel_tol=1e-12)


@pytest.mark.parametrize(
    ("name", "param"),
    [
        ("linear", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
    ],
)
def test_calculate_gain_equals_torch(name: str, param: float | None) -> None:
    assert init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)


def test_unknown_gain_and_mode_are_refused() -> None:
    with pytest.raises(ValueError, match="no gain known for nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        init.KaimingUniform(mode="fan_avg")(random.Random(0), 2, 2, "relu")


def test_the_default_is_micrograds_uniform() -> None:
    rng = random.Random(42)
    n = Neuron(4, rng=random.Random(42))
    assert [w.data for w in n.w] == [rng.uniform(-1, 1) for _ in range(4)]


def test_layers_pass_their_fan_in_fan_out_and_activation() -> None:
    seen: list[tuple[int, int, str]] = []

    def spy(rng: random.Random, fan_in: int, fan_out: int, activation: str) -> float:
        seen.append((fan_in, fan_out, activation))
        return 0.5

    MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", init=spy, seed=0)
    assert seen == [(3, 4, "tanh")] * 12 + [(4, 2, "sigmoid")] * 8


@pytest.mark.parametrize("name", sorted(init.INITS))
def test_named_inits_build_models(name: str) -> None:
    layer = Layer(50, 40, init=name, seed=0)
    weights = [w.data for n in layer.neurons for w in n.w]
    assert len(set(weights)) == len(weights)
    assert all(n.b.data == 0.0 for n in layer.neurons)


def test_kaiming_normal_spread_is_its_std() -> None:
    layer = Layer(100, 100, init="kaiming_normal", seed=1)  # relu: std = sqrt(2 / 100)
    weights = [w.data for n in layer.neurons for w in n.w]
    std = math.sqrt(sum(w * w for w in weights) / len(weights))
    assert std == pytest.approx(math.sqrt(2 / 100), rel=0.03)


def test_unknown_init_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown init 'he'"):
        Neuron(2, init="he")


@pytest.mark.parametrize("make", [init.KaimingUniform, init.KaimingNormal])
def test_a_fan_of_zero_is_a_value_error_naming_it(make: Any) -> None:
    with pytest.raises(ValueError, match=r"mode='fan_out' needs fan_out >= 1, got 0"):
        make(mode="fan_out")(random.Random(0), 2, 0, "relu")
