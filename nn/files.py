"""Model files: strict JSON with the architecture, the weights and a checksum, saved atomically.

The format is described in docs/model-files.md. Finite weights are JSON numbers written with
``repr``, which round-trips every float64 exactly; infinities and NaNs are the strings "inf",
"-inf", "nan" and "-nan". A SHA-256 checksum over the architecture and the weights' bits shows a
changed file. ``load`` checks the whole file before it assigns a single weight, so a bad file
raises ValueError and changes nothing.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import json
import math
import os
import re
import secrets
import stat
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nn.modules import Module, _as_float, _shown, check_config, from_config

__all__ = ["FORMAT", "MAX_BYTES", "READABLE_VERSIONS", "VERSION", "load", "save"]

FORMAT = "fehlerberg.nn"
VERSION = 2
READABLE_VERSIONS = (1, 2)  # 1: before checksums, non-finite weights as NaN/Infinity tokens
# A file takes ~50 bytes per weight, so 64 MiB holds ~1.3 million weights: more than a scalar
# engine trains in reasonable time. Loading takes about ten times the file's size in memory.
MAX_BYTES = 64 * 2**20

_SIGN = 1 << 63
_NAN_BITS = 0x7FF8_0000_0000_0000  # the NaN that float("nan") and math.nan are
_NAN_WITH_BITS = re.compile(r"nan\(0x([0-9a-f]{16})\)")  # a NaN of another payload, all 64 bits
_CHECKSUM = re.compile(r"sha256:[0-9a-f]{64}")
# A model file nests three deep. json.loads recurses (in C) once per level, up to whatever
# sys.getrecursionlimit() a program has set, so deeper files are refused before it runs.
_MAX_DEPTH = 100
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # brackets inside strings do not nest
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_NESTING = {"[": 1, "{": 1, "]": -1, "}": -1}
# int() takes time quadratic in the digits; CPython's default int_max_str_digits bounds it here
# too, whatever a program sets. A weight of fewer digits but above 1.8e308 is refused by name.
_MAX_DIGITS = 4300


def _bits(x: float) -> int:
    return int.from_bytes(struct.pack(">d", x), "big")


def _from_bits(bits: int) -> float:
    value: float = struct.unpack(">d", bits.to_bytes(8, "big"))[0]
    return value


_NON_FINITE = {  # -math.nan is not portable: negating a NaN need not flip its sign bit
    "inf": math.inf,
    "-inf": -math.inf,
    "nan": _from_bits(_NAN_BITS),
    "-nan": _from_bits(_NAN_BITS | _SIGN),
}


def _encode(x: float) -> float | str:
    """A weight as strict JSON: the float itself if finite, else one of the strings above."""
    if math.isfinite(x):
        return x
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    bits = _bits(x)
    if bits & ~_SIGN == _NAN_BITS:
        return "-nan" if bits & _SIGN else "nan"
    return f"nan(0x{bits:016x})"


def _decode(name: str, value: object, version: int) -> float:
    """The float a weight in the file stands for, or a ValueError naming the weight."""
    if isinstance(value, str) and version >= 2:
        if value in _NON_FINITE:
            return _NON_FINITE[value]
        match = _NAN_WITH_BITS.fullmatch(value)
        if match and math.isnan(decoded := _from_bits(int(match[1], 16))):
            return decoded
        raise ValueError(
            f"parameters[{name!r}] must be a number or one of {sorted(_NON_FINITE)}, "
            f"got {_shown(value)}"
        )
    return _as_float(value, name, "parameters")


def _checksum(config: Mapping[str, Any], state: Mapping[str, float]) -> str:
    """SHA-256 over the architecture and each weight's name and exact bits (see the docs)."""
    digest = hashlib.sha256()
    digest.update(json.dumps(config, sort_keys=True, separators=(",", ":")).encode() + b"\n")
    for name in sorted(state):
        digest.update(f"{json.dumps(name)} {_bits(state[name]):016x}\n".encode())
    return f"sha256:{digest.hexdigest()}"


def _architecture(config: Mapping[str, Any]) -> str:
    """A checked config written as a call, short even for a crafted file: ``Neuron(nin=2, ...)``."""
    fields = ", ".join(f"{key}={_shown(value)}" for key, value in config.items() if key != "type")
    return f"{config['type']}({fields})"


def _parameter_count(config: Mapping[str, Any]) -> int:
    """The number of weights a checked config describes: each neuron has nin weights and a bias."""
    # A Neuron counts as a layer of width 1.
    widths: list[int] = config["nouts"] if config["type"] == "MLP" else [config.get("nout", 1)]
    sizes = [config["nin"], *widths]
    return sum(nout * (nin + 1) for nin, nout in itertools.pairwise(sizes))


