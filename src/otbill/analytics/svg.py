"""Charts as SVG, written by otbill itself: bars, columns, lines and stacked columns, each with
its title and description for screen readers, its values as text labels, and the data table
drawn beside it. The same chart gives the same bytes."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from otbill.analytics.model import Chart, Report, Table

PALETTE = ("#1b6ca8", "#e08a1e", "#3a9a5b", "#c0392b", "#7d5ba6", "#6b6b6b")
FONT = "font-family='Helvetica, Arial, sans-serif'"
CHART_W, CHART_H = 560, 300
TABLE_W = 340
ROW_H = 14


def fmt(v: Decimal | int | None, unit: str) -> str:
    if v is None:
        return "n/a"
    if unit == "$":
        return f"${Decimal(v):,.0f}"
    if unit == "%":
        return f"{Decimal(v):.1f}%"
    if unit == "days":
        return f"{Decimal(v):.1f}"
    return f"{v:,}"


def nice_max(top: Decimal) -> Decimal:
    """The smallest 1, 2 or 5 times a power of ten at or above ``top`` (an axis's end)."""
    if top <= 0:
        return Decimal(1)
    exp = top.adjusted()
    for step in (1, 2, 5, 10):
        candidate = Decimal(step).scaleb(exp)
        if candidate >= top:
            return candidate
    return Decimal(10).scaleb(exp)  # pragma: no cover - the loop ends at 10


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


# A chart is drawn as these shapes (y down from the top), written as SVG here and drawn with
# reportlab's graphics in the PDF (otbill.forms.report): one geometry for both.
Shape = tuple[Any, ...]


def _text(
    x: float, y: float, s: str, size: int = 10, anchor: str = "start", extra: str = ""
) -> Shape:
    return ("text", x, y, s, size, anchor, "bold" in extra)


def _rect(x: float, y: float, w: float, h: float, fill: str, title: str = "") -> Shape:
    return ("rect", x, y, w, h, fill, title)


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str) -> Shape:
    return ("line", x1, y1, x2, y2, stroke)


def _poly(points: list[tuple[float, float]], stroke: str) -> Shape:
    return ("poly", tuple(points), stroke)


def _circle(x: float, y: float, r: float, fill: str, title: str) -> Shape:
    return ("circle", x, y, r, fill, title)


def to_svg(shapes: Sequence[Shape]) -> str:
    out = []
    for sh in shapes:
        kind = sh[0]
        if kind == "text":
            _, x, y, s, size, anchor, bold = sh
            weight = " font-weight='bold'" if bold else ""
            out.append(
                f"<text x='{_n(x)}' y='{_n(y)}' font-size='{size}' text-anchor='{anchor}' "
                f"{FONT}{weight}>{escape(s)}</text>"
            )
        elif kind == "rect":
            _, x, y, w, h, fill, title = sh
            tip = f"<title>{escape(title)}</title>" if title else ""
            out.append(
                f"<rect x='{_n(x)}' y='{_n(y)}' width='{_n(w)}' height='{_n(h)}' "
                f"fill='{fill}'>{tip}</rect>"
            )
        elif kind == "line":
            _, x1, y1, x2, y2, stroke = sh
            out.append(
                f"<line x1='{_n(x1)}' y1='{_n(y1)}' x2='{_n(x2)}' y2='{_n(y2)}' stroke='{stroke}'/>"
            )
        elif kind == "poly":
            _, pts, stroke = sh
            points = " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)
            out.append(
                f"<polyline points='{points}' fill='none' stroke='{stroke}' stroke-width='2'/>"
            )
        else:
            _, x, y, r, fill, title = sh
            out.append(
                f"<circle cx='{_n(x)}' cy='{_n(y)}' r='{_n(r)}' fill='{fill}'>"
                f"<title>{escape(title)}</title></circle>"
            )
    return "".join(out)


def _values(v: Decimal | int | None) -> Decimal:
    return Decimal(0) if v is None else max(Decimal(v), Decimal(0))


