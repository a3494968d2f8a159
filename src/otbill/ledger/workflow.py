"""What a biller does to one claim after it is built: split lines off, merge them back, silence
a finding, correct it, void it, appeal it, close it. Each action checks the lifecycle, leaves an
event with who and why, and keeps its edit (ledger/edits) so that rebuilding the claims keeps it
too.

Corrections follow the payer. Payers that take replacement claims get a new claim with
frequency 7 naming the payer's claim number (837P CLM05-3, REF*F8). Medicare Part B does not
take them: a processed claim is corrected by a reopening request to the MAC (Pub. 100-04 ch.34
§10), and a claim returned as unprocessable (CO-16 with MA130, "no appeal rights are afforded
because the claim is unprocessable") is fixed and sent again as a new claim. A claim a 999 or
277CA rejected never reached adjudication, so it too goes again as a new claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from otbill.codesets.payers import profile_for
from otbill.errors import OtbillError
from otbill.ledger import schema as t
from otbill.ledger.claimdoc import claim_from_doc
from otbill.ledger.claims import EDITABLE, build_claims, move, now
from otbill.ledger.lifecycle import ADJUDICATED, check_transition
from otbill.ledger.posting import is_unprocessable, payment_from_doc
from otbill.ledger.store import load_episodes


class ClaimActionError(OtbillError):
    """An action the claim cannot take, with the reason and what to do instead."""


@dataclass(frozen=True)
class Outcome:
    claim: str
    action: str  # split, merge, replace, resubmit, reopening, void, appeal, close
    state: str  # the claim's state after
    new_claim: str | None
    message: str


def find(session: Session, practice_id: int, number: str) -> t.Claim:
    row = session.scalar(
        select(t.Claim).where(t.Claim.practice_id == practice_id, t.Claim.number == number)
    )
    if row is None:
        raise ClaimActionError(f"no claim {number!r} in this practice")
    return row


def _next_number(session: Session, practice_id: int, base: str, tag: str) -> str:
    taken = set(
        session.scalars(
            select(t.Claim.number).where(
                t.Claim.practice_id == practice_id, t.Claim.number.like(f"{base}-{tag}%")
            )
        )
    ) | set(
        session.scalars(
            select(t.ClaimEdit.target_number).where(
                t.ClaimEdit.practice_id == practice_id,
                t.ClaimEdit.target_number.like(f"{base}-{tag}%"),
            )
        )
    )
    k = 1
    while f"{base}-{tag}{k}" in taken:
        k += 1
    number = f"{base}-{tag}{k}"
    if len(number) > 38:  # CLM01 holds 38 characters
        raise ClaimActionError(f"claim number {number} would be longer than CLM01's 38")
    return number


def _edit(
    session: Session,
    practice_id: int,
    kind: str,
    number: str,
    target: str,
    who: str,
    why: str,
    data: dict[str, object] | None = None,
) -> None:
    session.add(
        t.ClaimEdit(
            practice_id=practice_id,
            kind=kind,
            claim_number=number,
            target_number=target,
            lines=data or {},
            at=now(),
            who=who,
            why=why,
        )
    )
    session.flush()


def _editable(row: t.Claim, action: str) -> None:
    if row.state not in EDITABLE:
        raise ClaimActionError(
            f"claim {row.number} is {row.state}: only draft or ready claims can be {action}; "
            "a sent claim is corrected instead (otbill claims correct)"
        )


def split_lines(
    session: Session,
    practice_id: int,
    number: str,
    lines: Sequence[int],
    who: str,
    why: str,
    as_of: date,
) -> Outcome:
    """Move claim lines (1-based) to a new claim of their own."""
    row = find(session, practice_id, number)
    _editable(row, "split")
    claim = claim_from_doc(row.doc, explanation=False)
    bad = [n for n in lines if not 1 <= n <= len(claim.lines)]
    if bad or not lines:
        raise ClaimActionError(
            f"claim {number} has lines 1-{len(claim.lines)}; cannot split off {list(lines)}"
        )
    if len(set(lines)) == len(claim.lines):
        raise ClaimActionError(f"claim {number}: splitting off every line leaves it empty")
    picks = [
        [claim.lines[n - 1].code, ":".join(claim.lines[n - 1].modifiers)]
        for n in sorted(set(lines))
    ]
    target = _next_number(session, practice_id, number, "S")
    _edit(session, practice_id, "split", number, target, who, why, {"lines": picks})
    build_claims(session, practice_id, as_of, who, patient_ids=[row.patient_id])
    return Outcome(number, "split", row.state, target, f"lines {list(lines)} moved to {target}")


def merge_claims(
    session: Session, practice_id: int, source: str, target: str, who: str, why: str, as_of: date
) -> Outcome:
    """Put claim ``source``'s lines on claim ``target`` (same patient, payer and day)."""
    a, b = find(session, practice_id, source), find(session, practice_id, target)
    _editable(a, "merged")
    _editable(b, "merged")
    if a.id == b.id:
        raise ClaimActionError(f"cannot merge claim {source} into itself")
    for name in ("patient_id", "payer_ext", "date_of_service"):
        if getattr(a, name) != getattr(b, name):
            raise ClaimActionError(
                f"cannot merge {source} into {target}: a claim is one patient, payer and date "
                f"of service ({name.replace('_', ' ')} differs)"
            )
    _edit(session, practice_id, "merge", source, target, who, why)
    result = build_claims(session, practice_id, as_of, who, patient_ids=[a.patient_id])
    not_applied = [n for n in result.notes if n.startswith(f"merge of {source} ")]
    if not_applied:
        raise ClaimActionError(not_applied[0].replace(" not applied", " refused"))
    return Outcome(source, "merge", "voided", target, f"lines of {source} now on {target}")


