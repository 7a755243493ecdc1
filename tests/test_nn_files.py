"""nn.files: exact strict-JSON round trips, checksums, atomic writes, and every kind of bad file."""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import nn
from nn import files
from nn.modules import MLP, Layer, Neuron


def bits(x: float) -> int:
    return int.from_bytes(struct.pack(">d", x), "big")


def from_bits(b: int) -> float:
    value: float = struct.unpack(">d", b.to_bytes(8, "big"))[0]
    return value


def state_bits(module: nn.Module) -> dict[str, int]:
    """The parameters as their exact IEEE bits: -0.0 differs from 0.0, NaN equals itself."""
    return {name: bits(value) for name, value in module.state_dict().items()}


AWKWARD = [
    0.1 + 0.2,  # needs all 17 digits
    5e-324,  # the smallest subnormal
    2.2250738585072009e-308,  # the largest subnormal
    -0.0,
    1.7976931348623157e308,
    1 / 3,
    math.inf,
    -math.inf,
    from_bits(0x7FF8_0000_0000_0000),  # float("nan")
    from_bits(0xFFF8_0000_0000_0000),  # a NaN with its sign bit set
    from_bits(0x7FF0_0000_0000_0001),  # a signalling NaN
    from_bits(0xFFF8_0000_0000_0BAD),  # a negative NaN with a payload
]


def awkward_model() -> MLP:
    """A model whose weights include every float that is hard to write down exactly."""
    model = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=9)
    state = model.state_dict()
    state.update(zip(state, AWKWARD, strict=False))
    model.load_state_dict(state)
    return model


def test_round_trip_is_exact_to_the_bit(tmp_path: Path) -> None:
    model = awkward_model()
    path = tmp_path / "model.json"
    nn.save(model, path)
    loaded = nn.load(path)
    assert type(loaded) is MLP
    assert loaded.config() == model.config()
    assert state_bits(loaded) == state_bits(model)
    assert [bits(x) for x in list(loaded.state_dict().values())[: len(AWKWARD)]] == [
        bits(x) for x in AWKWARD
    ]


@pytest.mark.parametrize(
    "module", [Neuron(3, seed=1), Layer(2, 3, activation="leaky_relu", seed=1)], ids=repr
)
def test_neurons_and_layers_round_trip_too(tmp_path: Path, module: nn.Module) -> None:
    nn.save(module, tmp_path / "m.json")
    loaded = nn.load(str(tmp_path / "m.json"))
    assert repr(loaded) == repr(module)
    assert state_bits(loaded) == state_bits(module)


def test_load_into_an_existing_module(tmp_path: Path) -> None:
    source, target = MLP(2, [3, 1], seed=1), MLP(2, [3, 1], seed=2)
    nn.save(source, tmp_path / "m.json")
    assert nn.load(tmp_path / "m.json", target) is target
    assert state_bits(target) == state_bits(source)


def strict_json(text: str) -> Any:
    """RFC 8259 JSON only: Python's json reader with its NaN/Infinity extension refused."""

    def refuse(token: str) -> None:
        raise AssertionError(f"{token} is not JSON")

    return json.loads(text, parse_constant=refuse)


def documented_checksum(module: dict[str, Any], state: dict[str, float]) -> str:
    """The checksum as docs/model-files.md describes it, written out independently."""
    lines = [json.dumps(module, sort_keys=True, separators=(",", ":"))]
    lines += [
        f"{json.dumps(name)} {struct.pack('>d', state[name]).hex()}" for name in sorted(state)
    ]
    return "sha256:" + hashlib.sha256("".join(f"{line}\n" for line in lines).encode()).hexdigest()


def test_the_file_is_strict_json_with_architecture_weights_and_checksum(tmp_path: Path) -> None:
    model = awkward_model()
    nn.save(model, tmp_path / "m.json")
    text = (tmp_path / "m.json").read_text()
    for token in ("NaN", "Infinity"):
        assert token not in text
    document = strict_json(text)
    assert list(document) == ["format", "version", "module", "checksum", "parameters"]
    assert document["format"] == files.FORMAT == "fehlerberg.nn"
    assert document["version"] == files.VERSION == 2
    assert document["module"] == model.config()
    assert list(document["parameters"]) == list(model.state_dict())
    written = list(document["parameters"].values())[: len(AWKWARD)]
    assert written[6:] == [
        "inf",
        "-inf",
        "nan",
        "-nan",
        "nan(0x7ff0000000000001)",
        "nan(0xfff8000000000bad)",
    ]
    assert [bits(x) for x in written[:6]] == [bits(x) for x in AWKWARD[:6]]
    assert document["checksum"] == documented_checksum(document["module"], model.state_dict())


