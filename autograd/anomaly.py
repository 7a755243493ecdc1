"""Anomaly mode: find the op where a nan or inf was born, forward or backward, and its source line.

PyTorch's anomaly mode checks only backward nan and names the node that passed it on; users
asked for more (pytorch/pytorch#1274, #43405, #143658). Here an op is blamed only when its own
inputs were clean: the first op to make a nan, or to make an inf out of finite numbers.
"""

from __future__ import annotations

import linecache
import math
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from autograd import modes
from autograd.ops import op_of

if TYPE_CHECKING:
    from autograd.value import Value

__all__ = ["check_forward", "check_step", "detect_anomaly", "remember_site", "user_site"]

_ENGINE_DIR = str(Path(__file__).resolve().parent)


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise FloatingPointError at the op that first makes a nan or inf, forward or backward.

    Ops made inside also remember the file and line that made them (only in this mode, so
    normal runs stay fast).

    >>> from autograd import Value
    >>> with detect_anomaly():
    ...     Value(-1.0, label="x").log()
    Traceback (most recent call last):
    ...
    FloatingPointError: log made nan from clean inputs: x = -1
      the log was made at File "<doctest ...>", line 2: Value(-1.0, label="x").log()
    """
    with modes.anomaly_mode():
        yield


def user_site() -> tuple[str, int, str] | None:
    """(file, line, source) of the innermost caller outside the engine, or None."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_ENGINE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return None
    filename, line = frame.f_code.co_filename, frame.f_lineno
    return filename, line, linecache.getline(filename, line).strip()


def remember_site(node: Value) -> None:
    """Store where user code made ``node``: the first frame outside the engine."""
    site = user_site()
    if site is not None:
        node._annotations().site = site


def _describe(node: Value) -> str:
    """``x = -1`` for a labelled node, ``(x * x) = 0`` for an unlabelled op, else ``1.5``."""
    if node.label:
        return f"{node.label} = {node.data:.6g}"
    if node._prev:
        names = [p.label or f"{p.data:.6g}" for p in node._prev]
        text = f" {node._op} ".join(names) if len(names) == 2 else f"{node._op}({', '.join(names)})"
        return f"({text}) = {node.data:.6g}"
    return f"{node.data:.6g}"


def _where(node: Value) -> str:
    site = node._meta.site if node._meta is not None else None
    if site is None:
        return "made outside detect_anomaly(): run the forward pass inside it to see where"
    filename, line, code = site
    return f'made at File "{filename}", line {line}: {code}'


def _bad(value: float, inputs: Sequence[float]) -> str | None:
    """'nan' or 'inf' if ``value`` is a newly born one: no nan among the inputs, or all finite."""
    if math.isnan(value) and not any(math.isnan(x) for x in inputs):
        return "nan"
    if math.isinf(value) and all(math.isfinite(x) for x in inputs):
        return "inf"
    return None


def check_forward(out: Value) -> None:
    """Raise if ``out`` is a nan or inf that its op made from clean inputs."""
    op = op_of(out)
    if op is None:
        return
    prev = out._prev
    kind = _bad(out.data, [x.data for x in prev])
    if kind is not None:
        listed = ", ".join(_describe(x) for x in prev[: op.inputs])
        raise FloatingPointError(
            f"{out._op} made {kind} from clean inputs: {listed}\n  the {out._op} was {_where(out)}"
        )


def check_step(node: Value, out_grad: float, edges: Sequence[tuple[Value, float]]) -> None:
    """Raise if the backward rule of ``node`` made a nan or inf from a clean gradient and data."""
    clean = [out_grad, node.data, *(x.data for x in node._prev)]
    for parent, contribution in edges:
        kind = _bad(contribution, clean)
        if kind is not None:
            rule = node.grad_fn.__name__ if node.grad_fn is not None else "?"
            listed = ", ".join(_describe(x) for x in node._prev)
            raise FloatingPointError(
                f"{rule} made {kind} in the gradient of {_describe(parent)} "
                f"from {node._op}.grad = {out_grad:.6g}; its inputs: {listed}\n"
                f"  the {node._op} was {_where(node)}"
            )
