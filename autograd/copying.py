"""Copying and pickling graphs without recursion, so a graph of any depth works; sharing is kept.

``copy.deepcopy`` and ``pickle`` walk an object's references recursively, one Python frame per
node of a chain, and stop near depth 1000 (micrograd's demo loss is deeper). Here a node is
copied or pickled from the topological order of its graph, inputs first, so every input is
already done when its node comes: no recursion, linear time, and a node shared by many ops
(``x * x``, a diamond) stays one node.

What a copy keeps: ``data``, ``grad``, the backward rule (the same named function; a pickle
stores a built-in rule by name and a ``define_op`` rule by its op's name, to be defined again
before loading), label, op, scope, the anomaly site, hooks and the attributes users hang on
nodes (deep-copied and pickled like any attribute).

Hooks are functions that watch: a deep copy calls the same ones (in a list of its own, so
removing a hook from one graph leaves the other alone). A micrograd-style closure
(``out._backward = fn``) does the work of the node it belongs to, so a copy gets its own: the
same code, with the nodes it closes over replaced by their copies. A pickle stores functions by
their importable name, so a lambda or a local function (a hook or a closure) cannot be pickled:
the error names the node, before the graph is written.
"""

from __future__ import annotations

import copy
import pickle
import sys
import threading
import types
from typing import Any

from autograd import ops, value
from autograd.backward import topological_order
from autograd.value import Value, _Meta, _new, joined_inputs, split_inputs

__all__ = ["copy_node", "deepcopy_graph", "reduce_node"]

Fields = tuple[float, float, Any, tuple[Value, ...], "dict[str, Any] | None"]


def _meta_state(meta: _Meta | None) -> dict[str, Any] | None:
    """The annotations of a node as a dict (lists copied), or None for a plain node."""
    if meta is None:
        return None
    state = {}
    for name in type(meta).__slots__:
        if hasattr(meta, name):
            part = getattr(meta, name)
            state[name] = list(part) if isinstance(part, list) else part
    return state


def _make(data: float, grad: float, rule: Any, inputs: tuple[Value, ...], meta: Any) -> Value:
    """A node with these fields, made as ``_record`` makes one (no mode applies to a copy)."""
    node: Value = _new(Value)
    node.data = data
    node.grad = grad
    node.grad_fn = rule
    node._x, node._y = split_inputs(inputs)
    node._meta = None
    if meta is not None:
        annotations = node._annotations()
        for name, part in meta.items():
            setattr(annotations, name, part)
    if rule is ops.missing_backward:  # a hand-built node without a rule: backward checks first
        value.hand_built = True
    return node


def _rebound(step: Any, copy_cell: Any) -> Any:
    """A micrograd-style closure for a copy: the same code, each closed-over value copied."""
    if not isinstance(step, types.FunctionType):
        return copy_cell(step)  # a bound method or a partial: copied like any object
    if step.__closure__ is None:
        return step
    cells = tuple(types.CellType(copy_cell(cell.cell_contents)) for cell in step.__closure__)
    twin = types.FunctionType(
        step.__code__, step.__globals__, step.__name__, step.__defaults__, cells
    )
    twin.__qualname__ = step.__qualname__
    twin.__kwdefaults__ = step.__kwdefaults__
    return twin


def _user_attributes(node: Value) -> dict[str, Any] | None:
    return node.__dict__ or None  # the attributes users hang on nodes, if any


# -- copy.copy and copy.deepcopy


def copy_node(node: Value) -> Value:
    """``copy.copy``: a new node with the same fields and the same inputs (not copied)."""
    twin = _make(node.data, node.grad, node.grad_fn, node._prev, _meta_state(node._meta))
    if twin._meta is not None and twin._meta.step is not None:  # its closure acts on the twin
        twin._meta.step = _rebound(twin._meta.step, lambda x: twin if x is node else x)
    if (attributes := _user_attributes(node)) is not None:
        twin.__dict__.update(attributes)
    return twin


def deepcopy_graph(root: Value, memo: dict[int, Any]) -> Value:
    """``copy.deepcopy``: a copy of every node ``root`` depends on, inputs first, no recursion."""
    # copy's own keep-alive list: the originals stay alive, so their ids in memo stay theirs.
    keep_alive = memo.setdefault(id(memo), [])
    for node in topological_order(root):
        if id(node) in memo:  # met before in this deepcopy (another output of the same graph)
            continue
        inputs = tuple(memo[id(p)] for p in joined_inputs(node._x, node._y))
        twin = _make(node.data, node.grad, node.grad_fn, inputs, _meta_state(node._meta))
        memo[id(node)] = twin
        keep_alive.append(node)
        if twin._meta is not None and twin._meta.step is not None:
            twin._meta.step = _rebound(twin._meta.step, lambda x: copy.deepcopy(x, memo))
        if (attributes := _user_attributes(node)) is not None:
            twin.__dict__.update(copy.deepcopy(attributes, memo))
    twin = memo[id(root)]
    assert isinstance(twin, Value)
    return twin