# --- reading: every content error is a ValueError, and the module is left as it was ----------


def edit(change: Callable[[dict[str, Any]], None]) -> Callable[[str], str]:
    def apply(text: str) -> str:
        document = json.loads(text)
        change(document)
        return json.dumps(document)

    return apply


def set_weight(value: object) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["parameters"].update({"layers.0.neurons.1.w.0": value})


def raw_weight(raw: str) -> Callable[[str], str]:
    """Put ``raw`` JSON text (anything, even invalid) where one weight's value is."""

    def apply(text: str) -> str:
        head, tail = text.split('"layers.0.neurons.1.w.0": ', 1)
        return head + '"layers.0.neurons.1.w.0": ' + raw + tail[tail.index(",") :]

    return apply


def rename(old: str, new: str) -> Callable[[dict[str, Any]], None]:
    def apply(d: dict[str, Any]) -> None:
        d["parameters"] = {new if k == old else k: v for k, v in d["parameters"].items()}

    return apply


DEEP = "[" * 1000 + "]" * 1000

# name: (damage to the saved text, message of load(path, model), of load(path) if different)
BAD_FILES: dict[str, tuple[Callable[[str], str], str, str | None]] = {
    "truncated": (lambda text: text[: len(text) // 2], "not valid JSON", None),
    "empty": (lambda text: "", "not valid JSON", None),
    "not JSON": (lambda text: "weights: 1, 2, 3", "not valid JSON", None),
    "not text": (lambda text: "\udcff", "not a text file", None),
    "a JSON list": (lambda text: "[1, 2]", "not a fehlerberg.nn model file", None),
    "nested 1000 deep": (lambda text: DEEP, "nests arrays or objects more than 100 deep", None),
    "module nested 1000 deep": (
        lambda text: text.replace('"module": {', f'"module": {DEEP}, "x": {{', 1),
        "more than 100 deep",
        None,
    ),
    "weight nested 1000 deep": (raw_weight(DEEP), "more than 100 deep", None),
    "weight nested 98 deep": (raw_weight("[" * 98 + "]" * 98), "must be a number", None),
    "weight nested 99 deep": (raw_weight("[" * 99 + "]" * 99), "more than 100 deep", None),
    "brackets in a name": (
        edit(rename("layers.1.neurons.0.b", "[" * 200)),
        "was changed after it was saved",
        None,
    ),
    "another format": (edit(lambda d: d.update(format="keras")), "format: 'keras'", None),
    "newer version": (edit(lambda d: d.update(version=3)), "version 3.*update fehlerberg", None),
    "no version": (edit(lambda d: d.pop("version")), "must be an integer, got None", None),
    "version true": (edit(lambda d: d.update(version=True)), "integer, got True", None),
    "version 1.0": (edit(lambda d: d.update(version=1.0)), "integer, got 1.0", None),
    "version 2.0": (edit(lambda d: d.update(version=2.0)), "integer, got 2.0", None),
    "version '2'": (edit(lambda d: d.update(version="2")), "integer, got '2'", None),
    "no parameters": (edit(lambda d: d.pop("parameters")), "no 'parameters' object", None),
    "no checksum": (edit(lambda d: d.pop("checksum")), "no 'checksum' string", None),
    "an extra key": (edit(lambda d: d.update(comment="hi")), "unexpected keys", None),
    "a key twice": (
        lambda text: text.replace('"format"', '"version": 2, "format"', 1),
        "'version' appears twice",
        None,
    ),
    "unknown type": (edit(lambda d: d["module"].update(type="CNN")), "unknown module type", None),
    "type is a list": (edit(lambda d: d["module"].update(type=[])), "unknown module type", None),
    "bad width": (edit(lambda d: d["module"].update(nouts=[3, 0])), "bad architecture", None),
    "unknown activation": (
        edit(lambda d: d["module"].update(activation="gelu")),
        "activation must be one of",
        None,
    ),
    "other architecture": (
        edit(lambda d: d["module"].update(nouts=[4, 1])),
        "holds MLP.*but the module is MLP",
        "has 13 parameters, but the architecture it names.*has 17",
    ),
    "missing weight": (
        edit(lambda d: d["parameters"].pop("layers.1.neurons.0.b")),
        "has 12 parameters.*has 13",
        None,
    ),
    "extra weight": (
        edit(lambda d: d["parameters"].update({"layers.0.neurons.0.w.2": 1.0})),
        "has 14 parameters.*has 13",
        None,
    ),
    "text weight": (edit(set_weight("0.5")), "must be a number or one of .*got '0.5'", None),
    "null weight": (edit(set_weight(None)), "must be a number, got None", None),
    "list weight": (edit(set_weight([0.5])), "'layers.0.neurons.1.w.0'.* must be a number", None),
    "bool weight": (edit(set_weight(True)), "must be a number, got True", None),
    "NaN token": (edit(set_weight(math.nan)), "contains NaN, which is not JSON", None),
    "Infinity token": (raw_weight("-Infinity"), "contains -Infinity, which is not JSON", None),
    "a 1e400 weight": (raw_weight("1e400"), "'1e400' is too large for a float64", None),
    "a 401-digit weight": (
        raw_weight("9" * 401),
        r"parameters\['layers.0.neurons.1.w.0'\] = an integer of 401 digits is too large",
        None,
    ),
    "a 5000-digit weight": (raw_weight("9" * 5000), "5000 digits is far too large", None),
    "a changed weight": (edit(set_weight(0.25)), "was changed after it was saved", None),
    "a renamed weight": (
        edit(rename("layers.0.neurons.1.w.0", "layers.0.neurons.1.w.9")),
        "was changed after it was saved",
        None,
    ),
    "a bad checksum": (edit(lambda d: d.update(checksum="md5:00")), "sha256:' and 64 hex", None),
}


@pytest.mark.parametrize(
    ("damage", "message", "message_alone"), BAD_FILES.values(), ids=BAD_FILES.keys()
)
def test_bad_files_raise_value_error_and_leave_the_module_unchanged(
    tmp_path: Path, damage: Callable[[str], str], message: str, message_alone: str | None
) -> None:
    path = tmp_path / "m.json"
    nn.save(MLP(2, [3, 1], seed=1), path)
    text = damage(path.read_text())
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    model = MLP(2, [3, 1], seed=2)
    before = state_bits(model)
    with pytest.raises(ValueError, match=message):
        nn.load(path, model)
    assert state_bits(model) == before
    with pytest.raises(ValueError, match=message_alone or message):
        nn.load(path)


def test_deep_nesting_is_refused_whatever_the_recursion_limit(tmp_path: Path) -> None:
    """json.loads recurses in C up to sys.getrecursionlimit(): past the C stack it would crash."""
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1_000_000)  # as a program comparing with micrograd's recursion may do
    try:
        with pytest.raises(ValueError, match="more than 100 deep"):
            nn.load(path)
    finally:
        sys.setrecursionlimit(limit)


def test_a_huge_integer_weight_changes_nothing(tmp_path: Path) -> None:
    """The issue's case: one weight replaced by a 401-digit integer once overwrote 304 of 337."""
    model = MLP(4, [16, 16], seed=1)
    assert len(model.parameters()) == 352
    path = tmp_path / "m.json"
    nn.save(model, path)
    document = json.loads(path.read_text())
    last = list(document["parameters"])[-1]
    document["parameters"][last] = 10**400
    path.write_text(json.dumps(document))
    target = MLP(4, [16, 16], seed=2)
    before = state_bits(target)
    with pytest.raises(ValueError, match=rf"{last}.*401 digits"):
        nn.load(path, target, verify_checksum=False)
    assert state_bits(target) == before


def test_load_state_dict_checks_the_float_conversion_before_assigning() -> None:
    model = MLP(2, [3, 1], seed=1)
    before = state_bits(model)
    state = dict.fromkeys(model.state_dict(), 1.0)
    last = list(state)[-1]
    state[last] = 10**400
    with pytest.raises(ValueError, match=rf"state\['{last}'\] = an integer of 401 digits"):
        model.load_state_dict(state)
    assert state_bits(model) == before


def test_os_errors_stay_os_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "missing.json")
    with pytest.raises(IsADirectoryError):
        nn.load(tmp_path)


