"""A report as text for a terminal, and as CSV (one long table: every figure and every cell,
each on its own row, so a spreadsheet or a program reads it without knowing the layout)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from otbill.analytics.model import Cell, Figure, Report, Table


def cell(v: Cell, unit: str = "") -> str:
    if v is None:
        return "n/a" if unit else ""
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        if unit == "$":
            return f"{v:,.2f}"
        if unit == "%":
            return f"{v:.2f}%"
        return f"{v:,}"
    if isinstance(v, int):
        return f"{v:,}"
    return v


def figure_text(f: Figure) -> str:
    value = cell(f.value, f.unit or "n")
    if f.unit == "$":
        value = "$" + value
    if f.unit == "days":
        value += " days"
    parts = [f"{f.label}: {value}"]
    if f.denominator is not None and f.numerator is not None:
        parts.append(f"({cell(f.numerator)} / {cell(f.denominator)})")
    elif f.denominator is not None:
        parts.append(f"(of {cell(f.denominator)})")
    if f.note:
        parts.append(f"- {f.note}")
    return " ".join(parts)


def table_text(t: Table, limit: int = 40, titled: bool = True) -> list[str]:
    heads = [c.title for c in t.columns]
    rows = [[cell(v, c.unit) for v, c in zip(r, t.columns, strict=True)] for r in t.rows[:limit]]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(heads)]  # fmt: skip
    right = [c.unit != "" or (rows and all(isinstance(r[i], int | Decimal) for r in t.rows))
             for i, c in enumerate(t.columns)]  # fmt: skip
    out = [t.title] if titled else []

    def line(cells: list[str]) -> str:
        return "  ".join(
            (s.rjust(w) if r else s.ljust(w)) for s, w, r in zip(cells, widths, right, strict=True)
        ).rstrip()

    out.append("  " + line(heads))
    out += ["  " + line(r) for r in rows]
    if len(t.rows) > limit:
        out.append(f"  ... {len(t.rows) - limit} more rows (--json or --csv for all)")
    if not t.rows:
        out.append("  (none)")
    return out


def report_text(r: Report) -> str:
    head = f"{r.title}: {r.practice}, {r.start} to {r.end} (as of {r.as_of})"
    if r.filters:
        head += " [" + ", ".join(f"{k} {v}" for k, v in r.filters.items()) + "]"
    out = [head]
    for s in r.sections:
        out += ["", s.title, "-" * len(s.title)]
        out += [figure_text(f) for f in s.figures]
        for t in s.tables:
            out.append("")
            out += table_text(t, titled=t.title != s.title)
    return "\n".join(out) + "\n"


def report_csv(r: Report) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["section", "table", "row", "column", "value", "unit"])
    for s in r.sections:
        for f in s.figures:
            key = f.formula.key
            w.writerow([s.key, "figures", key, "value", cell(f.value), f.unit])
            w.writerow([s.key, "figures", key, "numerator", cell(f.numerator), ""])
            w.writerow([s.key, "figures", key, "denominator", cell(f.denominator), ""])
        for t in s.tables:
            for n, row in enumerate(t.rows, start=1):
                for c, v in zip(t.columns, row, strict=True):
                    w.writerow([s.key, t.key, n, c.key, _raw(v), c.unit])
    return buf.getvalue()


def _raw(v: Cell) -> str:
    if v is None:
        return ""
    if isinstance(v, date):
        return v.isoformat()
    return str(v)
