"""Model files: a versioned JSON document with the architecture and the weights, saved atomically.

Weights are written with ``repr`` (JSON's float format), which round-trips every float64
exactly. A file is checked completely before any weight is assigned, so a bad file never
leaves a model half loaded.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from nn.modules import Module, from_config

__all__ = ["FORMAT", "VERSION", "load", "save"]

FORMAT = "fehlerberg.nn"
VERSION = 1


def save(module: Module, path: str | os.PathLike[str]) -> None:
    """Write ``module`` to ``path``: a temporary file in the same folder, then a rename.

    A crash midway leaves the old file (if any) intact, never a truncated one.
    """
    target = Path(path)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "module": module.config(),
        "parameters": module.state_dict(),
    }
    text = json.dumps(document, indent=1) + "\n"
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        temp.replace(target)  # atomic on POSIX and Windows
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not a text file (corrupted?): {error}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{path} is not valid JSON (truncated or corrupted?): {error}; save the model again"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise ValueError(f"{path} is not a {FORMAT} model file (format: {found!r})")
    version = document.get("version")
    if version != VERSION:
        newer = isinstance(version, int) and not isinstance(version, bool) and version > VERSION
        hint = "; update fehlerberg" if newer else ""
        raise ValueError(
            f"{path} has format version {version!r}, this fehlerberg reads version {VERSION}{hint}"
        )
    for key in ("module", "parameters"):
        if not isinstance(document.get(key), dict):
            raise ValueError(f"{path} has no {key!r} object (corrupted?)")
    return document


def load(path: str | os.PathLike[str], module: Module | None = None) -> Module:
    """Read a model saved by ``save``; with ``module`` given, load the weights into it.

    The whole file is checked before anything is assigned: a truncated, corrupted or
    mismatched file raises ValueError and leaves ``module`` unchanged.
    """
    source = Path(path)
    document = _read(source)
    config = document["module"]
    try:
        built = from_config(config)
    except ValueError as error:
        raise ValueError(f"{source}: bad architecture: {error}") from None
    if module is not None and module.config() != built.config():
        raise ValueError(
            f"{source} holds a {config} but the module is a {module.config()}; "
            "build the module with the same architecture, or call load(path) alone"
        )
    target = built if module is None else module
    try:
        target.load_state_dict(document["parameters"])
    except ValueError as error:
        raise ValueError(f"{source}: {error}") from None
    return target
