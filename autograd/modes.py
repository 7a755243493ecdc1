"""Grad mode and anomaly mode: per-thread (contextvars) switches that ops consult when recording."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = [
    "anomaly_enabled",
    "current_scope",
    "gc_paused",
    "grad_enabled",
    "named_scope",
    "no_grad",
    "record_scopes",
    "recorder",
    "recording",
    "scopes_enabled",
]


class _Block:
    """One open ``with`` block of a switch: its value, and the block it sits in."""

    __slots__ = ("outer", "still_open", "value")

    def __init__(self, value: Any, outer: _Block | None) -> None:
        self.value = value
        self.outer = outer
        self.still_open = True


# Each switch holds the innermost block of the current context. A block can be left in another
# context than the one it was entered in (a generator closed from another thread, an async
# generator that asyncio finalizes in a task of its own); it is then marked closed, and every
# context that still holds it skips it. So a block's effect ends exactly when it is left.
_grad_off: ContextVar[_Block | None] = ContextVar("autograd_grad_off", default=None)
_anomaly: ContextVar[_Block | None] = ContextVar("autograd_anomaly", default=None)
_scopes: ContextVar[_Block | None] = ContextVar("autograd_scopes", default=None)
_recorder: ContextVar[_Block | None] = ContextVar("autograd_recorder", default=None)
_scope: ContextVar[str] = ContextVar("autograd_scope", default="")

# How many switch blocks (no_grad, detect_anomaly, ...) are open in any thread. Recording a node
# only looks at the context variables while this is non-zero: the common case costs one test.
active = 0
_active_lock = threading.Lock()


def _innermost(var: ContextVar[_Block | None]) -> Any:
    """The value of the innermost block of ``var`` still open in this context, or None."""
    block = var.get()
    while block is not None and not block.still_open:
        block = block.outer
    return None if block is None else block.value


def grad_enabled() -> bool:
    """Whether ops record the graph in the current context (False inside ``no_grad()``)."""
    return _innermost(_grad_off) is None


def anomaly_enabled() -> bool:
    """Whether ``detect_anomaly()`` is on in the current context."""
    return _innermost(_anomaly) is not None


@contextmanager
def _switch(var: ContextVar[_Block | None], value: Any) -> Iterator[None]:
    global active
    block = _Block(value, var.get())
    with _active_lock:
        active += 1
    var.set(block)
    try:
        yield
    finally:
        block.still_open = False
        with _active_lock:
            active -= 1
        if var.get() is block:  # left where it was entered, innermost: drop it here too
            var.set(block.outer)


@contextmanager
def no_grad() -> Iterator[None]:
    """Compute without recording a graph, like ``torch.no_grad()``; safe across threads.

    >>> from autograd import Value, no_grad
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y._prev
    ()
    """
    with _switch(_grad_off, True):
        yield


@contextmanager
def anomaly_mode() -> Iterator[None]:
    """Turn anomaly mode on for the current context (used by ``detect_anomaly``)."""
    with _switch(_anomaly, True):
        yield


def scopes_enabled() -> bool:
    """Whether new nodes get tagged with the open ``named_scope`` (inside ``record_scopes()``)."""
    return _innermost(_scopes) is not None


def current_scope() -> str:
    """The dotted path of the open ``named_scope`` blocks, e.g. ``'layers.0.neurons.3'``."""
    return _scope.get()


@contextmanager
def record_scopes() -> Iterator[None]:
    """Tag every node made inside with its scope, so pictures can fold a neuron into one box.

    >>> from autograd import Value, named_scope, record_scopes
    >>> with record_scopes(), named_scope("layer"), named_scope("neuron"):
    ...     y = Value(1.0) * 2
    >>> y.scope
    'layer.neuron'
    """
    with _switch(_scopes, True):
        yield


@contextmanager
def named_scope(name: str) -> Iterator[None]:
    """Open a scope called ``name`` inside the current one (nn opens one per layer and neuron)."""
    outer = _scope.get()
    token = _scope.set(f"{outer}.{name}" if outer else name)
    try:
        yield
    finally:
        _scope.reset(token)


def recorder() -> Any:
    """The recorder of the open ``recording()`` block (``compile`` uses one), or None."""
    return _innermost(_recorder)


@contextmanager
def recording(recorder: Any) -> Iterator[None]:
    """Show ``recorder`` every node and comparison made inside: ``recorder.made(node)``,
    ``recorder.compared(x, op, y, result)``, and ``recorder.refuse(what)`` for what it can't
    record."""
    with _switch(_recorder, recorder):
        yield


@contextmanager
def gc_paused() -> Iterator[None]:
    """Keep Python's cyclic garbage collector out of a block, then restore it as it was.

    Our graphs hold no reference cycles: reference counting frees every node, and the cyclic
    collector only walks them and finds nothing (a third of a training step; see
    benchmarks/RESULTS.md). Pausing it is your choice, for code you know: it is process-wide
    while the block runs, and cycles made inside are collected after it.

    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