def test_a_module_of_another_architecture_is_refused(tmp_path: Path) -> None:
    nn.save(MLP(2, [3, 1], seed=1), tmp_path / "m.json")
    model = MLP(2, [3, 1], output_activation="tanh", seed=2)
    before = state_bits(model)
    with pytest.raises(ValueError, match="build the module with the same architecture"):
        nn.load(tmp_path / "m.json", model)
    assert state_bits(model) == before


# --- corruption: the checksum ----------------------------------------------------------------


def test_every_single_bit_flip_is_refused_or_harmless(tmp_path: Path) -> None:
    """Flip each bit of a saved file in turn: a load either fails or gives the saved weights."""
    model = Neuron(2, seed=3)  # small: ~2000 loads
    model.load_state_dict({"w.0": -0.0, "w.1": math.nan, "b": 5e-324})
    path = tmp_path / "m.json"
    nn.save(model, path)
    original = path.read_bytes()
    saved = state_bits(model)
    outcomes = {"refused": 0, "same weights": 0}
    for i in range(len(original)):
        for bit in range(8):
            damaged = bytearray(original)
            damaged[i] ^= 1 << bit
            path.write_bytes(damaged)
            try:
                loaded = nn.load(path)
            except ValueError:
                outcomes["refused"] += 1
                continue
            assert state_bits(loaded) == saved, f"byte {i} bit {bit} loaded other weights"
            outcomes["same weights"] += 1
    assert outcomes["refused"] > 0.99 * 8 * len(original)


