"""What a person reads of a claim, the same for the command line and the workbench: its
totals, lines, each line's explanation, the scrubber's findings, its history and its open
denial work."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otbill.ledger import schema as t
from otbill.ledger.books import claim_totals
from otbill.ledger.queue import OPEN


def claim_detail(session: Session, row: t.Claim) -> dict[str, Any]:
    lines = list(
        session.scalars(
            select(t.ClaimLine).where(t.ClaimLine.claim_id == row.id).order_by(t.ClaimLine.line_no)
        )
    )
    events = list(
        session.scalars(
            select(t.ClaimEvent).where(t.ClaimEvent.claim_id == row.id).order_by(t.ClaimEvent.id)
        )
    )
    doc_lines = (row.doc or {}).get("lines", [])
    items = list(
        session.execute(
            select(t.WorkItem.id, t.WorkItem.line_no, t.WorkItem.kind, t.WorkItem.reason)
            .where(t.WorkItem.claim_id == row.id, t.WorkItem.state.in_(OPEN))
            .order_by(t.WorkItem.id)
        )
    )
    return {
        "number": row.number,
        "state": row.state,
        "payer": row.payer_ext,
        "patient_id": row.patient_id,
        "frequency": row.frequency,
        "original_number": row.original_number,
        "payer_claim_number": row.payer_claim_number,
        "date_of_service": row.date_of_service,
        **claim_totals(session, [row])[row.id].as_dict(),
        "lines": [
            {
                "line": ln.line_no,
                "code": ln.code,
                "modifiers": ln.modifiers.split(":") if ln.modifiers else [],
                "units": ln.units,
                "charge": ln.charge,
                "allowed": ln.allowed,
                "paid": ln.paid,
                "adjusted": ln.adjusted,
                "patient_resp": ln.patient_resp,
                "explanation": doc_lines[ln.line_no - 1].get("explanation", [])
                if ln.line_no <= len(doc_lines)
                else [],
            }
            for ln in lines
        ],
        "explanation": (row.doc or {}).get("explanation", []),
        "diagnoses": (row.doc or {}).get("diagnoses", []),
        "findings": row.findings.get("items", []),
        "history": [
            {"at": e.at, "who": e.who, "from": e.from_state, "to": e.to_state, "why": e.why}
            for e in events
        ],
        "work_items": [{"id": i, "line": n, "kind": k, "reason": r} for i, n, k, r in items],
    }
