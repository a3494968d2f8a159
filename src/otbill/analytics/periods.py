"""Reporting periods: whole calendar months, as the HFMA denial metrics count them."""

from __future__ import annotations

from datetime import date, timedelta


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    return next_month(d) - timedelta(days=1)


def next_month(d: date) -> date:
    return (d.replace(day=1) + timedelta(days=32)).replace(day=1)


def prev_month(d: date, n: int = 1) -> date:
    m = d.replace(day=1)
    for _ in range(n):
        m = (m - timedelta(days=1)).replace(day=1)
    return m


def months(start: date, end: date) -> list[date]:
    """The first day of each month from ``start``'s through ``end``'s."""
    out, m = [], month_start(start)
    while m <= end:
        out.append(m)
        m = next_month(m)
    return out


def label(m: date) -> str:
    return f"{m:%Y-%m}"
