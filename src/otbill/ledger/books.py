"""The books: every claim balances, and the A/R they leave.

Per claim, charge = paid + adjustments + patient responsibility + open balance, where the open
balance may not be negative; the lines' charges add up to the claim's; what the postings say was
paid is what the lines hold. ``verify`` names every break.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otbill.ledger import schema as t
from otbill.ledger.posting import ZERO, balance

OPEN_STATES = frozenset(
    {"submitted", "accepted", "partially_paid", "denied", "appealed", "corrected"}
)
BUCKETS = ((0, 30), (31, 60), (61, 90), (91, 120), (121, None))


def verify(session: Session, practice_id: int | None = None) -> list[str]:
    q = select(t.Claim)
    if practice_id is not None:
        q = q.where(t.Claim.practice_id == practice_id)
    breaks = []
    for claim in session.scalars(q.order_by(t.Claim.practice_id, t.Claim.number)):
        lines = list(session.scalars(select(t.ClaimLine).where(t.ClaimLine.claim_id == claim.id)))
        charges = sum((ln.charge for ln in lines), ZERO)
        if charges != claim.total_charge:
            breaks.append(
                f"claim {claim.number}: lines charge {charges}, claim {claim.total_charge}"
            )
        open_balance = balance(session, claim)
        if open_balance < ZERO:
            breaks.append(
                f"claim {claim.number}: paid, adjusted and patient responsibility exceed "
                f"the charge by {-open_balance}"
            )
        posted = session.scalars(
            select(t.Posting).where(t.Posting.claim_id == claim.id, t.Posting.reversed.is_(False))
        )
        posted_paid = sum((p.paid for p in posted), ZERO)
        line_paid = sum((ln.paid for ln in lines), ZERO)
        unplaced = sum(
            (
                a.amount
                for a in session.scalars(
                    select(t.Adjustment)
                    .join(t.Posting, t.Posting.id == t.Adjustment.posting_id)
                    .where(
                        t.Adjustment.claim_id == claim.id,
                        t.Adjustment.group_code == "PD",
                        t.Posting.reversed.is_(False),
                    )
                )
            ),
            ZERO,
        )
        if posted_paid != line_paid + unplaced:
            breaks.append(
                f"claim {claim.number}: postings paid {posted_paid}, lines hold "
                f"{line_paid + unplaced}"
            )
        for ln in lines:
            if ln.paid < ZERO or ln.patient_resp < ZERO:
                breaks.append(f"claim {claim.number} line {ln.line_no}: negative amounts")
    return breaks


@dataclass
class Aging:
    buckets: dict[str, Decimal] = field(default_factory=lambda: {_label(b): ZERO for b in BUCKETS})

    def add(self, days: int, amount: Decimal) -> None:
        for lo, hi in BUCKETS:
            if days >= lo and (hi is None or days <= hi):
                self.buckets[_label((lo, hi))] += amount
                return

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


def _label(b: tuple[int, int | None]) -> str:
    return f"{b[0]}-{b[1]}" if b[1] is not None else f"over {b[0] - 1}"


@dataclass
class AccountsReceivable:
    as_of: date
    by_payer_dos: dict[str, Aging]
    by_payer_submitted: dict[str, Aging]
    by_patient: dict[str, Aging]
    total: Decimal
    days_in_ar: Decimal | None  # total A/R over the average daily charge of the last 90 days


def accounts_receivable(session: Session, practice_id: int, as_of: date) -> AccountsReceivable:
    by_dos: dict[str, Aging] = defaultdict(Aging)
    by_sub: dict[str, Aging] = defaultdict(Aging)
    by_patient: dict[str, Aging] = defaultdict(Aging)
    patients = {
        p.id: f"{p.last_name}, {p.first_name} ({p.ext_id})"
        for p in session.scalars(select(t.Patient).where(t.Patient.practice_id == practice_id))
    }
    total = ZERO
    recent = ZERO
    # A replaced claim's balance lives on its replacement: counting both would count it twice.
    replaced = set(
        session.scalars(
            select(t.ClaimEdit.claim_number).where(
                t.ClaimEdit.practice_id == practice_id, t.ClaimEdit.kind == "replace"
            )
        )
    )
    posted = set(session.scalars(select(t.Posting.claim_id).where(t.Posting.reversed.is_(False))))
    done = _settled(session, practice_id)
    for claim in session.scalars(select(t.Claim).where(t.Claim.practice_id == practice_id)):
        secondary = bool(claim.doc.get("other_payers"))
        if 0 <= (as_of - claim.date_of_service).days <= 90 and not secondary:
            recent += claim.total_charge  # a service's charge once, not again on its secondary
        if claim.state not in OPEN_STATES or claim.number in replaced:
            continue
        if secondary and claim.id not in posted:
            # Before its 835 a secondary claim is owed what the earlier payers left the patient,
            # not its whole charge, most of which they already paid or adjusted.
            open_balance = _left_by_earlier_payers(claim.doc)
        else:
            open_balance = claim.total_charge - done.get(claim.id, ZERO)
        if open_balance <= ZERO:
            continue
        total += open_balance
        by_dos[claim.payer_ext].add((as_of - claim.date_of_service).days, open_balance)
        sent = claim.submitted_at.date() if claim.submitted_at else claim.date_of_service
        by_sub[claim.payer_ext].add((as_of - sent).days, open_balance)
        by_patient[patients[claim.patient_id]].add(
            (as_of - claim.date_of_service).days, open_balance
        )
    days = None if recent == ZERO else (total / (recent / 90)).quantize(Decimal("0.1"))
    return AccountsReceivable(as_of, dict(by_dos), dict(by_sub), dict(by_patient), total, days)


def _left_by_earlier_payers(doc: dict[str, object]) -> Decimal:
    others: list[dict[str, object]] = doc.get("other_payers", [])  # type: ignore[assignment]
    last = others[-1]
    adjustments = [*last["claim_adjustments"]]  # type: ignore[misc]
    for ln in last["lines"]:  # type: ignore[attr-defined]
        adjustments += ln["adjustments"]
    return sum((Decimal(a["amount"]) for a in adjustments if a["group"] == "PR"), ZERO)


def _settled(session: Session, practice_id: int) -> dict[int, Decimal]:
    """Per claim, what posting.balance subtracts from the charge (lines' paid, adjusted and
    patient share, and claim-level adjustments of postings not reversed), in two grouped
    queries instead of two per claim: a practice's A/R covers tens of thousands of claims."""
    out: dict[int, Decimal] = defaultdict(lambda: ZERO)
    lines = (
        select(
            t.ClaimLine.claim_id,
            func.sum(t.ClaimLine.paid),
            func.sum(t.ClaimLine.adjusted),
            func.sum(t.ClaimLine.patient_resp),
        )
        .join(t.Claim, t.Claim.id == t.ClaimLine.claim_id)
        .where(t.Claim.practice_id == practice_id)
        .group_by(t.ClaimLine.claim_id)
    )
    # func.sum takes its argument's type: the sums come back as Money, exact Decimals.
    for cid, paid, adjusted, pr in session.execute(lines):
        out[cid] += sum((v or ZERO for v in (paid, adjusted, pr)), ZERO)
    claim_level = (
        select(t.Adjustment.claim_id, func.sum(t.Adjustment.amount))
        .join(t.Posting, t.Posting.id == t.Adjustment.posting_id)
        .join(t.Claim, t.Claim.id == t.Adjustment.claim_id)
        .where(
            t.Claim.practice_id == practice_id,
            t.Adjustment.claim_line_id.is_(None),
            t.Posting.reversed.is_(False),
        )
        .group_by(t.Adjustment.claim_id)
    )
    for cid, amount in session.execute(claim_level):
        out[cid] += amount or ZERO
    return out
