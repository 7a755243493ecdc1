"""Worksheets: a printable page from any graph, the gradients left blank, and an answer key.

The sheet shows the graph with its gradient fields empty (``grad ?``) and a table to fill in:
for each node, and each consumer its gradient arrives from, the local derivative, the upstream
gradient and the node's gradient. The answer key, on a page of its own, has the same table
filled in with the engine's numbers, the picture with the gradients, and the chain rule step by
step. The HTML is self-contained (inline SVG) and prints on A4; print it to PDF from a browser.
Looking changes nothing: afterwards every ``.grad`` of the graph is what it was before.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from autograd.debug import Step
from autograd.draw import draw_dot, number
from autograd.quiz import FreshPass, arrivals, asked_about, chosen_leaves, formula
from autograd.value import Value

__all__ = ["FIELDS", "TEXTS", "worksheet", "worksheet_html"]

FIELDS = ("local", "upstream", "grad")  # the table's columns a sheet can leave blank

TEXTS = {
    "en": {
        "title": "Worksheet: backpropagation",
        "who": "Name: ______________________ &nbsp;&nbsp; Date: ____________",
        "how": (
            "Work backwards from the output. The output's gradient is 1. For each node and "
            "each consumer its gradient arrives from, write the local derivative "
            "(consumer by node) and the upstream gradient (the consumer's gradient); the "
            "node's gradient is the sum over its rows of local derivative times upstream gradient."
        ),
        "how_values": "Compute the forward pass first: the values of computed nodes are blank.",
        "print": "To make a PDF, print this page from your browser (Ctrl+P, Save as PDF).",
        "node": "node",
        "value": "value",
        "via": "consumer",
        "local": "local derivative",
        "local_sub": "∂ consumer / ∂ node",
        "upstream": "upstream gradient",
        "upstream_sub": "consumer.grad",
        "grad": "gradient",
        "grad_sub": "node.grad",
        "output": "(the output)",
        "key": "Answer key",
        "steps": "The backward pass, step by step",
    },
    "de": {
        "title": "Arbeitsblatt: Backpropagation (Fehlerrückführung)",
        "who": "Name: ______________________ &nbsp;&nbsp; Datum: ____________",
        "how": (
            "Rechne rückwärts vom Ausgang. Der Gradient des Ausgangs ist 1. Trage für jeden "
            "Knoten und jeden Verbraucher, von dem sein Gradient kommt, die lokale Ableitung "
            "(Verbraucher nach Knoten) und den Gradienten von oben (den Gradienten des "
            "Verbrauchers) ein; der Gradient des Knotens ist die Summe seiner Zeilen: lokale "
            "Ableitung mal Gradient von oben (Kettenregel)."
        ),
        "how_values": "Rechne zuerst vorwärts: die Werte berechneter Knoten sind leer.",
        "print": "Als PDF: diese Seite im Browser drucken (Strg+P, Als PDF speichern).",
        "node": "Knoten",
        "value": "Wert",
        "via": "Verbraucher",
        "local": "lokale Ableitung",
        "local_sub": "∂ Verbraucher / ∂ Knoten",
        "upstream": "Gradient von oben",
        "upstream_sub": "Verbraucher.grad",
        "grad": "Gradient",
        "grad_sub": "Knoten.grad",
        "output": "(der Ausgang)",
        "key": "Lösungen",
        "steps": "Die Rückwärtsrechnung Schritt für Schritt",
    },
}

CSS = """
@page { size: A4; margin: 14mm; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; font-size: 10.5pt;
       color: #000; max-width: 190mm; margin: 1em auto; }
h1 { font-size: 16pt; margin: 0 0 0.3em; }
h2 { font-size: 13pt; margin: 0.8em 0 0.3em; }
p { margin: 0.3em 0; }
figure { margin: 0.6em 0; }
figure svg { display: block; width: 100%; height: auto; max-height: 120mm; }
table { border-collapse: collapse; width: 100%; margin-top: 0.6em; }
th, td { border: 1px solid #444; padding: 3px 6px; text-align: left; vertical-align: middle; }
th { background: #eee; font-weight: bold; }
th small { display: block; font-weight: normal; font-family: monospace; }
td.number { font-family: "DejaVu Sans Mono", monospace; text-align: right; }
td.blank { height: 1.6em; min-width: 5em; }
td.none { color: #777; text-align: center; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
ol.steps { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; padding-left: 2.5em; }
ol.steps li { break-inside: avoid; margin: 0.15em 0; }
.key { break-before: page; page-break-before: always; }
@media print { .screen { display: none; } body { margin: 0; max-width: none; } }
"""


@dataclass(frozen=True)
class Row:
    """One row of the table: a node, and one consumer its gradient arrives from."""

    node: str
    value: float
    leaf: bool
    consumer: str  # the name of the node its gradient arrives from; "" for the output
    via: str  # the consumer as a formula, e.g. "o = tanh(n)"; "" for the output
    local: float | None  # d consumer / d node; None for the output
    upstream: float | None  # the consumer's gradient; None for the output
    grad: float  # the node's gradient (summed over its rows)
    span: int  # rows of this node: its name, value and gradient cells span them; 0 after the first


def rows(steps: list[Step], chosen: set[int] | None) -> list[Row]:
    """The table of a backward pass, nodes in the order ``backward()`` completes them."""
    came = arrivals(steps)
    root = steps[0].node
    table: list[Row] = []
    for step in steps:
        node = step.node
        if not asked_about(node, root, came, chosen):
            continue
        name, leaf = step.name(node), not node._prev
        parts = came.get(id(node), [])
        if not parts:  # the output
            table.append(Row(name, node.data, leaf, "", "", None, None, step.out_grad, 1))
            continue
        for i, part in enumerate(parts):
            consumer = part.step
            via = _formula(consumer, chosen)
            span = len(parts) if i == 0 else 0
            table.append(
                Row(
                    name,
                    node.data,
                    leaf,
                    consumer.name(consumer.node),
                    via,
                    part.edge.local,
                    consumer.out_grad,
                    step.out_grad,
                    span,
                )
            )
    return table


def _formula(step: Step, chosen: set[int] | None) -> str:
    """The consumer as ``o = tanh(n)``; just its name when its label is the formula already."""
    name, written = step.name(step.node), formula(step, chosen)
    return name if name.replace(" ", "") == written.replace(" ", "") else f"{name} = {written}"


def worksheet_html(
    root: Value,
    *,
    blank: Iterable[str] | str = FIELDS,
    show_values: bool = True,
    title: str | None = None,
    lang: str = "en",
    params: Iterable[Value] | None = None,
    gradient: float = 1.0,
    max_rows: int = 120,
    rankdir: str = "LR",
) -> str:
    """A printable worksheet of ``root``'s backward pass as one HTML page, with an answer key.

    ``blank``: which of ``"local"``, ``"upstream"``, ``"grad"`` the sheet leaves empty (the
    others are filled in as hints). ``show_values=False`` blanks the computed nodes' values
    too, in the picture and the table (a forward pass to do first). ``params``: the leaves to
    ask about (default all). ``lang``: ``"en"`` or ``"de"``. ``rankdir="TB"`` draws the
    graph top to bottom (a tall graph fills the page better). Every ``.grad`` stays as it was.
    """
    fields = _fields(blank)
    if lang not in TEXTS:
        raise ValueError(f"worksheet: lang must be one of {', '.join(TEXTS)}, got {lang!r}")
    if not isinstance(show_values, bool):
        raise TypeError(f"worksheet: show_values must be True or False, got {show_values!r}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"worksheet: title must be text, got {type(title).__name__}")
    words = TEXTS[lang]
    chosen = chosen_leaves(params, "worksheet")
    with FreshPass(root, gradient) as steps:
        table = rows(steps, chosen)
        if len(table) > max_rows:
            raise ValueError(
                f"worksheet: the table would have {len(table)} rows, more than max_rows="
                f"{max_rows}: too long to do by hand. Use a smaller graph (one neuron, one or "
                "two data points), choose the leaves with params=[...], or pass max_rows=..."
            )
        key_svg = _svg(root, grads=True, prefix="key-", rankdir=rankdir)
        came = arrivals(steps)
        captions = [repr(step) for step in steps if asked_about(step.node, root, came, chosen)]
    sheet_svg = _svg(root, grads=False, prefix="sheet-", rankdir=rankdir)
    if not show_values:
        sheet_svg = hide_values(sheet_svg)
    heading = html.escape(title if title is not None else words["title"])
    how = words["how"] + ("" if show_values else " " + words["how_values"])
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{lang}"><head><meta charset="utf-8">',
            f"<title>{heading}</title><style>{CSS}</style></head><body>",
            f"<h1>{heading}</h1>",
            f'<p class="who">{words["who"]}</p>',
            f"<p>{html.escape(how)}</p>",
            f'<p class="screen"><em>{html.escape(words["print"])}</em></p>',
            f"<figure>{sheet_svg}</figure>",
            _table(table, words, blank=fields, show_values=show_values, key=False),
            '<section class="key">',
            f"<h1>{words['key']}</h1>",
            f"<p>{heading}</p>",
            f"<figure>{key_svg}</figure>",
            _table(table, words, blank=(), show_values=True, key=True),
            f"<h2>{words['steps']}</h2>",
            '<ol class="steps" start="0">',
            *(f"<li>{html.escape(caption)}</li>" for caption in captions),
            "</ol></section></body></html>",
        ]
    )


def worksheet(
    root: Value,
    path: str | Path,
    *,
    blank: Iterable[str] | str = FIELDS,
    show_values: bool = True,
    title: str | None = None,
    lang: str = "en",
    params: Iterable[Value] | None = None,
    gradient: float = 1.0,
    max_rows: int = 120,
    rankdir: str = "LR",
) -> Path:
    """Write a printable worksheet of ``root`` to ``path`` (HTML); see ``worksheet_html``."""
    text = worksheet_html(
        root,
        blank=blank,
        show_values=show_values,
        title=title,
        lang=lang,
        params=params,
        gradient=gradient,
        max_rows=max_rows,
        rankdir=rankdir,
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


def _table(
    table: list[Row], words: dict[str, str], *, blank: tuple[str, ...], show_values: bool, key: bool
) -> str:
    """The fill-in table (``key=False``) or the answer key's, numbers in ``data-value``."""
    head = "".join(
        f"<th>{words[field]}" + (f"<small>{words[field + '_sub']}</small>" if sub else "") + "</th>"
        for field, sub in (
            ("node", False),
            ("value", False),
            ("via", False),
            ("local", True),
            ("upstream", True),
            ("grad", True),
        )
    )
    lines = [
        f'<table class="{"answers" if key else "sheet"}"><thead><tr>{head}</tr></thead><tbody>'
    ]
    for row in table:
        cells = []
        node = html.escape(row.node)
        if row.span:
            span = f' rowspan="{row.span}"' if row.span > 1 else ""
            cells.append(f'<td{span} data-field="node">{node}</td>')
            hidden = not (key or row.leaf or show_values)
            cells.append(_cell("value", row, row.value, blank=hidden, span=span))
        via = html.escape(row.via) if row.via else words["output"]
        cells.append(f'<td data-field="via">{via}</td>')
        cells.append(_cell("local", row, row.local, blank="local" in blank and not key))
        cells.append(_cell("upstream", row, row.upstream, blank="upstream" in blank and not key))
        if row.span:
            cells.append(_cell("grad", row, row.grad, blank="grad" in blank and not key, span=span))
        lines.append(f"<tr>{''.join(cells)}</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def _cell(field: str, row: Row, amount: float | None, *, blank: bool, span: str = "") -> str:
    """One table cell: a number (its exact value in ``data-value``), a blank to fill, or —."""
    where = f'{span} data-field="{field}" data-node="{html.escape(row.node)}"'
    if row.consumer:
        where += f' data-consumer="{html.escape(row.consumer)}"'
    if amount is None:
        return f'<td class="none"{where}>—</td>'
    if blank:
        return f'<td class="blank"{where}></td>'
    return f'<td class="number"{where} data-value="{amount!r}">{number(amount)}</td>'


def _fields(blank: Iterable[str] | str) -> tuple[str, ...]:
    chosen = (blank,) if isinstance(blank, str) else tuple(blank)
    unknown = [f for f in chosen if f not in FIELDS]
    if unknown:
        raise ValueError(
            f"worksheet: blank= takes fields of {FIELDS}, got {unknown!r}: e.g. "
            'blank=("grad",) leaves only the gradients to fill in'
        )
    return chosen


def _svg(root: Value, *, grads: bool, prefix: str, rankdir: str) -> str:
    """The picture as inline SVG: no XML prolog, ids made unique within the page."""
    drawing = draw_dot(root, rankdir, show_grads=grads, max_nodes=None)
    svg = drawing.pipe(format="svg").decode("utf-8")
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'\bid="', f'id="{prefix}', svg)
    return svg.replace('href="#', f'href="#{prefix}').replace("url(#", f"url(#{prefix}")


_COMPUTED_BOX = re.compile(r'(<a xlink:title="(?:computed|output)): data=[^"]*(">.*?</a>)', re.S)


def hide_values(svg: str) -> str:
    """The picture with the values of computed nodes blanked (``data ?``), tooltips too."""

    def blank_box(box: re.Match[str]) -> str:
        return box[1] + re.sub(r">data [^<]*<", ">data ?<", box[2])

    return _COMPUTED_BOX.sub(blank_box, svg)
