"""Acknowledgments into the ledger: a 999 accepts or rejects a whole batch; a 277CA accepts or
rejects each claim by its patient control number."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from otbill.ledger import schema as t
from otbill.ledger.claims import move
from otbill.ledger.queue import open_rejection
from otbill.model.acks import ClaimStatus, FunctionalAck
from otbill.x12.read import read_x12


@dataclass
class AckResult:
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def apply_ack(session: Session, practice_id: int, text: str, who: str = "otbill") -> AckResult:
    doc = read_x12(text)
    out = AckResult()
    for s in doc.sets:
        if isinstance(s.result, FunctionalAck):
            _functional(session, practice_id, s.result, who, out)
        elif isinstance(s.result, list) and s.result and isinstance(s.result[0], ClaimStatus):
            for cs in s.result:
                _claim_status(session, practice_id, cs, who, out)
    return out


def _functional(session: Session, pid: int, ack: FunctionalAck, who: str, out: AckResult) -> None:
    batch = session.scalar(
        select(t.Batch).where(
            t.Batch.practice_id == pid, t.Batch.interchange_control == int(ack.group_control or 0)
        )
    )
    if batch is None:
        out.unknown.append(f"999 for group {ack.group_control}: no such batch")
        return
    if ack.accepted:
        out.accepted.append(f"batch {batch.id}")
        return  # a 999 acceptance is syntax only; claims wait for the 277CA
    why = f"999 rejected the batch (AK9 {ack.status})"
    for claim in session.scalars(
        select(t.Claim).where(t.Claim.batch_id == batch.id, t.Claim.state == "submitted")
    ):
        move(session, claim, "rejected", who, why)
        open_rejection(session, pid, claim, why, datetime.now(UTC).date(), who)
        out.rejected.append(claim.number)


def _claim_status(session: Session, pid: int, cs: ClaimStatus, who: str, out: AckResult) -> None:
    claim = session.scalar(
        select(t.Claim).where(
            t.Claim.practice_id == pid, t.Claim.number == cs.patient_control_number
        )
    )
    if claim is None:
        out.unknown.append(f"{cs.patient_control_number}: no such claim")
        return
    if cs.payer_claim_number:
        claim.payer_claim_number = cs.payer_claim_number
    target = "accepted" if cs.accepted else "rejected" if cs.rejected else None
    if target and claim.state == "submitted":
        why = f"277CA {cs.category}:{cs.code}" + (f" {cs.messages[0]}" if cs.messages else "")
        move(session, claim, target, who, why)
        if target == "rejected":
            on = cs.status_date or datetime.now(UTC).date()
            open_rejection(session, pid, claim, why, on, who)
        (out.accepted if target == "accepted" else out.rejected).append(claim.number)
