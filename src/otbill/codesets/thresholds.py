"""Medicare therapy thresholds by calendar year: KX (OT apart from PT+SLP) and targeted review."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from otbill.codesets._csv import data_rows
from otbill.model.enums import Discipline


@dataclass(frozen=True, slots=True)
class Thresholds:
    year: int
    ot: Decimal
    pt_slp: Decimal
    mr: Decimal  # targeted medical review threshold, each bucket
    source: str
    confidence: str

    def kx(self, discipline: Discipline) -> Decimal:
        return self.ot if discipline is Discipline.OT else self.pt_slp


@cache
def _table() -> dict[int, Thresholds]:
    return {
        int(r["year"]): Thresholds(
            int(r["year"]),
            Decimal(r["ot"]),
            Decimal(r["pt_slp"]),
            Decimal(r["mr"]),
            r["source"],
            r["confidence"],
        )
        for _, r in data_rows("kx_thresholds.csv")
    }


def thresholds(year: int) -> Thresholds | None:
    """None for a year otbill has no figure for; callers must say so, never guess."""
    return _table().get(year)


def years() -> list[int]:
    return sorted(_table())


def bucket(discipline: Discipline) -> str:
    """OT has its own threshold; PT and SLP share one (CPM ch.5 §10.2)."""
    return "OT" if discipline is Discipline.OT else "PT+SLP"
