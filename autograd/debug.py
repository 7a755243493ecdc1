"""Seeing a backward pass: step through it node by node, or print it as a table."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from autograd import modes
from autograd.anomaly import check_step
from autograd.backward import begin_pass, contributions, end_pass, grads_put_back
from autograd.hooks import has_hooks, run_hooks
from autograd.names import node_names
from autograd.ops import Op, op_of
from autograd.value import Value

__all__ = ["Edge", "Step", "backward_steps", "format_trace", "trace_backward"]


@dataclass(frozen=True)
class Edge:
    """What one input received in a step: ``parent.grad += local * out_grad``."""

    parent: Value
    local: float  # d node / d parent at this point
    contribution: float  # what was added to parent.grad: local * out_grad, as the rule computed it


@dataclass(frozen=True)
class Step:
    """One node of a backward pass: its complete gradient, passed on to its inputs."""

    index: int  # 0 for the output, counting up in the order backward() processes nodes
    node: Value
    op: Op | None  # None for a leaf
    out_grad: float  # the node's complete gradient, which the step passes on
    edges: tuple[Edge, ...]  # one per differentiable input, in _prev order
    names: dict[int, str]  # id(node) -> a readable name, shared by all steps of one pass

    def name(self, node: Value) -> str:
        """The label of ``node``, or a stable name like ``v3`` from its position in the graph."""
        return self.names.get(id(node), "?")

    def __repr__(self) -> str:
        out = self.name(self.node)
        if self.op is None:
            return f"{out} is a leaf | its gradient is complete: {out}.grad = {_num(self.out_grad)}"
        return " | ".join([f"{out} = {self.forward_text()}", *self.edge_texts()])

    def forward_text(self) -> str:
        """The op as a formula of its input names, e.g. ``tanh(n)`` or ``x1w1 + x2w2``."""
        assert self.op is not None
        ins = [self.name(p) for p in self.node._prev]
        if self.op.formula is not None:  # an n-ary op writes itself out: b + w0 * x0 + ...
            return self.op.formula(ins)
        if self.op.name == "pow_const":
            return f"{ins[0]} ** {_num(self.node._prev[1].data)}"
        if self.op.inputs == 2 and self.op.symbol in "+-*/**":
            return f"{ins[0]} {self.op.symbol} {ins[1]}"
        settings = [_num(p.data) for p in self.node._prev[self.op.inputs :]]
        return f"{self.op.name}({', '.join(ins[: self.op.inputs] + settings)})"

    def edge_texts(self) -> list[str]:
        """One chain-rule line per input: ``n.grad += (1 - o**2) * o.grad = 0.5 * 1 = 0.5``."""
        assert self.op is not None
        out = self.name(self.node)
        prev = self.node._prev
        if callable(self.op.local):  # an n-ary op names its inputs itself
            texts = self.op.local([self.name(p) for p in prev])
        else:
            words = {"out": out, "x": self.name(prev[0]), "y": "", "c": "", "slope": ""}
            if len(prev) > 1:
                second = self.name(prev[1]) if self.op.inputs != 1 else _num(prev[1].data)
                words["y"] = words["c"] = words["slope"] = second
            pattern = r"\b(out|x|y|c|slope)\b"
            texts = tuple(re.sub(pattern, lambda m: words[m.group(1)], t) for t in self.op.local)
        lines = []
        for edge, text in zip(self.edges, texts, strict=True):
            local = text if _is_atom(text) else f"({text})"
            lines.append(
                f"{self.name(edge.parent)}.grad += {local} * {out}.grad"
                f" = {_num(edge.local)} * {_num(self.out_grad)} = {_num(edge.contribution)}"
            )
        return lines


def _num(x: float) -> str:
    return f"{x:.4g}"


def _is_atom(text: str) -> bool:
    return re.fullmatch(r"-?[\w.]+", text) is not None


def _edges(node: Value, op: Op, out_grad: float) -> tuple[Edge, ...]:
    """The node's rule on stand-ins: with out_grad = 1 (local derivatives), then for real."""
    locals_ = contributions(node, 1.0)
    adds = contributions(node, out_grad)
    return tuple(
        Edge(parent, local, add)
        for parent, local, add in zip(node._prev[: op.inputs], locals_, adds, strict=True)
    )


def _names(order: list[Value]) -> dict[int, str]:
    return node_names(order)


def backward_steps(root: Value, gradient: float = 1.0) -> Iterator[Step]:
    """Run ``root.backward()`` one node at a time, yielding a Step after each node is done.

    Exhausting it leaves exactly the gradients ``backward()`` would.

    >>> x = Value(0.5, label="x")
    >>> o = x.tanh()
    >>> o.label = "o"
    >>> steps = backward_steps(o)
    >>> next(steps)
    o = tanh(x) | x.grad += (1 - o**2) * o.grad = 0.7864 * 1 = 0.7864
    >>> next(steps)
    x is a leaf | its gradient is complete: x.grad = 0.7864
    """
    _check_root(root, "backward_steps")
    return _steps(root, gradient)


def _check_root(root: object, caller: str) -> None:
    # Checked at the call, not at the first next(): the mistake is in the caller's line.
    if not isinstance(root, Value):
        raise TypeError(
            f"{caller}(root) needs the Value to run the backward pass from (e.g. the loss), "
            f"got {type(root).__name__}: {root!r}"
        )


def _steps(root: Value, gradient: float) -> Iterator[Step]:
    order, earlier = begin_pass(root, gradient)
    names = _names(order)
    check = modes.anomaly_enabled()
    try:
        for index, node in enumerate(reversed(order)):
            if has_hooks(node):
                node.grad = float(run_hooks(node, node.grad))
            op = op_of(node)
            edges = _edges(node, op, node.grad) if op is not None else ()
            step = Step(index, node, op, node.grad, edges, names)
            if check:
                check_step(step.node, step.out_grad, [(e.parent, e.contribution) for e in edges])
            if node.grad_fn is not None:
                node.grad_fn(node)
            yield step
    finally:
        end_pass(earlier)


def format_trace(steps: list[Step]) -> str:
    """The steps of a backward pass as a table: node, op, upstream grad, local, contributions."""
    rows: list[tuple[str, ...]] = [
        ("step", "node", "op", "node.grad", "input", "local d", "added to input.grad")
    ]
    for step in steps:
        head = [str(step.index), step.name(step.node), step.node._op or "leaf", _num(step.out_grad)]
        if not step.edges:
            rows.append((*head, "", "", ""))
        for i, edge in enumerate(step.edges):
            cells = head if i == 0 else ["", "", "", ""]
            rows.append((*cells, step.name(edge.parent), _num(edge.local), _num(edge.contribution)))
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def trace_backward(root: Value, gradient: float = 1.0, file: TextIO | None = None) -> list[Step]:
    """Print the backward pass as a table and return its steps; every ``.grad`` stays as it was.

    Looking changes nothing: the pass runs (hooks included, so the table shows what
    ``backward()`` would do), then each node of the graph gets its earlier gradient back.
    To run the pass and keep its gradients, step it with ``backward_steps``.

    >>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
    >>> c = a * b
    >>> c.label = "c"
    >>> _ = trace_backward(c)
    step  node  op    node.grad  input  local d  added to input.grad
    ----  ----  ----  ---------  -----  -------  -------------------
    0     c     *     1          a      3        3
                                 b      2        2
    1     a     leaf  3
    2     b     leaf  2
    """
    _check_root(root, "trace_backward")
    with grads_put_back(root):
        steps = list(_steps(root, gradient))
    print(format_trace(steps), file=file or sys.stdout)
    return steps
