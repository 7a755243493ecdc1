"""Gradient hooks: functions called with a node's gradient once it is complete."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autograd.value import Value

__all__ = ["RemovableHandle", "add_hook", "has_hooks", "run_hooks"]

Hook = Callable[[float], Any]


def add_hook(node: Value, hook: Hook) -> None:
    """Append ``hook`` to the hooks of ``node``; hooks run in the order they were added."""
    if not callable(hook):
        raise TypeError(f"a hook must be callable, got {type(hook).__name__}")
    node._annotations().hooks.append(hook)


def has_hooks(node: Value) -> bool:
    """Whether ``node`` has any hooks (backward's own loops test this inline: they are hot)."""
    return node._meta is not None and bool(node._meta.hooks)


def run_hooks(node: Value, grad: Any) -> Any:
    """Pass ``grad`` through the hooks of ``node`` in order; each may return a replacement."""
    from autograd.value import Value, _to_float  # noqa: PLC0415 (value.py imports this module)

    assert node._meta is not None
    for hook in node._meta.hooks:
        replaced = hook(grad)
        if replaced is None:
            continue
        if replaced is grad or isinstance(replaced, Value):  # grad(create_graph=True) has Values
            grad = replaced
            continue
        try:
            grad = _to_float(replaced, "a hook's gradient")
        except TypeError:
            name = getattr(hook, "__qualname__", repr(hook))
            raise TypeError(
                f"hook {name} on {node.label or repr(node)} returned "
                f"{type(replaced).__name__} {replaced!r}; a hook returns the new gradient "
                "(a number) or None to keep it"
            ) from None
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