def save(module: Module, path: str | os.PathLike[str]) -> None:
    """Write ``module`` to ``path`` in strict JSON: a temporary file beside it, then a rename.

    A crash midway leaves the old file intact, never a truncated one; the next save removes
    the temporary file such a crash left. A symlink is written through to its target; an
    existing file keeps its permissions; a read-only file is refused with PermissionError.
    """
    if not isinstance(module, Module):
        raise TypeError(f"save wants an nn.Module, got {type(module).__name__}")
    target = Path(os.path.realpath(path))  # through a symlink: replace the file, not the link
    mode = _replaceable_mode(target, path)
    config, state = module.config(), module.state_dict()
    document = {
        "format": FORMAT,
        "version": VERSION,
        "module": config,
        "checksum": _checksum(config, state),
        "parameters": {name: _encode(value) for name, value in state.items()},
    }
    text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    _remove_stale_temporaries(target)
    temp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    # A new file gets 0o666 less the umask, as open() would give it; an old one keeps its mode.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            if mode is not None:
                temp.chmod(mode)  # the umask may have taken bits away
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        temp.replace(target)  # atomic on POSIX and Windows
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _replaceable_mode(target: Path, path: str | os.PathLike[str]) -> int | None:
    """The permission bits of the file ``save`` replaces (None if there is none yet)."""
    try:
        info = target.stat()
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder; save to a file inside it", str(path))
    # The rename would bypass a file's permissions; refuse as an editor would. Root passes
    # os.access for every file, so a file nobody may write counts as read-only too.
    if not info.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise PermissionError(
            errno.EACCES, "is read-only; make it writable (chmod u+w) or save elsewhere", str(path)
        )
    return stat.S_IMODE(info.st_mode)


def _remove_stale_temporaries(target: Path) -> None:
    """Delete the temporary files of saves of ``target`` that were killed midway.

    Only our own names count (``.<name>.<pid>.<8 hex digits>.tmp``), and only those whose
    writer's process is gone: a concurrent save's file in flight stays.
    """
    if os.name != "posix":  # os.kill(pid, 0) asks whether a process lives only on POSIX
        return
    ours = re.compile(rf"\.{re.escape(target.name)}\.([0-9]{{1,10}})\.[0-9a-f]{{8}}\.tmp")
    for entry in os.scandir(target.parent):
        match = ours.fullmatch(entry.name)
        if match and not _process_alive(int(match[1])):
            Path(entry.path).unlink(missing_ok=True)  # another save may have just removed it


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0 only checks that the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, it is another user's
        return True
    except OverflowError:  # too large to be a process id
        return False
    return True


def _json_number(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # "1e400": valid JSON, but no float64 is that large
        raise ValueError(f"the number {_shown(text)} is too large for a float64 (at most 1.8e308)")
    return number


def _json_integer(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > _MAX_DIGITS:
        raise ValueError(f"an integer of {digits} digits is far too large for a model file")
    return int(text)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):  # json.loads would keep the last one silently
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"the key {_shown(key)} appears twice in one object")
            seen.add(key)
    return document


