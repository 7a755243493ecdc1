"""nn.modules: micrograd's Neuron, Layer and MLP, their names, state dicts, seeds and scopes."""

from __future__ import annotations

import importlib
import math
import random

import pytest

import nn
from autograd import Value, named_scope, record_scopes, topological_order
from nn import modules
from nn.init import KaimingUniform
from nn.modules import MLP, Layer, Neuron, from_config


def test_all_lists_the_public_names() -> None:
    public = {name for name in dir(nn) if not name.startswith("_")}
    submodules = {
        "datasets",
        "files",
        "init",
        "losses",
        "modules",
        "optim",
        "torch_export",
        "train",
    }
    assert set(nn.__all__) == public - submodules | {"datasets", "init", "optim"}


@pytest.mark.parametrize(
    "name", ["datasets", "files", "init", "losses", "modules", "optim", "torch_export", "train"]
)
def test_each_module_lists_its_public_functions_and_classes(name: str) -> None:
    module = importlib.import_module(f"nn.{name}")
    defined = {
        key
        for key, value in vars(module).items()
        if not key.startswith("_") and getattr(value, "__module__", None) == module.__name__
    }
    assert defined <= set(module.__all__)
    assert all(hasattr(module, key) for key in module.__all__)


def test_mlp_draws_micrograds_weights_and_builds_its_graph() -> None:
    micrograd_nn = pytest.importorskip("micrograd.nn")
    state = random.getstate()
    try:
        random.seed(1337)
        theirs = micrograd_nn.MLP(2, [16, 16, 1])
    finally:
        random.setstate(state)
    ours = MLP(2, [16, 16, 1], seed=1337)
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert repr(ours) == repr(theirs)
    x = [0.3, -1.2]
    out, their_out = ours(x), theirs(x)
    assert out.data == their_out.data
    out.backward()
    their_out.backward()
    # micrograd's set of parents sums a shared node's contributions in another order
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert p.grad == pytest.approx(q.grad, rel=1e-12, abs=1e-300)


def test_neuron_computes_bias_plus_weighted_sum_in_micrograds_order() -> None:
    n = Neuron(3, nonlin=False, seed=4)
    x = [0.5, -2.0, 3.0]
    out = n(x)
    expected = ((n.b.data + n.w[0].data * 0.5) + n.w[1].data * -2.0) + n.w[2].data * 3.0
    assert out.data == expected
    node = out  # ((b + w0*x0) + w1*x1) + w2*x2: walk the chain of sums back to b
    for i in (2, 1, 0):
        assert node._op == "+"
        total, product = node._prev
        assert product._op == "*"
        assert product._prev[0] is n.w[i]
        assert product._prev[1].data == x[i]
        node = total
    assert node is n.b


@pytest.mark.parametrize(
    ("activation", "fn"),
    [
        ("relu", lambda z: max(0.0, z)),
        ("tanh", math.tanh),
        ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
        ("leaky_relu", lambda z: z if z > 0 else 0.01 * z),
        ("linear", lambda z: z),
    ],
)
def test_neuron_applies_its_activation(activation: str, fn: object) -> None:
    n = Neuron(2, activation=activation, seed=0)
    n.load_state_dict({"w.0": 1.5, "w.1": -2.0, "b": 0.25})
    for x in ([1.0, 2.0], [1.0, -1.0]):
        z = 0.25 + 1.5 * x[0] + -2.0 * x[1]
        assert n(x).data == pytest.approx(fn(z), rel=1e-15)  # type: ignore[operator]


def test_nonlin_false_makes_a_linear_neuron_as_in_micrograd() -> None:
    n = Neuron(2, nonlin=False, activation="tanh", seed=0)
    assert n.activation == "linear"
    assert not n.nonlin
    assert repr(n) == "LinearNeuron(2)"


def test_unknown_activation_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        Neuron(2, activation="gelu")


