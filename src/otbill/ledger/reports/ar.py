"""The A/R report: open balances aged by payer (from the date of service and from submission),
A/R over 90 and 120 days (MAP Keys AR-1, AR-3), days in A/R, and the patients who owe the most.

The same figures as ``otbill ar`` (ledger.books.accounts_receivable), read with grouped queries:
only the open claims' lines are summed, and the last 90 days' charges come from report_claim
(the claims sent) and the few claims not sent yet. Balances are the ledger's as it stands, aged
to the as-of day; a claim with a date of service after that day is left out (the books count it
in the total without an age bucket).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session

from otbill.analytics import kpis
from otbill.analytics.model import Chart, Column, Figure, Section, Series, Table
from otbill.ledger import schema as t
from otbill.ledger.books import BUCKETS, OPEN_STATES, _label, _left_by_earlier_payers
from otbill.ledger.db import in_chunks
from otbill.ledger.reports.common import ZERO, Scope, payer_names

LABELS = tuple(_label(b) for b in BUCKETS)


@dataclass
class ArFigures:
    total: Decimal
    by_payer_dos: dict[str, dict[str, Decimal]]
    by_payer_submitted: dict[str, dict[str, Decimal]]
    by_patient: dict[int, Decimal]
    recent: Decimal  # gross charges of the last 90 days
    days_in_ar: Decimal | None


def _bucket(days: int) -> str | None:
    for (lo, hi), name in zip(BUCKETS, LABELS, strict=True):
        if days >= lo and (hi is None or days <= hi):
            return name
    return None


def ar_figures(session: Session, scope: Scope) -> ArFigures:
    C, L, A, P, R = t.Claim, t.ClaimLine, t.Adjustment, t.Posting, t.ReportClaim
    pid, as_of = scope.practice_id, scope.as_of
    replaced = set(
        session.scalars(
            select(t.ClaimEdit.claim_number).where(
                t.ClaimEdit.practice_id == pid, t.ClaimEdit.kind == "replace"
            )
        )
    )
    where = [C.practice_id == pid, C.state.in_(OPEN_STATES)]
    if scope.payer:
        where.append(C.payer_ext == scope.payer)
    claims = [
        r
        for r in session.execute(
            select(
                C.id, C.number, C.payer_ext, C.patient_id, C.date_of_service, C.submitted_at,
                C.total_charge, R.secondary, R.rendering_npi,
            )
            .outerjoin(R, R.claim_id == C.id)
            .where(*where)
        )
        if r.number not in replaced and (not scope.therapist or r.rendering_npi == scope.therapist)
    ]  # fmt: skip
    # The open claims' lines and claim-level adjustments, each in one grouped join (the open
    # claims are found by their state's index; a million lines are not read).
    done: dict[int, Decimal] = defaultdict(lambda: ZERO)
    settled = type_coerce(func.sum(L.paid + L.adjusted + L.patient_resp), t.Money())
    for cid, amount in session.execute(
        select(L.claim_id, settled).join(C, C.id == L.claim_id).where(*where).group_by(L.claim_id)
    ):
        done[cid] += amount or ZERO
    for cid, amount in session.execute(
        select(A.claim_id, func.sum(A.amount))
        .join(P, P.id == A.posting_id)
        .join(C, C.id == A.claim_id)
        .where(*where, A.claim_line_id.is_(None), P.reversed.is_(False))
        .group_by(A.claim_id)
    ):
        done[cid] += amount or ZERO
    posted = {
        cid
        for (cid,) in in_chunks(
            session,
            select(P.claim_id).where(P.reversed.is_(False)).distinct(),
            P.claim_id,
            [c.id for c in claims if c.secondary],
        )
    }
    waiting = [c.id for c in claims if c.secondary and c.id not in posted]
    docs = dict(in_chunks(session, select(C.id, C.doc), C.id, waiting))
    total = ZERO
    by_dos: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(LABELS, ZERO))
    by_sub: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(LABELS, ZERO))
    by_patient: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for c in claims:
        if c.id in docs:
            balance = _left_by_earlier_payers(docs[c.id])
        else:
            balance = c.total_charge - done[c.id]
        if balance <= ZERO or c.date_of_service > as_of:
            continue  # a service after the as-of day is not yet receivable on it
        total += balance
        b = _bucket((as_of - c.date_of_service).days)
        if b is not None:
            by_dos[c.payer_ext][b] += balance
            by_patient[c.patient_id] += balance
        sent = c.submitted_at.date() if c.submitted_at else c.date_of_service
        b = _bucket((as_of - sent).days)
        if b is not None:
            by_sub[c.payer_ext][b] += balance
    recent = _recent_charges(session, scope)
    days = kpis.days_in_ar(total, recent) if recent else None
    return ArFigures(total, dict(by_dos), dict(by_sub), dict(by_patient), recent, days)


def _recent_charges(session: Session, scope: Scope) -> Decimal:
    """Gross charges of the last 90 days, a secondary claim's not again: the claims sent (from
    report_claim) and those not sent yet (drafts, ready, voided before sending: few)."""
    R, C = t.ReportClaim, t.Claim
    lo, hi = scope.as_of - timedelta(days=90), scope.as_of
    sent = session.scalar(
        select(func.sum(R.charge)).where(
            *scope.where(R), R.date_of_service.between(lo, hi), R.secondary.is_(False)
        )
    )
    where = [
        C.practice_id == scope.practice_id,
        C.state.in_(("draft", "ready", "voided")),
        C.submitted_at.is_(None),
        C.date_of_service.between(lo, hi),
    ]
    if scope.payer:
        where.append(C.payer_ext == scope.payer)
    unsent = ZERO
    doc = C.doc
    cols = (C.total_charge, doc["responsibility"].as_string(), doc["rendering_npi"].as_string())
    for charge, resp, npi in session.execute(select(*cols).where(*where)):
        if resp not in ("S", "T") and (not scope.therapist or npi == scope.therapist):
            unsent += charge
    return (sent or ZERO) + unsent


def ar_sections(session: Session, scope: Scope) -> list[Section]:
    ar = ar_figures(session, scope)
    over_90 = sum((a[LABELS[3]] + a[LABELS[4]] for a in ar.by_payer_dos.values()), ZERO)
    over_120 = sum((a[LABELS[4]] for a in ar.by_payer_dos.values()), ZERO)
    figures = (
        Figure(kpis.DAYS_IN_AR, ar.days_in_ar, "days", ar.total, ar.recent,
               "A/R over the gross charges of the 90 days to the as-of date, per day"),
        Figure(kpis.AR_OVER_90, kpis.aged_share(over_90, ar.total), "%", over_90, ar.total),
        Figure(kpis.AR_OVER_120, kpis.aged_share(over_120, ar.total), "%", over_120, ar.total),
    )  # fmt: skip
    names = payer_names(session, scope.practice_id)
    tables = []
    for key, title, data in (
        ("aging_by_payer_dos", "A/R by payer, aged from the date of service", ar.by_payer_dos),
        ("aging_by_payer_submitted", "A/R by payer, aged from submission", ar.by_payer_submitted),
    ):
        rows: list[tuple[Any, ...]] = []
        for payer, aging in sorted(data.items()):
            rows.append((payer, names.get(payer, ""), *aging.values(), sum(aging.values(), ZERO)))
        sums = [sum((r[2 + i] for r in rows), ZERO) for i in range(len(LABELS) + 1)]
        rows.append(("total", "", *sums))
        tables.append(
            Table(
                key,
                title,
                (
                    Column("payer", "Payer"),
                    Column("name", "Name"),
                    *(Column(f"days_{b.replace(' ', '_')}", f"{b} days", "$") for b in LABELS),
                    Column("total", "Total", "$"),
                ),
                tuple(rows),
            )
        )
    first = tables[0]
    payers = sorted(ar.by_payer_dos)
    aged = {b: sum((a[b] for a in ar.by_payer_dos.values()), ZERO) for b in LABELS}
    chart = Chart(
        "ar_aging",
        "A/R aging by payer (from the date of service)",
        f"Open balances of ${ar.total:,.2f} by payer, stacked by age in days: "
        + "; ".join(f"{b} days ${v:,.2f}" for b, v in aged.items()),
        "stacked",
        tuple(payers),
        tuple(Series(f"{b} days", tuple(ar.by_payer_dos[p][b] for p in payers)) for b in LABELS),
        "$",
        first.key,
    )
    top = sorted(ar.by_patient.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    people = {
        p.id: f"{p.last_name}, {p.first_name} ({p.ext_id})"
        for (p,) in in_chunks(session, select(t.Patient), t.Patient.id, [k for k, _ in top])
    }
    patients = Table(
        "top_patients",
        f"The patients with the largest open balances ({len(ar.by_patient)} with one)",
        (Column("patient", "Patient"), Column("balance", "Open balance", "$")),
        tuple((people[k], v) for k, v in top),
    )
    return [
        Section(
            "ar",
            f"Accounts receivable as of {scope.as_of}: ${ar.total:,.2f}",
            figures,
            (*tables, patients),
            (chart,),
        )
    ]
