"""A report as one PDF (the monthly practice report, or any other): its figures with their
formulas, each chart beside its data table, then the tables.

The charts are drawn from the same shapes as the SVG (otbill.analytics.svg) with reportlab's
vector graphics: sharp at any zoom and no image library needed. The same report gives the same
bytes: no timestamps or random ids in the file (invariant=1), as the patient statement.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
)

from otbill.analytics.model import Chart, Report
from otbill.analytics.model import Table as DataTable
from otbill.analytics.svg import CHART_H, CHART_W, Shape, chart_body
from otbill.analytics.text import cell

PAGE_W, PAGE_H = LETTER
MARGIN = 0.5 * inch
WIDTH = PAGE_W - 2 * MARGIN
FONT, BOLD = "Helvetica", "Helvetica-Bold"
GRID = colors.Color(0.8, 0.8, 0.8)
SHADE = colors.Color(0.93, 0.93, 0.93)
TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=15, leading=19)
H2 = ParagraphStyle("h2", fontName=BOLD, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=3)
TEXT = ParagraphStyle("text", fontName=FONT, fontSize=8.5, leading=10.5)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=7, leading=8.5)
NUM = ParagraphStyle("num", parent=CELL, alignment=TA_RIGHT)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=6.3, leading=7.6, textColor=colors.grey)
CHART_SCALE = 0.62  # of the SVG's size: a chart and its table side by side on letter paper


def render_report(report: Report) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{report.title}: {report.practice}",
        author=report.practice,
        creator="otbill",
        invariant=1,
        pageCompression=0,
    )

    def footer(c: Any, d: Any) -> None:
        c.saveState()
        c.setFont(FONT, 7)
        c.drawString(MARGIN, MARGIN / 2, f"{report.title}, {report.start} to {report.end}")
        c.drawRightString(PAGE_W - MARGIN, MARGIN / 2, f"Page {d.page}")
        c.restoreState()

    doc.build(_story(report), onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _p(text: str, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(escape(text), style)


def _story(r: Report) -> list[Flowable]:
    story: list[Flowable] = [
        _p(f"{r.title}: {r.practice}", TITLE),
        _p(f"{r.start} to {r.end}, as of {r.as_of}", TEXT),
    ]
    if r.filters:
        story.append(_p("Filters: " + ", ".join(f"{k} {v}" for k, v in r.filters.items()), TEXT))
    tables = {t.key: t for s in r.sections for t in s.tables}
    for s in r.sections:
        story.append(_p(s.title, H2))
        if s.figures:
            story.append(_figures(s.figures))
        for c in s.charts:
            table = tables.get(c.table)
            story += [Spacer(1, 4), _chart_pair(c, table)]
        drawn = {c.table for c in s.charts}
        for t in s.tables:
            if t.key not in drawn:
                story += [Spacer(1, 4), *_table(t)]
    return story


def _figures(figures: Any) -> Table:
    rows = [[_p("KPI", CELL), _p("Value", CELL), _p("Of", CELL), _p("Formula and source", CELL)]]
    for f in figures:
        value = cell(f.value, f.unit or "n") + (" days" if f.unit == "days" else "")
        of = "" if f.denominator is None else f"{cell(f.numerator)} / {cell(f.denominator)}"
        src = f"{f.formula.formula}. {f.formula.source}" + (f". {f.note}" if f.note else "")
        rows.append([_p(f.label, CELL), _p(value, NUM), _p(of, NUM), _p(src, SMALL)])
    return Table(
        rows,
        colWidths=(120, 62, 90, WIDTH - 272),
        repeatRows=1,
        style=[
            ("GRID", (0, 0), (-1, -1), 0.4, GRID),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (1, 1), (2, -1), "RIGHT"),
        ],
    )


def drawing(c: Chart) -> Drawing:
    """The chart's shapes (otbill.analytics.svg) as reportlab graphics: y flipped, scaled."""
    k = CHART_SCALE
    d = Drawing(CHART_W * k, CHART_H * k)
    for sh in chart_body(c):
        d.add(_shape(sh, k))
    return d


