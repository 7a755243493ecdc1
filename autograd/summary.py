"""The graph as a picture draws it, and the summary of a big one: long sums and scope calls folded.

Constant settings of ops (the 2 of ``x**2``) are left out: the op's name says them. A graph of
more Values than a picture can show folds each call of a ``named_scope`` into one box and each
long chain of ``+`` into one Σ, and keeps the levels nearest the output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from autograd.backward import topological_order
from autograd.ops import op_of
from autograd.value import Value

__all__ = ["FAN_IN", "Folding", "Graph", "Layout", "Unit", "inputs_of"]

FAN_IN = 5  # a summary box shows at most this many inputs (first ones, '…', the last one)


def inputs_of(node: Value) -> tuple[Value, ...]:
    """The differentiable inputs of ``node``: ``_prev`` without the op's constant settings."""
    op = op_of(node)
    return node._prev if op is None else node._prev[: op.inputs]


@dataclass
class Unit:
    """One box of a picture: a node, or many folded into one (a long sum, a scope's call)."""

    head: Value  # the node whose data and grad the box shows
    kind: str = "node"  # "node", "sum" or "scope"
    members: list[Value] = field(default_factory=list)  # the op nodes folded in (head included)
    leaves: int = 0  # leaves made in the same scope (constants), folded into a scope box
    inputs: list[tuple[Value, Value, int]] = field(default_factory=list)  # (input, member, slot)
    hidden: int = 0  # inputs left out of the picture ('…' box)
    expanded: bool = True  # False: none of its inputs are drawn (the edge of a summary)


@dataclass
class Layout:
    """Which units a picture draws, and what it says it left out."""

    units: list[Unit]
    notes: list[str] = field(default_factory=list)


@dataclass
class Graph:
    """The nodes ``root`` depends on through differentiable inputs, in topological order."""

    root: Value
    nodes: list[Value]
    index: dict[Value, int]
    params: set[Value] | None

    @classmethod
    def of(cls, root: Value, params: set[Value] | None) -> Graph:
        """Collect the nodes of ``root``'s graph that a picture draws."""
        order = topological_order(root)
        drawn = {root}
        for node in reversed(order):  # consumers come before their inputs
            if node in drawn:
                drawn.update(inputs_of(node))
        nodes = [n for n in order if n in drawn]
        return cls(root, nodes, {n: i for i, n in enumerate(nodes)}, params)

    def full_detail(self) -> Layout:
        """Every node its own box."""
        units = [Unit(n, members=[n]) for n in self.nodes]
        for unit in units:
            unit.inputs = [(p, unit.head, slot) for slot, p in enumerate(inputs_of(unit.head))]
        return Layout(units)

    def summary(self, boxes: int) -> Layout:
        """At most ``boxes`` boxes: scopes and sums folded, the levels nearest the output."""
        folding = Folding.of(self)
        shown: dict[Value, Unit] = {}
        level = [folding.head_of[self.root]]
        shown[level[0]] = folding.unit(level[0])
        levels = 1
        while level:
            new: dict[Value, None] = {}  # an ordered set: insertion order, O(1) membership
            for head in level:
                unit = shown[head]
                if len(unit.inputs) > FAN_IN:
                    unit.hidden = len(unit.inputs) - (FAN_IN - 1)
                    unit.inputs = unit.inputs[: FAN_IN - 2] + unit.inputs[-1:]
                for p, _, _ in unit.inputs:
                    h = folding.head_of[p]
                    if h not in shown:
                        new[h] = None
            if len(shown) + len(new) > boxes:
                for head in level:  # the edge of the picture: its inputs are left out
                    unit = shown[head]
                    unit.hidden += len(unit.inputs)
                    unit.inputs, unit.expanded = [], False
                break
            for h in new:
                shown[h] = folding.unit(h)
            level = list(new)
            levels += 1 if new else 0
        for unit in shown.values():
            unit.inputs = [(folding.head_of[p], m, s) for p, m, s in unit.inputs]
        units = sorted(shown.values(), key=lambda u: self.index[u.head])
        return Layout(units, folding.notes(units, levels))


