"""Names of nodes, the same in pictures, frames and steps: the label, the caller's variable, or v3.

A node without a label is called after the variable of the calling code that holds it (``e = a *
b`` then ``draw_dot(e)`` shows ``e``), else ``v<i>`` from its place in topological order. The
variables are read once per call, from the first frame outside this package (a script, a
notebook cell, a pdb prompt); nothing is stored on the nodes. ``variable_names = False`` here,
or ``variable_names=False`` to ``draw_dot`` and ``render_backward``, turns it off.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import FrameType

from autograd.value import Value

__all__ = ["node_names", "variable_names"]

variable_names = True  # the module switch: False names unlabelled nodes v<i> only

_PACKAGE = Path(__file__).parent
_COMPREHENSIONS = {"<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>"}
_GENERATED = re.compile(r"v\d+")  # a variable called v3 would be confused with a generated name


def _caller_frames() -> list[FrameType]:
    """The caller's frame: the first on the stack whose code is not in ``autograd``'s files.

    A comprehension or generator expression runs in a frame of its own (before Python 3.12):
    it comes first, then the frame it runs in.
    """
    frames = []
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if Path(frame.f_code.co_filename).parent != _PACKAGE:
            frames.append(frame)
            if frame.f_code.co_name not in _COMPREHENSIONS:
                break
        frame = frame.f_back
    return frames


def _bindings(frames: list[FrameType]) -> Iterable[tuple[str, object]]:
    """The frames' variables, innermost first, locals before globals (a local hides a global)."""
    for frame in frames:
        yield from list(frame.f_locals.items())
    yield from list(frames[-1].f_globals.items()) if frames else ()


def node_names(order: Sequence[Value], *, variables: bool | None = None) -> dict[int, str]:
    """A name for each node of ``order`` (a topological order), by ``id``: label, variable, v<i>.

    ``variables=None`` follows the module switch ``variable_names``.

    >>> a, b = Value(2.0, label="a"), Value(3.0)
    >>> e = a * b
    >>> sorted(node_names([b, a, e]).values())
    ['a', 'b', 'e']
    >>> sorted(node_names([b, a, e], variables=False).values())
    ['a', 'v0', 'v2']
    """
    names = {id(node): node.label for node in order if node.label}
    if variable_names if variables is None else variables:
        unnamed = {id(node) for node in order if not node.label}
        taken = set(names.values())
        frames = _caller_frames()
        try:
            for name, value in _bindings(frames):
                if (
                    isinstance(value, Value)
                    and id(value) in unnamed
                    and id(value) not in names
                    and name not in taken
                    and not name.startswith("_")  # IPython's _, _1, __: not the user's words
                    and not _GENERATED.fullmatch(name)
                ):
                    names[id(value)] = name
                    taken.add(name)
        finally:
            del frames  # a frame kept alive keeps all its variables alive
    for i, node in enumerate(order):
        names.setdefault(id(node), f"v{i}")
    return names