def test_mlp_uses_activation_for_hidden_layers_and_output_activation_last() -> None:
    model = MLP(2, [3, 3, 2], activation="tanh", output_activation="sigmoid", seed=0)
    assert [layer.neurons[0].activation for layer in model.layers] == ["tanh", "tanh", "sigmoid"]


def test_width_one_gives_a_value_and_wider_a_list() -> None:
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(out, list)
    assert len(out) == 2
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), Value)


def test_a_hidden_layer_of_width_one_still_feeds_the_next_layer() -> None:
    out = MLP(2, [1, 3], seed=0)([1.0, 2.0])
    assert isinstance(out, list)
    assert len(out) == 3


def test_inputs_may_be_values_or_numbers_alike() -> None:
    model = MLP(2, [4, 1], seed=5)
    x = Value(0.5)
    assert model([x, 2]).data == model([0.5, 2.0]).data
    model([x, 2]).backward()
    assert x.grad != 0.0


def test_wrong_number_of_inputs_is_refused() -> None:
    with pytest.raises(ValueError, match="takes 2 inputs, got 3"):
        MLP(2, [3, 1], seed=0)([1.0, 2.0, 3.0])


@pytest.mark.parametrize("nouts", [[], 3, [2, 0], [2, -1], [2.5]])
def test_bad_layer_widths_are_refused(nouts: object) -> None:
    with pytest.raises(ValueError, match=r"nouts|width|nout"):
        MLP(2, nouts, seed=0)  # type: ignore[arg-type]


def test_same_seed_same_weights_other_seed_other_weights() -> None:
    assert MLP(2, [4, 1], seed=7).state_dict() == MLP(2, [4, 1], seed=7).state_dict()
    assert MLP(2, [4, 1], seed=7).state_dict() != MLP(2, [4, 1], seed=8).state_dict()


def test_a_seeded_model_leaves_the_global_random_state_alone() -> None:
    state = random.getstate()
    MLP(2, [16, 16, 1], seed=3)
    Neuron(3, rng=random.Random(1))
    assert random.getstate() == state


def test_without_a_seed_weights_come_from_the_global_random_as_in_micrograd() -> None:
    random.seed(21)
    expected = [random.uniform(-1, 1) for _ in range(3)]
    random.seed(21)
    assert [w.data for w in Neuron(3).w] == expected


def test_an_rng_can_be_shared_between_modules() -> None:
    rng = random.Random(11)
    a, b = Neuron(3, rng=rng), Neuron(3, rng=rng)
    again = random.Random(11)
    expected = [again.uniform(-1, 1) for _ in range(6)]
    assert [p.data for p in a.w + b.w] == expected


def test_seed_and_rng_together_are_refused() -> None:
    with pytest.raises(ValueError, match="seed or rng"):
        Neuron(2, seed=1, rng=random.Random(1))


def test_biases_start_at_zero_and_weights_in_minus_one_one() -> None:
    model = MLP(3, [8, 1], seed=2)
    for name, p in model.named_parameters():
        if name.endswith(".b"):
            assert p.data == 0.0
        else:
            assert -1.0 <= p.data <= 1.0


def test_named_parameters_are_stable_dotted_paths_in_parameter_order() -> None:
    model = MLP(2, [3, 1], seed=0)
    named = model.named_parameters()
    names = [name for name, _ in named]
    assert names[:4] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert names[-1] == "layers.1.neurons.0.b"
    assert len(set(names)) == len(names) == 3 * 3 + 4
    assert [p for _, p in named] == model.parameters()
    assert all(a is b for (_, a), b in zip(named, model.parameters(), strict=True))


