"""Repeated sub-graphs: a batch's graph is one sample's graph over and over; find the repeats.

A training step builds the same graph for every sample of a batch, on the same parameters: only
the constants differ (the sample's data and label), or the inputs, where fn takes the samples
as arguments. ``find_repeats`` finds such runs of alike sub-graphs in a topological order, so
that ``compile`` can write one instance's code once, as the body of a loop over what differs
among the instances, instead of a copy per sample.

Two nodes are alike when their structural keys are equal: the same op, and inputs alike in
turn, that is the same parameter, any constant, any input, or alike nodes. A run of alike
sub-graphs is looped over only when that is exact: the instances share nothing but leaves (an
input that differs among them is each one's own), and their nodes come one instance after the
other in the order, each in the same inner order. Then one instance's code run for each
instance, in order, does the very float operations of the unrolled code, in the same order, so
also the same additions into every shared gradient.
"""

from __future__ import annotations

import numbers
import struct
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from autograd.value import Value

__all__ = ["FEWEST_NODES", "Comparison", "Repeat", "find_repeats"]

# A loop pays per instance to unpack its constants and save its values for backward: for a
# sub-graph of two or three nodes about the nodes' own work (measured), for a few lines saved.
FEWEST_NODES = 4

# The structural keys of every constant leaf and every input (an argument of fn): each instance
# may have its own. A parameter's key is itself: the instances share it.
_CONSTANT = -1
_INPUT = -2


# A comparison of a Value recorded while fn ran: (x, op, y, result), x op y came out result.
Comparison = tuple[Value, str, object, bool]


class Repeat(NamedTuple):
    """Alike sub-graphs, one after the other in the order: their code is written once, looped."""

    # each instance's nodes (no leaves), in order; blocks[0] is the template
    blocks: list[list[Value]]
    first: int  # the position in the order of the template's first node
    last: int  # the position of the last instance's root, its last node
    varying: list[Value]  # the template's constant leaves whose numbers differ among instances
    numbers: list[tuple[float, ...]]  # per instance, its numbers in the places of ``varying``
    arguments: list[Value]  # the template's inputs (fn's arguments) that differ among instances
    argument_rows: list[tuple[Value, ...]]  # per instance, its inputs in those places
    comparisons: list[list[int]]  # per instance, the comparisons made on its nodes (indices)


class _Template(NamedTuple):
    """The first instance of a run: its nodes and, per node, where its inputs come from."""

    block: list[int]  # positions of its nodes in the order
    inner: list[list[tuple[int, int]]]  # per node: (input slot, offset of that input's node)
    places: list[list[tuple[int, int]]]  # per node: (input slot, index into ``leaves``)
    leaves: list[int]  # positions of its constants and inputs, in order


def _bits(x: object) -> object:
    """Equal for two numbers exactly when they would be written as the same literal."""
    return struct.pack("<d", x) if isinstance(x, numbers.Real) else x


