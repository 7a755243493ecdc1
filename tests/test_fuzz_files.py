"""Fuzzing model files: truncated, bit-flipped and crafted files load exactly or fail cleanly.

A load either gives back the weights that were saved, bit for bit, or raises ValueError (OSError
for the file system) and leaves the module it was loading into exactly as it was. Nothing else
escapes: no RecursionError, OverflowError, MemoryError, KeyError, TypeError.
"""

from __future__ import annotations

import copy
import json
import struct
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from nn.modules import ACTIVATIONS, MLP, Layer, Module, Neuron, from_config

FUZZ = settings(max_examples=40, deadline=None)  # each example saves once (fsync: ~8 ms)
DAMAGES = 8  # and loads this many damaged copies

activations = st.sampled_from(sorted(ACTIVATIONS))
widths = st.integers(1, 3)
architectures = st.one_of(
    st.builds(lambda nin, a: Neuron(nin, activation=a, seed=0), widths, activations),
    st.builds(
        lambda nin, nout, a: Layer(nin, nout, activation=a, seed=0), widths, widths, activations
    ),
    st.builds(
        lambda nin, nouts, a, out: MLP(nin, nouts, activation=a, output_activation=out, seed=0),
        widths,
        st.lists(widths, min_size=1, max_size=3),
        activations,
        activations,
    ),
)


@st.composite
def models(draw: st.DrawFn) -> Module:
    """A small module whose weights are any floats: subnormals, -0.0, ±inf, NaNs of any payload."""
    model = draw(architectures)
    names = list(model.state_dict())
    weights = draw(st.lists(st.floats(), min_size=len(names), max_size=len(names)))
    model.load_state_dict(dict(zip(names, weights, strict=True)))
    return model


