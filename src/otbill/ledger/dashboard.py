"""What a practice's dashboard shows, read from the ledger as it stands: its claims and their
money by state (books.claim_totals), the denial queue's size, amount and nearest deadlines
(denials.queue_page), and the A/R by age (books.accounts_receivable). Sums of what those give,
nothing more: rates and trends are the reports' (ledger/reports), not worked out here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from otbill.ledger import schema as t
from otbill.ledger.books import AccountsReceivable, Aging, accounts_receivable, totals_by_state
from otbill.ledger.denials import ItemView, deadline_counts, queue_page
from otbill.ledger.lifecycle import STATES
from otbill.ledger.posting import ZERO

NEAREST = 5  # deadlines listed
SOON = 14  # days: a deadline this near is counted as due soon


@dataclass(frozen=True)
class StateMoney:
    state: str
    claims: int
    charge: Decimal
    paid: Decimal
    adjusted: Decimal  # the payers' adjustments but the patient's share
    patient: Decimal  # PR: the patient's share
    balance: Decimal  # still open on the claims


@dataclass(frozen=True)
class Queue:
    open: int
    amount: Decimal
    waiting: int  # appealed or corrected: the payer's answer is awaited
    overdue: int  # open past their deadline
    due_soon: int  # open with a deadline within SOON days
    nearest: tuple[ItemView, ...]  # open, soonest deadline first


@dataclass(frozen=True)
class Dashboard:
    practice_id: int
    name: str
    as_of: date
    by_state: tuple[StateMoney, ...]  # the lifecycle's order, states with no claim left out
    claims: int
    queue: Queue
    buckets: tuple[str, ...]  # the A/R's age buckets, in order
    ar: AccountsReceivable

    @property
    def ar_by_bucket(self) -> dict[str, Decimal]:
        """The A/R of every payer together, per age bucket (by date of service)."""
        out = dict.fromkeys(self.buckets, ZERO)
        for aging in self.ar.by_payer_dos.values():
            for k, v in aging.buckets.items():
                out[k] += v
        return out


def dashboard(session: Session, practice_id: int, today: date) -> Dashboard:
    practice = session.get(t.Practice, practice_id)
    if practice is None:
        raise ValueError(f"no practice {practice_id}")
    sums = totals_by_state(session, practice_id)
    by_state = tuple(
        StateMoney(k, n, c.charge, c.paid, c.adjusted, c.patient, c.open)
        for k in STATES
        if k in sums
        for n, c in (sums[k],)
    )
    # The queue counted in the database; only its nearest deadlines read as items.
    head = queue_page(session, practice_id, today, limit=NEAREST)
    waiting = queue_page(session, practice_id, today, state="waiting", limit=0)
    overdue, due_soon = deadline_counts(session, practice_id, today, SOON)
    queue = Queue(
        open=head.total,
        amount=head.amount,
        waiting=waiting.total,
        overdue=overdue,
        due_soon=due_soon,
        nearest=tuple(v for v in head.items if v.due_on is not None),
    )
    return Dashboard(
        practice_id,
        practice.name,
        today,
        by_state,
        sum(n for n, _ in sums.values()),
        queue,
        tuple(Aging().buckets),
        accounts_receivable(session, practice_id, today),
    )


def as_dict(d: Dashboard) -> dict[str, Any]:
    """The dashboard as the API answers it (money as Decimals: the API writes them exactly)."""
    return {
        "practice": d.practice_id,
        "name": d.name,
        "as_of": d.as_of,
        "claims": d.claims,
        "by_state": [s.__dict__ for s in d.by_state],
        "denials": {
            "open": d.queue.open,
            "amount": d.queue.amount,
            "waiting": d.queue.waiting,
            "overdue": d.queue.overdue,
            "due_soon": d.queue.due_soon,
            "due_soon_days": SOON,
            "nearest": [
                {
                    "item": v.id,
                    "claim": v.claim,
                    "reason": v.reason,
                    "amount": v.amount,
                    "due_on": v.due_on,
                    "days_left": v.days_left,
                }
                for v in d.queue.nearest
            ],
        },
        "ar": {
            "total": d.ar.total,
            "days_in_ar": d.ar.days_in_ar,
            "buckets": d.ar_by_bucket,
            "by_payer": {p: a.buckets for p, a in sorted(d.ar.by_payer_dos.items())},
        },
    }
