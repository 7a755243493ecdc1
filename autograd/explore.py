"""The chain rule you can touch: ``explore(o)`` shows o's graph in four modes, computed here.

Step walks the backward pass node by node; Nudge moves a leaf by h and runs the forward pass
again; Paths lists every path from a leaf to the output with its product of local derivatives;
Forward mode lets tangents flow from a leaf to the output. Python computes every number (from
the op table, through ``backward_steps``, ``paths``, ``nudge`` and ``tangent_steps``) and hands
the page *views*: which boxes to highlight, which texts and colours to put in them, and a panel
of HTML. The page (``explore.js``) only shows views and sends back the user's picks. In Jupyter
that page is an anywidget; elsewhere a static HTML page steps through the same views.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
from collections.abc import Generator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from autograd.backward import backward, grads_put_back, topological_order
from autograd.draw import Moment, colour, grad_scale, number, picture
from autograd.forward import tangent_steps
from autograd.frames import backward_moments
from autograd.names import node_names
from autograd.nudge import nudge, rerun
from autograd.paths import paths
from autograd.summary import Graph, inputs_of
from autograd.value import Value

__all__ = ["Scene", "StaticExplorer", "explore", "static_html"]

HERE = Path(__file__).parent
MODES = ("step", "nudge", "paths", "forward")
View = dict[str, Any]  # panel (HTML), cells {id: {"grad"|"data": text}}, fills {id: colour}, marks


def explore(
    output: Value, *, max_nodes: int = 200, max_steps: int = 300, max_paths: int = 100
) -> Any:
    """An interactive view of ``output``'s graph in a notebook: Step, Nudge, Paths, Forward mode.

    Returns an anywidget (JupyterLab, Notebook 7, VS Code, Colab); without anywidget, or outside
    a notebook, a static page that steps (``.save(path)`` writes it). Looking changes nothing:
    every ``.data`` and ``.grad`` of the graph stays as it was. Graphs of more than
    ``max_nodes`` nodes are drawn as ``draw_dot``'s summary; at most ``max_steps`` backward
    steps and ``max_paths`` paths are listed.
    """
    scene = Scene.of(output, max_nodes=max_nodes, max_steps=max_steps, max_paths=max_paths)
    try:
        from autograd.widget import Explorer  # noqa: PLC0415 (anywidget is optional)
    except ImportError:
        return StaticExplorer(scene)
    return Explorer(scene)


@dataclass
class Scene:
    """Everything the page shows of one graph, computed once: the picture and the step views."""

    output: Value
    graph: Graph
    ids: dict[Value, str]  # node -> its DOT id in the picture: n0, n1, ... in topological order
    names: dict[Value, str]  # labels, the caller's variables, or v3, as backward_steps names
    names_by_id: dict[int, str]  # the same, by id(node), as pictures and steps take them
    grads: dict[Value, float]  # d output/d node, from one backward pass
    svg: str
    drawn: set[str]  # the ids the picture shows (a summary leaves some out)
    steps: list[View]
    leaves: list[Value]
    max_paths: int

    @classmethod
    def of(cls, output: Value, *, max_nodes: int, max_steps: int, max_paths: int) -> Scene:
        """Run one backward pass on the side (every grad put back), draw it, make the views."""
        if not isinstance(output, Value):
            raise TypeError(f"explore: output must be a Value, got {type(output).__name__}")
        for what, limit in (("max_nodes", max_nodes), ("max_steps", max_steps)):
            if not isinstance(limit, int) or limit < 1:
                raise ValueError(f"explore: {what} must be a positive whole number, got {limit!r}")
        graph = Graph.of(output, None)
        ids = {node: f"n{i}" for i, node in enumerate(graph.nodes)}
        order = topological_order(output)
        by_id = node_names(order)  # labels, the caller's variables, v3
        names = {n: by_id[id(n)] for n in order}
        moments, grads = _backward_moments(output, max_steps, by_id)
        final = Moment(grads, scale=moments[-1].scale if moments else None, names=by_id)
        svg = picture(output, final, max_nodes=max_nodes).pipe(format="svg").decode("utf-8")
        svg = svg[svg.index("<svg") :]  # no XML prolog: the picture goes inside a page
        drawn = set(re.findall(r"<title>(n\d+)</title>", svg))
        # labelled leaves first (the inputs and weights a learner picks), constants after
        leaves = sorted((n for n in graph.nodes if not n._prev), key=lambda n: not n.label)
        scene = cls(output, graph, ids, names, by_id, grads, svg, drawn, [], leaves, max_paths)
        scene.steps = scene.step_views(moments)
        return scene

    # -- what the page gets

    def data(self) -> dict[str, Any]:
        """The scene as JSON-ready data for the page: picture, leaves, step views, notes."""
        return {
            "svg": self.svg,
            "output": self.names[self.output],
            "leaves": [
                {"id": self.ids[n], "name": self.names[n], "data": number(n.data)}
                for n in self.leaves
            ],
            "steps": self.steps,
            "note": self.note(),
        }

    def note(self) -> str:
        """What the views leave out, said under the picture."""
        total = len(self.graph.nodes)
        notes = [f"grads of one backward pass from {self.names[self.output]}"]
        if len(self.steps) - 1 < total:
            notes.append(f"step mode shows the first {len(self.steps) - 1} of {total} steps")
        if len(self.drawn) < total:
            notes.append(f"the picture is a summary of {total} nodes (as draw_dot draws it)")
        return "; ".join(notes)

    def answer(self, pick: Mapping[str, Any]) -> dict[str, Any]:
        """The views for a pick of the page: {"mode": "paths"|"forward"|"nudge", "leaf", "h"}."""
        mode, leaf_id = pick.get("mode"), pick.get("leaf")
        leaf = next((n for n in self.leaves if self.ids[n] == leaf_id), None)
        if mode not in MODES or leaf is None:
            return {"pick": dict(pick), "view": _error(f"cannot show {mode!r} for {leaf_id!r}")}
        try:
            if mode == "paths":
                return {"pick": dict(pick), **self.paths_answer(leaf)}
            if mode == "forward":
                return {"pick": dict(pick), "views": self.forward_views(leaf)}
            h = float(pick.get("h", 0.0))
            return {"pick": dict(pick), "view": self.nudge_view(leaf, h)}
        except (TypeError, ValueError) as error:  # e.g. h = 0, or a closure with no forward
            return {"pick": dict(pick), "view": _error(str(error))}

    # -- Step: backward, node by node

    def step_views(self, moments: list[Moment]) -> list[View]:
        """A view before backward starts, then one per step; cells and fills only as they change."""
        seed = Moment({self.output: self.grads[self.output]}, sent=frozenset())
        scale = moments[-1].scale if moments else 0.0
        out = self.names[self.output]
        start = _panel(
            f"before backward: {out}.grad = {number(self.grads[self.output])} (the seed)",
            ["Next passes it on, one node at a time."],
        )
        shown: dict[str, tuple[str, str]] = {}
        views = []
        for moment in [replace(seed, scale=scale), *moments]:
            state = {
                self.ids[n]: (_grad_cell(n, moment), colour(moment.grads.get(n), scale or 0.0))
                for n in self.graph.nodes
                if self.ids[n] in self.drawn
            }
            changed = {i: s for i, s in state.items() if shown.get(i) != s}
            shown = state
            view: View = {
                "cells": {i: {"grad": text} for i, (text, _) in changed.items()},
                "fills": {i: fill for i, (_, fill) in changed.items()},
            }
            if moment.current is None:
                view["panel"] = start
            else:
                view["marks"] = self._step_marks(moment.current)
                caption, *lines = moment.caption.strip().splitlines()
                view["panel"] = _panel(caption, lines)
            views.append(view)
        return views

    def _step_marks(self, node: Value) -> dict[str, list[str]]:
        i = self.ids[node]
        flow = [f"{self.ids[p]}->{i}op" for p in inputs_of(node)]
        receives = [self.ids[p] for p in inputs_of(node)]
        return {"current": [i, f"{i}op"], "flow": flow, "receives": receives}

    # -- Paths: every path from a leaf, its product, their sum

    def paths_answer(self, leaf: Value) -> dict[str, Any]:
        """The paths from ``leaf`` highlighted and listed with products; their sum beside .grad."""
        found = paths(self.output, leaf, max_paths=self.max_paths)
        moved = self._dependents(leaf)  # every node that depends on the leaf is on a path
        on_paths = [n for n in self.graph.nodes if n in moved]
        rows = [
            f'<tr data-path="{k}"><td>{html.escape(p.text(self.names_by_id))}</td>'
            f"{_value_cell('product', p.product)}</tr>"
            for k, p in enumerate(found.listed)
        ]
        name, out = self.names[leaf], self.names[self.output]
        count = f"{found.count:,} path{'s' if found.count != 1 else ''} from {name} to {out}"
        if not found.complete:
            count += (
                f": too many to list (more than {found.max_paths}); their products' sum comes "
                "from forward mode, which adds them up without listing them"
            )
        table = f'<table class="fb-paths">{"".join(rows)}</table>' if rows else ""
        panel = (
            f"<p>{html.escape(count)}</p>{table}<p>sum of the products "
            f"{_value_span('path-sum', found.total)} = d{out}/d{name} = {name}.grad "
            f"{_value_span('grad', self.grads[leaf])}</p>"
        )
        view: View = {"panel": panel, "marks": {"path": self._marks_along(on_paths)}}
        return {"view": view, "paths": [self._marks_along(list(p.nodes)) for p in found.listed]}

    def _marks_along(self, nodes: list[Value]) -> list[str]:
        """The boxes, op ovals and edges joining ``nodes`` (a path, or all nodes on paths)."""
        inside = set(nodes)
        marks = [self.ids[n] for n in nodes]
        for node in nodes:
            i = self.ids[node]
            feeding = [p for p in inputs_of(node) if p in inside]
            if feeding:
                marks += [f"{i}op", f"{i}op->{i}"]
                marks += [f"{self.ids[p]}->{i}op" for p in feeding]
        return marks

    def _dependents(self, leaf: Value) -> set[Value]:
        found = {leaf}
        for node in self.graph.nodes:
            if any(p in found for p in inputs_of(node)):
                found.add(node)
        return found

    # -- Forward mode: tangents flow from the leaf

    def forward_views(self, leaf: Value) -> list[View]:
        """One view per node the leaf moves, inputs first: its tangent, from its inputs' ones."""
        steps = list(tangent_steps(self.output, {leaf: 1.0}))
        moved = {s.node for s in steps}
        name = self.names[leaf]
        per = f"d/d{name}"  # a node's tangent is its derivative by the leaf: the box says so
        scale = max((abs(s.tangent) for s in steps if math.isfinite(s.tangent)), default=0.0)
        start: View = {
            "cells": {
                self.ids[n]: {"grad": f"{per} ?" if n in moved else f"{per} 0"}
                for n in self.graph.nodes
                if self.ids[n] in self.drawn
            },
            "fills": {
                self.ids[n]: "#ffffff" for n in self.graph.nodes if self.ids[n] in self.drawn
            },
        }
        views = []
        costs = self._costs(leaf, sum(len(s.local) for s in steps))
        for k, step in enumerate(steps):
            i = self.ids[step.node]
            view: View = {} if k else dict(start)
            cells = dict(view.get("cells", {}))
            cells[i] = {"grad": f"{per} {number(step.tangent)}"}
            fills = dict(view.get("fills", {}))
            fills[i] = colour(step.tangent, scale)
            flow = [f"{self.ids[p]}->{i}op" for p in inputs_of(step.node) if p in moved]
            marks = {"current": [i, f"{i}op"], "flow": flow}
            view.update(cells=cells, fills=fills, marks=marks)
            if not step.local:
                line = f"tangent({name}) = 1: we ask how everything moves when {name} moves"
            else:
                terms = " + ".join(
                    f"{number(d)} * tangent({self.names[p]})"
                    for d, p in zip(step.local, inputs_of(step.node), strict=True)
                )
                line = f"tangent({self.names[step.node]}) = {terms} = {number(step.tangent)}"
            lines = [f"forward step {k + 1} of {len(steps)}: {line}"]
            if step.node is self.output:
                lines.append(
                    f"tangent({self.names[self.output]}) "
                    f"{_value_span('out-tangent', step.tangent)} = {name}.grad "
                    f"{_value_span('grad', self.grads[leaf])}"
                )
            view["panel"] = _panel_html(lines) + costs
            views.append(view)
        return views

    def _costs(self, leaf: Value, this_pass: int) -> str:
        """Which mode costs what here, counted in local derivatives (one per input slot)."""
        # Bit i of reaches[node] says whether leaf i moves node: one int per node, not a set.
        reaches: dict[Value, int] = {}
        bit = {n: 1 << k for k, n in enumerate(self.leaves)}
        for node in self.graph.nodes:
            reaches[node] = bit.get(node, 0)
            for p in inputs_of(node):
                reaches[node] |= reaches[p]
        every_leaf = sum(
            reaches[n].bit_count() * len(inputs_of(n)) for n in self.graph.nodes if n._prev
        )
        reverse = sum(len(inputs_of(n)) for n in self.graph.nodes)
        count = len(self.leaves)
        return (
            '<div class="fb-costs"><b>What each mode costs for this graph</b> (one local '
            f"derivative per input of each op):<br>forward mode: one pass per leaf. This pass, "
            f"for {html.escape(self.names[leaf])}: {this_pass}; for all {count} leaves: "
            f"{count} passes, {every_leaf} local derivatives.<br>reverse mode (backward()): one "
            f"pass from the output gives all {count} grads: {reverse} local derivatives.<br>"
            "One output, many inputs: reverse mode wins, which is why training calls backward()."
            "</div>"
        )

    # -- Nudge: the forward pass again with the leaf moved

    def nudge_view(self, leaf: Value, h: float) -> View:
        """The picture with every moved node's new data, and Δout beside grad * h."""
        result = nudge(self.output, leaf, h)
        again = rerun(self.output, {leaf: leaf.data + h})
        moved = [n for n in self.graph.nodes if again[n] != n.data and self.ids[n] in self.drawn]
        name, out = self.names[leaf], self.names[self.output]
        rows = [
            ("h", "h", result.h),
            (f"Δ{out} = {out}(new) - {out}", "delta", result.delta),
            (f"{name}.grad * h", "linear", result.linear),
            (f"Δ{out} / h (numerical derivative)", "numerical", result.numerical),
            (f"{name}.grad (from backward)", "grad", result.grad),
        ]
        table = "".join(
            f"<tr><td>{html.escape(text)}</td>{_value_cell(key, x)}</tr>" for text, key, x in rows
        )
        panel = (
            f"<p>{html.escape(name)}: {number(leaf.data)} → {number(leaf.data + h)}; the forward "
            f"pass ran again: {html.escape(out)} = {_value_span('after', result.after)}</p>"
            f'<table class="fb-nudge">{table}</table>'
        )
        return {
            "panel": panel,
            "cells": {self.ids[n]: {"data": f"data {number(again[n])}"} for n in moved},
            "marks": {"nudged": [self.ids[n] for n in moved]},
        }

    # -- the static page: everything precomputed, nudges need Python

    def answers(self, max_leaves: int = 40) -> dict[str, dict[str, Any]]:
        """Paths and forward mode for the first ``max_leaves`` leaves, for the static page."""
        return {
            mode: {
                self.ids[leaf]: self.answer({"mode": mode, "leaf": self.ids[leaf]})
                for leaf in self.leaves[:max_leaves]
            }
            for mode in ("paths", "forward")
        }


