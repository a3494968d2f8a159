"""What each patient owes: the patient-responsibility (PR) amounts payers posted, by reason and
by claim, aged from the remittance, and what is still with the payer.

Only what is posted counts: a share falls to the patient when a posted 835 says so (a CAS with
group PR), on the date of its remittance; a claim sent and not yet answered is pending insurance,
not owed. A reversed posting counts until the day of the reversal's remittance. What the patient
has paid (ledger/payments) comes off what payers assigned, the oldest share first, so the aging
shows what has been owed longest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, aliased, load_only

from otbill.codesets.hcpcs import lookup
from otbill.errors import InputError
from otbill.ledger import schema as t
from otbill.ledger.db import in_chunks
from otbill.ledger.payments import Received, payments_by_patient
from otbill.ledger.posting import ZERO, line_for, payment_from_doc
from otbill.load.json_doc import _address
from otbill.model.parties import Address

# Claims a payer has been sent: the ones a patient can owe on, or wait for.
SENT = frozenset(
    {"submitted", "accepted", "paid", "partially_paid", "denied", "appealed", "corrected"}
)
AGING = ((0, 30), (31, 60), (61, 90), (91, None))

# The patient-responsibility reasons a statement explains: (CARC, X12's description, the words a
# patient reads). Source: the X12 Claim Adjustment Reason Code list (code list 139),
# https://x12.org/codes/claim-adjustment-reason-codes; the descriptions as quoted in
# shared/reference/therapy-billing-rules.md §10, and for 26, 35 and 100 as republished in payer
# code tables. The plain words are otbill's own.
PR_REASONS = (
    ("1", "Deductible amount.", "applied to your deductible"),
    ("2", "Coinsurance amount.", "coinsurance"),
    ("3", "Co-payment amount.", "copay"),
    ("26", "Expenses incurred prior to coverage.", "received before your coverage began"),
    ("27", "Expenses incurred after coverage terminated.", "received after your coverage ended"),
    (
        "35",
        "Lifetime benefit maximum has been reached.",
        "your plan's lifetime maximum was reached",
    ),
    (
        "50",
        "These are non-covered services because this is not deemed a 'medical necessity' by the "
        "payer.",
        "your plan did not find it medically necessary",
    ),
    ("96", "Non-covered charge(s).", "not covered by your plan"),
    ("100", "Payment made to patient/insured/responsible party.", "your plan paid you directly"),
    (
        "119",
        "Benefit maximum for this time period or occurrence has been reached.",
        "your plan's limit for the period was reached",
    ),
    (
        "204",
        "This service/equipment/drug is not covered under the patient's current benefit plan.",
        "not covered under your current plan",
    ),
)
_WORDS = {code: words for code, _, words in PR_REASONS}


def why(reason: str) -> str:
    """A PR reason in plain words; a reason the table lacks is shown by its code alone."""
    return _WORDS.get(reason, "your share")


@dataclass(frozen=True, slots=True)
class Share:
    """Part of a charge the payer assigned to the patient, and why."""

    group: str  # always PR: kept so the code reads as payers print it (PR-2)
    reason: str  # CARC
    amount: Decimal
    why: str


@dataclass(frozen=True, slots=True)
class ServiceLine:
    code: str
    description: str
    units: int
    charge: Decimal
    insurance_paid: Decimal
    adjusted: Decimal  # CO, OA, PI, CR: not billed to the patient
    shares: tuple[Share, ...]

    @property
    def patient_share(self) -> Decimal:
        return sum((s.amount for s in self.shares), ZERO)


@dataclass(frozen=True, slots=True)
class ClaimDetail:
    """A claim (one date of service) as the patient sees it."""

    number: str
    date_of_service: date
    payer: str
    pending: bool  # sent, no answer posted: nothing owed on it yet
    remitted_on: date | None  # the latest remittance posted to it
    lines: tuple[ServiceLine, ...]
    # What the payer put on the claim and on none of its lines.
    claim_paid: Decimal
    claim_adjusted: Decimal
    claim_shares: tuple[Share, ...]

    @property
    def charge(self) -> Decimal:
        return sum((ln.charge for ln in self.lines), ZERO)

    @property
    def insurance_paid(self) -> Decimal:
        return self.claim_paid + sum((ln.insurance_paid for ln in self.lines), ZERO)

    @property
    def adjusted(self) -> Decimal:
        return self.claim_adjusted + sum((ln.adjusted for ln in self.lines), ZERO)

    @property
    def patient_share(self) -> Decimal:
        own = sum((s.amount for s in self.claim_shares), ZERO)
        return own + sum((ln.patient_share for ln in self.lines), ZERO)


@dataclass(frozen=True, slots=True)
class PatientBalance:
    patient_id: str  # the patient's id at the practice: the statement's account number
    last_name: str
    first_name: str
    owed: Decimal  # shares less what the patient paid; below zero, a credit to refund
    by_reason: tuple[Share, ...]  # summed per group and reason
    aging: tuple[tuple[str, Decimal], ...]  # ("0-30", amount), ... of what is owed
    pending_insurance: Decimal  # the charges of claims still with the payer
    pending_claims: int
    claims: tuple[ClaimDetail, ...]  # those with a share of the patient's, or pending
    shares: Decimal = ZERO  # what payers assigned to the patient
    paid: Decimal = ZERO  # what the patient paid, less what was given back
    payments: tuple[Received, ...] = ()


@dataclass(frozen=True, slots=True)
class Statement:
    as_of: date
    practice_name: str
    practice_address: Address | None
    patient_address: Address | None
    balance: PatientBalance


def patient_balances(session: Session, practice_id: int, as_of: date) -> list[PatientBalance]:
    """Every patient of the practice who owes something or waits on a payer, as of a day."""
    return [b for b in _balances(session, practice_id, as_of) if b.owed != ZERO or b.pending_claims]


def statement_for(session: Session, practice_id: int, patient_id: str, as_of: date) -> Statement:
    """One patient's balance with what a statement prints beside it; ``patient_id`` is the
    patient's id at the practice."""
    patient = session.scalar(
        select(t.Patient).where(
            t.Patient.practice_id == practice_id, t.Patient.ext_id == patient_id
        )
    )
    if patient is None:
        raise InputError("patient", f"no patient {patient_id!r} at this practice")
    practice = session.get(t.Practice, practice_id)
    assert practice is not None
    (balance,) = _balances(session, practice_id, as_of, patient.id)
    return Statement(
        as_of,
        practice.name,
        _address(practice.doc.get("address")),
        _address(patient.doc.get("address")),
        balance,
    )


