"""Drawing: the computation graph and its gradient flow as a Graphviz picture (DOT, SVG, PNG).

One Value is one box (label, data, grad), one op is one small oval named after the op, as in
micrograd's ``draw_dot``. On top of that the picture shows how the gradient flows: a node's colour
says the sign and size of its gradient, an edge's width the size of the contribution
``local derivative * out.grad`` passed along it. Big graphs are drawn as a readable summary.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from autograd.backward import contributions, topological_order
from autograd.names import node_names
from autograd.ops import missing_backward, op_of
from autograd.render import DotNotFoundError, Drawing
from autograd.summary import Graph, Layout, Unit
from autograd.value import Value

__all__ = [
    "DotNotFoundError",
    "Drawing",
    "Moment",
    "colour",
    "draw_dot",
    "escape",
    "grad_scale",
    "number",
    "picture",
    "require_value",
    "round_ticks",
]

RANKDIRS = ("LR", "RL", "TB", "BT")

# A diverging palette (ColorBrewer RdBu's middle tones, dark enough to see, light enough to read
# black text on): blue for negative gradients, white for zero, red for positive ones.
NEGATIVE = (0x43, 0x93, 0xC3)
POSITIVE = (0xD6, 0x60, 0x4D)
NAN_COLOUR = "#ffe066"
HIGHLIGHT = "#ff7f00"  # the node a backward step is working on
FONT = "Helvetica"  # in an SVG, autograd.fonts names the fonts with its widths on each system


def require_value(root: object, function: str) -> Value:
    """``root`` if it is a Value, else a TypeError saying which argument of ``function`` it was."""
    if not isinstance(root, Value):
        raise TypeError(
            f"{function}(root) draws the graph of a Value, got {type(root).__name__} {root!r}: "
            f"pass the Value whose graph to draw, e.g. {function}(loss)"
        )
    return root


@dataclass(frozen=True)
class Moment:
    """The gradients a picture shows: all of them, none yet, or a moment inside ``backward()``.

    ``grads`` holds the gradient of every node that has one (a node missing has had nothing
    arrive yet); ``partial`` nodes still wait for more; ``sent`` nodes have passed their
    contributions to their inputs (``None``: all have); ``current`` is highlighted;
    ``names`` are shown for nodes without a label (by ``id``, see ``autograd.names``).
    """

    grads: Mapping[Value, float]
    partial: frozenset[Value] = frozenset()
    sent: frozenset[Value] | None = None
    current: Value | None = None
    caption: str = ""
    scale: float | None = None  # the |grad| drawn at full colour; None: the largest shown
    names: Mapping[int, str] = field(default_factory=dict)  # id(node) -> its name

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
    variable_names: bool | None = None,
) -> Drawing:
    """Draw the graph of ``root``: a ``graphviz.Digraph``, shown inline in Jupyter as SVG.

    ``params`` are drawn as parameters (bold, rounded); without it leaves are drawn alike.
    A node without a label is named after the caller's variable holding it, else ``v<i>``
    (``variable_names=False`` turns the variables off; see ``autograd.names``). Grads are
    shown once computed: ``show_grads=None`` decides by ``root.grad``, which ``backward()``
    sets to 1 (a fresh node has 0). A graph of more than ``max_nodes`` Values is drawn as a
    summary of at most ``summary_boxes`` boxes (long sums folded, each call of a
    ``named_scope`` one box, the levels nearest the output); ``max_nodes=None`` draws all.

    >>> a = Value(2.0, label="a")
    >>> dot = draw_dot((a * a).tanh())
    >>> 'a | data 2 | grad ?' in dot.source.replace("</TD><TD>", " | ")
    True
    """
    root = require_value(root, "draw_dot")
    order = topological_order(root)
    names = node_names(order, variables=variable_names)
    if show_grads is None:
        show_grads = root.grad != 0.0
    if show_grads:
        moment = Moment({n: n.grad for n in order}, names=names)
    else:
        caption = "grads not computed yet (?): call backward()"
        moment = Moment({}, sent=frozenset(), caption=caption, names=names)
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
    if graph.params is None:
        return "leaf"  # an input, a parameter or a constant: without params= nobody knows which
    return "parameter" if node in graph.params else "input"


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
    """The largest |grad| among the parameters and computed nodes (labelled leaves without params).

    Inputs and constants can have huge grads nobody asked for (d loss / d 0.01): they do not
    set the scale (they are drawn at full colour), so the other colours stay visible.
    """
    sizes = [abs(grads[n]) for n in nodes if n in grads and _sets_scale(graph, n)]
    return max((s for s in sizes if math.isfinite(s)), default=0.0)


def _sets_scale(graph: Graph, node: Value) -> bool:
    kind = _kind(graph, node)
    return kind in ("output", "computed", "parameter") or (kind == "leaf" and bool(node.label))


def round_ticks(scale: float) -> list[float]:
    """Ticks for the colour key: 1, 2 or 5 times a power of ten, and its half, up to ``scale``.

    >>> round_ticks(1.5), round_ticks(0.7864), round_ticks(30.0), round_ticks(0.0)
    ([0.5, 1.0], [0.25, 0.5], [10.0, 20.0], [])
    """
    if not math.isfinite(scale) or scale <= 0.0:
        return []
    power = 10.0 ** math.floor(math.log10(scale))
    top = max(step * power for step in (1.0, 2.0, 5.0) if step * power <= scale * (1 + 1e-9))
    return [float(f"{top / 2:.12g}"), float(f"{top:.12g}")]  # printed, then parsed: 0.1*3 != 0.3


def _emit(graph: Graph, layout: Layout, moment: Moment, *, rankdir: str, format: str) -> Drawing:
    dot = Drawing(
        name="autograd",
        format=format,
        graph_attr={"rankdir": rankdir, "fontname": FONT, "nodesep": "0.25"},
        node_attr={"fontname": FONT, "fontsize": "11"},
        edge_attr={"arrowsize": "0.6", "color": "#555555", "fontname": FONT},
    )
    edges = {unit.head: _edges(unit, moment) for unit in layout.units}
    scale = moment.scale
    if scale is None:
        scale = grad_scale(graph, [u.head for u in layout.units], moment.grads)
    for unit in layout.units:
        _emit_unit(dot, graph, unit=unit, edges=edges[unit.head], moment=moment, scale=scale)
    legend = _legend(layout.notes, moment, scale, with_params=graph.params is not None)
    dot.attr(label=legend, labelloc="b", labeljust="l")
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
        symbol = escape(_op_text(head, moment.names))
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
                edge_attrs.update(  # at the input's end: what arrives there; outside the layout
                    color=HIGHLIGHT,
                    taillabel=f"+= {number(passed)}",
                    labelfontsize="10",
                    labeldistance="2.2",
                    labelangle="-25",
                )
        dot.edge(f"n{graph.index[p]}", target, **edge_attrs)
    if unit.hidden or not unit.expanded:
        more = f"… {unit.hidden} more inputs" if unit.expanded else f"… {unit.hidden} inputs"
        dot.node(f"{name}more", more, shape="plaintext", fontcolor="#777777", fontsize="10")
        dot.edge(f"{name}more", target, style="dashed", color="#999999")


FORMULA_INPUTS = 9  # a fused node with at most this many inputs spells out its formula


def _op_text(node: Value, names: Mapping[int, str]) -> str:
    """The op's oval: its symbol, or a small fused node's formula in its inputs' names."""
    op = op_of(node)
    if op is None or op.formula is None or len(node._prev) > FORMULA_INPUTS:
        return node._op or "?"
    words = [p.label or names.get(id(p), "") for p in node._prev]
    if not all(words):
        return node._op
    return op.formula(words).replace(" * ", "·")


