"""The denials report: HFMA's initial denial rates by month (claims, lines and gross charges,
over the average of the three months before), the denials broken down by CPT code, payer,
CARC, RARC, root cause and therapist, and the unprocessable CO-16/MA130 returns apart.

Everything is read from report_denial (each denied adjustment, classified by the root-cause map
when it was folded) and report_claim/report_volume (what was sent): grouped sums, no per-claim
loop. A denial is initial when it came on the claim's first adjudication; reversed postings do
not count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, func, literal, select
from sqlalchemy.orm import Session

from otbill.analytics import kpis
from otbill.analytics.model import Chart, Column, Figure, Section, Series, Table
from otbill.analytics.periods import label, month_start, months, prev_month
from otbill.denials.causes import CATEGORIES, classify
from otbill.ledger import schema as t
from otbill.ledger.reports.common import (
    ZERO,
    Scope,
    first_sent,
    payer_names,
    prior_months,
    sent_by_month,
    therapist_names,
)

D = t.ReportDenial
DIMS = ("code", "payer", "carc", "rarc", "cause", "therapist")


@dataclass
class _Count:
    claims: int = 0
    lines: int = 0
    claim_charge: Decimal = ZERO
    line_charge: Decimal = ZERO
    amount: Decimal = ZERO


def _base(scope: Scope, *, unprocessable: bool) -> list[ColumnElement[bool]]:
    return [
        *scope.where(D),
        D.notice_on.between(scope.start, scope.end),
        D.initial.is_(True),
        D.reversed.is_(False),
        D.unprocessable.is_(unprocessable),
    ]


def _by_day(session: Session, scope: Scope) -> dict[bool, dict[date, _Count]]:
    """Initial denials by month, the unprocessable returns apart (True): distinct claims and
    lines, their gross charges, the amount denied. A claim's initial denials all come on one
    remittance, so distinct counts by day add up to the month's."""
    where = [
        *scope.where(D),
        D.notice_on.between(scope.start, scope.end),
        D.initial.is_(True),
        D.reversed.is_(False),
    ]
    out: dict[bool, dict[date, _Count]] = {False: defaultdict(_Count), True: defaultdict(_Count)}
    for day, returned, claims, lines, amount in session.execute(
        select(
            D.notice_on,
            D.unprocessable,
            func.count(distinct(D.claim_id)),
            func.count(distinct(D.claim_line_id)),
            func.sum(D.amount),
        )
        .where(*where)
        .group_by(D.notice_on, D.unprocessable)
    ):
        c = out[bool(returned)][month_start(day)]
        c.claims += int(claims)
        c.lines += int(lines)
        c.amount += amount or ZERO
    for col, field in ((D.claim_id, "claim_charge"), (D.claim_line_id, "line_charge")):
        charge = D.claim_charge if field == "claim_charge" else D.line_charge
        q = (
            select(D.notice_on, D.unprocessable, col, charge)
            .where(*where, col.isnot(None))
            .distinct()
            .subquery()
        )
        for day, returned, amount in session.execute(
            select(q.c.notice_on, q.c.unprocessable, func.sum(q.c[charge.key])).group_by(
                q.c.notice_on, q.c.unprocessable
            )
        ):
            c = out[bool(returned)][month_start(day)]
            setattr(c, field, getattr(c, field) + (amount or ZERO))
    return out