def _balances(
    session: Session, practice_id: int, as_of: date, patient_id: int | None = None
) -> list[PatientBalance]:
    of_claims = [t.Claim.practice_id == practice_id, t.Claim.state.in_(SENT)]
    of_patients = [t.Patient.practice_id == practice_id]
    if patient_id is not None:
        of_claims.append(t.Claim.patient_id == patient_id)
        of_patients.append(t.Patient.id == patient_id)
    rows = _read(session, practice_id, as_of, of_claims)
    # A share the primary left goes to the secondary payer first (its claim is "<number>-2",
    # ledger/secondary): the patient owes what the secondary leaves, shown on that claim.
    to_secondary = {
        number[: -len("-2")]
        for number, doc in session.execute(
            select(t.Claim.number, t.Claim.doc).where(
                t.Claim.practice_id == practice_id,
                t.Claim.number.like("%-2"),
                t.Claim.state.notin_(("voided",)),
            )
        )
        if doc.get("other_payers")
    }
    details: dict[int, list[ClaimDetail]] = defaultdict(list)
    aged: dict[int, dict[str, Decimal]] = defaultdict(lambda: {_label(b): ZERO for b in AGING})
    for row in session.execute(
        select(
            t.Claim.id,
            t.Claim.number,
            t.Claim.patient_id,
            t.Claim.payer_ext,
            t.Claim.date_of_service,
            t.Claim.submitted_at,
        )
        .where(*of_claims)
        .order_by(t.Claim.date_of_service, t.Claim.number)
    ):
        c = _Claim(*row)
        payer = rows.payers.get(c.payer_ext, c.payer_ext)
        if c.id not in rows.paid:
            if c.submitted_at is None or c.submitted_at.date() <= as_of:
                details[c.patient_id].append(_pending(c, payer, rows.lines[c.id]))
            continue
        if c.number in to_secondary:
            continue
        detail = _posted(c, payer, rows)
        if detail.patient_share == ZERO:
            continue  # insurance settled it: nothing of the patient's to show
        details[c.patient_id].append(detail)
        for a in rows.adjustments.get(c.id, []):
            if a.group == "PR":
                aged[c.patient_id][_bucket((as_of - rows.day[a.posting_id]).days)] += a.amount
    patients = session.scalars(
        select(t.Patient)
        .where(*of_patients)
        .options(
            load_only(t.Patient.id, t.Patient.ext_id, t.Patient.last_name, t.Patient.first_name)
        )
        .order_by(t.Patient.last_name, t.Patient.first_name, t.Patient.ext_id)
    )
    paid = payments_by_patient(session, practice_id, as_of, patient_id)
    return [
        _balance(pt, details.get(pt.id, []), aged[pt.id], paid.get(pt.id, [])) for pt in patients
    ]