def test_a_hand_edited_file_loads_with_verify_checksum_false(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    nn.save(Neuron(2, seed=0), path)
    document = json.loads(path.read_text())
    document["parameters"]["b"] = 0.5
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="verify_checksum=False"):
        nn.load(path)
    assert nn.load(path, verify_checksum=False).state_dict()["b"] == 0.5
    del document["checksum"]  # a hand edit may drop it altogether
    path.write_text(json.dumps(document))
    assert nn.load(path, verify_checksum=False).state_dict()["b"] == 0.5
    nn.save(nn.load(path, verify_checksum=False), path)  # saving again stores a new checksum
    assert nn.load(path).state_dict()["b"] == 0.5


V1_FILE = """{
 "format": "fehlerberg.nn",
 "version": 1,
 "module": {
  "type": "Neuron",
  "nin": 3,
  "activation": "tanh"
 },
 "parameters": {
  "w.0": 0.30000000000000004,
  "w.1": -Infinity,
  "w.2": NaN,
  "b": -0.0
 }
}
"""


def test_a_version_1_file_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(V1_FILE)
    loaded = nn.load(path)
    assert repr(loaded) == "TanhNeuron(3)"
    state = loaded.state_dict()
    assert state["w.0"] == 0.1 + 0.2
    assert state["w.1"] == -math.inf
    assert math.isnan(state["w.2"])
    assert bits(state["b"]) == bits(-0.0)
    nn.save(loaded, path)  # saving writes the current version
    assert strict_json(path.read_text())["version"] == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('"w.0": 0.30000000000000004', '"w.0": "nan"'), "must be a number"),
        (
            lambda t: t.replace('"version": 1,', '"version": 1, "checksum": "",'),
            r"keys \['checksum'\]",
        ),
        (lambda t: t.replace('"nin": 3', '"nin": 30'), "has 4 parameters.*has 31"),
    ],
)
def test_bad_version_1_files_are_refused(
    tmp_path: Path, change: Callable[[str], str], message: str
) -> None:
    path = tmp_path / "old.json"
    path.write_text(change(V1_FILE))
    with pytest.raises(ValueError, match=message):
        nn.load(path)


# --- cost: a small file stays cheap ------------------------------------------------------------


def test_a_small_file_naming_a_huge_model_builds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(config: object) -> nn.Module:
        raise AssertionError(f"from_config({config}) was called")

    monkeypatch.setattr(files, "from_config", refuse)
    module = {"type": "MLP", "nin": 3000, "nouts": [3000], "activation": "relu"}
    document = {"format": "fehlerberg.nn", "version": 1, "parameters": {"a": 0}}
    text = json.dumps(document | {"module": module | {"output_activation": "linear"}})
    assert len(text) < 200
    (tmp_path / "m.json").write_text(text)
    with pytest.raises(ValueError, match=r"has 1 parameters.*MLP.*has 9003000 "):
        nn.load(tmp_path / "m.json")