def denials_sections(session: Session, scope: Scope, *, breakdowns: bool = True) -> list[Section]:
    first = first_sent(session, scope)
    sent = sent_by_month(session, scope, prev_month(scope.start, 3), scope.end)
    by_day = _by_day(session, scope)
    denied, returned = by_day[False], by_day[True]
    rows, unproc_rows = [], []
    totals = _Count()
    base = {"claims": Decimal(0), "lines": Decimal(0), "charge": Decimal(0)}
    returned_total = 0
    for m in months(scope.start, scope.end):
        prior = prior_months(m, first)
        avg = {
            "claims": kpis.prior_average([sent[p].claims for p in prior]),
            "lines": kpis.prior_average([sent[p].lines for p in prior]),
            "charge": kpis.prior_average([sent[p].charge for p in prior]),
        }
        d = denied[m]
        r = returned[m]
        rows.append(
            (
                label(m),
                sent[m].claims,
                _q(avg["claims"]),
                d.claims,
                kpis.rate(d.claims, avg["claims"]),
                _q(avg["lines"]),
                d.lines,
                kpis.rate(d.lines, avg["lines"]),
                _money(avg["charge"]),
                d.claim_charge,
                kpis.rate(d.claim_charge, avg["charge"]),
                d.amount,
            )
        )
        unproc_rows.append(
            (label(m), r.claims, r.lines, r.amount, kpis.rate(r.claims, avg["claims"]))
        )
        returned_total += r.claims
        for k in base:
            base[k] += avg[k] or 0
        for f in ("claims", "lines", "claim_charge", "line_charge", "amount"):
            setattr(totals, f, getattr(totals, f) + getattr(d, f))
    fig = kpis.INITIAL_DENIAL_RATE
    figures = (
        Figure(fig, kpis.rate(totals.claims, base["claims"]), "%", totals.claims,
               _q(base["claims"]), "claim level: claims with an initial denial"),
        Figure(fig, kpis.rate(totals.lines, base["lines"]), "%", totals.lines,
               _q(base["lines"]), "line level: lines with an initial denial"),
        Figure(fig, kpis.rate(totals.claim_charge, base["charge"]), "%", totals.claim_charge,
               _money(base["charge"]), "dollars: gross charges of the claims denied"),
        Figure(kpis.UNPROCESSABLE_RATE, kpis.rate(returned_total, base["claims"]), "%",
               returned_total, _q(base["claims"])),
    )  # fmt: skip
    monthly = Table(
        "initial_denials_by_month",
        "Initial denial rate by month (HFMA: over the average of the 3 months before)",
        (
            Column("month", "Month"),
            Column("claims_sent", "Claims sent"),
            Column("claims_base", "Claims, 3-month average"),
            Column("claims_denied", "Claims denied"),
            Column("claim_rate", "Claim rate", "%"),
            Column("lines_base", "Lines, 3-month average"),
            Column("lines_denied", "Lines denied"),
            Column("line_rate", "Line rate", "%"),
            Column("charges_base", "Charges, 3-month average", "$"),
            Column("charges_denied", "Charges of claims denied", "$"),
            Column("dollar_rate", "Dollar rate", "%"),
            Column("denied", "Amount denied", "$"),
        ),
        tuple(rows),
        "The unprocessable CO-16/MA130 returns are not denials here: see their own table.",
    )
    trend = Chart(
        "denial_rate_trend",
        "Initial denial rate by month",
        "The HFMA initial denial rate each month, at the claim and the line level, in percent.",
        "lines",
        tuple(r[0] for r in rows),
        (
            Series("Claim rate", tuple(r[4] for r in rows)),
            Series("Line rate", tuple(r[7] for r in rows)),
        ),
        "%",
        monthly.key,
    )
    unproc = Table(
        "unprocessable_by_month",
        "Returned unprocessable (CO-16 with MA130), apart from denials",
        (
            Column("month", "Month"),
            Column("claims", "Claims"),
            Column("lines", "Lines"),
            Column("amount", "Amount", "$"),
            Column("rate", "Rate", "%"),
        ),
        tuple(unproc_rows),
        "No appeal rights: each is fixed and sent again as a new claim.",
    )
    out = [
        Section("initial", "Initial denials (HFMA)", figures, (monthly,), (trend,)),
        *(_breakdowns(session, scope, first) if breakdowns else ()),
        Section(
            "unprocessable",
            "Unprocessable returns (CO-16/MA130)",
            (figures[-1],),
            (unproc, _unprocessable_reasons(session, scope)),
        ),
    ]
    return out


def _q(x: Decimal | None) -> Decimal | None:
    return None if x is None else x.quantize(Decimal("0.1"))


def _money(x: Decimal | None) -> Decimal | None:
    return None if x is None else Decimal(x).quantize(Decimal("0.01"))


def _cause_case(session: Session, scope: Scope) -> ColumnElement[str]:
    """The root cause of each denial row as a CASE over the few distinct (group, reason,
    remarks, payer kind) the practice's denials hold, each classified once in Python."""
    keys = list(
        session.execute(
            select(D.group_code, D.reason, D.remarks, D.payer_kind)
            .where(*scope.where(D))
            .distinct()
        )
    )
    whens = [
        (
            and_(D.group_code == g, D.reason == r, D.remarks == rm, D.payer_kind == k),
            classify(g, r, rm.split(), k).category,
        )
        for g, r, rm, k in keys
    ]
    return case(*whens, else_=literal("unclassified")) if whens else literal("unclassified")


