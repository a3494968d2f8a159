"""Posting an 835: every claim payment matched to its claim and posted line by line, in one
transaction, once.

Matching a CLP: the patient control number (our claim number), then the payer's claim number,
then the patient's last name, date of service and charge. Matching a service line: the code and
modifiers as billed (SVC06 when the payer changed them), then the code alone. What cannot be
matched goes to the unmatched queue with the reason. A reversal (CLP02 = 22) undoes the posting
it reverses. The caller owns the transaction: the whole file is posted or none of it.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from otbill.denials.causes import classify
from otbill.denials.queue import unprocessable
from otbill.errors import OtbillError
from otbill.ledger import schema as t
from otbill.ledger.claims import move
from otbill.ledger.db import IN_CHUNK, bulk_work, in_chunks, insert_rows, update_rows
from otbill.ledger.lifecycle import check_transition
from otbill.ledger.queue import QueueBatch
from otbill.model.remittance import Adjustment, ClaimPayment, Remittance, ServicePayment
from otbill.x12.read import read_x12

ZERO = Decimal("0.00")
# A corrected claim takes the MAC's adjusted 835 after a reopening, and the reversal a
# replacement brings; a voided one takes only the reversal of what was paid on it.
PAYABLE_FROM = frozenset(
    {
        "submitted",
        "accepted",
        "paid",
        "partially_paid",
        "denied",
        "appealed",
        "rejected",
        "corrected",
        "voided",
    }
)


class PostingError(OtbillError):
    """The file cannot be posted as it is; nothing was written."""


@dataclass
class PostResult:
    file: str
    already_posted: bool = False
    remittances: int = 0
    claims_posted: int = 0
    reversals: int = 0
    unmatched: list[str] = field(default_factory=list)
    paid: Decimal = ZERO
    duplicates: int = 0  # answers to claims sent twice, noted and not applied

    @property
    def message(self) -> str:
        if self.already_posted:
            return f"{self.file}: already posted; nothing changed"
        return (
            f"{self.file}: posted {self.claims_posted} claim payments ({self.reversals} "
            f"reversals), ${self.paid:,.2f}; {len(self.unmatched)} unmatched"
            + (f"; {self.duplicates} duplicates' denials noted" if self.duplicates else "")
        )


@bulk_work()
def post_835(
    session: Session,
    practice_id: int,
    source: Path | str,
    who: str = "otbill",
    name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PostResult:
    """Post an 835 in the caller's transaction. ``progress(done, total)`` hears how many claim
    payments are posted, for a progress bar."""
    raw = source.read_bytes() if isinstance(source, Path) else source.encode()
    label = name or (source.name if isinstance(source, Path) else "<835>")
    sha = hashlib.sha256(raw).hexdigest()
    result = PostResult(label)
    if session.scalar(
        select(t.Remittance.id).where(
            t.Remittance.practice_id == practice_id, t.Remittance.sha256 == sha
        )
    ):
        result.already_posted = True
        return result
    doc = read_x12(raw.decode("utf-8", errors="replace"))
    if doc.issues.errors:
        listed = "; ".join(str(e) for e in doc.issues.errors[:5])
        raise PostingError(f"{label}: {len(doc.issues.errors)} errors, not posted: {listed}")
    remits = [s.result for s in doc.sets if isinstance(s.result, Remittance)]
    if not remits:
        raise PostingError(f"{label}: no 835 in the file")
    for n, r in enumerate(remits):
        dup = session.scalar(
            select(t.Remittance.id).where(
                t.Remittance.practice_id == practice_id,
                t.Remittance.trace_number == r.trace_number,
                t.Remittance.amount == r.amount,
                t.Remittance.payer_name == r.payer_name,
            )
        )
        if dup is not None and r.trace_number:
            result.already_posted = True
            continue
        row = t.Remittance(
            practice_id=practice_id,
            sha256=sha if n == 0 else f"{sha}:{n}",
            trace_number=r.trace_number,
            payer_name=r.payer_name,
            amount=r.amount,
            paid_on=r.payment_date,
            posted_at=datetime.now(UTC),
            file_name=label,
        )
        session.add(row)
        session.flush()
        result.remittances += 1
        _Batch(session, practice_id, row, who, result, r.claims).post(r.claims, progress)
        session.flush()
        _test_pause()
    # Claims and lines were written past the ORM: objects the session holds are read afresh.
    session.expire_all()
    return result


def _test_pause() -> None:
    """A seam for the crash-safety test: with OTBILL_TEST_PAUSE_MIDWAY=SECONDS the posting stops
    here, its rows written but not committed, says so on stderr, and waits to be killed."""
    pause = os.environ.get("OTBILL_TEST_PAUSE_MIDWAY")
    if pause:
        print("otbill: paused midway", file=sys.stderr, flush=True)
        time.sleep(float(pause))


class _Batch:
    """One remittance's claim payments, posted with a handful of queries: the claims and their
    lines are read once as plain records, postings and adjustments written in bulk. A reversal
    is posted where it stands in the file, after what came before it is written, so that a
    payer's reprocessing (the old payment reversed, the new one sent) lands in order."""

    def __init__(
        self,
        session: Session,
        pid: int,
        remit: t.Remittance,
        who: str,
        result: PostResult,
        payments: Sequence[ClaimPayment] = (),
    ) -> None:
        self.s, self.pid, self.remit, self.who, self.result = session, pid, remit, who, result
        self.by_number: dict[str, _Claim] = {}
        self.by_payer_number: dict[str, _Claim] = {}
        self.lines: dict[int, list[_Line]] = {}
        self.claim_level: dict[int, Decimal] = {}
        # Only the claims the remittance names (by our number or the payer's) are read, with
        # their lines: a practice's ledger holds far more than one 835 pays.
        c = t.Claim.__table__.c
        self._load(c.number, sorted({p.patient_control_number for p in payments}))
        self._load(
            c.payer_claim_number,
            sorted({p.payer_claim_number for p in payments if p.payer_claim_number}),
        )
        self.touched: dict[int, _Line] = {}
        self.last_posting = 0
        # The work queue's side of this remittance, written with it.
        self.queue = QueueBatch(
            session, pid, remit.paid_on or remit.posted_at.date(), remit.trace_number, who
        )

    def _load(self, column: Any, values: Sequence[Any]) -> None:
        """Read the claims whose ``column`` is one of ``values``, their lines (of claims a
        payment may post to, as records written back in bulk: tens of thousands of ORM objects
        flushed one UPDATE at a time were most of a large file's posting time), and their
        claim-level adjustments. Only the columns matching needs: documents are large."""
        c = t.Claim.__table__.c
        query = select(
            c.id, c.number, c.payer_claim_number, c.state, c.total_charge, c.payer_ext,
            c.date_of_service,
        ).where(c.practice_id == self.pid)  # fmt: skip
        new = [
            claim
            for claim in (_Claim(*r) for r in in_chunks(self.s, query, column, list(values)))
            if claim.number not in self.by_number
        ]
        for claim in new:
            self.by_number[claim.number] = claim
            if claim.payer_claim_number:
                self.by_payer_number[claim.payer_claim_number] = claim
        payable = [x.id for x in new if x.state in PAYABLE_FROM]
        for k in range(0, len(payable), IN_CHUNK):
            chunk = payable[k : k + IN_CHUNK]
            self.lines.update(self._read_lines(t.ClaimLine.__table__.c.claim_id.in_(chunk)))
            self.claim_level.update(self._read_claim_level(chunk))

    def _read_lines(self, where: Any) -> dict[int, list[_Line]]:
        cols = t.ClaimLine.__table__.c
        claims = t.Claim.__table__.c
        out: dict[int, list[_Line]] = {}
        for r in self.s.execute(
            select(
                cols.id,
                cols.claim_id,
                cols.code,
                cols.modifiers,
                cols.allowed,
                cols.paid,
                cols.adjusted,
                cols.patient_resp,
                cols.line_no,
                cols.units,
                cols.expected_allowed,
            )
            .join(t.Claim.__table__, claims.id == cols.claim_id)
            .where(claims.practice_id == self.pid, where)
            .order_by(cols.claim_id, cols.line_no)
        ):
            out.setdefault(r.claim_id, []).append(_Line(*r))
        return out

    def _read_claim_level(self, claim_ids: Sequence[int]) -> dict[int, Decimal]:
        q = (
            select(t.Adjustment.claim_id, func.sum(t.Adjustment.amount))
            .join(t.Posting, t.Posting.id == t.Adjustment.posting_id)
            .where(
                t.Adjustment.claim_line_id.is_(None),
                t.Posting.reversed.is_(False),
                t.Adjustment.claim_id.in_(list(claim_ids)),
            )
            .group_by(t.Adjustment.claim_id)
        )
        return dict(self.s.execute(q).all())

    def match(self, cp: ClaimPayment) -> tuple[_Claim | None, str]:
        claim = self.by_number.get(cp.patient_control_number)
        if claim is None and cp.payer_claim_number:
            claim = self.by_payer_number.get(cp.payer_claim_number)
        if claim is not None:
            return claim, ""
        found, why = _match(self.s, self.pid, cp)
        if found is None:
            return None, why
        self._load(t.Claim.__table__.c.id, [found.id])
        return self.by_number[found.number], ""

    def post(
        self,
        payments: tuple[ClaimPayment, ...],
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        pending: list[_Pending] = []
        for n, cp in enumerate(payments, start=1):
            if progress is not None and (n % 500 == 0 or n == len(payments)):
                progress(n, len(payments))
            claim, why = self.match(cp)
            if claim is not None and claim.state not in PAYABLE_FROM:
                why, claim = f"claim {claim.number} is {claim.state}, not sent to a payer", None
            elif claim is not None and claim.state == "voided" and not cp.is_reversal:
                why, claim = f"claim {claim.number} is voided: only a reversal posts to it", None
            if claim is None:
                self.s.add(
                    t.Unmatched(
                        practice_id=self.pid,
                        remittance_id=self.remit.id,
                        patient_control_number=cp.patient_control_number,
                        payer_claim_number=cp.payer_claim_number,
                        paid=cp.paid,
                        reason=why,
                        doc=payment_doc(cp),
                    )
                )
                self.result.unmatched.append(f"{cp.patient_control_number}: {why}")
                continue
            if cp.is_reversal:
                self.write(pending)
                pending = []
                self.reverse(claim, cp)
                continue
            if duplicate_of_posted(cp) and self._adjudicated(claim, pending):
                self.noted(claim, cp)
                continue
            pending.append((claim, cp, *self.apply(claim, cp)))
        self.write(pending)
        self.queue.flush()

    def _adjudicated(self, claim: _Claim, pending: list[_Pending]) -> bool:
        """The claim has a payment standing, posted before or earlier in this file."""
        if any(c.id == claim.id for c, *_ in pending):
            return True
        return self.s.scalar(_standing(claim.id).limit(1)) is not None

    def noted(self, claim: _Claim, cp: ClaimPayment) -> None:
        """A duplicate's denial of a claim already adjudicated: kept in the claim's history,
        applied to nothing (applied, it would adjust away what the first answer paid)."""
        self.s.add(
            t.ClaimEvent(
                claim_id=claim.id,
                at=datetime.now(UTC),
                who=self.who,
                from_state=claim.state,
                to_state=claim.state,
                why=f"835 {self.remit.trace_number}: the payer denied a second copy of this "
                f"claim as a duplicate (CARC 18, payer claim {cp.payer_claim_number}); the "
                "first answer stands, nothing applied",
            )
        )
        self.result.duplicates += 1

    def reverse(self, claim: _Claim, cp: ClaimPayment) -> None:
        """Through the ORM (reversals are few), then the claim's records read afresh."""
        row = self.s.get(t.Claim, claim.id, populate_existing=True)
        assert row is not None
        undone = _reverse(self.s, row, cp, self.remit, self.who)
        self.queue.reversal(claim.id, undone.id)
        self.s.flush()
        self.lines[claim.id] = self._read_lines(t.Claim.__table__.c.id == claim.id).get(
            claim.id, []
        )
        self.claim_level[claim.id] = self._read_claim_level([claim.id]).get(claim.id, ZERO)
        standing = self.s.scalar(_standing(claim.id))
        if row.state == "accepted" and standing is not None:
            # Another payment still stands (the new one came before the reversal): the claim
            # is where that payment leaves it, not back at accepted.
            target = self.state_after(claim, payment_from_doc(standing.doc), [])
            if target != row.state:
                move(
                    self.s,
                    row,
                    target,
                    self.who,
                    f"835 {self.remit.trace_number}: the payment of remittance "
                    f"{standing.remittance_id} stands after the reversal",
                )
                self.s.flush()  # before later writes to the claim go past the ORM
        claim.state = row.state
        self.result.reversals += 1
        self.result.paid += cp.paid

    def write(self, pending: list[_Pending]) -> None:
        """The postings, adjustments, new states and lines of the payments applied so far."""
        if not pending:
            return
        insert_rows(
            self.s,
            t.Posting,
            [
                {
                    "remittance_id": self.remit.id,
                    "claim_id": claim.id,
                    "status": cp.status,
                    "charge": cp.charge,
                    "paid": cp.paid,
                    "patient_resp": cp.patient_responsibility or ZERO,
                    "payer_claim_number": cp.payer_claim_number,
                    "reversed": False,
                    "doc": payment_doc(cp),
                }
                for claim, cp, _, _ in pending
            ],
        )
        # Their ids, in the order inserted (one executemany in this transaction), by claim.
        by_claim: dict[int, list[int]] = {}
        for pid_, cid in self.s.execute(
            select(t.Posting.id, t.Posting.claim_id)
            .where(
                t.Posting.remittance_id == self.remit.id,
                t.Posting.reversed.is_(False),
                t.Posting.id > self.last_posting,
            )
            .order_by(t.Posting.id)
        ):
            by_claim.setdefault(cid, []).append(pid_)
            self.last_posting = pid_
        rows: list[dict[str, object]] = []
        events: list[dict[str, object]] = []
        changed: dict[int, _Claim] = {}
        stamp = datetime.now(UTC)
        for claim, cp, adjustments, matched in pending:
            posting_id = by_claim[claim.id].pop(0)
            self.queue.payment(
                claim.id, claim.payer_ext, claim.date_of_service, cp, posting_id, matched
            )
            for line, (group, reason, amount, remarks) in adjustments:
                rows.append(
                    {
                        "posting_id": posting_id,
                        "claim_id": claim.id,
                        "claim_line_id": line.id if line else None,
                        "group_code": group,
                        "reason": reason,
                        "amount": amount,
                        "remarks": remarks,
                    }
                )
            target = self.state_after(claim, cp, adjustments)
            if claim.state != target:
                check_transition(claim.number, claim.state, target)
                events.append(
                    {
                        "claim_id": claim.id,
                        "at": stamp,
                        "who": self.who,
                        "from_state": claim.state,
                        "to_state": target,
                        "why": f"835 {self.remit.trace_number}: paid {cp.paid}, status {cp.status}",
                    }
                )
                claim.state = target
            claim.payer_claim_number = cp.payer_claim_number or claim.payer_claim_number
            changed[claim.id] = claim
            self.result.claims_posted += 1
            self.result.paid += cp.paid
        insert_rows(self.s, t.Adjustment, rows)
        insert_rows(self.s, t.ClaimEvent, events)
        update_rows(
            self.s,
            t.Claim,
            [
                {"id": c.id, "state": c.state, "payer_claim_number": c.payer_claim_number}
                for c in changed.values()
            ],
        )
        update_rows(
            self.s,
            t.ClaimLine,
            [
                {
                    "id": ln.id,
                    "allowed": ln.allowed,
                    "paid": ln.paid,
                    "adjusted": ln.adjusted,
                    "patient_resp": ln.patient_resp,
                }
                for ln in self.touched.values()
            ],
        )
        self.touched.clear()

    def apply(
        self, claim: _Claim, cp: ClaimPayment
    ) -> tuple[list[tuple[_Line | None, Adjustment_]], list[tuple[_Line | None, ServicePayment]]]:
        """Put the payment on the claim's lines; the adjustments to record, by line, and the
        line each service went to."""
        out: list[tuple[_Line | None, Adjustment_]] = []
        matched: list[tuple[_Line | None, ServicePayment]] = []
        free = list(self.lines.get(claim.id, []))
        for s in cp.services:
            line = line_for(s, free)
            matched.append((line, s))
            if line is not None:
                free.remove(line)
                self.touched[line.id] = line
                line.paid += s.paid
                if s.allowed is not None:
                    line.allowed = s.allowed
            remarks = " ".join(s.remarks)
            for a in s.adjustments:
                if line is not None:
                    if a.group == "PR":
                        line.patient_resp += a.amount
                    else:
                        line.adjusted += a.amount
                out.append((line, (a.group, a.reason, a.amount, remarks)))
            if line is None and s.paid:
                # Paid on a line we cannot place: kept on the claim, so no dollar is lost.
                out.append(
                    (
                        None,
                        ("PD", "PAID", s.paid, f"{s.submitted_code} paid, not matched to a line"),
                    )
                )
        for a in cp.adjustments:
            out.append((None, (a.group, a.reason, a.amount, "")))
        if cp.services:
            # Claim-level adjustments come out of the payment: CLP04 is the lines' SVC03 less
            # them (835 claim balancing). The lines keep what the payer said of each and the
            # difference stays on the claim, so what was paid is what the claim received.
            short = cp.paid - sum((s.paid for s in cp.services), ZERO)
            if short:
                note = "claim-level adjustments taken from the lines' payments"
                out.append((None, ("PD", "CLAIM", short, note)))
        return out, matched

    def state_after(
        self,
        claim: _Claim,
        cp: ClaimPayment,
        adjustments: list[tuple[_Line | None, Adjustment_]],
    ) -> str:
        lines = self.lines.get(claim.id, [])
        paid = sum((ln.paid for ln in lines), ZERO)
        done = sum((ln.paid + ln.adjusted + ln.patient_resp for ln in lines), ZERO)
        claim_level = self.claim_level.get(claim.id, ZERO) + sum(
            (amount for line, (_, _, amount, _) in adjustments if line is None), ZERO
        )
        self.claim_level[claim.id] = claim_level
        open_balance = claim.total_charge - done - claim_level
        if is_unprocessable(cp):
            return "rejected"  # fixed and sent again as a new claim, never appealed
        if cp.is_denied or (paid == ZERO and _denies(cp)):
            return "denied"
        # Nothing paid, and nothing denied: the allowed amount all went to the deductible (or
        # to other shares of the patient's). The claim is adjudicated and the patient owes it.
        return "partially_paid" if open_balance > ZERO else "paid"


Adjustment_ = tuple[str, str, Decimal, str]  # group, reason, amount, remarks
# A payment applied, not yet written: its claim, the CLP, the adjustments by line, and the
# line each of its services went to.
_Pending = tuple[
    "_Claim",
    ClaimPayment,
    list[tuple["_Line | None", Adjustment_]],
    list[tuple["_Line | None", ServicePayment]],
]


@dataclass(slots=True)
class _Claim:
    """A claim's columns that posting reads and changes."""

    id: int
    number: str
    payer_claim_number: str | None
    state: str
    total_charge: Decimal
    payer_ext: str
    date_of_service: date


@dataclass(slots=True)
class _Line:
    """A claim line's columns that posting reads and changes."""

    id: int
    claim_id: int
    code: str
    modifiers: str
    allowed: Decimal | None
    paid: Decimal
    adjusted: Decimal
    patient_resp: Decimal
    line_no: int
    units: int
    expected_allowed: Decimal | None


def _denies(cp: ClaimPayment) -> bool:
    """Some adjustment of the payment takes money the claim was owed (a denial, in the
    root-cause map's words): not the contractual reduction, not the patient's share."""
    adjustments = [*cp.adjustments, *(a for s in cp.services for a in s.adjustments)]
    remarks = (*cp.remarks, *(r for s in cp.services for r in s.remarks))
    return not adjustments or any(
        classify(a.group, a.reason, remarks).denial and a.amount > ZERO for a in adjustments
    )


def duplicate_of_posted(cp: ClaimPayment) -> bool:
    """The payer's answer to a claim sent twice: nothing paid, every adjustment CARC 18 (an
    exact duplicate). It says nothing new about the claim already adjudicated."""
    adjustments = [*cp.adjustments, *(a for s in cp.services for a in s.adjustments)]
    return cp.paid == ZERO and bool(adjustments) and all(a.reason == "18" for a in adjustments)


def _adj_doc(a: object) -> list[str]:
    return [a.group, a.reason, str(a.amount)]  # type: ignore[attr-defined]


# CO-16 with MA130: "no appeal rights are afforded because the claim is unprocessable. Please
# submit a new claim" (the RARC's text).
is_unprocessable = unprocessable


def payment_doc(cp: ClaimPayment) -> dict[str, Any]:
    """The CLP as read, kept with its posting (a specific writer: the generic one is slow)."""
    return {
        "patient_control_number": cp.patient_control_number,
        "status": cp.status,
        "charge": str(cp.charge),
        "paid": str(cp.paid),
        "patient_responsibility": None
        if cp.patient_responsibility is None
        else str(cp.patient_responsibility),
        "payer_claim_number": cp.payer_claim_number,
        "adjustments": [_adj_doc(a) for a in cp.adjustments],
        "remarks": list(cp.remarks),
        "services": [
            {
                "code": sv.code,
                "modifiers": list(sv.modifiers),
                "billed_code": sv.billed_code,
                "billed_modifiers": list(sv.billed_modifiers),
                "charge": str(sv.charge),
                "paid": str(sv.paid),
                "date": sv.date.isoformat() if sv.date else None,
                "adjustments": [_adj_doc(a) for a in sv.adjustments],
                "remarks": list(sv.remarks),
                "allowed": None if sv.allowed is None else str(sv.allowed),
                "units_paid": None if sv.units_paid is None else str(sv.units_paid),
            }
            for sv in cp.services
        ],
    }


def _dec(x: str | None) -> Decimal | None:
    return None if x is None else Decimal(x)


def _adjs(rows: list[list[str]]) -> tuple[Adjustment, ...]:
    return tuple(Adjustment(g, r, Decimal(a)) for g, r, a in rows)


def payment_from_doc(d: dict[str, Any]) -> ClaimPayment:
    """A posted CLP back as a record (what a secondary claim repeats of it)."""
    return ClaimPayment(
        patient_control_number=d["patient_control_number"],
        status=d["status"],
        charge=Decimal(d["charge"]),
        paid=Decimal(d["paid"]),
        patient_responsibility=_dec(d["patient_responsibility"]),
        filing_indicator=d.get("filing_indicator", ""),
        payer_claim_number=d["payer_claim_number"],
        adjustments=_adjs(d["adjustments"]),
        remarks=tuple(d["remarks"]),
        services=tuple(
            ServicePayment(
                code=s["code"],
                modifiers=tuple(s["modifiers"]),
                charge=Decimal(s["charge"]),
                paid=Decimal(s["paid"]),
                units_paid=_dec(s.get("units_paid")),
                billed_code=s["billed_code"],
                billed_modifiers=tuple(s["billed_modifiers"]),
                units_billed=None,
                date=date.fromisoformat(s["date"]) if s["date"] else None,
                adjustments=_adjs(s["adjustments"]),
                remarks=tuple(s["remarks"]),
                allowed=_dec(s["allowed"]),
            )
            for s in d["services"]
        ),
    )


def _match(session: Session, practice_id: int, cp: ClaimPayment) -> tuple[t.Claim | None, str]:
    q = select(t.Claim).where(t.Claim.practice_id == practice_id)
    claim = session.scalar(q.where(t.Claim.number == cp.patient_control_number))
    if claim is not None:
        return claim, ""
    if cp.payer_claim_number:
        claim = session.scalar(q.where(t.Claim.payer_claim_number == cp.payer_claim_number))
        if claim is not None:
            return claim, ""
    day = cp.statement_from or next((s.date for s in cp.services if s.date), None)
    if day is not None and cp.patient_last:
        found = list(
            session.scalars(
                q.join(t.Patient, t.Patient.id == t.Claim.patient_id).where(
                    func.upper(t.Patient.last_name) == cp.patient_last.upper(),
                    t.Claim.date_of_service == day,
                    t.Claim.total_charge == cp.charge,
                )
            )
        )
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            return None, f"{len(found)} claims of {cp.patient_last} on {day} for {cp.charge}"
    return None, (
        f"no claim {cp.patient_control_number!r}, no payer claim number "
        f"{cp.payer_claim_number!r} on file, and no single claim by patient, date "
        "and charge"
    )


class BilledLine(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def modifiers(self) -> str: ...  # "GO:CO"


L = TypeVar("L", bound=BilledLine)


def line_for(s: ServicePayment, free: list[L]) -> L | None:
    """The claim line a service payment is for: by the code and modifiers billed (SVC06 when
    the payer changed them), then by the code alone."""
    mods = ":".join(s.submitted_modifiers)
    for ln in free:
        if ln.code == s.submitted_code and ln.modifiers == mods:
            return ln
    for ln in free:
        if ln.code == s.submitted_code:
            return ln
    return None


# A posting that stands: not reversed, and not itself a reversal (CLP02 22).
STANDING = (t.Posting.reversed.is_(False), t.Posting.status != "22")


def _standing(claim_id: int) -> Select[t.Posting]:
    """The claim's standing postings, the latest first."""
    return (
        select(t.Posting)
        .where(t.Posting.claim_id == claim_id, *STANDING)
        .order_by(t.Posting.id.desc())
    )


def _reverse(
    session: Session, claim: t.Claim, cp: ClaimPayment, remit: t.Remittance, who: str
) -> t.Posting:
    """Undo the posting this reversal names. A payer's reprocessing sends the reversal and the
    new payment together, in either order, often under the same payer claim number: so the
    target is a posting from an earlier remittance first, then one whose payer claim number
    and then whose paid amount the reversal negates, then the latest."""
    postings = list(session.scalars(_standing(claim.id)))
    if not postings:
        raise PostingError(f"reversal of claim {claim.number}: nothing posted to reverse")
    target = max(
        postings,
        key=lambda p: (
            p.remittance_id != remit.id,
            p.payer_claim_number == cp.payer_claim_number,
            p.paid == -cp.paid,
            p.id,
        ),
    )
    target.reversed = True
    lines = {
        ln.id: ln
        for ln in session.scalars(
            select(t.ClaimLine)
            .where(t.ClaimLine.claim_id == claim.id)
            .execution_options(populate_existing=True)  # posting writes lines past the ORM
        )
    }
    for a in session.scalars(select(t.Adjustment).where(t.Adjustment.posting_id == target.id)):
        line = lines.get(a.claim_line_id) if a.claim_line_id else None
        if line is not None:
            if a.group_code == "PR":
                line.patient_resp -= a.amount
            else:
                line.adjusted -= a.amount
    doc = target.doc
    for s in doc.get("services", []):
        code = s.get("billed_code") or s["code"]
        line = next((ln for ln in lines.values() if ln.code == code and ln.paid > ZERO), None)
        if line is not None:
            line.paid -= Decimal(s["paid"])
    reversal = t.Posting(
        remittance_id=remit.id,
        claim_id=claim.id,
        status="22",
        charge=cp.charge,
        paid=cp.paid,
        patient_resp=cp.patient_responsibility or ZERO,
        payer_claim_number=cp.payer_claim_number,
        reversed=True,
        doc=payment_doc(cp),
    )
    session.add(reversal)
    session.flush()
    target.reversed_by_id = reversal.id
    session.flush()
    if claim.state not in ("accepted", "corrected", "voided"):
        move(
            session,
            claim,
            "accepted",
            who,
            f"835 {remit.trace_number}: reversal of the "
            f"payment posted from remittance {target.remittance_id}",
        )
    return target


def balance(session: Session, claim: t.Claim) -> Decimal:
    """The claim's open balance: charge less paid, adjustments and patient responsibility, with
    claim-level adjustments of postings not reversed."""
    lines = list(session.scalars(select(t.ClaimLine).where(t.ClaimLine.claim_id == claim.id)))
    done = sum((ln.paid + ln.adjusted + ln.patient_resp for ln in lines), ZERO)
    claim_level = session.scalars(
        select(t.Adjustment)
        .join(t.Posting, t.Posting.id == t.Adjustment.posting_id)
        .where(
            t.Adjustment.claim_id == claim.id,
            t.Adjustment.claim_line_id.is_(None),
            t.Posting.reversed.is_(False),
        )
    )
    done += sum((a.amount for a in claim_level), ZERO)
    return claim.total_charge - done