class _Claim(NamedTuple):
    id: int
    number: str
    patient_id: int
    payer_ext: str
    date_of_service: date
    submitted_at: datetime | None


class _Line(NamedTuple):
    id: int
    claim_id: int
    code: str
    modifiers: str
    units: int
    charge: Decimal
    paid: Decimal


class _Adj(NamedTuple):
    posting_id: int
    claim_id: int
    line_id: int | None
    group: str
    reason: str
    amount: Decimal


@dataclass
class _Rows:
    """The claims' rows as of the day, by claim. Plain rows, each table read once: a practice
    has tens of thousands of claims."""

    payers: dict[str, str]  # ext id -> name
    lines: dict[int, list[_Line]]
    paid: dict[int, Decimal]  # what the postings remitted by the day paid (CLP04)
    remitted: dict[int, date]  # the latest of those remittances
    day: dict[int, date]  # posting id -> the date of its remittance, for those postings
    adjustments: dict[int, list[_Adj]]  # of those postings
    # Line id -> paid by the day, for a claim also paid after it: the line's own figure
    # holds both payments.
    paid_then: dict[int, Decimal]


def _read(
    session: Session, practice_id: int, as_of: date, of_claims: list[ColumnElement[bool]]
) -> _Rows:
    payers = select(t.Payer.ext_id, t.Payer.name).where(t.Payer.practice_id == practice_id)
    rows = _Rows(dict(session.execute(payers).all()), defaultdict(list), {}, {}, {}, {}, {})
    for ln in session.execute(
        select(
            t.ClaimLine.id,
            t.ClaimLine.claim_id,
            t.ClaimLine.code,
            t.ClaimLine.modifiers,
            t.ClaimLine.units,
            t.ClaimLine.charge,
            t.ClaimLine.paid,
        )
        .join(t.Claim, t.Claim.id == t.ClaimLine.claim_id)
        .where(*of_claims)
        .order_by(t.ClaimLine.claim_id, t.ClaimLine.line_no)
    ):
        rows.lines[ln.claim_id].append(_Line(*ln))
    later = set()
    undoing = aliased(t.Posting)
    undone = aliased(t.Remittance)
    for (
        posting_id,
        claim_id,
        paid,
        paid_on,
        posted_at,
        reversed_,
        undone_on,
        undone_at,
    ) in session.execute(
        select(
            t.Posting.id,
            t.Posting.claim_id,
            t.Posting.paid,
            t.Remittance.paid_on,
            t.Remittance.posted_at,
            t.Posting.reversed,
            undone.paid_on,
            undone.posted_at,
        )
        .join(t.Remittance, t.Remittance.id == t.Posting.remittance_id)
        .join(t.Claim, t.Claim.id == t.Posting.claim_id)
        .outerjoin(undoing, undoing.id == t.Posting.reversed_by_id)
        .outerjoin(undone, undone.id == undoing.remittance_id)
        .where(*of_claims, t.Remittance.practice_id == practice_id, t.Posting.status != "22")
    ):
        when = paid_on or posted_at.date()
        if reversed_:
            # Counted until the reversal's remittance; one reversed before the link was kept
            # counts for nothing.
            if undone_at is None or (undone_on or undone_at.date()) <= as_of:
                continue
            later.add(claim_id)  # its lines no longer hold this payment
        if when > as_of:
            later.add(claim_id)
            continue
        rows.day[posting_id] = when
        rows.paid[claim_id] = rows.paid.get(claim_id, ZERO) + paid
        rows.remitted[claim_id] = max(when, rows.remitted.get(claim_id, when))
    for a in session.execute(
        select(
            t.Adjustment.posting_id,
            t.Adjustment.claim_id,
            t.Adjustment.claim_line_id,
            t.Adjustment.group_code,
            t.Adjustment.reason,
            t.Adjustment.amount,
        )
        .join(t.Claim, t.Claim.id == t.Adjustment.claim_id)
        .where(*of_claims)
        .order_by(t.Adjustment.id)
    ):
        if a.posting_id in rows.day:
            rows.adjustments.setdefault(a.claim_id, []).append(_Adj(*a))
    rows.paid_then = _paid_then(session, sorted(later & rows.paid.keys()), rows)
    return rows


def _balance(
    pt: t.Patient,
    claims: list[ClaimDetail],
    aged: dict[str, Decimal],
    payments: list[Received],
) -> PatientBalance:
    pending = [d for d in claims if d.pending]
    shares = _merge(
        s for d in claims for s in (*d.claim_shares, *(s for ln in d.lines for s in ln.shares))
    )
    assigned = sum((s.amount for s in shares), ZERO)
    paid = sum((p.amount for p in payments), ZERO)
    return PatientBalance(
        pt.ext_id,
        pt.last_name,
        pt.first_name,
        assigned - paid,
        shares,
        _apply(aged, paid),
        sum((d.charge for d in pending), ZERO),
        len(pending),
        tuple(claims),
        assigned,
        paid,
        tuple(payments),
    )