def _breakdowns(session: Session, scope: Scope, first: date | None) -> list[Section]:
    where = _base(scope, unprocessable=False)
    payers = payer_names(session, scope.practice_id)
    people = therapist_names(session, scope.practice_id)
    lines_base = _line_bases(session, scope, first)
    exprs: dict[str, Any] = {
        "code": D.code,
        "payer": D.payer_ext,
        "carc": D.group_code + literal("-") + D.reason,
        "therapist": D.rendering_npi,
    }
    if scope.wants("cause"):
        exprs["cause"] = _cause_case(session, scope)
    titles = {
        "code": ("by_code", "Denials by CPT/HCPCS code", "Code"),
        "payer": ("by_payer", "Denials by payer", "Payer"),
        "carc": ("by_carc", "Denials by reason (group and CARC)", "CARC"),
        "cause": ("by_cause", "Denials by root cause", "Root cause"),
        "therapist": ("by_therapist", "Denials by rendering therapist", "Therapist"),
        "rarc": ("by_rarc", "Denials by remark (RARC)", "RARC"),
    }
    total_lines = session.scalar(select(func.count(distinct(D.claim_line_id))).where(*where)) or 0
    sections = []
    for dim in DIMS:
        if not scope.wants(dim):
            continue
        if dim == "rarc":
            counts = _by_rarc(session, where)
        else:
            e = exprs[dim].label("k")
            counts = {
                k: (int(c), int(n), a or ZERO)
                for k, c, n, a in session.execute(
                    select(
                        e,
                        func.count(distinct(D.claim_id)),
                        func.count(distinct(D.claim_line_id)),
                        func.sum(D.amount),
                    )
                    .where(*where)
                    .group_by(e)
                )
            }
        key, title, head = titles[dim]
        names = {"payer": payers, "therapist": people, "cause": CATEGORIES}.get(dim, {})
        rows = []
        for k, (claims, lines, amount) in sorted(counts.items(), key=lambda kv: (-kv[1][2], kv[0])):
            base = lines_base.get(dim, {}).get(k)
            shown = k or "(claim level)"
            rows.append(
                (
                    shown,
                    names.get(k, "") if names else "",
                    claims,
                    lines,
                    amount,
                    kpis.rate(lines, total_lines),
                    _q(base),
                    kpis.rate(lines, base) if base is not None else None,
                )
            )
        table = Table(
            key,
            title,
            (
                Column("key", head),
                Column("name", "Name"),
                Column("claims", "Claims"),
                Column("lines", "Lines"),
                Column("amount", "Amount denied", "$"),
                Column("share", "Share of lines denied", "%"),
                Column("lines_base", "Lines sent, 3-month averages"),
                Column("rate", "Line denial rate", "%"),
            ),
            tuple(rows),
            "Initial denials in the period, unprocessable returns apart. The rate (by code, payer "
            "and therapist) is over the sum of each month's HFMA denominator for the same code, "
            "payer or therapist.",
        )
        charts: tuple[Chart, ...] = ()
        if dim in ("carc", "cause") and rows:
            top = rows[:12]
            charts = (
                Chart(
                    f"{key}_chart",
                    title,
                    f"Amount denied by {head.lower()}, largest first: "
                    + "; ".join(f"{r[0]} ${r[4]:,.2f}" for r in top[:5]),
                    "bars",
                    tuple(str(r[1] or r[0]) if dim == "cause" else str(r[0]) for r in top),
                    (Series("Amount denied", tuple(r[4] for r in top)),),
                    "$",
                    key,
                ),
            )
        sections.append(Section(key, title, (), (table,), charts))
    return sections


def _by_rarc(session: Session, where: Sequence[Any]) -> dict[str, tuple[int, int, Decimal]]:
    """A row may carry several RARCs: each counts once per claim and line it is on."""
    claims: dict[str, set[int]] = defaultdict(set)
    lines: dict[str, set[int]] = defaultdict(set)
    amount: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for cid, lid, remarks, a in session.execute(
        select(D.claim_id, D.claim_line_id, D.remarks, D.amount).where(*where, D.remarks != "")
    ):
        for r in set(remarks.split()):
            claims[r].add(cid)
            if lid is not None:
                lines[r].add(lid)
            amount[r] += a
    return {r: (len(claims[r]), len(lines[r]), amount[r]) for r in claims}


def _line_bases(
    session: Session, scope: Scope, first: date | None
) -> dict[str, dict[str, Decimal]]:
    """Per code, payer and therapist: the sum over the period's months of the average lines
    sent in the three months before each (HFMA's denominator, per value)."""
    V = t.ReportVolume
    lo = prev_month(scope.start, 3)
    vol: dict[tuple[str, date, str], int] = defaultdict(int)
    for m, payer, npi, code, n in session.execute(
        select(V.month, V.payer_ext, V.rendering_npi, V.code, V.lines).where(
            *scope.where(V), V.month.between(lo, scope.end)
        )
    ):
        vol[("code", m, code)] += n
        vol[("payer", m, payer)] += n
        vol[("therapist", m, npi)] += n
    values: dict[str, set[str]] = defaultdict(set)
    for dim, _, v in vol:
        values[dim].add(v)
    out: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for m in months(scope.start, scope.end):
        prior = prior_months(m, first)
        for dim, vs in values.items():
            for v in vs:
                avg = kpis.prior_average([vol.get((dim, p, v), 0) for p in prior])
                if avg is not None:
                    out[dim][v] = out[dim].get(v, Decimal(0)) + avg
    return out


def _unprocessable_reasons(session: Session, scope: Scope) -> Table:
    """What the returned claims lacked: the remark beside MA130 says (M51 a code, MA27 the
    beneficiary's name or number, ...)."""
    where = _base(scope, unprocessable=True)
    counts: dict[str, set[int]] = defaultdict(set)
    for cid, remarks in session.execute(select(D.claim_id, D.remarks).where(*where)):
        others = [r for r in remarks.split() if r != "MA130"] or ["(none)"]
        for r in others:
            counts[r].add(cid)
    rows = tuple(
        (r, classify("CO", "16", [r, "MA130"]).label, len(ids))
        for r, ids in sorted(counts.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )
    return Table(
        "unprocessable_by_remark",
        "Unprocessable returns by the remark that says what was missing",
        (Column("rarc", "RARC"), Column("cause", "Root cause"), Column("claims", "Claims")),
        rows,
    )
