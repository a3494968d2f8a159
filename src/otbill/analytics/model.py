"""A report as data: figures (KPIs with their formula), tables and the charts drawn from them.

Every writer (text, JSON, CSV, SVG, HTML, PDF) reads this one shape, so each shows the same
numbers. Pure: no database, no drawing library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from otbill.analytics.kpis import Formula

Cell = str | int | Decimal | date | None


@dataclass(frozen=True, slots=True)
class Figure:
    """One KPI: its value, what it was computed from, and its formula's source."""

    formula: Formula
    value: Decimal | int | None
    unit: str  # "%", "days", "$" or "" (a count)
    numerator: Decimal | int | None = None
    denominator: Decimal | int | None = None
    note: str = ""

    @property
    def label(self) -> str:
        return self.formula.name

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.formula.key,
            "name": self.formula.name,
            "value": self.value,
            "unit": self.unit,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "formula": self.formula.formula,
            "source": self.formula.source,
            "map_key": self.formula.map_key or None,
            "note": self.note or None,
        }


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    unit: str = ""  # "$", "%", "days" or "" (text or a count)


@dataclass(frozen=True, slots=True)
class Table:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""

    def column(self, key: str) -> list[Cell]:
        i = [c.key for c in self.columns].index(key)
        return [r[i] for r in self.rows]

    def as_dict(self) -> dict[str, Any]:
        keys = [c.key for c in self.columns]
        return {
            "key": self.key,
            "title": self.title,
            "columns": [{"key": c.key, "title": c.title, "unit": c.unit} for c in self.columns],
            "rows": [dict(zip(keys, r, strict=True)) for r in self.rows],
            "note": self.note or None,
        }


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: tuple[Decimal | int | None, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart of one table: ``bars`` (horizontal, one series: reasons ranked), ``columns``
    (vertical, series side by side: months), ``lines`` (trends by month) or ``stacked``
    (vertical, series stacked: A/R aging by payer)."""

    key: str
    title: str
    desc: str  # what it shows, in words, for a screen reader
    kind: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str  # of the values: "$", "%", "days" or ""
    table: str  # the key of the table it draws

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "desc": self.desc,
            "kind": self.kind,
            "categories": list(self.categories),
            "series": [{"name": s.name, "values": list(s.values)} for s in self.series],
            "unit": self.unit,
            "table": self.table,
        }


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    note: str = ""

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.formula.key == key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "figures": [f.as_dict() for f in self.figures],
            "tables": [t.as_dict() for t in self.tables],
            "charts": [c.as_dict() for c in self.charts],
            "note": self.note or None,
        }


@dataclass(frozen=True, slots=True)
class Report:
    kind: str
    title: str
    practice: str
    start: date  # the first day covered
    end: date  # the last day covered
    as_of: date
    sections: tuple[Section, ...]
    filters: dict[str, str] = field(default_factory=dict)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "practice": self.practice,
            "from": self.start,
            "to": self.end,
            "as_of": self.as_of,
            "filters": dict(self.filters),
            "sections": [s.as_dict() for s in self.sections],
        }