def _emit_box(
    dot: Drawing, graph: Graph, unit: Unit, name: str, *, moment: Moment, scale: float
) -> None:
    """The box of a Value (label | data | grad), or of a folded scope call."""
    head = unit.head
    kind = _kind(graph, head)
    shown_name = head.label or moment.names.get(id(head), "")
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
        "style": "filled,rounded" if kind in ("parameter", "input", "leaf") else "filled",
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


def _legend(notes: list[str], moment: Moment, scale: float, *, with_params: bool) -> str:
    """The key under the picture: colours, edge widths, shapes, and what the picture left out."""
    lines = [f"<B>{escape(line)}</B>" for line in moment.caption.splitlines()]
    if moment.grads:
        ticks = [-t for t in reversed(round_ticks(scale))] + [0.0] + round_ticks(scale)
        key = []
        for tick in ticks:
            square = "□" if tick == 0.0 else f'<FONT COLOR="{colour(tick, scale)}">■</FONT>'
            key.append(f"{square} {'+' if tick > 0 else ''}{number(tick)}")
        lines.append(
            f"grad: {'  '.join(key)}  (full colour from ±{number(scale)} on)    "
            "edge width: |local derivative * out.grad| passed back"
        )
    roles = (
        "rounded, bold: parameter · rounded: input or constant"
        if with_params
        else "rounded: leaf (params=[...] draws parameters bold)"
    )
    lines.append(f"double border: output · {roles} · square: computed · oval: the op")
    lines += [escape(note) for note in notes]
    rows = "".join(f'<TR><TD ALIGN="LEFT">{line}</TD></TR>' for line in lines)
    return f'<<TABLE BORDER="0" CELLSPACING="0"><TR><TD> </TD></TR>{rows}</TABLE>>'