def _apply(aged: dict[str, Decimal], paid: Decimal) -> tuple[tuple[str, Decimal], ...]:
    """The aging after the patient's payments, taken off the oldest bucket first; what they
    paid beyond every share stays as a credit in the newest. A bucket below zero (a share a
    later 835 took back) is taken off the oldest the same way, as a payment would be."""
    left = dict(aged)
    labels = list(left)
    for label in labels:
        if left[label] < ZERO:
            paid -= left[label]
            left[label] = ZERO
    for label in reversed(labels):
        if paid <= ZERO:
            break
        taken = min(paid, max(left[label], ZERO))
        left[label] -= taken
        paid -= taken
    if paid != ZERO:
        left[labels[0]] -= paid
    return tuple(left.items())


def _pending(c: _Claim, payer: str, lines: Sequence[_Line]) -> ClaimDetail:
    return ClaimDetail(
        c.number,
        c.date_of_service,
        payer,
        True,
        None,
        tuple(
            ServiceLine(ln.code, _describe(ln.code), ln.units, ln.charge, ZERO, ZERO, ())
            for ln in lines
        ),
        ZERO,
        ZERO,
        (),
    )


def _posted(c: _Claim, payer: str, rows: _Rows) -> ClaimDetail:
    lines = rows.lines[c.id]
    paid = {ln.id: rows.paid_then.get(ln.id, ln.paid) for ln in lines}
    adjusted: dict[int | None, Decimal] = {}
    shares: dict[int | None, list[Share]] = defaultdict(list)
    for a in rows.adjustments.get(c.id, []):
        if a.group == "PD":
            continue  # a payment on no line: in what the claim was paid, less its lines'
        if a.group == "PR":
            shares[a.line_id].append(Share(a.group, a.reason, a.amount, why(a.reason)))
        else:
            adjusted[a.line_id] = adjusted.get(a.line_id, ZERO) + a.amount
    return ClaimDetail(
        c.number,
        c.date_of_service,
        payer,
        False,
        rows.remitted[c.id],
        tuple(
            ServiceLine(
                ln.code,
                _describe(ln.code),
                ln.units,
                ln.charge,
                paid[ln.id],
                adjusted.get(ln.id, ZERO),
                _merge(shares[ln.id]),
            )
            for ln in lines
        ),
        # Not on a line: paid on none, or (negative) a claim-level adjustment that the lines'
        # payments do not show.
        rows.paid[c.id] - sum(paid.values(), ZERO),
        adjusted.get(None, ZERO),
        _merge(shares[None]),
    )


def _paid_then(session: Session, claim_ids: Sequence[int], rows: _Rows) -> dict[int, Decimal]:
    """What each line of these claims was paid by the postings remitted by the day, each
    posting's services placed on the claim's lines as posting places them: by the code and
    modifiers billed, then by the code alone."""
    paid = {ln.id: ZERO for c in claim_ids for ln in rows.lines[c]}
    query = select(t.Posting.id, t.Posting.claim_id, t.Posting.doc).order_by(t.Posting.id)
    for posting_id, claim_id, doc in in_chunks(session, query, t.Posting.claim_id, claim_ids):
        if posting_id not in rows.day:
            continue
        free = list(rows.lines[claim_id])
        for s in payment_from_doc(doc).services:
            line = line_for(s, free)
            if line is not None:
                free.remove(line)
                paid[line.id] += s.paid
    return paid


def _merge(shares: Iterable[Share]) -> tuple[Share, ...]:
    """One share per group and reason, in code order (1, 2, 3 ... 204)."""
    total: dict[tuple[str, str], Decimal] = {}
    for s in shares:
        total[(s.group, s.reason)] = total.get((s.group, s.reason), ZERO) + s.amount
    merged = [Share(g, r, amount, why(r)) for (g, r), amount in total.items() if amount != ZERO]
    return tuple(sorted(merged, key=lambda s: s.reason.zfill(5)) if len(merged) > 1 else merged)


def _describe(code: str) -> str:
    found = lookup(code)
    return found.description if found else ""


def _label(bucket: tuple[int, int | None]) -> str:
    lo, hi = bucket
    return f"{lo}-{hi}" if hi is not None else f"over {lo - 1}"


def _bucket(days: int) -> str:
    return _label(next(b for b in AGING if b[1] is None or days <= b[1]))
