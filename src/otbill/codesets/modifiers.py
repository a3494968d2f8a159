"""Modifiers with their meanings and the dates those meanings are in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from otbill.codesets._csv import data_rows
from otbill.dates import ALWAYS, Period


@dataclass(frozen=True, slots=True)
class Modifier:
    code: str
    kind: str  # therapy, threshold, assistant, distinct, severity
    period: Period
    meaning: str
    source: str
    confidence: str

    def in_force(self, day: date) -> bool:
        return self.period.contains(day)


@cache
def modifiers() -> dict[str, Modifier]:
    out = {}
    for _, r in data_rows("modifiers.csv"):
        start = date.fromisoformat(r["effective_from"]) if r["effective_from"] else ALWAYS.start
        end = date.fromisoformat(r["effective_to"]) if r["effective_to"] else None
        out[r["code"]] = Modifier(
            r["code"], r["kind"], Period(start, end), r["meaning"], r["source"], r["confidence"]
        )
    return out


def lookup(code: str) -> Modifier | None:
    return modifiers().get(code)


def in_force(code: str, day: date) -> bool:
    m = modifiers().get(code)
    return m is not None and m.in_force(day)


THERAPY_MODIFIER = {"OT": "GO", "PT": "GP", "SLP": "GN"}
ASSISTANT_MODIFIER = {"OT": "CO", "PT": "CQ"}  # no SLP assistant modifier exists
DISTINCT_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
