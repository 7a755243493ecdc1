"""nn.files: exact save/load round trips, atomic writes, and every kind of bad file."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import nn
from nn import files
from nn.modules import MLP, Layer, Neuron


def awkward_model() -> MLP:
    """A model whose weights need all 17 digits, with a subnormal, -0.0 and huge values."""
    model = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=9)
    state = model.state_dict()
    names = list(state)
    state[names[0]] = 0.1 + 0.2
    state[names[1]] = 5e-324
    state[names[2]] = -0.0
    state[names[3]] = 1.7976931348623157e308
    state[names[4]] = 1 / 3
    model.load_state_dict(state)
    return model


def same_bits(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(
        math.copysign(1.0, a[k]) == math.copysign(1.0, b[k]) and a[k] == b[k] for k in a
    )


def test_round_trip_is_exact(tmp_path: Path) -> None:
    model = awkward_model()
    path = tmp_path / "model.json"
    nn.save(model, path)
    loaded = nn.load(path)
    assert type(loaded) is MLP
    assert loaded.config() == model.config()
    assert same_bits(loaded.state_dict(), model.state_dict())
    x = [0.3, -0.7, 2.0]
    assert [v.data for v in loaded(x)] == [v.data for v in model(x)]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "module", [Neuron(3, seed=1), Layer(2, 3, activation="leaky_relu", seed=1)], ids=repr
)
def test_neurons_and_layers_round_trip_too(tmp_path: Path, module: nn.Module) -> None:
    nn.save(module, tmp_path / "m.json")
    loaded = nn.load(str(tmp_path / "m.json"))
    assert repr(loaded) == repr(module)
    assert loaded.state_dict() == module.state_dict()


def test_load_into_an_existing_module(tmp_path: Path) -> None:
    source, target = MLP(2, [3, 1], seed=1), MLP(2, [3, 1], seed=2)
    nn.save(source, tmp_path / "m.json")
    assert nn.load(tmp_path / "m.json", target) is target
    assert target.state_dict() == source.state_dict()


def test_the_file_is_versioned_json_with_architecture_and_weights(tmp_path: Path) -> None:
    nn.save(Neuron(2, activation="tanh", seed=0), tmp_path / "n.json")
    document = json.loads((tmp_path / "n.json").read_text())
    assert document["format"] == files.FORMAT
    assert document["version"] == files.VERSION == 1
    assert document["module"] == {"type": "Neuron", "nin": 2, "activation": "tanh"}
    assert list(document["parameters"]) == ["w.0", "w.1", "b"]


def test_save_replaces_the_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    nn.save(MLP(2, [3, 1], seed=1), path)
    nn.save(MLP(2, [3, 1], seed=2), path)
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]
    assert nn.load(path).state_dict() == MLP(2, [3, 1], seed=2).state_dict()


def test_a_failed_save_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.json"
    nn.save(MLP(2, [3, 1], seed=1), path)
    before = path.read_text()

    def crash(self: Path, target: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        nn.save(MLP(2, [3, 1], seed=2), path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def edit(change: Callable[[dict[str, Any]], None]) -> Callable[[str], str]:
    def apply(text: str) -> str:
        document = json.loads(text)
        change(document)
        return json.dumps(document)

    return apply


def set_weight(value: object) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["parameters"].update({"layers.0.neurons.1.w.0": value})


BAD_FILES = {
    "truncated": (lambda text: text[: len(text) // 2], "not valid JSON"),
    "empty": (lambda text: "", "not valid JSON"),
    "not JSON": (lambda text: "weights: 1, 2, 3", "not valid JSON"),
    "not text": (lambda text: "\udcff", "not a text file"),
    "a JSON list": (lambda text: "[1, 2]", "not a fehlerberg.nn model file"),
    "another format": (edit(lambda d: d.update(format="keras")), "format: 'keras'"),
    "newer version": (edit(lambda d: d.update(version=2)), "version 2.*update fehlerberg"),
    "no version": (edit(lambda d: d.pop("version")), "version None"),
    "no parameters": (edit(lambda d: d.pop("parameters")), "no 'parameters' object"),
    "unknown type": (edit(lambda d: d["module"].update(type="CNN")), "unknown module type"),
    "bad width": (edit(lambda d: d["module"].update(nouts=[3, 0])), "bad architecture"),
    "other architecture": (edit(lambda d: d["module"].update(nouts=[4, 1])), "holds a"),
    "missing weight": (
        edit(lambda d: d["parameters"].pop("layers.1.neurons.0.b")),
        "missing 'layers.1.neurons.0.b'",
    ),
    "extra weight": (
        edit(lambda d: d["parameters"].update({"layers.0.neurons.0.w.2": 1.0})),
        "unexpected 'layers.0.neurons.0.w.2'",
    ),
    "text weight": (edit(set_weight("0.5")), "must be a number, got '0.5'"),
    "null weight": (edit(set_weight(None)), "must be a number, got None"),
    "list weight": (edit(set_weight([0.5])), "must be a number"),
}


@pytest.mark.parametrize(("damage", "message"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_files_raise_and_leave_the_module_unchanged(
    tmp_path: Path, damage: Callable[[str], str], message: str
) -> None:
    path = tmp_path / "m.json"
    nn.save(MLP(2, [3, 1], seed=1), path)
    text = damage(path.read_text())
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    model = MLP(2, [3, 1], seed=2)
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        nn.load(path, model)
    assert model.state_dict() == before
    if message != "holds a":  # without a module to compare, another architecture is fine
        with pytest.raises(ValueError, match=message):
            nn.load(path)


def test_a_module_of_another_architecture_is_refused(tmp_path: Path) -> None:
    nn.save(MLP(2, [3, 1], seed=1), tmp_path / "m.json")
    model = MLP(2, [3, 1], output_activation="tanh", seed=2)
    before = model.state_dict()
    with pytest.raises(ValueError, match="build the module with the same architecture"):
        nn.load(tmp_path / "m.json", model)
    assert model.state_dict() == before


def test_non_finite_weights_round_trip(tmp_path: Path) -> None:
    model = Neuron(2, seed=0)
    model.load_state_dict({"w.0": math.inf, "w.1": -math.inf, "b": math.nan})
    nn.save(model, tmp_path / "n.json")
    state = nn.load(tmp_path / "n.json").state_dict()
    assert state["w.0"] == math.inf
    assert state["w.1"] == -math.inf
    assert math.isnan(state["b"])