def silence(
    session: Session,
    practice_id: int,
    number: str,
    rule: str,
    who: str,
    why: str,
    as_of: date,
) -> Outcome:
    """Silence one finding of a draft or ready claim, with who and why: kept as an edit, so a
    rebuild silences it again; the claim is checked again at once (with its errors all silenced
    it is ready). The finding stays on the claim, marked with who silenced it and why."""
    row = find(session, practice_id, number)
    _editable(row, "silenced")
    if not who.strip() or not why.strip():
        raise ClaimActionError(f"silencing {rule} on claim {number} needs who and why")
    rule = rule.strip().upper()
    found = {f["rule"] for f in row.findings.get("items", [])}
    if rule not in found:
        raise ClaimActionError(
            f"claim {number} has no finding {rule}"
            + (f" (its findings: {', '.join(sorted(found))})" if found else " (it has none)")
        )
    _edit(session, practice_id, "silence", number, number, who, why, {"rule": rule})
    build_claims(session, practice_id, as_of, who, patient_ids=[row.patient_id])
    row = find(session, practice_id, number)
    return Outcome(number, "silence", row.state, None, f"{rule} silenced on {number}: {why}")


def _unprocessable(session: Session, row: t.Claim) -> bool:
    """The latest posting returned it unprocessable: CO-16 with MA130."""
    posting = session.scalar(
        select(t.Posting)
        .where(t.Posting.claim_id == row.id, t.Posting.reversed.is_(False))
        .order_by(t.Posting.id.desc())
    )
    return posting is not None and is_unprocessable(payment_from_doc(posting.doc))


