"""The backward pass: topological order, ``backward``, ``grad`` (to any order) and ``hessian``."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from autograd import modes, value
from autograd.hooks import run_hooks
from autograd.ops import closure_backward, missing_backward, op_of
from autograd.value import Value, joined_inputs, split_inputs

__all__ = [
    "backward",
    "begin_pass",
    "contributions",
    "end_pass",
    "grad",
    "grads_put_back",
    "hessian",
    "propagate",
    "reset_grads",
    "topological_order",
]


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after its inputs, ``root`` last.

    An iterative depth-first search, so a chain of a million nodes is fine (micrograd's
    recursive walk stops near Python's recursion limit of 1000).

    >>> x = Value(1.0, label="x")
    >>> [v.label or v._op for v in topological_order(x * x + x)]
    ['x', '*', '+']
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[Value | None] = [root]  # nodes to visit; None: the latest `waiting` is done
    waiting: list[Value] = []  # nodes whose inputs are being ordered, the innermost last
    visit, visit_all, pop = stack.append, stack.extend, stack.pop
    mark, done, all_seen = seen.add, order.append, seen.issuperset
    while stack:
        node = pop()
        if node is None:  # every input of the innermost waiting node is in `order`
            done(waiting.pop())
            continue
        if node in seen:  # reached again through a later input: already placed
            continue
        mark(node)
        x = node._x
        if x is None:  # a leaf
            done(node)
            continue
        visit(None)
        waiting.append(node)
        # Pushed x first and the last input last, so the last input is visited first: y before
        # x, as micrograd's recursion over reversed inputs, so that backward meets x first.
        if x not in seen:
            visit(x)
        y = node._y
        if type(y) is tuple:  # n-ary: a fused node's inputs, the weights met many times over
            if not all_seen(y):  # mostly they are all placed already: one test in C
                visit_all([v for v in y if v not in seen])
        elif y is not None and y not in seen:
            visit(y)
    return order


@contextmanager
def grads_put_back(root: Value, *, from_zero: bool = False) -> Iterator[list[Value]]:
    """Run backward passes inside freely: afterwards every ``.grad`` of ``root``'s graph is back.

    What looking at a backward pass needs (traces, quizzes, worksheets, ``explore``): the pass
    runs for real inside and leaves nothing behind. ``from_zero`` starts every grad at 0, so a
    pass inside shows its own gradients, without earlier ones accumulated in the leaves. Yields
    the graph's nodes in topological order.

    >>> x = Value(3.0)
    >>> with grads_put_back(x * x):
    ...     (x * x).backward()
    >>> x.grad
    0.0
    """
    order = topological_order(root)
    earlier = [node.grad for node in order]
    try:
        if from_zero:
            for node in order:
                node.grad = 0.0
        yield order
    finally:
        for node, grad in zip(order, earlier, strict=True):
            node.grad = grad


def begin_pass(root: Value, gradient: float) -> tuple[list[Value], list[tuple[Value, float]]]:
    """Order the graph, clear the grads this pass fills and seed ``root.grad``.

    Leaves keep their earlier gradient aside, to add it back at the end: so a leaf's grad is
    ``old + this pass``, summed in the same order as PyTorch, and hooks see this pass alone.
    """
    if not isinstance(gradient, numbers.Real):
        raise TypeError(f"backward(gradient) must be a number, got {type(gradient).__name__}")
    if modes.active and (recorder := modes.recorder()) is not None:
        recorder.refuse("backward()")
    order = topological_order(root)
    if value.hand_built:  # someone built nodes by hand: check rules before changing any grad
        for node in order:
            if node.grad_fn is missing_backward:
                missing_backward(node)  # the rule of a node without one raises, saying so
    return order, reset_grads(order, root, gradient)


def reset_grads(
    order: list[Value], root: Value, gradient: float = 1.0
) -> list[tuple[Value, float]]:
    """Zero the grads of ``order``, seed ``root.grad``; return the leaves' earlier grads."""
    earlier: list[tuple[Value, float]] = []
    for node in order:
        if node.grad and node.grad_fn is None:
            earlier.append((node, node.grad))
        node.grad = 0.0
    root.grad = float(gradient)
    return earlier