def _backward_moments(
    output: Value, max_steps: int, names: Mapping[int, str]
) -> tuple[list[Moment], dict[Value, float]]:
    """The moments of one backward pass (up to ``max_steps``) and its grads; every grad put back."""
    # leaves accumulate: start from 0 to see one pass on its own
    with grads_put_back(output, from_zero=True) as order:
        backward(output)
        grads = {n: n.grad for n in order}
        steps = backward_moments(output, names=names)
        moments = list(itertools.islice(steps, max_steps))
        # A long pass is shown in part: close it here (its end_pass runs now, not at some later
        # garbage collection, after the grads are put back).
        cast(Generator[Moment, None, None], steps).close()
    graph = Graph.of(output, None)
    scale = grad_scale(graph, graph.nodes, grads)  # one scale for all steps, the final one
    return [replace(m, scale=scale) for m in moments], grads


def _grad_cell(node: Value, moment: Moment) -> str:
    if node not in moment.grads:
        return "grad ?"
    text = f"grad {number(moment.grads[node])}"
    return text + " + …" if node in moment.partial else text


def _value_span(key: str, x: float) -> str:
    return f'<span class="fb-value" data-key="{key}" data-value="{x!r}">{x:.6g}</span>'


def _value_cell(key: str, x: float) -> str:
    return f'<td class="fb-value" data-key="{key}" data-value="{x!r}">{x:.6g}</td>'


