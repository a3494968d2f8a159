"""The reports over the ledger: denials, claims, ar, compliance and the monthly practice report.

Each report first folds what is new in the ledger's history into the reports' tables
(facts.refresh), then reads grouped sums from them; the KPI formulas are otbill.analytics.kpis,
the report's shape otbill.analytics.model.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from otbill.analytics.model import Figure, Report, Section
from otbill.analytics.periods import month_end, month_start, prev_month
from otbill.errors import InputError
from otbill.ledger.reports.ar import ar_sections
from otbill.ledger.reports.claims import claims_sections
from otbill.ledger.reports.common import Scope, practice_name
from otbill.ledger.reports.compliance import NEAR_SHARE, compliance_sections
from otbill.ledger.reports.denials import DIMS, denials_sections
from otbill.ledger.reports.facts import refresh

KINDS = ("denials", "claims", "ar", "compliance", "monthly")
TITLES = {
    "denials": "Denials",
    "claims": "Claims and collections",
    "ar": "Accounts receivable",
    "compliance": "Documentation compliance and the KX threshold",
    "monthly": "Monthly practice report",
}


def build_report(
    session: Session,
    practice_id: int,
    kind: str,
    start: date,
    end: date,
    as_of: date,
    *,
    payer: str | None = None,
    therapist: str | None = None,
    by: frozenset[str] = frozenset(),
    near: Decimal = NEAR_SHARE,
    fold: bool = True,
) -> Report:
    """The report of ``kind`` over the whole months from ``start``'s to ``end``'s (the monthly
    report: ``end``'s month, with the twelve months to it for its trends). ``fold=False``: the
    caller folded the history already (facts.refresh, committed to release its locks)."""
    if kind not in KINDS:
        raise InputError("KIND", f"unknown report {kind!r}: one of {', '.join(KINDS)}")
    unknown = sorted(by - set(DIMS))
    if unknown:
        raise InputError("--by", f"unknown breakdown {unknown[0]!r}: one of {', '.join(DIMS)}")
    if start > end:
        raise InputError("--from", f"{start} is after --to {end}")
    if fold:
        refresh(session, practice_id)
        session.flush()
    scope = Scope(practice_id, month_start(start), month_end(end), as_of, payer, therapist, by)
    if kind == "monthly":
        scope = replace(scope, start=month_start(end))
    sections = _sections(session, scope, kind, near)
    return Report(
        kind,
        TITLES[kind],
        practice_name(session, practice_id),
        scope.start,
        scope.end,
        as_of,
        tuple(sections),
        scope.filters(),
    )


def _sections(session: Session, scope: Scope, kind: str, near: Decimal) -> list[Section]:
    if kind == "denials":
        return denials_sections(session, scope)
    if kind == "claims":
        return claims_sections(session, scope)
    if kind == "ar":
        return ar_sections(session, scope)
    if kind == "compliance":
        return compliance_sections(session, scope, near)
    return _monthly(session, scope, near)


def _monthly(session: Session, scope: Scope, near: Decimal) -> list[Section]:
    """One month: its headline figures, the trends of the twelve months to it, its denial
    reasons, the A/R at its end, its documentation compliance and the KX patients."""
    year = replace(scope, start=prev_month(scope.start, 11), by=frozenset())
    month = replace(scope, by=frozenset({"cause", "carc"}))
    ar_scope = replace(scope, as_of=min(scope.as_of, scope.end))
    claims12 = claims_sections(session, year)
    claims1 = claims_sections(session, month)
    denials12 = denials_sections(session, year, breakdowns=False)
    denials1 = denials_sections(session, month)
    ar = ar_sections(session, ar_scope)
    compliance = compliance_sections(session, month, near)
    initial1 = denials1[0]
    headline: list[Figure] = [
        *claims1[0].figures[:3],
        *initial1.figures,
        *claims1[0].figures[3:],
        *ar[0].figures,
        *compliance[0].figures,
    ]
    trends = Section(
        "trends",
        "The twelve months to this one",
        (),
        (claims12[0].tables[0], denials12[0].tables[0]),
        (*claims12[0].charts, *denials12[0].charts),
    )
    reasons = [s for s in denials1 if s.key in ("by_cause", "by_carc")]
    return [
        Section("headline", "This month", tuple(headline)),
        trends,
        *reasons,
        *ar,
        *compliance,
    ]
