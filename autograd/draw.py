"""Drawing: the computation graph and its gradient flow as a Graphviz picture (DOT, SVG, PNG).

One Value is one box (label, data, grad), one op is one small oval named after the op, as in
micrograd's ``draw_dot``. On top of that the picture shows how the gradient flows: a node's colour
says the sign and size of its gradient, an edge's width the size of the contribution
``local derivative * out.grad`` passed along it. Big graphs are drawn as a readable summary.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import graphviz  # type: ignore[import-untyped]  # (graphviz ships no type information)

from autograd.backward import contributions, topological_order
from autograd.ops import missing_backward, op_of
from autograd.value import Value

__all__ = [
    "DotNotFoundError",
    "Drawing",
    "Graph",
    "Moment",
    "colour",
    "draw_dot",
    "escape",
    "grad_scale",
    "inputs_of",
    "number",
    "picture",
    "require_dot",
]

INSTALL_DOT = (
    "sudo apt-get install graphviz (Debian/Ubuntu), brew install graphviz (macOS), "
    "conda install graphviz, or see https://graphviz.org/download/"
)
RANKDIRS = ("LR", "RL", "TB", "BT")
FAN_IN = 5  # a summary box shows at most this many inputs (first ones, '…', the last one)

# A diverging palette (ColorBrewer RdBu's middle tones, dark enough to see, light enough to read
# black text on): blue for negative gradients, white for zero, red for positive ones.
NEGATIVE = (0x43, 0x93, 0xC3)
POSITIVE = (0xD6, 0x60, 0x4D)
NAN_COLOUR = "#ffe066"
HIGHLIGHT = "#ff7f00"  # the node a backward step is working on
FOLDED = "#f0f0f0"


class DotNotFoundError(graphviz.ExecutableNotFound):  # type: ignore[misc]  # (untyped base)
    """Graphviz's ``dot`` program is not on PATH: says how to install it."""

    def __init__(self, what: str = "render the graph") -> None:
        RuntimeError.__init__(
            self,
            f"cannot {what}: Graphviz's `dot` program is not on PATH. Install it with "
            f"{INSTALL_DOT}. Without it the DOT text is still there: draw_dot(...).source",
        )


def require_dot(what: str = "render the graph") -> None:
    """Raise ``DotNotFoundError`` (with the install command) unless ``dot`` is on PATH."""
    if shutil.which("dot") is None:
        raise DotNotFoundError(what)


class Drawing(graphviz.Digraph):  # type: ignore[misc]  # (untyped base)
    """A ``graphviz.Digraph`` that says how to install ``dot`` when rendering without it."""

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        """Render and return the bytes (or text); see ``graphviz.Digraph.pipe``."""
        require_dot()
        return super().pipe(*args, **kwargs)

    def render(self, *args: Any, **kwargs: Any) -> Any:
        """Render into a file and return its path; see ``graphviz.Digraph.render``."""
        require_dot()
        return super().render(*args, **kwargs)


@dataclass(frozen=True)
class Moment:
    """The gradients a picture shows: all of them, none yet, or a moment inside ``backward()``.

    ``grads`` holds the gradient of every node that has one (a node missing has had nothing
    arrive yet); ``partial`` nodes still wait for more; ``sent`` nodes have passed their
    contributions to their inputs (``None``: all have); ``current`` is highlighted;
    ``names`` are shown for nodes without a label.
    """

    grads: Mapping[Value, float]
    partial: frozenset[Value] = frozenset()
    sent: frozenset[Value] | None = None
    current: Value | None = None
    caption: str = ""
    scale: float | None = None  # the |grad| drawn at full colour; None: the largest shown
    names: Mapping[Value, str] = field(default_factory=dict)  # shown for unlabelled nodes

    def has_sent(self, node: Value) -> bool:
        """Whether ``node`` has passed its gradient on to its inputs."""
        return self.sent is None or node in self.sent


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    *,
    format: str = "svg",
    params: Iterable[Value] | None = None,
    max_nodes: int | None = 200,
    summary_boxes: int = 50,
    show_grads: bool | None = None,
) -> Drawing:
    """Draw the graph of ``root``: a ``graphviz.Digraph``, shown inline in Jupyter as SVG.

    ``params`` are drawn as parameters (bold, rounded); without it every labelled leaf is.
    Grads are shown once computed: ``show_grads=None`` decides by ``root.grad``, which
    ``backward()`` sets to 1 (a fresh node has 0). A graph of more than ``max_nodes`` Values
    is drawn as a summary of at most ``summary_boxes`` boxes (long sums folded, each call of a
    ``named_scope`` one box, the levels nearest the output); ``max_nodes=None`` draws all.

    >>> a = Value(2.0, label="a")
    >>> dot = draw_dot((a * a).tanh())
    >>> 'a | data 2 | grad ?' in dot.source.replace("</TD><TD>", " | ")
    True
    """
    if show_grads is None:
        show_grads = root.grad != 0.0
    if show_grads:
        moment = Moment({n: n.grad for n in topological_order(root)})
    else:
        moment = Moment({}, sent=frozenset(), caption="grads not computed yet (?): call backward()")
    return picture(
        root,
        moment,
        rankdir=rankdir,
        format=format,
        params=params,
        max_nodes=max_nodes,
        summary_boxes=summary_boxes,
    )