def test_zero_grad_clears_every_parameter() -> None:
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_state_dict_round_trip_is_exact() -> None:
    source, target = MLP(2, [4, 1], seed=1), MLP(2, [4, 1], seed=2)
    target.load_state_dict(source.state_dict())
    assert target.state_dict() == source.state_dict()
    assert target([0.1, 0.2]).data == source([0.1, 0.2]).data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.pop("layers.0.neurons.0.b"), "missing 'layers.0.neurons.0.b'"),
        (lambda s: s.update({"layers.0.neurons.0.w.2": 1.0}), "unexpected 'layers.0.neurons.0.w"),
        (lambda s: s.update({"layers.1.neurons.0.b": "1.0"}), "must be a number"),
        (lambda s: s.update({"layers.1.neurons.0.b": None}), "must be a number"),
        (lambda s: s.update({"layers.1.neurons.0.b": True}), "must be a number"),
    ],
)
def test_bad_state_dict_raises_and_changes_nothing(change: object, message: str) -> None:
    model = MLP(2, [4, 1], seed=1)
    before = model.state_dict()
    state = {name: value + 1.0 for name, value in before.items()}
    change(state)  # type: ignore[operator]
    with pytest.raises(ValueError, match=message):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_state_of_another_architecture_is_refused() -> None:
    model = MLP(2, [4, 1], seed=1)
    before = model.state_dict()
    with pytest.raises(ValueError, match="another shape"):
        model.load_state_dict(MLP(3, [4, 1], seed=1).state_dict())
    assert model.state_dict() == before


def test_scopes_tag_nodes_with_layer_and_neuron_inside_record_scopes() -> None:
    model = MLP(2, [3, 1], seed=0)
    with record_scopes():
        out = model([1.0, 2.0])
    scopes = {v.scope for v in topological_order(out) if v.grad_fn is not None}
    assert scopes == {f"layers.0.neurons.{j}" for j in range(3)} | {"layers.1.neurons.0"}


def test_scopes_nest_under_the_callers_scope() -> None:
    with record_scopes(), named_scope("model"):
        out = Layer(2, 2, seed=0)([1.0, 2.0])
    assert isinstance(out, list)
    assert out[1].scope == "model.neurons.1"


def test_without_record_scopes_no_scope_is_entered(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(name: str) -> None:
        raise AssertionError(f"named_scope({name!r}) entered on the hot path")

    monkeypatch.setattr(modules, "named_scope", refuse)
    out = MLP(2, [3, 1], seed=0)([1.0, 2.0])
    assert isinstance(out, Value)
    assert out.scope == ""


@pytest.mark.parametrize(
    "module",
    [
        Neuron(3, activation="tanh", seed=0),
        Layer(3, 2, activation="sigmoid", seed=0),
        MLP(2, [5, 3, 1], activation="leaky_relu", output_activation="tanh", seed=0),
    ],
    ids=repr,
)
def test_from_config_rebuilds_the_architecture(module: nn.Module) -> None:
    rebuilt = from_config(module.config())
    assert type(rebuilt) is type(module)
    assert repr(rebuilt) == repr(module)
    assert rebuilt.config() == module.config()
    assert rebuilt.state_dict().keys() == module.state_dict().keys()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ([], "JSON object"),
        ({"type": "CNN"}, "unknown module type"),
        ({"type": "Neuron", "nin": 2}, "fields"),
        ({"type": "Neuron", "nin": "2", "activation": "relu"}, "nin must be a positive int"),
        ({"type": "Neuron", "nin": 2, "activation": 1}, "activation"),
        ({"type": "Layer", "nin": 2, "nout": 0, "activation": "relu"}, "nout"),
        (
            {"type": "MLP", "nin": 2, "nouts": [2, "x"], "activation": "relu"}
            | {"output_activation": "linear"},
            "width",
        ),
    ],
)
def test_bad_configs_are_refused(config: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        from_config(config)


@pytest.mark.parametrize("fan_out", [0, -1, 1.5, True])
@pytest.mark.parametrize("init", ["uniform", "kaiming_uniform", KaimingUniform(mode="fan_out")])
def test_a_neuron_refuses_a_fan_out_that_is_not_a_width(fan_out: object, init: object) -> None:
    with pytest.raises(ValueError, match=r"fan_out \(the width of the neuron's layer\) must be"):
        Neuron(2, init=init, fan_out=fan_out)  # type: ignore[arg-type]