class _Graph:
    """The order, with per position a structural key, a use count, and the inputs' positions.

    Lists by position, not dicts by node: building them is the cost of looking at every node.
    """

    def __init__(
        self,
        order: list[Value],
        index: dict[Value, int],
        made_ids: set[int],
        inputs: Sequence[Value],
        comparisons: Sequence[Comparison],
    ) -> None:
        self.order = order
        self.index = index
        self.recorded = comparisons
        self.key: list[int] = []
        self.uses: list[int] = [0] * len(order)  # how many op inputs are this node
        self.inputs: list[tuple[int, ...]] = []
        self.rank: list[int] = []  # the index among the nodes (no leaves), -1 for a leaf
        self.nodes: list[int] = []  # the positions of the order's nodes, leaves left out
        self.members: dict[int, list[int]] = {}  # the nodes of each key met more than once
        self._read(made_ids, {index[x] for x in inputs if x in index})
        # Per node, the lowest rank it reaches, and running sums of uses and of inner inputs:
        # whether the block under a node is its whole sub-graph, used by nothing outside, is
        # then known without walking it (failed walks, one per node, would take quadratic time).
        self.lowest: list[int] = []
        self.uses_before = [0]  # by rank: the uses of the nodes ranked lower
        self.inputs_before = [0]  # by rank: how many of their inputs are nodes
        self._spans()
        self.compared: dict[int, list[int]] = {}  # by rank: the comparisons of the node
        for k, (x, _, y, _) in enumerate(comparisons):
            for v in (x, y):
                if isinstance(v, Value) and self.rank[index[v]] >= 0:
                    self.compared.setdefault(self.rank[index[v]], []).append(k)

    def _read(self, made_ids: set[int], arguments: set[int]) -> None:
        """Keys, inputs, uses and ranks, node by node in order."""
        keys: dict[tuple[object, ...], int] = {}
        first: list[int] = []  # the first node of each key
        key, uses, members, index = self.key, self.uses, self.members, self.index
        for position, node in enumerate(self.order):
            x, y = node._x, node._y  # the inputs, as ``Value._prev`` joins them (inlined: hot)
            if x is None:  # a leaf: any constant alike, any input alike, a parameter only itself
                if id(node) in made_ids:
                    key.append(_CONSTANT)
                else:
                    key.append(_INPUT if position in arguments else -3 - position)
                self.inputs.append(())
                self.rank.append(-1)
                continue
            if y is None:
                inputs: tuple[int, ...] = (index[x],)
            elif type(y) is tuple:
                inputs = (index[x], *[index[v] for v in y])
            else:
                inputs = (index[x], index[y])
            for p in inputs:
                uses[p] += 1
            k = keys.setdefault((node.grad_fn, *[key[p] for p in inputs]), len(keys))
            key.append(k)
            self.inputs.append(inputs)
            self.rank.append(len(self.nodes))
            self.nodes.append(position)
            if k == len(first):
                first.append(position)
            elif k in members:
                members[k].append(position)
            else:
                members[k] = [first[k], position]

    def _spans(self) -> None:
        """The lowest rank under each node, and the running sums of uses and inner inputs."""
        rank, lowest = self.rank, self.lowest
        for position in self.nodes:
            low = len(lowest)
            inner = 0
            for p in self.inputs[position]:
                if rank[p] >= 0:
                    inner += 1
                    low = min(low, lowest[rank[p]])
            lowest.append(low)
            self.uses_before.append(self.uses_before[-1] + self.uses[position])
            self.inputs_before.append(self.inputs_before[-1] + inner)

    def template(self, root: int, size: int, claimed: list[bool]) -> _Template | None:
        """The ``size`` nodes ending at ``root``, if they are its whole sub-graph, private to it."""
        end = self.rank[root] + 1
        start = end - size
        if start < 0 or self.lowest[end - 1] != start:
            return None  # it reaches below the block, or not all of it
        used = self.uses_before[end] - self.uses_before[start] - self.uses[root]
        if used != self.inputs_before[end] - self.inputs_before[start]:
            return None  # something outside uses a node of the block
        block = self.nodes[start:end]
        reached = [False] * size
        reached[-1] = True
        inner_uses = [0] * size
        inner: list[list[tuple[int, int]]] = [[] for _ in block]
        places: list[list[tuple[int, int]]] = [[] for _ in block]
        leaves: dict[int, int] = {}  # position -> index, the constants and inputs
        for j in reversed(range(size)):  # consumers before their inputs
            node = block[j]
            if not reached[j] or claimed[node]:
                return None
            if j < size - 1 and inner_uses[j] != self.uses[node]:
                return None  # used outside the instance too
            for slot, p in enumerate(self.inputs[node]):
                key = self.key[p]
                if key >= 0:
                    offset = self.rank[p] - start
                    if offset < 0:
                        return None  # an input node outside: shared with something else
                    reached[offset] = True
                    inner_uses[offset] += 1
                    inner[j].append((slot, offset))
                elif key in (_CONSTANT, _INPUT):
                    places[j].append((slot, leaves.setdefault(p, len(leaves))))
        # the leaves numbered in order, as the code will name them
        renumber = {k: n for n, (_, k) in enumerate(sorted(leaves.items()))}
        places = [[(slot, renumber[k]) for slot, k in node] for node in places]
        return _Template(block, inner, places, sorted(leaves))

    def instance(
        self, template: _Template, root: int, claimed: list[bool]
    ) -> tuple[list[int], tuple[Value, ...]] | None:
        """The nodes ending at ``root`` and their leaves in the places of the template's, if
        they are wired as the template."""
        size = len(template.block)
        end = self.rank[root] + 1
        start = end - size
        block = self.nodes[start:end]
        key, uses, rank, order = self.key, self.uses, self.rank, self.order
        found: dict[int, Value] = {}
        for j, (t, node) in enumerate(zip(template.block, block, strict=True)):
            if key[t] != key[node] or claimed[node]:
                return None
            if j < size - 1 and uses[node] != uses[t]:
                return None
            inputs = self.inputs[node]
            for slot, offset in template.inner[j]:
                if rank[inputs[slot]] - start != offset:
                    return None
            for slot, k in template.places[j]:
                leaf = order[inputs[slot]]
                if k not in found:
                    found[k] = leaf
                elif not self.same(found[k], leaf):
                    return None  # one leaf of the template, two different ones here
        return block, tuple(found[k] for k in range(len(template.leaves)))

    def same(self, a: Value, b: Value) -> bool:
        """The same leaf for the code: one input, or constants written as the same literal."""
        if a is b:
            return True
        return self.key[self.index[a]] == _CONSTANT and _bits(a.data) == _bits(b.data)

    def comparisons(self, blocks: list[list[int]]) -> list[list[int]] | None:
        """Per instance, the comparisons on its nodes, if every instance makes alike ones."""
        if not self.compared:
            return [[] for _ in blocks]
        size = len(blocks[0])
        start = self.rank[blocks[0][0]]
        owner: dict[int, int] = {}  # comparison -> the instance whose node it compares
        for r in range(start, start + size * len(blocks)):
            for k in self.compared.get(r, ()):
                owner.setdefault(k, (r - start) // size)
        owned: list[list[int]] = [[] for _ in blocks]
        for k in sorted(owner):
            owned[owner[k]].append(k)
        signatures = [
            [self._signature(self.recorded[k], block, blocks) for k in owned[n]]
            for n, block in enumerate(blocks)
        ]
        if any(None in s for s in signatures) or any(s != signatures[0] for s in signatures):
            return None
        return owned

    def _signature(self, comparison: Comparison, block: list[int], run: list[list[int]]) -> object:
        """What a comparison of the instance ``block`` of ``run`` compares, told apart from its
        instance: None if it can't be checked in the loop."""
        start = self.rank[block[0]]
        x, op, y, result = comparison
        described: list[object] = [op, result]
        for operand in (x, y):
            if not isinstance(operand, Value):
                described.append(("number", _bits(operand)))
                continue
            position = self.index[operand]
            if 0 <= self.rank[position] - start < len(block):
                described.append(("node", self.rank[position] - start))
            elif position < run[0][0] or (self.rank[position] < 0 and position < run[-1][-1]):
                described.append(("before", position))  # known before the loop: a leaf, ...
            else:  # a node of another instance, or one the loop has not read or computed yet
                return None
        return tuple(described)


def find_repeats(
    order: list[Value],
    index: dict[Value, int],
    made_ids: set[int],
    inputs: Sequence[Value],
    comparisons: Sequence[Comparison],
) -> list[Repeat]:
    """The runs of alike sub-graphs in ``order`` that are exact to loop over, in order.

    ``index`` gives each node's position in ``order``; ``made_ids`` are the ids of the leaves
    fn made (constants); ``inputs`` are fn's arguments; the other leaves are parameters, which
    every instance shares. Constants and inputs may differ from instance to instance.
    The largest repeated units are found first (from the output down), so each sample's whole
    graph is one instance, not its neurons.
    """
    graph = _Graph(order, index, made_ids, inputs, comparisons)
    claimed = [False] * len(order)
    repeats: list[Repeat] = []
    for node in reversed(graph.nodes):
        group = graph.members.pop(graph.key[node], None)
        if group is None:
            continue  # one of a kind, or seen already
        roots = [n for n in group if not claimed[n]]
        for run in _runs(graph, roots, claimed):
            repeat = _repeat(graph, run)
            if repeat is None:
                continue
            for block in run.blocks:
                for n in block:
                    claimed[n] = True
            repeats.append(repeat)
    return sorted(repeats, key=lambda repeat: repeat.first)


class _Run(NamedTuple):
    """Instances found alike, by their positions, before they become a ``Repeat``."""

    template: _Template
    blocks: list[list[int]]  # each instance's nodes; blocks[0] is the template's
    leaves: list[tuple[Value, ...]]  # each instance's leaves in the places of the template's
    owned: list[list[int]]  # each instance's comparisons


def _runs(graph: _Graph, roots: list[int], claimed: list[bool]) -> Iterator[_Run]:
    """The runs among alike ``roots`` (in order) whose sub-graphs follow each other exactly."""
    k = 0
    while k + 1 < len(roots):
        size = graph.rank[roots[k + 1]] - graph.rank[roots[k]]
        template = graph.template(roots[k], size, claimed) if size >= FEWEST_NODES else None
        if template is None:
            k += 1
            continue
        blocks = [template.block]
        leaves = [tuple(graph.order[p] for p in template.leaves)]
        while k + len(blocks) < len(roots):
            root = roots[k + len(blocks)]
            if graph.rank[root] != graph.rank[blocks[-1][-1]] + size:
                break  # something else between: the run ends
            found = graph.instance(template, root, claimed)
            if found is None:
                break
            blocks.append(found[0])
            leaves.append(found[1])
        k += len(blocks)
        owned = graph.comparisons(blocks) if len(blocks) > 1 else None
        if owned is not None:
            yield _Run(template, blocks, leaves, owned)


def _repeat(graph: _Graph, run: _Run) -> Repeat | None:
    """The run as Values, with only the leaves that differ among its instances; None if an
    input differs but is not each instance's own (used by another, or outside the run)."""
    order, template = graph.order, run.template
    reads = [0] * len(template.leaves)  # how often the template reads each of its leaves
    for node in template.places:
        for _, k in node:
            reads[k] += 1
    constants: list[int] = []
    arguments: list[int] = []
    for q, leaf in enumerate(template.leaves):
        if all(graph.same(row[q], run.leaves[0][q]) for row in run.leaves):
            continue  # the same in every instance: a literal, or a shared input
        if graph.key[leaf] == _CONSTANT:
            constants.append(q)
        elif all(graph.uses[graph.index[row[q]]] == reads[q] for row in run.leaves):
            arguments.append(q)
        else:
            return None
    return Repeat(
        [[order[n] for n in block] for block in run.blocks],
        run.blocks[0][0],
        run.blocks[-1][-1],
        [order[template.leaves[q]] for q in constants],
        [tuple(row[q].data for q in constants) for row in run.leaves],
        [order[template.leaves[q]] for q in arguments],
        [tuple(row[q] for q in arguments) for row in run.leaves],
        run.owned,
    )
