"""Secondary claims, built once the primary's 835 is posted.

The claim to the secondary payer repeats the primary claim and carries what the primary paid
and adjusted (837P loops 2320, 2330B and 2430; coding/secondary). It is built only when the
primary left the patient a share to cover (PR adjustments), the patient has a secondary coverage
on the date of service, and the primary did not forward the claim itself: CLP02 19, 20 and 21
say "processed and forwarded to the additional payer" (Medicare's crossover), so a second claim
would be a duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from otbill.codesets import CodeSets
from otbill.coding.grouping import combine_same_day
from otbill.coding.secondary import secondary_claim
from otbill.export.json import claim as claim_json
from otbill.export.json import finding as finding_json
from otbill.ledger import schema as t
from otbill.ledger.claimdoc import claim_from_doc
from otbill.ledger.claims import now
from otbill.ledger.db import in_chunks
from otbill.ledger.lifecycle import ADJUDICATED
from otbill.ledger.posting import STANDING, payment_from_doc
from otbill.ledger.store import load_episodes
from otbill.model import Episode
from otbill.rules.engine import check_episode

FORWARDED = frozenset({"19", "20", "21"})
ZERO = Decimal("0.00")


@dataclass
class SecondaryResult:
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "number: why"


def build_secondary(
    session: Session,
    practice_id: int,
    as_of: date,
    who: str = "otbill",
    codesets: CodeSets | None = None,
) -> SecondaryResult:
    """The secondary claims the posted 835s call for. It runs on every build, over a practice
    with tens of thousands of adjudicated claims, most of whose patients have one payer: only
    the patients with a secondary coverage are read, and the postings in grouped queries."""
    out = SecondaryResult()
    second = {
        patient_id
        for patient_id, doc in session.execute(
            select(t.Coverage.patient_id, t.Coverage.doc).where(
                t.Coverage.practice_id == practice_id
            )
        )
        if doc.get("priority") == 2
    }
    if not second:
        return out
    c = t.Claim.__table__.c
    numbers = set(session.scalars(select(c.number).where(c.practice_id == practice_id)))
    todo = [
        r
        for r in session.execute(
            select(c.id, c.number, c.patient_id, c.date_of_service)
            .where(c.practice_id == practice_id, c.state.in_(ADJUDICATED), c.frequency != "8")
            .order_by(c.id)
        )
        if r.patient_id in second and f"{r.number}-2" not in numbers
    ]
    episodes = load_episodes(session, practice_id, {r.patient_id for r in todo})
    covered = [
        (r, cov)
        for r in todo
        if (cov := episodes[r.patient_id].coverage_on(r.date_of_service, priority=2))
    ]
    ids = [r.id for r, _ in covered]
    primaries = {row.id: row for (row,) in in_chunks(session, select(t.Claim), t.Claim.id, ids)}
    latest: dict[int, tuple[t.Posting, t.Remittance]] = {}
    for posting, remit in in_chunks(
        session,
        select(t.Posting, t.Remittance)
        .join(t.Remittance, t.Remittance.id == t.Posting.remittance_id)
        .where(*STANDING)
        .order_by(t.Posting.id),
        t.Posting.claim_id,
        ids,
    ):
        latest[posting.claim_id] = (posting, remit)
    combined: dict[int, Episode] = {}
    for r, cov in covered:
        row = primaries[r.id]
        if row.doc.get("responsibility", "P") != "P" or r.id not in latest:
            continue
        posting, remit = latest[r.id]
        if posting.status in FORWARDED:
            out.skipped.append(
                f"{row.number}: the primary forwarded it to the secondary (CLP02 {posting.status})"
            )
            continue
        payment = payment_from_doc(posting.doc)
        owed = sum(
            (
                a.amount
                for a in (
                    *payment.adjustments,
                    *(x for s in payment.services for x in s.adjustments),
                )
                if a.group == "PR"
            ),
            ZERO,
        )
        if owed <= ZERO:
            out.skipped.append(f"{row.number}: the primary left no patient share to cover")
            continue
        paid_on = remit.paid_on or remit.posted_at.date()
        primary = claim_from_doc(row.doc)
        if r.patient_id not in combined:
            combined[r.patient_id] = combine_same_day(episodes[r.patient_id])[0]
        episode = combined[r.patient_id]
        claim = secondary_claim(primary, payment, episode, cov, paid_on)
        report = check_episode(episode, [claim], as_of=as_of, codesets=codesets)[0]
        _insert(session, practice_id, row, claim, report, as_of, who)
        out.built.append(claim.id)
    session.flush()
    return out


def _insert(
    session: Session,
    practice_id: int,
    primary: t.Claim,
    claim: Any,
    report: Any,
    as_of: date,
    who: str,
) -> None:
    state = "ready" if report.clean else "draft"
    cid = session.scalar(
        insert(t.Claim).returning(t.Claim.id),
        {
            "practice_id": practice_id,
            "number": claim.id,
            "patient_id": primary.patient_id,
            "visit_id": primary.visit_id,
            "payer_ext": claim.payer_id,
            "member_id": claim.member_id,
            "date_of_service": claim.date_of_service,
            "state": state,
            "frequency": claim.frequency_code,
            "total_charge": claim.total_charge,
            "doc": claim_json(claim),
            "findings": {
                "as_of": as_of.isoformat(),
                "items": [finding_json(f) for f in report.findings],
            },
        },
    )
    session.execute(
        insert(t.ClaimLine),
        [
            {
                "claim_id": cid,
                "line_no": n,
                "code": ln.code,
                "modifiers": ":".join(ln.modifiers),
                "units": ln.units,
                "charge": ln.charge,
                "allowed": None,
                "paid": ZERO,
                "adjusted": ZERO,
                "patient_resp": ZERO,
            }
            for n, ln in enumerate(claim.lines, start=1)
        ],
    )
    stamp = now()
    events = [
        {
            "claim_id": cid,
            "at": stamp,
            "who": who,
            "from_state": None,
            "to_state": "draft",
            "why": f"secondary claim after {primary.number}'s 835",
        }
    ]
    if state == "ready":
        events.append(
            {
                "claim_id": cid,
                "at": stamp,
                "who": who,
                "from_state": "draft",
                "to_state": "ready",
                "why": "no error findings",
            }
        )
    session.execute(insert(t.ClaimEvent), events)
