"""Gradient hooks: functions called with a node's gradient once it is complete."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autograd.value import Value

__all__ = ["RemovableHandle", "add_hook", "run_hooks"]

Hook = Callable[[float], Any]


def add_hook(node: Value, hook: Hook) -> None:
    """Append ``hook`` to the hooks of ``node``; hooks run in the order they were added."""
    if not callable(hook):
        raise TypeError(f"a hook must be callable, got {type(hook).__name__}")
    node._annotations().hooks.append(hook)


def run_hooks(node: Value, grad: Any) -> Any:
    """Pass ``grad`` through the hooks of ``node`` in order; each may return a replacement."""
    assert node._meta is not None
    for hook in node._meta.hooks:
        replaced = hook(grad)
        if replaced is not None:
            grad = replaced
    return grad


class RemovableHandle:
    """What ``register_hook`` returns: call ``.remove()`` to take the hook off again."""

    __slots__ = ("_hook", "_node")

    def __init__(self, node: Value, hook: Hook) -> None:
        self._node = node
        self._hook = hook

    def remove(self) -> None:
        """Take the hook off its node (a second call does nothing)."""
        meta = self._node._meta
        if meta is not None and self._hook in meta.hooks:
            meta.hooks.remove(self._hook)