def chart_body(c: Chart, w: int = CHART_W, h: int = CHART_H) -> list[Shape]:
    """The chart's shapes and labels, in a w x h box at the origin."""
    out = [_text(8, 18, c.title, 13, extra="font-weight='bold'")]
    if not c.categories or not c.series:
        out.append(_text(w / 2, h / 2, "No data in the period", 11, "middle"))
        return out
    left = 170.0 if c.kind == "bars" else 64.0
    top, right, bottom = 34.0, 16.0, 52.0 if c.kind != "bars" else 24.0
    pw, ph = w - left - right, h - top - bottom
    if c.kind == "stacked":
        peak = max(sum((_values(s.values[i]) for s in c.series), Decimal(0))
                   for i in range(len(c.categories)))  # fmt: skip
    else:
        peak = max(_values(v) for s in c.series for v in s.values)
    axis = nice_max(peak)
    n = len(c.categories)
    if c.kind == "bars":
        band = ph / n
        for i, (cat, v) in enumerate(zip(c.categories, c.series[0].values, strict=True)):
            y = top + i * band
            length = float(_values(v) / axis) * pw
            out.append(_text(left - 6, y + band * 0.62, cat[:28], 9, "end"))
            out.append(
                _rect(left, y + band * 0.15, length, band * 0.7, PALETTE[0],
                      f"{cat}: {fmt(v, c.unit)}")
            )  # fmt: skip
            out.append(_text(left + length + 4, y + band * 0.62, fmt(v, c.unit), 9))
        return out
    # Vertical: the value axis with five gridlines.
    for k in range(6):
        value = axis * k / 5
        y = top + ph - ph * k / 5
        out.append(_line(left, y, left + pw, y, "#dddddd"))
        out.append(_text(left - 4, y + 3, fmt(value, c.unit), 8, "end"))
    band = pw / n
    for i, cat in enumerate(c.categories):
        out.append(
            _text(left + band * (i + 0.5), top + ph + 12, cat, 8, "middle")
            if n <= 14
            else _text(left + band * (i + 0.5), top + ph + 12, cat if i % 2 == 0 else "", 8,
                       "middle")
        )  # fmt: skip
    if c.kind == "lines":
        for si, s in enumerate(c.series):
            color = PALETTE[si % len(PALETTE)]
            pts = [
                (left + band * (i + 0.5), top + ph - float(_values(v) / axis) * ph, v)
                for i, v in enumerate(s.values)
            ]
            run: list[tuple[float, float]] = []
            for x, y, v in [*pts, (0.0, 0.0, None)]:
                if v is None:
                    if len(run) > 1:
                        out.append(_poly(run, color))
                    run = []
                    continue
                run.append((x, y))
            for x, y, v in pts:
                if v is not None:
                    out.append(_circle(x, y, 3, color, f"{s.name}: {fmt(v, c.unit)}"))
    else:
        stacked = c.kind == "stacked"
        width = band * 0.7 / (1 if stacked else len(c.series))
        for i in range(n):
            base = top + ph
            for si, s in enumerate(c.series):
                v = _values(s.values[i])
                bh = float(v / axis) * ph
                x = left + band * i + band * 0.15 + (0 if stacked else si * width)
                y = base - bh if stacked else top + ph - bh
                tip = f"{c.categories[i]}, {s.name}: {fmt(s.values[i], c.unit)}"
                out.append(_rect(x, y, width, bh, PALETTE[si % len(PALETTE)], tip))
                if stacked:
                    base -= bh
    out += _legend(c, left, h - 16)
    return out


def _legend(c: Chart, x: float, y: float) -> list[Shape]:
    out = []
    for si, s in enumerate(c.series):
        color = PALETTE[si % len(PALETTE)]
        out.append(_rect(x, y - 8, 10, 10, color))
        out.append(_text(x + 14, y + 1, s.name, 9))
        x += 24 + 6 * len(s.name)
    return out


def table_body(table: Table, c: Chart, x: float, w: int = TABLE_W) -> list[Shape]:
    """The chart's data, as the table of it: its categories and each series' values."""
    heads = [table.columns[0].title, *(s.name for s in c.series)]
    rows = [
        [cat, *(fmt(s.values[i], c.unit) for s in c.series)] for i, cat in enumerate(c.categories)
    ]
    col = (w - 110) / max(1, len(c.series))
    out = [_text(x, 18, "Data", 11, extra="font-weight='bold'")]
    y = 36.0
    for r, row in enumerate([heads, *rows]):
        weight = " font-weight='bold'" if r == 0 else ""
        out.append(_text(x, y, str(row[0])[:18], 9, extra=weight.strip()))
        for k, v in enumerate(row[1:]):
            out.append(_text(x + 110 + col * (k + 1) - 4, y, str(v)[:16], 9, "end", weight.strip()))
        y += ROW_H
    return out


def chart_svg(c: Chart, table: Table | None = None) -> str:
    """One chart, with its data table beside it, as a standalone SVG document."""
    return _document([(c, table)])


def _table_height(c: Chart) -> int:
    return 36 + ROW_H * (len(c.categories) + 1)


def _document(charts: Sequence[tuple[Chart, Table | None]], title: str = "") -> str:
    width = CHART_W + (TABLE_W + 20 if any(t is not None for _, t in charts) else 0)
    parts: list[str] = []
    y = 0
    for c, table in charts:
        h = max(CHART_H, _table_height(c))
        ident = c.key.replace(" ", "-")
        body = chart_body(c)
        if table is not None:
            body += table_body(table, c, CHART_W + 10)
        parts.append(
            f"<svg x='0' y='{y}' width='{width}' height='{h}' role='img' "
            f"aria-labelledby='t-{ident} d-{ident}'><title id='t-{ident}'>{escape(c.title)}"
            f"</title><desc id='d-{ident}'>{escape(c.desc)}</desc>{to_svg(body)}</svg>"
        )
        y += h + 10
    head = escape(title or (charts[0][0].title if charts else "otbill report"))
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{max(y, 40)}' "
        f"viewBox='0 0 {width} {max(y, 40)}' role='img' aria-label={quoteattr(head)}>"
        f"<title>{head}</title><rect width='100%' height='100%' fill='white'/>"
        + "".join(parts)
        + "</svg>\n"
    )


def report_svg(report: Report) -> str:
    """Every chart of the report, one under the other, each with its data table beside it."""
    pairs = []
    for s in report.sections:
        tables = {t.key: t for t in s.tables}
        for c in s.charts:
            pairs.append((c, tables.get(c.table)))
    for s in report.sections:  # a chart may draw a table of another section (monthly)
        for c, table in list(pairs):
            if table is None and any(t.key == c.table for t in s.tables):
                pairs[pairs.index((c, table))] = (c, s.table(c.table))
    return _document(pairs, f"{report.title}, {report.start} to {report.end}")
