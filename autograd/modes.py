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

_grad_enabled: ContextVar[bool] = ContextVar("autograd_grad_enabled", default=True)
_anomaly_enabled: ContextVar[bool] = ContextVar("autograd_anomaly_enabled", default=False)
_scopes_enabled: ContextVar[bool] = ContextVar("autograd_scopes_enabled", default=False)
_scope: ContextVar[str] = ContextVar("autograd_scope", default="")
_recorder: ContextVar[Any] = ContextVar("autograd_recorder", default=None)

# How many no_grad / detect_anomaly blocks are open in any thread. Recording a node only looks
# at the context variables while this is non-zero, so the common case costs one integer test.
active = 0
_active_lock = threading.Lock()


def grad_enabled() -> bool:
    """Whether ops record the graph in the current context (False inside ``no_grad()``)."""
    return _grad_enabled.get()


def anomaly_enabled() -> bool:
    """Whether ``detect_anomaly()`` is on in the current context."""
    return _anomaly_enabled.get()


@contextmanager
def _switch(var: ContextVar[Any], value: Any) -> Iterator[None]:
    global active
    with _active_lock:
        active += 1
    token = var.set(value)
    try:
        yield
    finally:
        var.reset(token)
        with _active_lock:
            active -= 1


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
    with _switch(_grad_enabled, False):
        yield


@contextmanager
def anomaly_mode() -> Iterator[None]:
    """Turn anomaly mode on for the current context (used by ``detect_anomaly``)."""
    with _switch(_anomaly_enabled, True):
        yield


def scopes_enabled() -> bool:
    """Whether new nodes get tagged with the open ``named_scope`` (inside ``record_scopes()``)."""
    return _scopes_enabled.get()


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
    with _switch(_scopes_enabled, True):
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
    return _recorder.get()


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
