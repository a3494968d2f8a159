"""A report as one HTML page: its figures, and each chart (inline SVG) with its data table
beside it, then the report's tables. No scripts, no outside files."""

from __future__ import annotations

from xml.sax.saxutils import escape

from otbill.analytics.model import Report, Table
from otbill.analytics.svg import chart_svg
from otbill.analytics.text import cell

STYLE = """
body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:12px;margin:8px 0}
th,td{border:1px solid #ddd;padding:3px 6px}th{background:#f0f0f0;text-align:left}
td.n{text-align:right}.kpi td:first-child{font-weight:bold}.src{color:#666;font-size:11px}
.pair{display:flex;gap:16px;align-items:flex-start;flex-wrap:wrap}
"""


def _num(v: object, unit: str) -> str:
    return " class=n" if unit or isinstance(v, int) else ""


def table_html(t: Table) -> str:
    head = "".join(f"<th scope='col'>{escape(c.title)}</th>" for c in t.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{_num(v, c.unit)}>{escape(cell(v, c.unit))}</td>"
            for v, c in zip(r, t.columns, strict=True)
        )
        + "</tr>"
        for r in t.rows
    )
    note = f"<p class=src>{escape(t.note)}</p>" if t.note else ""
    return f"<table><caption>{escape(t.title)}</caption><tr>{head}</tr>{body}</table>{note}"


def report_html(r: Report) -> str:
    title = f"{r.title}: {r.practice}, {r.start} to {r.end}"
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1><p>As of {r.as_of}</p>",
    ]
    tables = {t.key: t for s in r.sections for t in s.tables}
    for s in r.sections:
        out.append(f"<h2>{escape(s.title)}</h2>")
        if s.figures:
            out.append("<table class=kpi><tr><th>KPI</th><th>Value</th><th>Of</th>"
                       "<th>Formula and source</th></tr>")  # fmt: skip
            for f in s.figures:
                of = "" if f.denominator is None else f"{cell(f.numerator)} / {cell(f.denominator)}"
                value = cell(f.value, f.unit or "n") + (" days" if f.unit == "days" else "")
                out.append(
                    f"<tr><td>{escape(f.label)}</td><td class=n>{escape(value)}"
                    f"</td><td class=n>{escape(of)}</td><td class=src>{escape(f.formula.formula)}. "
                    f"{escape(f.formula.source)}{escape('. ' + f.note if f.note else '')}</td></tr>"
                )
            out.append("</table>")
        for c in s.charts:
            svg = chart_svg(c, None)
            table = tables.get(c.table)
            out.append(f"<div class=pair><figure>{svg}</figure>"
                       f"{table_html(table) if table else ''}</div>")  # fmt: skip
        drawn = {c.table for c in s.charts}
        for t in s.tables:
            if t.key not in drawn:
                out.append(table_html(t))
    out.append("</body></html>\n")
    return "\n".join(out)