def picture(
    root: Value,
    moment: Moment,
    *,
    rankdir: str = "LR",
    format: str = "svg",
    params: Iterable[Value] | None = None,
    max_nodes: int | None = 200,
    summary_boxes: int = 50,
) -> Drawing:
    """Draw the graph of ``root`` with the gradients of ``moment`` (used by ``draw_dot``)."""
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if max_nodes is not None and max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive number or None, got {max_nodes!r}")
    if summary_boxes < 1:
        raise ValueError(f"summary_boxes must be a positive number, got {summary_boxes!r}")
    graph = Graph.of(root, None if params is None else set(params))
    if max_nodes is None or len(graph.nodes) <= max_nodes:
        layout = graph.full_detail()
    else:
        layout = graph.summary(min(max_nodes, summary_boxes))
    return _emit(graph, layout, moment, rankdir=rankdir, format=format)


# ---------------------------------------------------------------------------------------------
# The graph as drawn: constant settings of ops (the 2 of x**2) are left out, the op name says it.


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
            new: dict[Value, None] = {}  # not a list: Values compare by data, hash by identity
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


# ---------------------------------------------------------------------------------------------
# From units to DOT text


def number(x: float) -> str:
    """A compact number for a picture: four significant digits.

    >>> number(0.70710678), number(-1.5), number(1e-7), number(-0.0)
    ('0.7071', '-1.5', '1e-07', '0')
    """
    return f"{x + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0: no "-0" in pictures


def escape(text: str) -> str:
    """Text made safe inside a Graphviz HTML-like label.

    >>> escape('a<b & "c"')
    'a&lt;b &amp; &quot;c&quot;'
    """
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def colour(grad: float | None, scale: float) -> str:
    """Fill colour for a gradient: white at 0, blue below, red above, full at ``scale``.

    >>> colour(None, 1.0), colour(0.0, 1.0), colour(1.0, 1.0), colour(-2.0, 4.0)
    ('#ffffff', '#ffffff', '#d6604d', '#a1c9e1')
    """
    if grad is None or grad == 0.0:
        return "#ffffff"
    if math.isnan(grad):
        return NAN_COLOUR
    base = POSITIVE if grad > 0.0 else NEGATIVE
    t = 1.0 if math.isinf(grad) or scale <= 0.0 else min(1.0, abs(grad) / scale)
    rgb = (round(255 + (c - 255) * t) for c in base)
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _width(amount: float | None, scale: float) -> float:
    """Edge width by the size of the gradient passed along it: 0.6 (none) to 5 (the largest)."""
    if amount is None or scale <= 0.0 or math.isnan(amount):
        return 1.0
    return round(0.6 + 4.4 * min(1.0, abs(amount) / scale), 2)


def _kind(graph: Graph, node: Value) -> str:
    if node is graph.root:
        return "output"
    if node._prev:
        return "computed"
    if graph.params is not None:
        return "parameter" if node in graph.params else "input"
    return "parameter" if node.label else "input"


def _grad_text(node: Value, moment: Moment) -> str:
    if node not in moment.grads:
        return "grad ?"
    text = f"grad {number(moment.grads[node])}"
    return text + " + …" if node in moment.partial else text


def _edges(unit: Unit, moment: Moment) -> list[tuple[Value, float | None]]:
    """The unit's input edges as (input box head, gradient passed along it or None)."""
    passed: dict[Value, list[float]] = {}
    for member in unit.members:
        rule = member.grad_fn
        if (
            rule not in (None, missing_backward)
            and moment.has_sent(member)
            and member in moment.grads
        ):
            passed[member] = contributions(member, moment.grads[member])
    if unit.kind == "scope":  # one edge per input box, carrying the sum of what it gets
        total: dict[Value, float | None] = {}
        for p, m, s in unit.inputs:
            got = passed[m][s] if m in passed else None
            before = total.get(p, 0.0)
            total[p] = None if got is None or before is None else before + got
        return list(total.items())
    return [(p, passed[m][s] if m in passed else None) for p, m, s in unit.inputs]


def grad_scale(graph: Graph, nodes: Iterable[Value], grads: Mapping[Value, float]) -> float:
    """The |grad| drawn at full colour: the largest among the parameters and computed nodes.

    Inputs and constants can have huge grads nobody asked for (d loss / d 0.01): they do not
    set the scale (they are drawn at full colour), so the other colours stay visible.
    """
    sizes = [abs(grads[n]) for n in nodes if n in grads and _kind(graph, n) != "input"]
    return max((s for s in sizes if math.isfinite(s)), default=0.0)


def _emit(graph: Graph, layout: Layout, moment: Moment, *, rankdir: str, format: str) -> Drawing:
    dot = Drawing(
        name="autograd",
        format=format,
        graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "nodesep": "0.25"},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"arrowsize": "0.6", "color": "#555555"},
    )
    edges = {unit.head: _edges(unit, moment) for unit in layout.units}
    scale = moment.scale
    if scale is None:
        scale = grad_scale(graph, [u.head for u in layout.units], moment.grads)
    for unit in layout.units:
        _emit_unit(dot, graph, unit=unit, edges=edges[unit.head], moment=moment, scale=scale)
    dot.attr(label=_legend(layout.notes, moment, scale), labelloc="b", labeljust="l")
    return dot


