"""Eligibility from the ledger: a 270 for chosen patients or for a day's schedule (every patient
with a visit on the date), and a 271 read into what a front desk and a biller need: active or
not, the plan's dates, the therapy benefits (co-pay, co-insurance, deductible left) and the
visits allowed and left."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otbill.errors import InputError
from otbill.ledger import schema as t
from otbill.ledger.store import load_episodes
from otbill.model.eligibility import EligibilityResponse, Entity
from otbill.x12.writer import InterchangeInfo

# Service types a therapy practice asks about: 30 plan coverage, AD occupational therapy,
# PT physical therapy, AF speech therapy (X12 code list 1365).
THERAPY_TYPES = ("30", "AD", "PT", "AF")


def inquiries_270(
    session: Session, practice_id: int, patients: Sequence[str], day: date
) -> tuple[str, int]:
    from otbill.x12.t270 import build_270, inquiries_for

    q = select(t.Patient.id, t.Patient.ext_id).where(t.Patient.practice_id == practice_id)
    if patients:
        q = q.where(t.Patient.ext_id.in_(list(patients)))
    ids = dict(session.execute(q).all())
    if patients and len(ids) != len(set(patients)):
        missing = sorted(set(patients) - set(ids.values()))
        raise InputError("patient", f"not a patient of this practice: {', '.join(missing)}")
    episodes = load_episodes(session, practice_id, list(ids))
    if not patients:  # the day's schedule
        episodes = {k: e for k, e in episodes.items() if any(v.date == day for v in e.visits)}
    if not episodes:
        raise InputError("date", f"no patient has a visit on {day}")
    when = datetime.now(UTC)
    inquiries = [q for e in episodes.values() for q in inquiries_for(e, day, when, ("30", "AD"))]
    practice = next(iter(episodes.values())).practice
    control = int(when.strftime("%H%M%S"))
    info = InterchangeInfo(practice.tax_id, "CLEARINGHOUSE", control, when, "P")
    return build_270(inquiries, info), len(inquiries)


def _name(e: Entity) -> str:
    return f"{e.last_or_org}, {e.first}" if e.first else e.last_or_org


def summary(r: EligibilityResponse) -> dict[str, Any]:
    out: dict[str, Any] = {
        "subscriber": _name(r.subscriber) if r.subscriber else None,
        "member_id": r.subscriber.id if r.subscriber else None,
        "payer": _name(r.payer),
        "trace": r.trace,
        "active": r.active,
        "plan_begin": r.plan_begin,
        "plan_end": r.plan_end,
        "rejections": [x.reason for x in r.rejections],
        "benefits": {},
    }
    for st in THERAPY_TYPES:
        total, left = r.visit_limit(st)
        ded, ded_left = r.deductible(st)
        copays = [b.amount for b in r.benefits if b.code == "B" and st in b.service_types]
        coins = [b.percent for b in r.benefits if b.code == "A" and st in b.service_types]
        auth = [b.authorization_required for b in r.benefits if st in b.service_types]
        if any(x is not None for x in (total, left, ded, ded_left)) or copays or coins:
            out["benefits"][st] = {
                "visits": total,
                "visits_left": left,
                "deductible": ded,
                "deductible_left": ded_left,
                "copay": copays[0] if copays else None,
                "coinsurance": coins[0] if coins else None,
                "authorization_required": next((a for a in auth if a is not None), None),
            }
    return out


def read_271_text(text: str) -> list[dict[str, Any]]:
    from otbill.x12.envelope import transactions
    from otbill.x12.t270 import read_271

    out = []
    for tx in transactions(text):
        if tx.header.set_id == "271":
            out += [summary(r) for r in read_271(tx)]
    if not out:
        raise InputError("file", "no 271 eligibility response in the file")
    return out


def keep_271(
    session: Session, practice_id: int, text: str, who: str, when: datetime | None = None
) -> list[tuple[t.EligibilityCheck, dict[str, Any]]]:
    """Read a 271 and keep each subscriber's answer, matched to the practice's patient whose
    coverage carries the member id (none when no coverage does): each kept row with the
    answer as read (its money exact, its dates dates; the row keeps them as text)."""
    import hashlib

    answers = read_271_text(text)
    sha = hashlib.sha256(text.encode()).hexdigest()
    members = {a["member_id"] for a in answers if a["member_id"]}
    owners = dict(
        session.execute(
            select(t.Coverage.member_id, t.Coverage.patient_id).where(
                t.Coverage.practice_id == practice_id, t.Coverage.member_id.in_(sorted(members))
            )
        ).all()
    )
    at = when or datetime.now(UTC)
    rows = [
        t.EligibilityCheck(
            practice_id=practice_id,
            patient_id=owners.get(a["member_id"] or ""),
            member_id=(a["member_id"] or "")[:80],
            payer=(a["payer"] or "")[:120],
            active=a["active"],
            received_at=at,
            who=who,
            file_sha256=sha,
            doc=_jsonable(a),
        )
        for a in answers
    ]
    session.add_all(rows)
    session.flush()
    return list(zip(rows, answers, strict=True))


def _jsonable(v: Any) -> Any:
    """The summary as the JSON column keeps it (money and dates as strings)."""
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, bool | int | str) or v is None:
        return v
    return str(v)