def propagate(order: list[Value]) -> None:
    """The chain rule over ``order``, output first: each node's hooks, then its backward rule."""
    for node in reversed(order):
        if node._meta is not None and node._meta.hooks:  # has_hooks(node), inlined: hot
            node.grad = float(run_hooks(node, node.grad))
        rule = node.grad_fn
        if rule is not None:
            rule(node)  # e.g. mul_backward(out): adds out.grad * y into x.grad


def end_pass(earlier: list[tuple[Value, float]]) -> None:
    """Add the leaves' earlier gradients back: leaves accumulate across passes."""
    for leaf, old in earlier:
        leaf.grad = old + leaf.grad


def backward(root: Value, gradient: float = 1.0) -> None:
    """Run reverse-mode differentiation from ``root``; see ``Value.backward``."""
    if modes.active and modes.anomaly_enabled():
        from autograd.debug import backward_steps  # noqa: PLC0415 (debug.py imports this module)

        for _ in backward_steps(root, gradient):  # checks each step for a nan or inf born there
            pass
        return
    order, earlier = begin_pass(root, gradient)
    propagate(order)
    end_pass(earlier)


class _Zero:
    """The gradient of a node nothing has flowed into yet: adding to it gives 0.0 + the addend."""

    __slots__ = ()

    def __add__(self, other: Any) -> Any:
        # 0.0 + g, not g: backward() starts every grad at 0.0 and adds, so a lone -0.0 comes out
        # as 0.0 there; grad() gives the same signed zeros (PyTorch would keep the -0.0).
        return 0.0 + other

    __radd__ = __add__

    def __repr__(self) -> str:
        return "0"


ZERO = _Zero()


class StandIn:
    """A copy of a node's ``.data``, ``.grad`` and inputs for running backward rules on.

    With float data the rules compute numbers without touching the real ``.grad``; with the
    real node as data, they compute Values: a graph of the gradient, differentiable again.
    """

    __slots__ = ("_x", "_y", "data", "grad")

    def __init__(self, data: Any, parents: tuple[StandIn, ...]) -> None:
        self.data = data
        self.grad: Any = ZERO
        self._x, self._y = split_inputs(parents)

    @property
    def _prev(self) -> tuple[StandIn, ...]:
        """The stand-ins of the node's inputs, in order (as ``Value._prev``)."""
        return joined_inputs(self._x, self._y)


def run_rule(node: Value, stand_in: StandIn) -> None:
    """Apply the backward rule of ``node`` to its stand-in."""
    if node.grad_fn is missing_backward:
        missing_backward(node)  # on the node itself, so that its error names the node
    if node.grad_fn is closure_backward:
        raise TypeError(
            f"node {node!r} has a micrograd-style closure (out._backward = fn): it adds into "
            "the real nodes' .grad, so it cannot be run on the copies that grad(), "
            "create_graph and compile work on. Make the op with "
            "autograd.define_op(name, forward, backward) to use it there."
        )
    rule = cast(Callable[[StandIn], None], node.grad_fn)
    rule(stand_in)


def _probe_closure(node: Value, out_grad: float) -> list[float]:
    """What a micrograd-style closure adds into each input, measured on the real nodes with
    their grads at 0, every grad put back afterwards (looking changes nothing)."""
    inputs = node._prev
    saved = [(n, n.grad) for n in dict.fromkeys((*inputs, node))]
    try:
        for x in inputs:
            x.grad = 0.0
        node.grad = out_grad
        node._backward()
        first = {x: i for i, x in reversed(list(enumerate(inputs)))}
        # x * x built by hand: the closure adds both parts into one x; show them on its first slot
        return [x.grad if first[x] == i else 0.0 for i, x in enumerate(inputs)]
    finally:
        for n, g in saved:
            n.grad = g


