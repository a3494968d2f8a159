"""The compliance report: plan-of-care and progress-report compliance of the claims sent, the
functional reporting of 2013-2018 dates of service (G-codes with a severity modifier where they
were due), and the KX threshold: claims billed with KX and the patients near or past it.

A claim's compliance is what the scrubber found on it as it was sent (its error findings of the
OT-POC, OT-PR, OT-FR and OT-KX rules, kept in report_claim). The KX dollars are the lines'
allowed amounts (the 835's once adjudicated, the fee schedule's before), counted as
``otbill accumulators`` counts them: Medicare's claims of the year, OT apart from PT and SLP,
not voided, replaced or secondary.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from otbill.analytics import kpis
from otbill.analytics.model import Chart, Column, Figure, Section, Series, Table
from otbill.analytics.periods import label, month_start, months
from otbill.codesets.thresholds import bucket, thresholds
from otbill.ledger import schema as t
from otbill.ledger.db import in_chunks
from otbill.ledger.queue import payer_facts
from otbill.ledger.reports.common import ZERO, Scope, therapist_names
from otbill.model import Discipline

NEAR_SHARE = Decimal("0.80")


def compliance_sections(
    session: Session, scope: Scope, near: Decimal = NEAR_SHARE
) -> list[Section]:
    R = t.ReportClaim
    poc_bad = case((R.rules.like("%OT-POC-%"), 1), else_=0)
    pr_applies = case((R.progress_applies.is_(True), 1), else_=0)
    pr_bad = case((R.progress_applies.is_(True) & R.rules.like("%OT-PR-001%"), 1), else_=0)
    where = [*scope.where(R), R.date_of_service.between(scope.start, scope.end), R.gone.is_(False)]
    by_month: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    by_npi: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for day, npi, n, poc, pra, prb in session.execute(
        select(
            R.date_of_service,
            R.rendering_npi,
            func.count(),
            func.sum(poc_bad),
            func.sum(pr_applies),
            func.sum(pr_bad),
        )
        .where(*where)
        .group_by(R.date_of_service, R.rendering_npi)
    ):
        for acc in (by_month[month_start(day)], by_npi[npi]):
            acc[0] += int(n)
            acc[1] += int(poc or 0)
            acc[2] += int(pra or 0)
            acc[3] += int(prb or 0)
    fr: dict[str, int] = defaultdict(int)
    fr_month: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, status, n in session.execute(
        select(R.date_of_service, R.functional, func.count())
        .where(*where, R.functional != "")
        .group_by(R.date_of_service, R.functional)
    ):
        fr[status] += int(n)
        fr_month[month_start(day)][status] += int(n)
    rules: dict[str, int] = defaultdict(int)
    for text, n in session.execute(
        select(R.rules, func.count()).where(*where, R.rules != "").group_by(R.rules)
    ):
        for rule in text.split():
            rules[rule] += int(n)
    n = sum(v[0] for v in by_month.values())
    poc_bad_n = sum(v[1] for v in by_month.values())
    pr_n = sum(v[2] for v in by_month.values())
    pr_bad_n = sum(v[3] for v in by_month.values())
    fr_due = fr["reported"] + fr["missing"] + fr["severity"]
    figures = (
        Figure(kpis.PLAN_OF_CARE, kpis.rate(n - poc_bad_n, n), "%", n - poc_bad_n, n),
        Figure(kpis.PROGRESS, kpis.rate(pr_n - pr_bad_n, pr_n), "%", pr_n - pr_bad_n, pr_n),
        Figure(kpis.FUNCTIONAL, kpis.rate(fr["reported"], fr_due), "%", fr["reported"], fr_due,
               f"{fr['missing']} missing (OT-FR-001), {fr['severity']} without a severity "
               "modifier (OT-FR-002)" if fr_due else "no 2013-2018 dates of service in the period"),
    )  # fmt: skip
    rows = []
    for m in months(scope.start, scope.end):
        v, f = by_month[m], fr_month[m]
        due = f["reported"] + f["missing"] + f["severity"]
        rows.append(
            (
                label(m),
                v[0],
                kpis.rate(v[0] - v[1], v[0]),
                v[2],
                kpis.rate(v[2] - v[3], v[2]),
                due,
                kpis.rate(f["reported"], due),
            )
        )
    monthly = Table(
        "compliance_by_month",
        "Documentation compliance by month of service",
        (
            Column("month", "Month"),
            Column("claims", "Claims sent"),
            Column("poc_rate", "Plan of care", "%"),
            Column("progress_claims", "Claims needing progress reports"),
            Column("progress_rate", "Progress reports", "%"),
            Column("functional_due", "Functional reporting due"),
            Column("functional_rate", "Functional reporting", "%"),
        ),
        tuple(rows),
    )
    people = therapist_names(session, scope.practice_id)
    by_therapist = Table(
        "compliance_by_therapist",
        "Documentation compliance by rendering therapist",
        (
            Column("npi", "Therapist NPI"),
            Column("name", "Name"),
            Column("claims", "Claims sent"),
            Column("poc_rate", "Plan of care", "%"),
            Column("progress_rate", "Progress reports", "%"),
        ),
        tuple(
            (npi, people.get(npi, ""), v[0], kpis.rate(v[0] - v[1], v[0]),
             kpis.rate(v[2] - v[3], v[2]))
            for npi, v in sorted(by_npi.items())
        ),
    )  # fmt: skip
    by_rule = Table(
        "findings_by_rule",
        "Claims sent with a compliance finding, by rule",
        (Column("rule", "Rule"), Column("claims", "Claims"), Column("share", "Share", "%")),
        tuple(
            (r, c, kpis.rate(c, n))
            for r, c in sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
    )
    chart = Chart(
        "compliance_trend",
        "Plan-of-care and progress-report compliance by month",
        "The share of claims sent each month with no plan-of-care error and with no overdue "
        "progress report, in percent.",
        "lines",
        tuple(r[0] for r in rows),
        (Series("Plan of care", tuple(r[2] for r in rows)),
         Series("Progress reports", tuple(r[4] for r in rows))),
        "%",
        monthly.key,
    )  # fmt: skip
    return [
        Section("compliance", "Documentation compliance", figures, (monthly, by_therapist, by_rule),
                (chart,)),
        _kx_section(session, scope, near),
    ]  # fmt: skip


def _kx_section(session: Session, scope: Scope, near: Decimal) -> Section:
    R = t.ReportClaim
    kx_claims, kx_lines = session.execute(
        select(func.count(), func.sum(R.kx_lines)).where(
            *scope.where(R),
            R.date_of_service.between(scope.start, scope.end),
            R.kx_lines > 0,
            R.gone.is_(False),
        )
    ).one()
    year = scope.as_of.year
    totals = kx_totals(session, scope.practice_id, year, scope.as_of, scope.payer)
    th = thresholds(year)
    rows = []
    counts: dict[str, int] = defaultdict(int)
    who = sorted({k[0] for k in totals})
    names = {
        p.id: f"{p.last_name}, {p.first_name} ({p.ext_id})"
        for (p,) in in_chunks(session, select(t.Patient), t.Patient.id, who)
    }
    for (patient, b), (total, kx) in totals.items():
        limit = None if th is None else (th.ot if b == "OT" else th.pt_slp)
        status = kpis.kx_status(total, limit, th.mr if th else None, near)
        counts[status] += 1
        if status in ("near", "over", "review", "unknown"):
            rows.append(
                (names.get(patient, str(patient)), b, total, limit, kpis.rate(total, limit),
                 status, kx)
            )  # fmt: skip
    rows.sort(key=lambda r: (-(r[4] or 0), r[0]))
    table = Table(
        "kx_patients",
        f"Patients near or past the {year} KX threshold (near: {near * 100:.0f}% of it or more)",
        (
            Column("patient", "Patient"),
            Column("bucket", "Threshold"),
            Column("total", "Therapy dollars", "$"),
            Column("threshold", "Threshold", "$"),
            Column("share", "Of threshold", "%"),
            Column("status", "Status"),
            Column("kx_lines", "Lines billed with KX"),
        ),
        tuple(rows),
        "review: past the targeted medical review amount; over: past the threshold, KX needed "
        "on every line the record supports; near: schedule the documentation of medical "
        "necessity now. CPM ch.5 §10.3.",
    )
    figures = (
        Figure(_KX_CLAIMS, int(kx_claims or 0), "", int(kx_lines or 0), None,
               "claims (numerator: their KX lines) with dates of service in the period"),
        Figure(_KX_NEAR, counts["near"], "", None, None, f"of {len(totals)} patient-years counted"),
        Figure(_KX_OVER, counts["over"] + counts["review"], "", counts["review"], None,
               "numerator: past the targeted medical review amount"),
    )  # fmt: skip
    return Section("kx", f"KX threshold ({year})", figures, (table,))


_KX_CLAIMS = kpis.Formula(
    "kx_claims", "Claims billed with KX", "claims with a KX line", "CPM ch.5 §10.3"
)
_KX_NEAR = kpis.Formula(
    "kx_near",
    "Patients near the KX threshold",
    "patients whose therapy dollars of the year are at the near share of the threshold or more",
    "CPM ch.5 §10.3 (thresholds by year: codesets/data/kx_thresholds.csv)",
)
_KX_OVER = kpis.Formula(
    "kx_over",
    "Patients past the KX threshold",
    "patients whose therapy dollars of the year exceed the threshold",
    "CPM ch.5 §10.3; targeted medical review past the review amount",
)


def kx_totals(
    session: Session, practice_id: int, year: int, as_of: date, payer: str | None = None
) -> dict[tuple[int, str], tuple[Decimal, int]]:
    """(patient id, OT or PT+SLP) -> the year's therapy dollars through ``as_of`` and the lines
    billed with KX: the claims sent (report_claim) and those not sent yet."""
    R, C = t.ReportClaim, t.Claim
    gone = set(
        session.scalars(
            select(t.ClaimEdit.claim_number).where(
                t.ClaimEdit.practice_id == practice_id,
                t.ClaimEdit.kind.in_(("replace", "resubmit")),
            )
        )
    )
    superseded = set(
        session.scalars(select(C.id).where(C.practice_id == practice_id, C.number.in_(gone)))
    ) if gone else set()  # fmt: skip
    start = date(year, 1, 1)
    where = [
        R.practice_id == practice_id,
        R.kx_bucket != "",
        R.gone.is_(False),
        R.secondary.is_(False),
        R.date_of_service.between(start, as_of),
    ]
    if payer:
        where.append(R.payer_ext == payer)
    out: dict[tuple[int, str], list[Any]] = defaultdict(lambda: [ZERO, 0])
    for cid, patient, b, allowed, kx in session.execute(
        select(R.claim_id, R.patient_id, R.kx_bucket, R.allowed, R.kx_lines).where(*where)
    ):
        if cid in superseded:
            continue
        acc = out[(patient, b)]
        acc[0] += allowed
        acc[1] += kx
    _unsent(session, practice_id, start, as_of, payer, superseded, out)
    return {k: (v[0], int(v[1])) for k, v in out.items()}


def _unsent(
    session: Session,
    practice_id: int,
    start: date,
    as_of: date,
    payer: str | None,
    superseded: set[int],
    out: dict[tuple[int, str], list[Any]],
) -> None:
    """Claims built but not sent yet (draft or ready): few, read with their documents."""
    C, L = t.Claim, t.ClaimLine
    facts = payer_facts(session, practice_id)
    where = [
        C.practice_id == practice_id,
        C.state.in_(("draft", "ready")),
        C.date_of_service.between(start, as_of),
        C.frequency != "8",
    ]
    if payer:
        where.append(C.payer_ext == payer)
    rows = list(
        session.execute(
            select(
                C.id,
                C.patient_id,
                C.payer_ext,
                C.doc["plan_of_care_id"].as_string(),
                C.doc["other_payers"].as_json(),
            ).where(*where)
        )
    )
    if not rows:
        return
    plans = {
        (pid, ext): doc.get("discipline")
        for pid, ext, doc in session.execute(
            select(t.PlanOfCare.patient_id, t.PlanOfCare.ext_id, t.PlanOfCare.doc).where(
                t.PlanOfCare.practice_id == practice_id
            )
        )
    }
    sums = {
        cid: (allowed or ZERO, int(kx or 0))
        for cid, allowed, kx in in_chunks(
            session,
            select(
                L.claim_id,
                func.sum(L.allowed),
                func.sum(case((L.modifiers.like("%KX%"), 1), else_=0)),
            ).group_by(L.claim_id),
            L.claim_id,
            [r[0] for r in rows],
        )
    }
    for cid, patient, payer_ext, plan, others in rows:
        f = facts.get(payer_ext)
        discipline = plans.get((patient, plan))
        if cid in superseded or others or f is None or not f.profile.kx_applies or not discipline:
            continue
        allowed, kx = sums.get(cid, (ZERO, 0))
        acc = out[(patient, bucket(Discipline(discipline)))]
        acc[0] += allowed
        acc[1] += kx