# -- pickle
#
# pickle saves an object's reduce tuple recursively: a node whose inputs are not saved yet
# recurses into them. So the first node pickle meets (the root) puts its whole graph in front of
# itself, in topological order: each of those nodes is then saved after its inputs and only
# refers to them. The nodes of that graph are "covered" while it is written, and reduce to
# their own fields alone; a marker saved after the graph ends the cover.

_pickling = threading.local()  # .covered: the ids of the nodes of the graphs being written


def _covered() -> set[int]:
    covered: set[int] | None = getattr(_pickling, "covered", None)
    if covered is None:
        covered = _pickling.covered = set()
    return covered


def _fields(node: Value) -> Fields:
    meta = None if node._meta is None else _meta_state(node._meta)
    rule: Any = node.grad_fn
    if rule is not None and (op := ops.op_of(node)) is not None and op.kind == "defined":
        rule = _DefinedRule(op.name)  # made inside define_op: found again by the op's name
    return node.data, node.grad, rule, joined_inputs(node._x, node._y), meta


class _DefinedRule:
    """Stands for the rule of a ``define_op`` op in a pickle: unpickles as that op's rule."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __reduce__(self) -> tuple[Any, ...]:
        return _defined_rule, (self.name,)


def _defined_rule(name: str) -> Any:
    op = ops.DEFINED.get(name)
    if op is None:
        raise pickle.UnpicklingError(
            f"the graph uses the op {name!r} made with define_op: run that define_op call "
            "(import the module that makes it) before loading the graph"
        )
    return op.backward


def reduce_node(node: Value) -> tuple[Any, ...]:
    """``pickle``'s ``__reduce_ex__``: a node's fields, after its graph (inputs first)."""
    covered = _covered()
    if id(node) in covered:
        return _make, _fields(node), _user_attributes(node)
    order = topological_order(node)
    _check_picklable(order)
    if len(order) == 1:
        return _make, _fields(node), _user_attributes(node)
    graph = {id(each) for each in order}
    covered |= graph
    return _graph_node, (order[:-1], _EndOfGraph(graph), _fields(node)), _user_attributes(node)


def _graph_node(graph: list[Value], end: None, fields: Fields) -> Value:
    """Unpickle the root of a graph: ``graph`` (its other nodes) was loaded just before."""
    return _make(*fields)


class _EndOfGraph:
    """Saved right after a graph's nodes: ends their cover. Unpickles as None."""

    def __init__(self, graph: set[int]) -> None:
        self.graph = graph

    def __reduce__(self) -> tuple[Any, ...]:
        _covered().difference_update(self.graph)
        return _nothing, ()


def _nothing() -> None:
    return None


_WORDS = {"hooks": "hook", "step": "_backward (a micrograd-style closure)"}


def _check_picklable(order: list[Value]) -> None:
    """Refuse, before the graph is written, a node holding a function pickle cannot store."""
    checked: dict[int, bool] = {}  # id(function) -> importable, so each is looked up once
    for node in order:
        parts: list[tuple[str, Any]] = []
        op = ops.op_of(node)
        if node.grad_fn is not None and (op is None or op.kind != "defined"):
            parts.append(("backward rule (grad_fn)", node.grad_fn))
        if node._meta is not None:
            for name, part in (_meta_state(node._meta) or {}).items():
                word = _WORDS.get(name, name)
                parts += [(word, f) for f in (part if isinstance(part, list) else [part])]
        for what, fn in parts:
            if not isinstance(fn, types.FunctionType):
                continue
            if id(fn) not in checked:
                checked[id(fn)] = _importable(fn)
            if not checked[id(fn)]:
                name = repr(node.label) if node.label else repr(node)
                raise pickle.PicklingError(
                    f"cannot pickle the node {name}: its {what} {fn.__qualname__} is a lambda "
                    "or a local function, and pickle stores functions by their importable "
                    "name. Use a function defined at module level (for an op: "
                    "autograd.define_op), or remove it first."
                )


def _importable(fn: types.FunctionType) -> bool:
    found: Any = sys.modules.get(fn.__module__)
    for part in fn.__qualname__.split("."):
        found = getattr(found, part, None)
    return found is fn