def _shape(sh: Shape, k: float) -> Any:
    h = CHART_H
    kind = sh[0]
    if kind == "text":
        _, x, y, s, size, anchor, bold = sh
        return String(x * k, (h - y) * k, s, fontName=BOLD if bold else FONT,
                      fontSize=size * k, textAnchor=anchor)  # fmt: skip
    if kind == "rect":
        _, x, y, w, rh, fill, _ = sh
        return Rect(x * k, (h - y - rh) * k, w * k, rh * k, fillColor=colors.HexColor(fill),
                    strokeColor=None)  # fmt: skip
    if kind == "line":
        _, x1, y1, x2, y2, stroke = sh
        return Line(x1 * k, (h - y1) * k, x2 * k, (h - y2) * k, strokeColor=colors.HexColor(stroke),
                    strokeWidth=0.5)  # fmt: skip
    if kind == "poly":
        _, pts, stroke = sh
        flat = [v for x, y in pts for v in (x * k, (h - y) * k)]
        return PolyLine(flat, strokeColor=colors.HexColor(stroke), strokeWidth=1.4)
    _, x, y, r, fill, _ = sh
    return Circle(x * k, (h - y) * k, r * k, fillColor=colors.HexColor(fill), strokeColor=None)


def _chart_pair(c: Chart, table: DataTable | None) -> Flowable:
    """The chart, and beside it its data: the categories and each series' values."""
    heads = [(table.columns[0].title if table else ""), *(s.name for s in c.series)]
    rows = [[_p(h, CELL) for h in heads]]
    for i, cat in enumerate(c.categories):
        rows.append([cat, *(_fmt(s.values[i], c.unit) for s in c.series)])
    below = len(c.series) > 3  # too many columns to sit beside the chart: under it
    data_w = WIDTH if below else WIDTH - CHART_W * CHART_SCALE - 8
    first = min(90.0, data_w / 2)
    rest = (data_w - first) / max(1, len(c.series))
    data = Table(
        rows,
        colWidths=(first, *([rest] * len(c.series))),
        style=[
            ("FONT", (0, 1), (-1, -1), FONT, 7),
            ("GRID", (0, 0), (-1, -1), 0.3, GRID),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ],
    )
    if below:
        return KeepTogether([drawing(c), data, _p(c.desc, SMALL)])
    pair = Table(
        [[drawing(c), data]],
        colWidths=(CHART_W * CHART_SCALE + 8, data_w),
        style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)],
    )
    return KeepTogether([pair, _p(c.desc, SMALL)])


def _fmt(v: Any, unit: str) -> str:
    text = cell(v, unit or "n")
    return ("$" + text) if unit == "$" and v is not None else text


def _cell(v: Any, unit: str, width: float) -> Any:
    """Numbers and short text as plain strings (a Paragraph per cell is most of a long table's
    drawing time); text that may not fit its column as a Paragraph, which wraps."""
    if unit or isinstance(v, int):
        return _fmt(v, unit)
    text = cell(v)
    return _p(text) if stringWidth(text, FONT, 7) > width - 6 else text


def _table(t: DataTable) -> list[Flowable]:
    n = len(t.columns)
    width = WIDTH / n
    rows = [[_p(c.title, CELL) for c in t.columns]]
    for r in t.rows:
        rows.append([_cell(v, c.unit, width) for v, c in zip(r, t.columns, strict=True)])
    numeric = [
        i for i, c in enumerate(t.columns) if c.unit or (t.rows and isinstance(t.rows[0][i], int))
    ]
    out: list[Flowable] = [
        _p(t.title, TEXT),
        LongTable(
            rows,
            colWidths=[width] * n,
            repeatRows=1,
            style=[
                ("FONT", (0, 1), (-1, -1), FONT, 7),
                *(("ALIGN", (i, 1), (i, -1), "RIGHT") for i in numeric),
                ("GRID", (0, 0), (-1, -1), 0.3, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ],
        ),
    ]
    if t.note:
        out.append(_p(t.note, SMALL))
    return out