@dataclass
class Folding:
    """How a big graph folds: each node's box (its head), for scopes and long sums."""

    graph: Graph
    head_of: dict[Value, Value]
    groups: dict[Value, list[Value]]  # scope box head -> its op nodes, inputs first
    sums: dict[Value, list[Value]]  # Σ head -> the + nodes folded into it

    @classmethod
    def of(cls, graph: Graph) -> Folding:
        """Fold each call of a named_scope into one box, then long chains of + into one Σ."""
        groups = _scope_calls(graph)
        head_of = {node: head for head, group in groups.items() for node in group}
        sums = _long_sums(graph, head_of)
        for node in graph.nodes:
            head_of.setdefault(node, node)
        return cls(graph, head_of, groups, sums)

    def unit(self, head: Value) -> Unit:
        """The box of ``head`` with its inputs as (input node, member, slot), in order."""
        if head in self.groups:
            group = self.groups[head]
            inside = set(group)
            inputs = [t for t in _written_order(group, inside) if not _folded_leaf(t[0], head)]
            inputs.sort(key=lambda edge: not edge[0]._prev)  # data flow first, weights after
            unit = Unit(head, "scope", group, inputs=inputs)
            unit.leaves = len(self.leaves_of(unit))
            return unit
        if head in self.sums:
            inside = set(self.sums[head])
            return Unit(head, "sum", self.sums[head], inputs=_written_order([head], inside))
        return Unit(
            head, members=[head], inputs=[(p, head, s) for s, p in enumerate(inputs_of(head))]
        )

    def notes(self, units: list[Unit], levels: int) -> list[str]:
        """What a summary says it left out and folded, under the picture."""
        drawn: set[Value] = set()
        for unit in units:
            drawn.update(unit.members)
            drawn.update(self.leaves_of(unit))
        hidden = len(self.graph.nodes) - len(drawn)
        deeper = self.depth() - levels
        kinds = {unit.kind for unit in units}
        notes = [
            (
                f"summary of {len(self.graph.nodes):,} nodes in {len(units)} boxes: … {hidden:,} "
                "more nodes" + (f" in {deeper} more levels" if deeper > 0 else "") + " not shown "
                "(draw_dot(..., max_nodes=None) draws all)"
            ),
            "Σ: a long sum folded into one node" if "sum" in kinds else "",
            "folder: one call of a named_scope (a neuron), folded" if "scope" in kinds else "",
            "… : inputs left out" if any(u.hidden for u in units) else "",
        ]
        return [note for note in notes if note]

    def leaves_of(self, unit: Unit) -> set[Value]:
        """The leaves made inside a scope box's own scope (its constants), folded into it."""
        if unit.kind != "scope":
            return set()
        return {p for m in unit.members for p in inputs_of(m) if _folded_leaf(p, unit.head)}

    def depth(self) -> int:
        """How many levels of boxes the whole folded graph has, counted from the output."""
        level_of = {self.head_of[self.graph.root]: 1}
        for node in reversed(self.graph.nodes):  # all consumers of a node come before it
            head = self.head_of[node]
            for p in inputs_of(node):
                h = self.head_of[p]
                if h is not head:
                    level_of[h] = min(level_of.get(h, len(self.graph.nodes)), level_of[head] + 1)
        return max(level_of.values())


def _scope_calls(graph: Graph) -> dict[Value, list[Value]]:
    """Connected op nodes with the same scope: one call (of a neuron, say), by its last node.

    Leaves are left out of the joining, or a weight would join all calls of a neuron into one.
    """
    boss: dict[Value, Value] = {}

    def find(v: Value) -> Value:
        while boss[v] is not v:
            boss[v] = boss[boss[v]]  # path halving keeps the chains short
            v = boss[v]
        return v

    for node in graph.nodes:
        if node.scope and node._prev:
            boss[node] = node
            for p in inputs_of(node):
                if p._prev and p.scope == node.scope:
                    boss[find(p)] = find(node)
    calls: dict[Value, list[Value]] = {}
    for node in graph.nodes:  # topological order, so each call's last node is its output
        if node in boss:
            calls.setdefault(find(node), []).append(node)
    return {group[-1]: group for group in calls.values() if len(group) > 1}


def _long_sums(graph: Graph, head_of: dict[Value, Value]) -> dict[Value, list[Value]]:
    """Chains of +: an unlabelled + whose only consumer is a + joins that one's Σ."""
    consumers: dict[Value, list[Value]] = {}
    for node in graph.nodes:
        for p in inputs_of(node):
            consumers.setdefault(p, []).append(node)
    in_calls = set(head_of)  # nodes already folded into a scope's box
    sums: dict[Value, list[Value]] = {}
    for node in reversed(graph.nodes):  # consumers first, so a chain folds from its end
        users = consumers.get(node, [])
        if (
            _is_add(node)
            and node not in in_calls
            and node is not graph.root
            and not node.label
            and len(users) == 1
            and _is_add(users[0])
            and users[0] not in in_calls
        ):
            head_of[node] = head_of.get(users[0], users[0])
            sums.setdefault(head_of[node], [head_of[node]]).append(node)
    return sums


def _written_order(members: list[Value], inside: set[Value]) -> list[tuple[Value, Value, int]]:
    """The inputs of folded ``members`` as (input, member, slot), left to right as written.

    Topological order lists siblings right to left (its depth-first stack pops the last input
    first), so a sum's terms or a layer's neurons are walked again here from the output.
    """
    found: list[tuple[Value, Value, int]] = []
    seen: set[Value] = set()
    for start in reversed(members):  # the output first; others only if it does not reach them
        if start in seen:
            continue
        seen.add(start)
        stack: list[tuple[Value, Value, int] | Value] = [start]
        while stack:
            item = stack.pop()
            if isinstance(item, tuple):
                found.append(item)
                continue
            for s, p in reversed(list(enumerate(inputs_of(item)))):
                if p not in inside:
                    stack.append((p, item, s))
                elif p not in seen:
                    seen.add(p)
                    stack.append(p)
    return found


def _is_add(node: Value) -> bool:
    op = op_of(node)
    return op is not None and op.name == "add"


def _folded_leaf(p: Value, head: Value) -> bool:
    return not p._prev and bool(p.scope) and p.scope == head.scope