def contributions(node: Value, out_grad: float) -> list[float]:
    """What ``node``'s backward rule adds into each input's grad, given ``out_grad``.

    One entry per differentiable input slot (``x * x`` has two), from the rule run on
    stand-ins, so no real ``.grad`` changes.

    >>> x, y = Value(2.0), Value(3.0)
    >>> contributions(x * y, 0.5)
    [1.5, 1.0]
    """
    op = op_of(node)
    if op is None:
        return []
    if op.kind == "closure":
        return _probe_closure(node, out_grad)
    slots = tuple(StandIn(p.data, ()) for p in node._prev)
    out = StandIn(node.data, slots)
    out.grad = out_grad
    run_rule(node, out)
    return [0.0 if s.grad is ZERO else float(s.grad) for s in slots[: op.inputs]]


def stand_ins(order: list[Value], *, as_values: bool) -> dict[Value, StandIn]:
    """A stand-in per node of ``order`` (inputs first), holding data or the node itself."""
    copies: dict[Value, StandIn] = {}
    for node in order:
        data = node if as_values else node.data
        copies[node] = StandIn(data, tuple(copies[p] for p in node._prev))
    return copies


def grad(
    output: Value,
    inputs: Value | Sequence[Value],
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Any, ...]:
    """d(output)/d(input) for each input, leaving every ``.grad`` untouched (torch.autograd.grad).

    With ``create_graph=True`` the gradients are Values with a graph of their own, so they can
    be differentiated again (second derivatives, Hessians).

    >>> x = Value(3.0)
    >>> (dy,) = grad(x ** 3, [x], create_graph=True)
    >>> dy.data, grad(dy, [x])[0]
    (27.0, 18.0)
    """
    xs = [inputs] if isinstance(inputs, Value) else list(inputs)
    for i, x in enumerate(xs):
        if not isinstance(x, Value):
            raise TypeError(f"grad() inputs must be Values; input {i} is {type(x).__name__}")
    if not isinstance(output, Value):
        raise TypeError(f"grad() output must be a Value, got {type(output).__name__}")
    if not create_graph and modes.active and (recorder := modes.recorder()) is not None:
        recorder.refuse("grad() without create_graph=True")
    order = topological_order(output)
    copies = stand_ins(order, as_values=create_graph)
    copies[output].grad = 1.0
    for node in reversed(order):
        copy = copies[node]
        if node._meta is not None and node._meta.hooks:
            copy.grad = run_hooks(node, copy.grad)
        if node.grad_fn is not None and copy.grad is not ZERO:
            run_rule(node, copy)
    results: list[Any] = []
    for i, x in enumerate(xs):
        if x not in copies:
            if not allow_unused:
                name = f" ({x.label!r})" if x.label else ""
                raise ValueError(
                    f"input {i}{name} is not part of the graph of the output; "
                    "pass allow_unused=True to get None for it"
                )
            results.append(None)
            continue
        g = copies[x].grad
        g = 0.0 if g is ZERO else g
        if create_graph and not isinstance(g, Value):
            g = Value(g)
        results.append(g)
    return tuple(results)


def hessian(fn: Callable[..., Value], inputs: Iterable[float]) -> list[list[float]]:
    """The matrix of second derivatives of ``fn(*inputs)`` (torch.autograd.functional.hessian).

    >>> hessian(lambda x, y: x * x * y, [2.0, 3.0])
    [[6.0, 4.0], [4.0, 0.0]]
    """
    xs = [Value(x) for x in inputs]
    first = grad(fn(*xs), xs, create_graph=True, allow_unused=True)
    rows: list[list[float]] = []
    for g in first:
        second = grad(g, xs, allow_unused=True) if g is not None else (None,) * len(xs)
        rows.append([0.0 if s is None else float(s) for s in second])
    return rows
