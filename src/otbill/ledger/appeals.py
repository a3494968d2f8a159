"""Appeal letters from the ledger: the work item, its claim as built (lines, units, the rule
applied), the patient's episode (plan of care, certification, progress reports, notes), what
the scrubber found and the claim's history, gathered for otbill.denials.appeals."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otbill.denials.appeals import AppealRequest, DeniedLine, Letter, build_letter
from otbill.denials.deadlines import Deadline
from otbill.ledger import schema as t
from otbill.ledger.claimdoc import claim_from_doc
from otbill.ledger.codes import code_table
from otbill.ledger.denials import WorkError, get_item, level_name
from otbill.ledger.queue import OPEN, payer_facts, unknown_payer
from otbill.ledger.store import load_episodes
from otbill.sources import Source


def _meaning(kind: str, code: str, table: dict[str, Any]) -> str:
    e = table.get(code)
    return f"{kind} {code}: {e.description if e else 'not in any loaded list'}"


def letter_for(
    session: Session,
    practice_id: int,
    item_id: int,
    signer: str,
    today: date,
    *,
    argue: str = "",
    kind: str | None = None,
) -> Letter:
    """The letter for an item: an appeal at the item's level, or a reopening request where the
    payer takes no corrected claims and the item asks for a correction."""
    row = get_item(session, practice_id, item_id)
    if row.kind in ("unprocessable", "rejection"):
        raise WorkError(
            f"item {item_id} is {row.kind}: no appeal rights (no initial determination was made); "
            "fix the claim and send it again as a new claim"
        )
    claim_row = session.get(t.Claim, row.claim_id)
    assert claim_row is not None
    payer = payer_facts(session, practice_id).get(row.payer_ext) or unknown_payer()
    if kind is None:
        kind = (
            "reopening"
            if row.action == "correct" and not payer.profile.replacement_claims
            else "appeal"
        )
    episode = load_episodes(session, practice_id, [claim_row.patient_id])[claim_row.patient_id]
    claim = claim_from_doc(claim_row.doc)
    plan = next((p for p in episode.plans_of_care if p.id == claim.plan_of_care_id), None)
    # The lines this letter argues for: this item and the claim's others of the same action.
    items = [
        row,
        *list(
            session.scalars(
                select(t.WorkItem).where(
                    t.WorkItem.claim_id == row.claim_id,
                    t.WorkItem.id != row.id,
                    t.WorkItem.state.in_(OPEN),
                    t.WorkItem.action == row.action,
                )
            )
        ),
    ]
    carc, rarc = code_table(session, "CARC"), code_table(session, "RARC")
    denied = []
    for r in items:
        ln = claim.lines[r.line_no - 1] if r.line_no and r.line_no <= len(claim.lines) else None
        remarks = tuple(r.remarks.split())
        denied.append(
            DeniedLine(
                r.line_no,
                ln.code if ln else r.code or "claim",
                ln.modifiers if ln else (),
                ln.units if ln else 0,
                ln.charge if ln else claim_row.total_charge,
                f"{r.group_code}-{r.reason}",
                remarks,
                (_meaning("CARC", r.reason, carc), *(_meaning("RARC", x, rarc) for x in remarks)),
                r.amount,
            )
        )
    findings = tuple(
        f"{f['rule']} ({f['severity']}): {f['message']}"
        + (
            f" - silenced by {f['silenced']['by']}: {f['silenced']['why']}"
            if f.get("silenced")
            else ""
        )
        for f in claim_row.findings.get("items", [])
    )
    events = tuple(
        f"{e.at:%Y-%m-%d} {e.who}: {e.from_state or 'new'} to {e.to_state} ({e.why})"
        for e in session.scalars(
            select(t.ClaimEvent)
            .where(t.ClaimEvent.claim_id == claim_row.id)
            .order_by(t.ClaimEvent.id)
        )
    )
    d = row.doc
    deadline = Deadline(
        row.due_on,
        d.get("deadline", ""),
        d.get("deadline_rule", ""),
        Source(d.get("deadline_source", "")),
    )
    req = AppealRequest(
        kind=kind,
        level=row.level,
        level_name="reopening"
        if kind == "reopening"
        else level_name(payer.medicare_ffs, row.level),
        payer_name=episode.payers[row.payer_ext].name
        if row.payer_ext in episode.payers
        else row.payer_ext,
        medicare_ffs=payer.medicare_ffs,
        member_id=claim_row.member_id,
        payer_claim_number=claim_row.payer_claim_number or "",
        notice=row.opened_on,
        deadline=deadline,
        category=row.category,
        denied=tuple(denied),
        findings=findings,
        events=events,
        signer=signer,
        today=today,
        reason_text=argue,
    )
    return build_letter(req, claim, episode, plan)


def letter_doc(letter: Letter) -> dict[str, Any]:
    """The letter as data, kept with the appeal it was filed with."""
    out = asdict(letter)
    out["date"] = letter.date.isoformat()
    return out