def _emit_unit(
    dot: Drawing,
    graph: Graph,
    *,
    unit: Unit,
    edges: list[tuple[Value, float | None]],
    moment: Moment,
    scale: float,
) -> None:
    """One box, its op oval (unless a scope box) and the edges from its inputs."""
    head = unit.head
    name = f"n{graph.index[head]}"
    _emit_box(dot, graph, unit, name, moment=moment, scale=scale)
    if not edges and unit.kind == "node" and not head._prev:
        return  # a leaf
    current = head is moment.current
    target = name
    if unit.kind != "scope":  # the op: a small oval between the inputs and the result
        target = f"{name}op"
        symbol = escape(head._op or "?")
        if unit.kind == "sum":
            symbol = f'Σ<BR/><FONT POINT-SIZE="8">{len(unit.inputs) + unit.hidden} terms</FONT>'
        op_attrs = {"shape": "ellipse", "margin": "0.02,0.01", "fontsize": "10", "height": "0.3"}
        if current:
            op_attrs.update(color=HIGHLIGHT, penwidth="3", style="filled", fillcolor="#ffe0c0")
        dot.node(target, f"<{symbol}>", **op_attrs)
        dot.edge(target, name, penwidth=str(_width(moment.grads.get(head), scale)))
    for p, passed in edges:
        edge_attrs = {"penwidth": str(_width(passed, scale))}
        if passed is not None:
            edge_attrs["tooltip"] = f"adds {number(passed)} to the input's grad"
            if current:
                edge_attrs.update(color=HIGHLIGHT, label=f"+= {number(passed)}", fontsize="10")
        dot.edge(f"n{graph.index[p]}", target, **edge_attrs)
    if unit.hidden or not unit.expanded:
        more = f"… {unit.hidden} more inputs" if unit.expanded else f"… {unit.hidden} inputs"
        dot.node(f"{name}more", more, shape="plaintext", fontcolor="#777777", fontsize="10")
        dot.edge(f"{name}more", target, style="dashed", color="#999999")


def _emit_box(
    dot: Drawing, graph: Graph, unit: Unit, name: str, *, moment: Moment, scale: float
) -> None:
    """The box of a Value (label | data | grad), or of a folded scope call."""
    head = unit.head
    kind = _kind(graph, head)
    shown_name = head.label or moment.names.get(head, "")
    cells = [escape(shown_name)] if shown_name else []
    if unit.kind == "scope":
        ops = " ".join(dict.fromkeys(m._op for m in unit.members))
        cells = [
            f"<B>{escape(head.scope)}</B>",
            f"{len(unit.members)} ops ({escape(ops)})"
            + (f", {unit.leaves} leaves" if unit.leaves else ""),
        ]
    cells += [f"data {number(head.data)}", escape(_grad_text(head, moment))]
    row = "".join(f"<TD>{c}</TD>" for c in cells)
    grad = moment.grads.get(head)
    tooltip = f"{kind}: data={head.data!r}" + ("" if grad is None else f", grad={grad!r}")
    attrs = {
        "shape": "folder" if unit.kind == "scope" else "box",
        "style": "filled,rounded" if kind in ("parameter", "input") else "filled",
        "fillcolor": colour(grad, scale),
        "penwidth": "2.2" if kind == "parameter" else "1",
        "margin": "0.05,0.03",
        "tooltip": tooltip + (f", scope {head.scope}" if head.scope else ""),
    }
    if kind == "output":
        attrs["peripheries"] = "2"
    if head is moment.current:
        attrs.update(color=HIGHLIGHT, penwidth="3.5")
    table = f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" COLUMNS="*"><TR>{row}</TR></TABLE>'
    dot.node(name, f"<{table}>", **attrs)


def _legend(notes: list[str], moment: Moment, scale: float) -> str:
    """The key under the picture: colours, edge widths, shapes, and what the picture left out."""
    lines = [f"<B>{escape(line)}</B>" for line in moment.caption.splitlines()]
    if moment.grads:
        square = '<FONT COLOR="{}" POINT-SIZE="16">■</FONT>'
        top = number(scale)
        lines.append(
            f"{square.format(colour(-1.0, 1.0))} grad -{top} or less    □ 0    "
            f"{square.format(colour(1.0, 1.0))} grad +{top} or more    "
            "edge width: |local derivative * out.grad| passed back"
        )
    lines.append(
        "double border: output · rounded, bold: parameter · rounded: input or constant"
        " · square: computed · oval: the op"
    )
    lines += [escape(note) for note in notes]
    rows = "".join(f'<TR><TD ALIGN="LEFT">{line}</TD></TR>' for line in lines)
    return f'<<TABLE BORDER="0" CELLSPACING="0"><TR><TD> </TD></TR>{rows}</TABLE>>'