def _nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in ``text`` (at most): counted, not recursed into."""
    if text.count("[") + text.count("{") <= _MAX_DEPTH:
        return 0  # too few brackets to nest too deep: the usual case, and a quick one
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(itertools.accumulate(map(_NESTING.__getitem__, brackets)), default=0)


def _parse(text: str, source: Path) -> tuple[Any, list[str]]:
    """The JSON document in ``text`` and the NaN/Infinity tokens it used (JSON has none)."""
    if _nesting_depth(text) > _MAX_DEPTH:
        raise ValueError(
            f"{source} nests arrays or objects more than {_MAX_DEPTH} deep: not a model file"
        )
    tokens: list[str] = []

    def non_json_token(token: str) -> float:
        tokens.append(token)
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[token]

    try:
        document = json.loads(
            text,
            object_pairs_hook=_json_object,
            parse_constant=non_json_token,
            parse_float=_json_number,
            parse_int=_json_integer,
        )
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{source} is not valid JSON (truncated or corrupted?): {error}; save the model again"
        ) from None
    except ValueError as error:
        raise ValueError(f"{source}: {error}") from None
    return document, tokens


def _read(source: Path, max_bytes: int) -> tuple[Any, list[str]]:
    with source.open("rb") as file:
        size = os.fstat(file.fileno()).st_size  # 0 for a pipe or a device: read to find out
        chunks: list[bytes] = []
        left = 0 if size > max_bytes else max_bytes + 1
        # In pieces: read(max_bytes + 1) would allocate max_bytes even for a small file.
        while left > 0 and (chunk := file.read(min(left, 2**20))):
            chunks.append(chunk)
            left -= len(chunk)
    if size > max_bytes or left <= 0:
        raise ValueError(
            f"{source} is larger than max_bytes={max_bytes} bytes; "
            "if you trust it, pass a larger max_bytes to load"
        )
    try:
        text = b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{source} is not a text file (corrupted?): {error}") from None
    return _parse(text, source)


def _checked_document(source: Path, max_bytes: int, verify_checksum: bool) -> dict[str, Any]:
    """The file's document, with its format, version and top-level keys checked."""
    document, tokens = _read(source, max_bytes)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise ValueError(f"{source} is not a {FORMAT} model file (format: {_shown(found)})")
    version = document.get("version")
    if type(version) is not int:  # true == 1 and 1.0 == 1 in Python, but are not versions
        raise ValueError(f"{source}: the format version must be an integer, got {_shown(version)}")
    if version not in READABLE_VERSIONS:
        hint = "; update fehlerberg" if version > VERSION else ""
        raise ValueError(
            f"{source} has format version {version}, this fehlerberg reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))}{hint}"
        )
    if version >= 2 and tokens:
        raise ValueError(
            f"{source} contains {tokens[0]}, which is not JSON; version {version} files write "
            "non-finite weights as the strings 'nan', '-nan', 'inf', '-inf'"
        )
    allowed = {"format", "version", "module", "parameters"}
    required: dict[str, type] = {"module": dict, "parameters": dict}
    if version >= 2:
        allowed.add("checksum")
        if verify_checksum:  # a hand-edited file may have dropped it
            required["checksum"] = str
    for key, kind in required.items():
        if not isinstance(document.get(key), kind):
            raise ValueError(f"{source} has no {key!r} {'string' if kind is str else 'object'}")
    unexpected = sorted(set(document) - allowed)
    if unexpected:
        raise ValueError(f"{source} has unexpected keys {_shown(unexpected)} (corrupted?)")
    return document


def _verify_checksum(
    source: Path, stored: str, config: Mapping[str, Any], state: dict[str, float]
) -> None:
    if not _CHECKSUM.fullmatch(stored):
        raise ValueError(
            f"{source}: the checksum must be 'sha256:' and 64 hex digits, got {_shown(stored)}"
        )
    if _checksum(config, state) != stored:
        raise ValueError(
            f"{source} was changed after it was saved: its checksum does not match its "
            "architecture and weights (a damaged copy?). If you edited it by hand, load it "
            "with verify_checksum=False and save it again"
        )


def load(
    path: str | os.PathLike[str],
    module: Module | None = None,
    *,
    verify_checksum: bool = True,
    max_bytes: int = MAX_BYTES,
) -> Module:
    """Read a model saved by ``save``; with ``module`` given, load the weights into it.

    The whole file is checked before anything is assigned: a truncated, corrupted, changed or
    mismatched file raises ValueError and leaves ``module`` unchanged. ``verify_checksum=False``
    loads a file edited by hand (save it again to store a new checksum). Files above
    ``max_bytes`` are refused unread. A missing or unreadable file raises the usual OSError.
    """
    if module is not None and not isinstance(module, Module):
        raise TypeError(f"load wants an nn.Module to load into, got {type(module).__name__}")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValueError(f"max_bytes must be a positive int, got {max_bytes!r}")
    source = Path(path)
    document = _checked_document(source, max_bytes, verify_checksum)
    try:
        config = check_config(document["module"])
    except ValueError as error:
        raise ValueError(f"{source}: bad architecture: {error}") from None
    if module is not None and module.config() != config:
        raise ValueError(
            f"{source} holds {_architecture(config)} but the module is "
            f"{_architecture(module.config())}; "
            "build the module with the same architecture, or call load(path) alone"
        )
    parameters: dict[str, Any] = document["parameters"]
    needed = _parameter_count(config)
    if len(parameters) != needed:  # checked before a model of that size is built
        raise ValueError(
            f"{source} has {len(parameters)} parameters, but the architecture it names, "
            f"{_architecture(config)}, has {_shown(needed)} (corrupted?)"
        )
    try:
        state = {
            name: _decode(name, value, document["version"]) for name, value in parameters.items()
        }
    except ValueError as error:
        raise ValueError(f"{source}: {error}") from None
    if document["version"] >= 2 and verify_checksum:
        _verify_checksum(source, document["checksum"], config, state)
    target = from_config(config) if module is None else module
    try:
        target.load_state_dict(state)
    except ValueError as error:
        raise ValueError(f"{source}: {error}") from None
    return target