def _panel(caption: str, lines: list[str]) -> str:
    return _panel_html([html.escape(caption), *(html.escape(line) for line in lines)])


def _panel_html(lines: list[str]) -> str:
    """Lines of HTML (already escaped), the first one the caption."""
    first, *rest = lines
    items = "".join(f"<li>{line}</li>" for line in rest)
    return f'<p class="fb-caption">{first}</p>' + (f"<ul>{items}</ul>" if items else "")


def _error(message: str) -> View:
    return {"panel": f'<p class="fb-error">{html.escape(message)}</p>'}


# ---------------------------------------------------------------------------------------------
# Where widgets cannot run: a static page with the same views and the same script.

_serial = itertools.count()


def static_html(scene: Scene, *, full_page: bool = False) -> str:
    """The scene as self-contained HTML: steps, paths and forward mode work, nudges need Python."""
    element = f"fb-explore-{next(_serial)}"
    data = scene.data()
    data["note"] += (
        "; a static page (no Python kernel): Step, Paths and Forward mode work, Nudge needs "
        "the live widget"
    )
    data["answers"] = scene.answers()
    script = (HERE / "explore.js").read_text(encoding="utf-8")
    css = (HERE / "explore.css").read_text(encoding="utf-8")
    page = _STATIC.format(
        element=element,
        css=css,
        data=_script_json(data),
        source=_script_json(script),
    )
    if not full_page:
        return page
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>explore({html.escape(scene.names[scene.output])})</title></head>"
        f"<body>{page}</body></html>\n"
    )


