"""The ledger read as the denial-risk model's history: claims as facts, posted claims with their
outcome (denials/risk). A claim's outcome is its standing postings' adjustments, each put
through otbill's root-cause map: denied when any is a denial there."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otbill.denials.causes import classify
from otbill.denials.risk import ClaimFacts, Example, LineFacts, Outcome
from otbill.ledger import schema as t
from otbill.ledger.db import in_chunks
from otbill.ledger.posting import STANDING

SENT = frozenset({"submitted", "accepted", "paid", "partially_paid", "denied", "appealed",
                  "rejected", "corrected", "closed"})  # fmt: skip


def _names(session: Session, practice_id: int) -> dict[str, str]:
    out = {}
    for p in session.scalars(select(t.Provider).where(t.Provider.practice_id == practice_id)):
        d = p.doc
        out[p.npi] = f"{d.get('first_name', '')} {d.get('last_name', '')}".strip() or p.npi
    return out


def claim_facts(
    session: Session, practice_id: int, rows: Sequence[t.Claim], as_of: date
) -> list[ClaimFacts]:
    """The claims as the model reads them; a claim not yet sent counts its days to ``as_of``."""
    payers = dict(
        session.execute(
            select(t.Payer.ext_id, t.Payer.name).where(t.Payer.practice_id == practice_id)
        ).all()
    )
    patients = dict(
        session.execute(
            select(t.Patient.id, t.Patient.ext_id).where(t.Patient.practice_id == practice_id)
        ).all()
    )
    names = _names(session, practice_id)
    out = []
    for r in rows:
        doc: dict[str, Any] = r.doc
        sent = r.submitted_at.date() if r.submitted_at else as_of
        items = r.findings.get("items", []) if r.findings else []
        out.append(
            ClaimFacts(
                r.number,
                r.payer_ext,
                payers.get(r.payer_ext, r.payer_ext),
                patients.get(r.patient_id, str(r.patient_id)),
                r.date_of_service,
                tuple(
                    LineFacts(
                        ln["code"],
                        tuple(ln.get("modifiers", ())),
                        ln["units"],
                        ln.get("timed", True),
                    )
                    for ln in doc.get("lines", [])
                ),
                doc.get("rendering_npi", ""),
                doc.get("referring_npi"),
                tuple(
                    f["rule"]
                    for f in items
                    if f.get("silenced") is None and f.get("severity") in ("error", "warning")
                ),
                (sent - r.date_of_service).days,
                names,
            )
        )
    return out


def outcomes(session: Session, practice_id: int, claim_ids: Sequence[int]) -> dict[int, Outcome]:
    """Each posted claim's outcome, by claim id (claims with no standing posting are left out)."""
    kinds = {
        p.ext_id: p.doc.get("kind", "")
        for p in session.scalars(select(t.Payer).where(t.Payer.practice_id == practice_id))
    }
    payer_of = dict(
        in_chunks(session, select(t.Claim.id, t.Claim.payer_ext), t.Claim.id, list(claim_ids))
    )
    causes: dict[int, set[str]] = {}
    q = (
        select(t.Posting.claim_id, t.Adjustment.group_code, t.Adjustment.reason,
               t.Adjustment.remarks)
        .join(t.Adjustment, t.Adjustment.posting_id == t.Posting.id, isouter=True)
        .where(*STANDING)
    )  # fmt: skip
    for cid, group, reason, remarks in in_chunks(session, q, t.Posting.claim_id, list(claim_ids)):
        found = causes.setdefault(cid, set())
        if group is None:
            continue
        cause = classify(group, reason, remarks.split(), kinds.get(payer_of[cid], ""))
        if cause.denial:
            found.add(cause.category)
    return {cid: Outcome(bool(c), tuple(sorted(c))) for cid, c in causes.items()}


def history(
    session: Session,
    practice_id: int,
    *,
    dos_from: date | None = None,
    dos_to: date | None = None,
) -> list[Example]:
    """The posted primary claims (dates of service in the range, as asked) with their outcome:
    the model's training."""
    q = select(t.Claim).where(
        t.Claim.practice_id == practice_id,
        t.Claim.state.in_(SENT),
        t.Claim.frequency != "8",
    )
    if dos_from is not None:
        q = q.where(t.Claim.date_of_service >= dos_from)
    if dos_to is not None:
        q = q.where(t.Claim.date_of_service <= dos_to)
    rows = [r for r in session.scalars(q.order_by(t.Claim.id)) if not r.doc.get("other_payers")]
    found = outcomes(session, practice_id, [r.id for r in rows])
    posted = [r for r in rows if r.id in found]
    facts = claim_facts(session, practice_id, posted, date.max)
    return [Example(f, found[r.id]) for f, r in zip(facts, posted, strict=True)]
