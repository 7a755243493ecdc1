"""Grad mode and anomaly mode: per-thread (contextvars) switches that ops consult when recording."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["anomaly_enabled", "grad_enabled", "no_grad"]

_grad_enabled: ContextVar[bool] = ContextVar("autograd_grad_enabled", default=True)
_anomaly_enabled: ContextVar[bool] = ContextVar("autograd_anomaly_enabled", default=False)

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
def _switch(var: ContextVar[bool], value: bool) -> Iterator[None]:
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
