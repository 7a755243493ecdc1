"""Fonts for pictures: Helvetica's metrics built in, so columns line up whichever font a viewer has.

Graphviz lays text out in Helvetica. A viewer without Helvetica (Debian, Chromium, rsvg) draws a
substitute, often wider, and the ``label | data | grad`` cells run into each other. So an SVG
names the fonts that share Helvetica's widths on every system (Arial on Windows, Liberation Sans
on Linux, Nimbus Sans from Ghostscript, Arimo), and every text says how wide Helvetica made it
(``textLength``, when the layout used Helvetica's widths, as graphviz-pure does): a viewer with
none of them still draws each text exactly in its cell.
"""

from __future__ import annotations

import html
import re

__all__ = ["FONT_FAMILY", "fit_fonts", "text_width"]

# Helvetica's advance widths in 1/1000 em (Adobe's AFM), for the characters from ' ' to '~'.
_ASCII_WIDTHS = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  # ' ' to '/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  # 0 to ?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  # @ to O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  # P to _
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  # ` to o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,  # p to ~
]  # fmt: skip
WIDTHS = {chr(32 + i): w for i, w in enumerate(_ASCII_WIDTHS)}
WIDTHS["\u00a0"] = 278  # Graphviz writes runs of spaces as no-break spaces
OTHER_PER_BYTE = 277.83  # as Graphviz estimates any other character: a space per UTF-8 byte

# Fonts with Helvetica's widths, one per system at least; the generic family comes last.
FONT_FAMILY = "Helvetica,Arial,'Liberation Sans',Arimo,'Nimbus Sans','Nimbus Sans L',sans-serif"


def text_width(text: str, size: float) -> float:
    """How wide ``text`` is in Helvetica at ``size`` points, as Graphviz lays it out.

    >>> text_width("data 6.881", 11.0)
    51.986
    """
    units = sum(WIDTHS.get(c, OTHER_PER_BYTE * len(c.encode("utf-8"))) for c in text)
    return round(units * size / 1000.0, 3)


_TEXT = re.compile(r"<text ([^>]*)>([^<]*)</text>")
_SIZE = re.compile(r'font-size="([0-9.]+)"')


def _fit_text(match: re.Match[str], *, hold_widths: bool) -> str:
    attrs, content = match.groups()
    attrs = attrs.replace('font-family="Helvetica,sans-Serif"', f'font-family="{FONT_FAMILY}"')
    size = _SIZE.search(attrs)
    if hold_widths and size is not None and "font-weight" not in attrs:  # Bold: other widths
        width = text_width(html.unescape(content), float(size.group(1)))
        attrs += f' textLength="{width:g}" lengthAdjust="spacingAndGlyphs"'
    return f"<text {attrs}>{content}</text>"


def fit_fonts(svg: str, *, hold_widths: bool) -> str:
    """Graphviz's SVG with fonts that exist everywhere, each text held to Helvetica's width.

    ``hold_widths`` only where the layout measured text in Helvetica's widths (graphviz-pure);
    the system's ``dot`` measures with a font of the system, whose widths we do not know.
    """
    return _TEXT.sub(lambda match: _fit_text(match, hold_widths=hold_widths), svg)