def state_bits(module: Module) -> list[tuple[str, bytes]]:
    return [(name, struct.pack(">d", value)) for name, value in module.state_dict().items()]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for all examples (hypothesis reruns a test; a function fixture would not)."""
    return tmp_path_factory.mktemp("fuzz")


def saved(model: Module, folder: Path) -> tuple[Path, bytes]:
    """``model`` saved as ``folder/model.json``, and the bytes of the file."""
    path = folder / "model.json"
    nn.save(model, path)
    return path, path.read_bytes()


def assert_exact_or_refused(path: Path, model: Module) -> None:
    """Load ``path`` alone and into a fresh module: the saved weights, or a clean refusal."""
    expected = state_bits(model)
    try:
        loaded = nn.load(path)
    except (ValueError, OSError):
        pass
    else:
        assert loaded.config() == model.config()
        assert state_bits(loaded) == expected
    target = from_config(model.config())
    before = state_bits(target)
    try:
        result = nn.load(path, target)
    except (ValueError, OSError):
        assert state_bits(target) == before
    else:
        assert result is target
        assert state_bits(target) == expected


@FUZZ
@given(models())
def test_an_intact_file_loads_bit_for_bit(folder: Path, model: Module) -> None:
    path, _ = saved(model, folder)
    loaded = nn.load(path)
    assert repr(loaded) == repr(model)
    assert state_bits(loaded) == state_bits(model)


positions = st.floats(0.0, 1.0, exclude_max=True)  # a place in the file, as a fraction of its size


@FUZZ
@given(models(), st.lists(positions, min_size=1, max_size=DAMAGES))
def test_a_truncated_file_is_refused(folder: Path, model: Module, cuts: list[float]) -> None:
    path, data = saved(model, folder)
    for cut in cuts:
        path.write_bytes(data[: int(cut * len(data))])
        assert_exact_or_refused(path, model)


@FUZZ
@given(
    models(),
    st.lists(
        st.lists(st.tuples(positions, st.integers(0, 7)), min_size=1, max_size=3),
        min_size=1,
        max_size=DAMAGES,
    ),
)
def test_bit_flips_are_refused_or_harmless(
    folder: Path, model: Module, damages: list[list[tuple[float, int]]]
) -> None:
    path, data = saved(model, folder)
    for flips in damages:
        damaged = bytearray(data)
        for where, bit in flips:
            damaged[int(where * len(damaged))] ^= 1 << bit
        path.write_bytes(damaged)
        assert_exact_or_refused(path, model)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


CRAFTED_VALUES = st.one_of(
    st.sampled_from(
        [
            "9" * 401,
            "-" + "9" * 401,
            "9" * 5000,
            "1e400",
            "-1e400",
            "1e-400",
            "NaN",
            "Infinity",
            "-Infinity",
            "true",
            "false",
            "null",
            "0",
            "-1",
            "1",
            "2",
            "3",
            "1.0",
            "2.0",
            "3000",
            "[3000]",
            "[3000, 3000]",
            "[]",
            "{}",
            '"nan"',
            '"-nan"',
            '"inf"',
            '"NaN"',
            '"nan(0x7ff0000000000000)"',
            '"nan(0x0000000000000001)"',
            '"relu"',
            '"MLP"',
            '"fehlerberg.nn"',
            '"sha256:' + "0" * 64 + '"',
            '"' + "x" * 10_000 + '"',
            nested(10),
            nested(500),
            nested(1000),
            nested(100_000),
            '{"a": ' * 1000 + "1" + "}" * 1000,
        ]
    ),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
        ),
        max_leaves=8,
    ).map(json.dumps),
)


def locations(document: dict[str, Any]) -> list[tuple[str, ...]]:
    """Every place in a model file a value sits, plus a new key at each level."""
    top = [(key,) for key in document] + [("comment",)]
    inner = [(part, key) for part in ("module", "parameters") for key in [*document[part], "extra"]]
    return top + inner


PLACEHOLDER = "@@crafted@@"


def craft(document: dict[str, Any], data: st.DataObject, changes: int) -> str:
    """The file's text with ``changes`` values replaced by crafted JSON text or removed."""
    document = copy.deepcopy(document)
    for where in data.draw(
        st.lists(st.sampled_from(locations(document)), min_size=changes, max_size=changes)
    ):
        parent = document if len(where) == 1 else document.get(where[0])
        if not isinstance(parent, dict):  # an earlier change replaced it
            continue
        if data.draw(st.booleans()) and where[-1] in parent:
            del parent[where[-1]]
        else:
            parent[where[-1]] = PLACEHOLDER
    text = json.dumps(document)
    while f'"{PLACEHOLDER}"' in text:
        text = text.replace(f'"{PLACEHOLDER}"', data.draw(CRAFTED_VALUES), 1)
    return text


@FUZZ
@given(models(), st.data())
def test_crafted_content_is_refused_or_harmless(
    folder: Path, model: Module, data: st.DataObject
) -> None:
    """One value anywhere in the file replaced by something nasty, or one key removed."""
    path, text = saved(model, folder)
    document = json.loads(text)
    for _ in range(DAMAGES // 2):  # drawing crafted JSON costs more than a load
        path.write_text(craft(document, data, changes=1))
        assert_exact_or_refused(path, model)


@FUZZ
@given(models(), st.data())
def test_without_the_checksum_anything_but_a_clean_refusal_is_a_load(
    folder: Path, model: Module, data: st.DataObject
) -> None:
    """With verify_checksum=False several changes may load; still nothing half-done, ever."""
    path, text = saved(model, folder)
    document = json.loads(text)
    for _ in range(DAMAGES // 2):
        path.write_text(craft(document, data, changes=data.draw(st.integers(1, 3))))
        target = from_config(model.config())
        before = state_bits(target)
        try:
            nn.load(path, target, verify_checksum=False)
        except (ValueError, OSError):
            assert state_bits(target) == before
        with suppress(ValueError, OSError):
            nn.load(path, verify_checksum=False)