def _script_json(value: object) -> str:
    """JSON safe inside a <script>: no '</script>' can end it early."""
    return json.dumps(value).replace("</", "<\\/")


_STATIC = """<style>{css}</style>
<div id="{element}"></div>
<script type="module">
// The static page's stand-in for the widget's model: picks are answered from precomputed views.
const data = {data};
const listeners = [];
const model = {{
  answer: {{}},
  get(key) {{ return key === "scene" ? data : this.answer; }},
  set(key, pick) {{
    const known = (data.answers[pick.mode] || {{}})[pick.leaf];
    const lacks = pick.mode === "nudge"
      ? "Nudge runs the forward pass again in Python: this static page has no Python kernel. "
        + "Run the notebook (explore(o) in JupyterLab, Notebook 7, VS Code or Colab) to nudge."
      : "This static page precomputed " + pick.mode + " for the first 40 leaves only.";
    const panel = "<p class='fb-error'>" + lacks + "</p>";
    this.answer = known ? {{ ...known, pick }} : {{ pick, view: {{ panel }} }};
  }},
  save_changes() {{ listeners.forEach((f) => f()); }},
  on(event, f) {{ if (event === "change:answer") listeners.push(f); }},
}};
const url = URL.createObjectURL(new Blob([{source}], {{ type: "text/javascript" }}));
const widget = (await import(url)).default;
widget.render({{ model, el: document.getElementById("{element}") }});
</script>
"""


class StaticExplorer:
    """The static view of ``explore``: HTML where widgets cannot run, or a page in a file."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene

    def _repr_html_(self) -> str:
        return static_html(self.scene)

    def save(self, path: str | Path) -> Path:
        """Write the static page (steps, paths and forward mode; no nudges) to ``path``."""
        target = Path(path)
        target.write_text(static_html(self.scene, full_page=True), encoding="utf-8")
        return target

    def __repr__(self) -> str:
        return (
            f"explore({self.scene.names[self.scene.output]}): a view for notebooks; here, "
            ".save('explore.html') writes a page that steps through it in a browser"
        )
