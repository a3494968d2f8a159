"""Matching by hand: a payment posting could not place (no claim by its patient control number,
payer claim number, or patient, date and charge) posted to the claim a biller names, in the
same way and with the same checks as posting does it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from otbill.ledger import schema as t
from otbill.ledger.posting import PostingError, PostResult, _Batch, payment_from_doc
from otbill.ledger.workflow import find


def match_by_hand(
    session: Session, practice_id: int, unmatched_id: int, claim_number: str, who: str
) -> dict[str, Any]:
    u = session.get(t.Unmatched, unmatched_id)
    if u is None or u.practice_id != practice_id:
        raise PostingError(f"no unmatched payment {unmatched_id} in this practice")
    claim = find(session, practice_id, claim_number)
    remit = session.get(t.Remittance, u.remittance_id)
    assert remit is not None
    cp = replace(payment_from_doc(u.doc), patient_control_number=claim.number)
    result = PostResult(f"unmatched payment {u.id}")
    batch = _Batch(session, practice_id, remit, who, result, (cp,))
    batch.post((cp,))
    if result.unmatched:
        raise PostingError(f"claim {claim_number}: {result.unmatched[0].split(': ', 1)[-1]}")
    session.delete(u)
    session.flush()
    session.expire_all()
    row = find(session, practice_id, claim_number)
    session.add(
        t.ClaimEvent(
            claim_id=row.id,
            at=datetime.now(UTC),  # when the biller matched it, not when the claim went out
            who=who,
            from_state=row.state,
            to_state=row.state,
            why=f"the 835 {remit.trace_number} payment of {u.patient_control_number!r} "
            f"matched by hand",
        )
    )
    session.flush()

    return {"claim": claim_number, "state": row.state, "paid": str(result.paid)}