def test_files_above_max_bytes_are_refused_unless_the_caller_raises_it(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    nn.save(Neuron(2, seed=0), path)
    size = path.stat().st_size
    with pytest.raises(ValueError, match=f"larger than max_bytes={size - 1}"):
        nn.load(path, max_bytes=size - 1)
    assert nn.load(path, max_bytes=size).state_dict() == Neuron(2, seed=0).state_dict()
    with pytest.raises(ValueError, match="max_bytes must be a positive int"):
        nn.load(path, max_bytes=0)


def test_the_default_limit_refuses_a_huge_file_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as file:
        file.truncate(files.MAX_BYTES + 1)  # sparse: takes no disk space, reads as zeros
    with pytest.raises(ValueError, match=f"larger than max_bytes={files.MAX_BYTES}"):
        nn.load(path)


# --- saving: atomic, and polite to the file system --------------------------------------------


def test_save_replaces_the_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    nn.save(MLP(2, [3, 1], seed=1), path)
    nn.save(MLP(2, [3, 1], seed=2), path)
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]
    assert nn.load(path).state_dict() == MLP(2, [3, 1], seed=2).state_dict()


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()], ids=repr)
@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_a_failed_save_keeps_the_old_file_and_removes_its_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException, step: str
) -> None:
    path = tmp_path / "m.json"
    nn.save(MLP(2, [3, 1], seed=1), path)
    before = path.read_bytes()

    def crash(*args: object) -> None:
        raise failure

    monkeypatch.setattr(*((os, "fsync", crash) if step == "fsync" else (Path, "replace", crash)))
    with pytest.raises(type(failure)):
        nn.save(MLP(2, [3, 1], seed=2), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_save_writes_through_a_symlink_to_its_target(tmp_path: Path) -> None:
    real = tmp_path / "models" / "m.json"
    real.parent.mkdir()
    nn.save(Neuron(2, seed=1), real)
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    nn.save(Neuron(2, seed=2), link)
    assert link.is_symlink()
    assert link.resolve() == real.resolve()
    assert nn.load(real).state_dict() == Neuron(2, seed=2).state_dict()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "models"]
    assert [p.name for p in real.parent.iterdir()] == ["m.json"]


def test_save_keeps_the_permissions_of_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    nn.save(Neuron(2, seed=1), path)
    path.chmod(0o640)
    nn.save(Neuron(2, seed=2), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    old_umask = os.umask(0o027)
    try:
        nn.save(Neuron(2, seed=1), tmp_path / "m.json")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "m.json").stat().st_mode) == 0o640  # 0o666 less the umask


def test_a_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    nn.save(Neuron(2, seed=1), path)
    path.chmod(0o444)
    before = path.read_bytes()
    with pytest.raises(PermissionError, match="read-only"):
        nn.save(Neuron(2, seed=2), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_saving_onto_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        nn.save(Neuron(2, seed=1), tmp_path)
    assert list(tmp_path.iterdir()) == []


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_save_removes_only_its_own_stale_temporary_files(tmp_path: Path) -> None:
    dead = dead_pid()
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as alive:
        try:
            stale = f".m.json.{dead}.0123abcd.tmp"  # a save of m.json killed midway
            in_flight = f".m.json.{alive.pid}.0123abcd.tmp"  # a concurrent save of m.json
            others = [f".other.json.{dead}.0123abcd.tmp", ".m.json.x7k2m9qz.tmp", "notes.tmp"]
            for name in [stale, in_flight, *others]:
                (tmp_path / name).write_text("{")
            nn.save(Neuron(2, seed=1), tmp_path / "m.json")
            remaining = sorted(p.name for p in tmp_path.iterdir())
        finally:
            alive.kill()
    assert remaining == sorted(["m.json", in_flight, *others])


def test_a_device_without_an_end_is_refused_at_max_bytes() -> None:
    with pytest.raises(ValueError, match="larger than max_bytes=1000"):
        nn.load("/dev/zero", max_bytes=1000)


def test_the_example_file_in_the_docs_loads(tmp_path: Path) -> None:
    docs = Path(__file__).parent.parent / "docs" / "model-files.md"
    example = docs.read_text().split("```json\n", 1)[1].split("```", 1)[0]
    (tmp_path / "example.json").write_text(example)
    loaded = nn.load(tmp_path / "example.json")
    assert repr(loaded) == "TanhNeuron(2)"
    state = loaded.state_dict()
    assert state["w.0"] == 0.1 + 0.2
    assert state["w.1"] == -math.inf
    assert bits(state["b"]) == bits(from_bits(0x7FF8_0000_0000_0000))
    document = strict_json(example)
    assert document["checksum"] == documented_checksum(document["module"], state)
