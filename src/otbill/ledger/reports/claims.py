"""The claims report: clean-claim rate (MAP CL-1), first-pass resolution, denial rate, the
denial work's outcomes (overturn rate, days from denial to appeal and to resolution), the net
collection rate and denial write-offs (MAP AR-6); by month and by payer.

Claims sent and their first adjudication come from report_claim, money from report_money and
patient_payment, the denial work from work_item and appeal (the queue's own tables).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from otbill.analytics import kpis
from otbill.analytics.model import Chart, Column, Figure, Section, Series, Table
from otbill.analytics.periods import label, month_start, months
from otbill.ledger import schema as t
from otbill.ledger.reports.common import ZERO, Scope, payer_names

DENIAL_KINDS = ("denial", "partial_denial")
# Written off, a returned claim's work counts as much as a denial's.
WORKED_KINDS = (*DENIAL_KINDS, "unprocessable")
# Outcomes that end a work item but not the denial: the work goes on in another item.
CONTINUED = ("superseded", "upheld", "reversed")


def _bounds(scope: Scope) -> tuple[datetime, datetime]:
    lo = datetime.combine(scope.start, time.min, tzinfo=UTC)
    hi = datetime.combine(scope.end + timedelta(days=1), time.min, tzinfo=UTC)
    return lo, hi


def claims_sections(session: Session, scope: Scope) -> list[Section]:
    M = t.ReportMonth
    sent: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    firsts: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    sent_payer: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for m, payer, n, c, adj, ok in session.execute(
        select(
            M.month,
            M.payer_ext,
            func.sum(M.sent),
            func.sum(M.clean),
            func.sum(M.adjudicated),
            func.sum(M.first_pass),
        )
        .where(*scope.where(M), M.month.between(scope.start, scope.end))
        .group_by(M.month, M.payer_ext)
    ):
        n, c, adj, ok = (int(x or 0) for x in (n, c, adj, ok))
        sent[m][0] += n
        sent[m][1] += c
        firsts[m][0] += adj
        firsts[m][1] += ok
        acc = sent_payer[payer]
        acc[0] += n
        acc[1] += c
        acc[2] += adj
        acc[3] += ok
    money = _money(session, scope)
    rows = []
    for m in months(scope.start, scope.end):
        s, f, mo = sent[m], firsts[m], money[m]
        rows.append(
            (
                label(m),
                s[0],
                s[1],
                kpis.clean_claim_rate(s[1], s[0]),
                f[0],
                f[1],
                kpis.first_pass_resolution_rate(f[1], f[0]),
                mo["paid"] + mo["patient_paid"],
                kpis.net_collection_rate(
                    mo["paid"] + mo["patient_paid"], mo["charges"], mo["contractual"]
                ),
            )
        )
    total_sent = sum(s[0] for s in sent.values())
    total_clean = sum(s[1] for s in sent.values())
    total_first = sum(f[0] for f in firsts.values())
    total_ok = sum(f[1] for f in firsts.values())
    m_all = {k: sum((money[m][k] for m in money), ZERO) for k in _MONEY_KEYS}
    payments = m_all["paid"] + m_all["patient_paid"]
    net = m_all["charges"] - m_all["contractual"]
    work = _work(session, scope)
    ncr = kpis.net_collection_rate(payments, m_all["charges"], m_all["contractual"])
    written_off = kpis.rate(work["written_off"], net)
    why = (
        "payments of the period (payers' by remittance date, patients' by day received) over "
        "the gross charges of the claims first billed in it less the contractual adjustments "
        "posted in it"
    )
    if scope.payer:
        why += "; a payer filter leaves patients' payments out"
    if scope.therapist:
        # Money is kept by payer and month, not by therapist: no collection rate for one.
        ncr = written_off = None
        why = "not by therapist: payments and adjustments are kept by payer"
    figures = (
        Figure(kpis.CLEAN_CLAIM_RATE, kpis.clean_claim_rate(total_clean, total_sent), "%",
               total_clean, total_sent),
        Figure(kpis.FIRST_PASS, kpis.first_pass_resolution_rate(total_ok, total_first), "%",
               total_ok, total_first),
        Figure(kpis.DENIAL_RATE, kpis.rate(total_first - total_ok, total_first), "%",
               total_first - total_ok, total_first,
               "claims whose first adjudication denied a line or the claim (or returned it)"),
        Figure(kpis.OVERTURN_RATE, kpis.overturn_rate(work["overturned"], work["decided"]), "%",
               work["overturned"], work["decided"]),
        Figure(kpis.DAYS_TO_APPEAL, kpis.mean_days(work["to_appeal"]), "days", None,
               len(work["to_appeal"]), "appeals filed in the period"),
        Figure(kpis.DAYS_TO_RESOLUTION, kpis.mean_days(work["to_resolution"]), "days", None,
               len(work["to_resolution"]), "denials resolved in the period"),
        Figure(kpis.NET_COLLECTION_RATE, ncr, "%", payments, net, why),
        Figure(kpis.DENIAL_WRITE_OFFS, written_off, "%", work["written_off"], net,
               "denial work items written off in the period"),
    )  # fmt: skip
    monthly = Table(
        "claims_by_month",
        "Claims by month",
        (
            Column("month", "Month"),
            Column("sent", "Claims sent"),
            Column("clean", "Clean"),
            Column("clean_rate", "Clean claim rate", "%"),
            Column("adjudicated", "First adjudicated"),
            Column("first_pass", "Resolved first pass"),
            Column("first_pass_rate", "First-pass rate", "%"),
            Column("payments", "Payments", "$"),
            Column("ncr", "Net collection rate", "%"),
        ),
        tuple(rows),
    )
    names = payer_names(session, scope.practice_id)
    by_payer = Table(
        "claims_by_payer",
        "Claims by payer",
        (
            Column("payer", "Payer"),
            Column("name", "Name"),
            Column("sent", "Claims sent"),
            Column("clean_rate", "Clean claim rate", "%"),
            Column("adjudicated", "First adjudicated"),
            Column("first_pass_rate", "First-pass rate", "%"),
        ),
        tuple(
            (p, names.get(p, ""), v[0], kpis.rate(v[1], v[0]), v[2], kpis.rate(v[3], v[2]))
            for p, v in sorted(sent_payer.items())
        ),
    )
    chart = Chart(
        "claims_trend",
        "Clean claim and first-pass rates by month",
        "Each month's clean claim rate (claims sent) and first-pass resolution rate (claims "
        "first adjudicated), in percent.",
        "lines",
        tuple(r[0] for r in rows),
        (Series("Clean claim rate", tuple(r[3] for r in rows)),
         Series("First-pass rate", tuple(r[6] for r in rows))),
        "%",
        monthly.key,
    )  # fmt: skip
    pay_chart = Chart(
        "payments_trend",
        "Payments by month",
        "Payer and patient payments received each month, in dollars.",
        "columns",
        tuple(r[0] for r in rows),
        (Series("Payments", tuple(r[7] for r in rows)),),
        "$",
        monthly.key,
    )
    outcomes = Table(
        "denial_outcomes",
        "Denial work ended in the period, by outcome",
        (Column("outcome", "Outcome"), Column("items", "Items"), Column("amount", "Amount", "$")),
        tuple(work["outcomes"]),
    )
    return [
        Section("claims", "Claims", figures, (monthly, by_payer), (chart, pay_chart)),
        Section("work", "Denial work", figures[3:6], (outcomes,)),
    ]


_MONEY_KEYS = ("paid", "contractual", "charges", "patient_paid")


def _money(session: Session, scope: Scope) -> dict[date, dict[str, Decimal]]:
    M = t.ReportMoney
    out: dict[date, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(_MONEY_KEYS, ZERO))
    where = [M.practice_id == scope.practice_id, M.month.between(scope.start, scope.end)]
    if scope.payer:
        where.append(M.payer_ext == scope.payer)
    for m, item, amount in session.execute(
        select(M.month, M.item, func.sum(M.amount))
        .where(*where, M.item.in_(("paid", "contractual")))
        .group_by(M.month, M.item)
    ):
        out[m][item] += amount or ZERO
    Mo = t.ReportMonth
    for m, charge in session.execute(
        select(Mo.month, func.sum(Mo.original_charge))
        .where(*scope.where(Mo), Mo.month.between(scope.start, scope.end))
        .group_by(Mo.month)
    ):
        out[m]["charges"] += charge or ZERO
    if not scope.payer and not scope.therapist:
        P = t.PatientPayment
        for day, amount in session.execute(
            select(P.received_on, func.sum(P.amount))
            .where(
                P.practice_id == scope.practice_id, P.received_on.between(scope.start, scope.end)
            )
            .group_by(P.received_on)
        ):
            out[month_start(day)]["patient_paid"] += amount or ZERO
    return out


def _work(session: Session, scope: Scope) -> dict[str, Any]:
    W, A = t.WorkItem, t.Appeal
    lo, hi = _bounds(scope)
    decided = dict(
        session.execute(
            select(A.decision, func.count())
            .join(W, W.id == A.item_id)
            .where(*scope.where(W), A.decided_on.between(scope.start, scope.end))
            .group_by(A.decision)
        ).all()
    )
    overturned = decided.get("overturned", 0) + decided.get("partly", 0)
    n_decided = overturned + decided.get("upheld", 0)
    to_appeal = [
        (filed - opened).days
        for filed, opened in session.execute(
            select(A.filed_on, W.opened_on)
            .join(W, W.id == A.item_id)
            .where(
                *scope.where(W),
                A.level == 1,
                A.filed_on.between(scope.start, scope.end),
                W.kind.in_(DENIAL_KINDS),
            )
        )
    ]
    open_ = func.sum(case((W.state != "closed", 1), else_=0))
    to_resolution = [
        (_as_dt(closed).date() - opened).days
        for opened, closed in session.execute(
            select(func.min(W.opened_on), func.max(W.closed_at))
            .where(*scope.where(W), W.kind.in_(DENIAL_KINDS))
            .group_by(W.claim_id, W.claim_line_id)
            .having(open_ == 0, func.max(W.closed_at) >= lo, func.max(W.closed_at) < hi)
        )
    ]
    outcomes = []
    written_off = ZERO
    for outcome, n, amount in session.execute(
        select(W.outcome, func.count(), func.sum(W.amount))
        .where(
            *scope.where(W),
            W.kind.in_(WORKED_KINDS),
            W.state == "closed",
            W.closed_at >= lo,
            W.closed_at < hi,
        )
        .group_by(W.outcome)
        .order_by(W.outcome)
    ):
        outcomes.append((outcome or "", int(n), amount or ZERO))
        if outcome == "written_off":
            written_off += amount or ZERO
    return {
        "overturned": overturned,
        "decided": n_decided,
        "to_appeal": to_appeal,
        "to_resolution": to_resolution,
        "outcomes": outcomes,
        "written_off": written_off,
    }


def _as_dt(x: datetime | str | None) -> datetime:
    assert x is not None, "a closed work item has closed_at"
    return x if isinstance(x, datetime) else datetime.fromisoformat(str(x))
