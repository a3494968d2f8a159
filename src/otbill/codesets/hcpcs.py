"""The therapy CPT/HCPCS codes: timed or untimed, always therapy or not, dates in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from otbill.codesets._csv import data_rows
from otbill.dates import ALWAYS, Period
from otbill.errors import CodeSetError
from otbill.model.enums import Discipline

EVALUATION_FAMILIES = frozenset({"evaluation", "reevaluation"})


@dataclass(frozen=True, slots=True)
class TherapyCode:
    code: str
    family: str
    timed: bool
    always_therapy: bool
    always_evidence: str  # S secondary, D derived, U unverified (see the data file's notes)
    discipline: Discipline | None
    period: Period
    medicare_status: str
    description: str

    @property
    def is_evaluation(self) -> bool:
        return self.family in EVALUATION_FAMILIES


@dataclass(frozen=True, slots=True)
class FunctionalGCode:
    code: str
    set: str
    discipline: str  # "PT/OT" or "SLP"
    role: str  # current, goal, discharge
    reportable: Period


@dataclass(frozen=True, slots=True)
class UntimedLimit:
    """Units of an untimed code billed for a patient on one date of service, and on whose word
    (untimed_limits.csv: P primary, D derived from the untimed-code rule, U unverified)."""

    code: str
    units: int
    period: Period
    source: str
    confidence: str

    @property
    def verified(self) -> bool:
        return self.confidence in ("P", "D")


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


@cache
def therapy_codes() -> dict[str, TherapyCode]:
    out: dict[str, TherapyCode] = {}
    for lineno, r in data_rows("therapy_codes.csv"):
        if r["timed"] not in ("15", "no") or r["always_therapy"] not in ("yes", "no"):
            raise CodeSetError(f"therapy_codes.csv line {lineno}: bad timed/always_therapy")
        start = _date(r["effective_from"]) or ALWAYS.start
        out[r["code"]] = TherapyCode(
            code=r["code"],
            family=r["family"],
            timed=r["timed"] == "15",
            always_therapy=r["always_therapy"] == "yes",
            always_evidence=r["always_evidence"],
            discipline=Discipline(r["discipline"]) if r["discipline"] else None,
            period=Period(start, _date(r["effective_to"])),
            medicare_status=r["medicare_status"],
            description=r["description"],
        )
    return out


@cache
def functional_gcodes() -> dict[str, FunctionalGCode]:
    return {
        r["code"]: FunctionalGCode(
            code=r["code"],
            set=r["set"],
            discipline=r["discipline"],
            role=r["role"],
            reportable=Period(
                date.fromisoformat(r["effective_from"]), _date(r["reportable_until"])
            ),
        )
        for _, r in data_rows("functional_gcodes.csv")
    }


def lookup(code: str) -> TherapyCode | None:
    return therapy_codes().get(code)


def is_known(code: str) -> bool:
    return code in therapy_codes() or code in functional_gcodes()


@cache
def _untimed_limits() -> dict[str, list[UntimedLimit]]:
    out: dict[str, list[UntimedLimit]] = {}
    for lineno, r in data_rows("untimed_limits.csv"):
        tc = lookup(r["code"])
        if tc is None or tc.timed:
            raise CodeSetError(f"untimed_limits.csv line {lineno}: {r['code']} is no untimed code")
        if not r["max_units_per_day"].isdigit() or r["confidence"] not in ("P", "D", "U"):
            raise CodeSetError(f"untimed_limits.csv line {lineno}: bad units or confidence")
        start = _date(r["effective_from"]) or ALWAYS.start
        out.setdefault(r["code"], []).append(
            UntimedLimit(
                r["code"],
                int(r["max_units_per_day"]),
                Period(start, _date(r["effective_to"])),
                r["source"],
                r["confidence"],
            )
        )
    return out


def untimed_limit(code: str, day: date) -> UntimedLimit | None:
    """The per-day unit limit of an untimed code in force on ``day``; None for a timed code."""
    for limit in _untimed_limits().get(code, ()):
        if limit.period.contains(day):
            return limit
    return None
