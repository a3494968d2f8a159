"""What every report query shares: the scope (practice, months, payer, therapist), names for
payers and therapists, and HFMA's three-months-before denominators."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otbill.analytics.periods import month_start, prev_month
from otbill.ledger import schema as t

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Scope:
    practice_id: int
    start: date  # a month's first day
    end: date  # a month's last day
    as_of: date
    payer: str | None = None
    therapist: str | None = None
    by: frozenset[str] = field(default_factory=frozenset)  # breakdowns asked for; empty: all

    def wants(self, dim: str) -> bool:
        return not self.by or dim in self.by

    def filters(self) -> dict[str, str]:
        out = {}
        if self.payer:
            out["payer"] = self.payer
        if self.therapist:
            out["therapist"] = self.therapist
        if self.by:
            out["by"] = ",".join(sorted(self.by))
        return out

    def where(self, model: Any) -> list[Any]:
        """The scope's payer and therapist on a table with payer_ext and rendering_npi."""
        out = [model.practice_id == self.practice_id]
        if self.payer:
            out.append(model.payer_ext == self.payer)
        if self.therapist:
            out.append(model.rendering_npi == self.therapist)
        return out


def payer_names(session: Session, practice_id: int) -> dict[str, str]:
    return dict(
        session.execute(
            select(t.Payer.ext_id, t.Payer.name).where(t.Payer.practice_id == practice_id)
        ).all()
    )


def therapist_names(session: Session, practice_id: int) -> dict[str, str]:
    out = {}
    for npi, doc in session.execute(
        select(t.Provider.npi, t.Provider.doc).where(t.Provider.practice_id == practice_id)
    ):
        name = doc.get("name") or " ".join(
            x for x in (doc.get("first_name"), doc.get("last_name")) if x
        )
        out[npi] = str(name or npi)
    return out


def practice_name(session: Session, practice_id: int) -> str:
    p = session.get(t.Practice, practice_id)
    return p.name if p is not None else ""


def first_sent(session: Session, scope: Scope) -> date | None:
    """The month the practice first sent a claim: HFMA's averages start there."""
    M = t.ReportMonth
    day = session.scalar(select(func.min(M.month)).where(*scope.where(M), M.sent > 0))
    return month_start(day) if day else None


def prior_months(m: date, first: date | None) -> list[date]:
    """The three months before ``m`` that the practice was sending claims in."""
    out = [prev_month(m, k) for k in (1, 2, 3)]
    return [p for p in out if first is not None and p >= first]


@dataclass
class Sent:
    claims: int = 0
    lines: int = 0
    charge: Decimal = ZERO


def sent_by_month(session: Session, scope: Scope, start: date, end: date) -> dict[date, Sent]:
    """Claims first sent, their lines and gross charges, by month (report_month)."""
    M = t.ReportMonth
    out: dict[date, Sent] = defaultdict(Sent)
    for m, n, lines, charge in session.execute(
        select(M.month, func.sum(M.sent), func.sum(M.sent_lines), func.sum(M.sent_charge))
        .where(*scope.where(M), M.month.between(month_start(start), end))
        .group_by(M.month)
    ):
        s = out[m]
        s.claims += int(n or 0)
        s.lines += int(lines or 0)
        s.charge += charge or ZERO
    return out