def correct(
    session: Session, practice_id: int, number: str, who: str, why: str, as_of: date
) -> Outcome:
    """Correct a sent claim the way its payer takes corrections (see the module's text)."""
    row = find(session, practice_id, number)
    if row.state in EDITABLE:
        raise ClaimActionError(
            f"claim {number} is {row.state}, not sent: fix the visit and rebuild (otbill claims "
            "build)"
        )
    episodes = load_episodes(session, practice_id, [row.patient_id])
    payer = episodes[row.patient_id].payers[row.payer_ext]
    if row.state == "rejected":
        new = _next_number(session, practice_id, number, "N")
        move(session, row, "closed", who, f"sent again as new claim {new}: {why}")
        _edit(session, practice_id, "resubmit", number, new, who, why)
        build_claims(session, practice_id, as_of, who, patient_ids=[row.patient_id])
        return Outcome(number, "resubmit", "closed", new, f"rejected claim sent again as {new}")
    if row.state not in ADJUDICATED:
        raise ClaimActionError(
            f"claim {number} is {row.state}: wait for the payer's answer before correcting it"
        )
    if not profile_for(payer).replacement_claims:
        check_transition(number, row.state, "corrected")
        move(
            session,
            row,
            "corrected",
            who,
            f"reopening requested from {payer.name} (Pub. 100-04 ch.34 §10): {why}",
        )
        return Outcome(
            number,
            "reopening",
            "corrected",
            None,
            f"{payer.name} takes no replacement claims: ask the MAC to reopen claim "
            f"{row.payer_claim_number or number} (a telephone or written reopening, or the "
            "MAC portal); its adjusted 835 posts to this claim",
        )
    if not row.payer_claim_number:
        raise ClaimActionError(
            f"claim {number}: no payer claim number on file, and a replacement claim must name "
            "it (REF*F8); post the payer's 835 first"
        )
    new = _next_number(session, practice_id, number, "R")
    move(session, row, "corrected", who, f"replaced by claim {new} (frequency 7): {why}")
    _edit(
        session,
        practice_id,
        "replace",
        number,
        new,
        who,
        why,
        {"original": row.payer_claim_number},
    )
    build_claims(session, practice_id, as_of, who, patient_ids=[row.patient_id])
    return Outcome(number, "replace", "corrected", new, f"replacement claim {new} built")


def void(session: Session, practice_id: int, number: str, who: str, why: str) -> Outcome:
    """Void a claim: never sent, it just ends; sent to a payer that takes void claims, a
    frequency 8 claim repeating it goes in the next batch."""
    row = find(session, practice_id, number)
    if row.state in EDITABLE or row.state == "rejected":
        move(session, row, "voided", who, why)
        _edit(session, practice_id, "void", number, number, who, why)
        return Outcome(number, "void", "voided", None, "voided; it was never adjudicated")
    episodes = load_episodes(session, practice_id, [row.patient_id])
    payer = episodes[row.patient_id].payers[row.payer_ext]
    if not profile_for(payer).replacement_claims:
        raise ClaimActionError(
            f"{payer.name} takes no void claims (frequency 8): ask the MAC to reopen claim "
            f"{row.payer_claim_number or number} and cancel it (Pub. 100-04 ch.34 §10)"
        )
    if not row.payer_claim_number:
        raise ClaimActionError(
            f"claim {number}: no payer claim number on file, and a void claim must name it"
        )
    new = _next_number(session, practice_id, number, "V")
    move(session, row, "voided", who, f"void claim {new} (frequency 8): {why}")
    _edit(session, practice_id, "void", number, new, who, why)
    doc = dict(row.doc)
    doc.update(id=new, frequency_code="8", original_claim_number=row.payer_claim_number)
    void_row = t.Claim(
        practice_id=practice_id,
        number=new,
        patient_id=row.patient_id,
        visit_id=row.visit_id,
        payer_ext=row.payer_ext,
        member_id=row.member_id,
        date_of_service=row.date_of_service,
        state="draft",
        frequency="8",
        original_number=row.payer_claim_number,
        total_charge=row.total_charge,
        doc=doc,
        findings={"as_of": None, "items": []},
    )
    session.add(void_row)
    session.flush()
    session.add(
        t.ClaimEvent(
            claim_id=void_row.id,
            at=now(),
            who=who,
            from_state=None,
            to_state="draft",
            why=f"voids claim {number}",
        )
    )
    move(session, void_row, "ready", who, "a void repeats the claim as sent")
    return Outcome(number, "void", "voided", new, f"void claim {new} is ready to send")


def appeal(session: Session, practice_id: int, number: str, who: str, why: str) -> Outcome:
    row = find(session, practice_id, number)
    if row.state == "rejected" or _unprocessable(session, row):
        raise ClaimActionError(
            f"claim {number} was returned unprocessable (CO-16 with MA130): it has no appeal "
            "rights; fix it and send a new claim (otbill claims correct)"
        )
    check_transition(number, row.state, "appealed")
    move(session, row, "appealed", who, why)
    return Outcome(number, "appeal", "appealed", None, "appeal recorded")


def close(session: Session, practice_id: int, number: str, who: str, why: str) -> Outcome:
    row = find(session, practice_id, number)
    move(session, row, "closed", who, why)
    return Outcome(number, "close", "closed", None, "closed")
