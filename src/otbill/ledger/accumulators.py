"""Per patient, from the stored history: the therapy dollars toward the KX threshold, what each
authorization has used, treatment days since the last progress report, and the plan of care's
dates. The same counts the scrubber keeps when it checks stored claims (rules/context.walk);
this is the report a biller reads before scheduling more visits.

KX (CPM ch.5 §10.3): Medicare's allowed amount per line after the therapy MPPR, by calendar
year, OT apart from PT and SLP combined. A line counts what the 835 allowed once its claim is
adjudicated, and the fee schedule's estimate before; a line with neither is counted as unknown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from otbill.codesets.payers import profile_for
from otbill.codesets.thresholds import bucket, thresholds
from otbill.ledger import schema as t
from otbill.ledger.store import load_episodes
from otbill.model import Episode
from otbill.rules.context import closes_progress_period, is_treatment_day

ZERO = Decimal("0.00")
GONE = frozenset({"voided"})  # claims that bill nothing


@dataclass(frozen=True)
class KxTotal:
    year: int
    bucket: str  # "OT" or "PT+SLP"
    threshold: Decimal | None
    adjudicated: Decimal  # the 835's allowed amounts
    estimated: Decimal  # the fee schedule's, for lines not yet adjudicated
    unknown_lines: int  # lines with no amount from either

    @property
    def total(self) -> Decimal:
        return self.adjudicated + self.estimated

    @property
    def left(self) -> Decimal | None:
        return None if self.threshold is None else self.threshold - self.total


@dataclass(frozen=True)
class AuthUse:
    number: str
    payer: str
    start: date
    end: date | None
    visits_used: int
    visits_allowed: int | None
    units_used: int
    units_allowed: int | None


@dataclass(frozen=True)
class PlanStatus:
    plan: str
    discipline: str
    start: date
    certified_through: date | None
    signed: date | None
    treatment_days: int
    days_since_progress: int  # treatment days since the last progress report or re-evaluation
    progress_due: bool  # the 10th treatment day has passed without one (MBPM ch.15 §220.3.D)


@dataclass(frozen=True)
class Accumulators:
    patient: str
    name: str
    kx: list[KxTotal]
    authorizations: list[AuthUse]
    plans: list[PlanStatus]


def accumulators(
    session: Session, practice_id: int, as_of: date, patient: str | None = None
) -> list[Accumulators]:
    q = select(t.Patient).where(t.Patient.practice_id == practice_id)
    if patient is not None:
        q = q.where(t.Patient.ext_id == patient)
    patients = list(session.scalars(q.order_by(t.Patient.last_name, t.Patient.ext_id)))
    ids = [p.id for p in patients]
    episodes = load_episodes(session, practice_id, ids)
    superseded = set(
        session.scalars(
            select(t.ClaimEdit.claim_number).where(
                t.ClaimEdit.practice_id == practice_id,
                t.ClaimEdit.kind.in_(("replace", "resubmit")),
            )
        )
    )
    posted = set(session.scalars(select(t.Posting.claim_id).where(t.Posting.reversed.is_(False))))
    claims: dict[int, list[t.Claim]] = defaultdict(list)
    for c in session.scalars(select(t.Claim).where(t.Claim.patient_id.in_(ids))):
        if (
            c.state not in GONE
            and c.number not in superseded
            and c.frequency != "8"
            and not c.doc.get("other_payers")
            and c.date_of_service <= as_of
        ):
            claims[c.patient_id].append(c)
    lines: dict[int, list[t.ClaimLine]] = defaultdict(list)
    claim_ids = [c.id for cs in claims.values() for c in cs]
    for k in range(0, len(claim_ids), 5000):
        for ln in session.scalars(
            select(t.ClaimLine).where(t.ClaimLine.claim_id.in_(claim_ids[k : k + 5000]))
        ):
            lines[ln.claim_id].append(ln)
    out = []
    for p in patients:
        ep = episodes[p.id]
        rows = sorted(claims[p.id], key=lambda c: (c.date_of_service, c.number))
        out.append(
            Accumulators(
                p.ext_id,
                f"{p.last_name}, {p.first_name}",
                _kx(ep, rows, lines, posted),
                _auths(ep, rows, lines),
                _plans(ep, as_of),
            )
        )
    return out


def _kx(
    ep: Episode, rows: list[t.Claim], lines: dict[int, list[t.ClaimLine]], posted: set[int]
) -> list[KxTotal]:
    sums: dict[tuple[int, str], list[Decimal | int]] = {}
    for c in rows:
        payer = ep.payers.get(c.payer_ext)
        plan = ep.plan(c.doc.get("plan_of_care_id"))
        if payer is None or plan is None or not profile_for(payer).kx_applies:
            continue
        key = (c.date_of_service.year, bucket(plan.discipline))
        acc = sums.setdefault(key, [ZERO, ZERO, 0])
        for ln in lines[c.id]:
            if ln.allowed is None:
                acc[2] += 1
            elif c.id in posted:
                acc[0] += ln.allowed
            else:
                acc[1] += ln.allowed
    out = []
    for (year, b), (adj, est, unknown) in sorted(sums.items()):
        th = thresholds(year)
        limit = None if th is None else (th.ot if b == "OT" else th.pt_slp)
        out.append(KxTotal(year, b, limit, Decimal(adj), Decimal(est), int(unknown)))
    return out


def _auths(ep: Episode, rows: list[t.Claim], lines: dict[int, list[t.ClaimLine]]) -> list[AuthUse]:
    out = []
    for a in ep.authorizations:
        mine = [
            c
            for c in rows
            if c.payer_ext == a.payer_id
            and (
                c.doc.get("authorization_number") == a.number
                or (not c.doc.get("authorization_number") and a.covers(c.date_of_service))
            )
        ]
        visits = {v for c in mine for v in c.doc.get("visit_ids", [])}
        units = sum(ln.units for c in mine for ln in lines[c.id])
        out.append(
            AuthUse(
                a.number,
                a.payer_id,
                a.period.start,
                a.period.end,
                len(visits),
                a.visits_allowed,
                units,
                a.units_allowed,
            )
        )
    return out


def _plans(ep: Episode, as_of: date) -> list[PlanStatus]:
    out = []
    for plan in ep.plans_of_care:
        visits = [
            v
            for v in ep.visits
            if v.date <= as_of and ep.plan_for(v) is plan and is_treatment_day(v)
        ]
        since = 0
        for v in sorted(visits, key=lambda v: v.date):
            since = 0 if closes_progress_period(v) else since + 1
        out.append(
            PlanStatus(
                plan.id,
                str(plan.discipline),
                plan.start_date,
                plan.certified_through,
                plan.signed_date,
                len(visits),
                since,
                since >= 10,
            )
        )
    return out
