"""Payments patients make to the practice: recorded, returned (a check that bounced, a refund),
and read back for balances and statements.

The table is append-only. A return is a row of its own with the amount negative, naming the
payment it undoes, dated when the money went back; the payment it undoes keeps its own date.
So a balance as of any day counts what had been received and returned by that day, and the
record of who took or returned what, when and why is never rewritten.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from otbill.errors import OtbillError
from otbill.ledger import schema as t

METHODS = ("cash", "check", "card", "other")
CENT = Decimal("0.01")
MOST = Decimal("1000000000000")  # NUMERIC(14,2) holds less than a trillion


class PaymentError(OtbillError):
    """A patient payment that cannot be recorded or returned as asked; nothing was written."""


@dataclass(frozen=True, slots=True)
class Received:
    """A patient payment, or (negative) the return of one."""

    id: int
    received_on: date
    amount: Decimal
    method: str
    reference: str
    undoes: int | None  # the payment a return gives back
    who: str
    why: str


def record_payment(
    session: Session,
    practice_id: int,
    patient: str,
    amount: Decimal,
    received_on: date,
    method: str,
    reference: str = "",
    who: str = "otbill",
    why: str = "",
) -> Received:
    """Record money a patient paid; ``patient`` is the patient's id at the practice. The same
    check (patient, reference, amount and day) is not taken twice."""
    if not amount.is_finite() or amount <= 0:
        raise PaymentError(f"a payment is more than $0.00 (got {amount}): a refund is a return")
    if amount != amount.quantize(CENT):
        raise PaymentError(f"{amount}: a payment is in dollars and cents")
    if amount >= MOST:
        raise PaymentError(f"${amount:,.2f} is more than a ledger amount holds (NUMERIC(14,2))")
    if method not in METHODS:
        raise PaymentError(f"method {method!r}: one of {', '.join(METHODS)}")
    patient_id = _patient(session, practice_id, patient)
    _lock(session, patient_id)
    if reference:
        returned = select(t.PatientPayment.undoes_id).where(t.PatientPayment.undoes_id.isnot(None))
        same = session.scalar(
            select(t.PatientPayment.id).where(
                t.PatientPayment.patient_id == patient_id,
                t.PatientPayment.reference == reference,
                t.PatientPayment.amount == amount,
                t.PatientPayment.received_on == received_on,
                t.PatientPayment.undoes_id.is_(None),
                t.PatientPayment.id.notin_(returned),
            )
        )
        if same is not None:
            raise PaymentError(
                f"payment {same} already records {method} {reference} of ${amount:,.2f} from "
                f"{patient} on {received_on}"
            )
    return _add(
        session,
        t.PatientPayment(
            practice_id=practice_id,
            patient_id=patient_id,
            received_on=received_on,
            amount=amount,
            method=method,
            reference=reference,
            undoes_id=None,
            who=who,
            why=why,
        ),
    )


def return_payment(
    session: Session, practice_id: int, payment_id: int, on: date, who: str, why: str
) -> Received:
    """Give a payment back (a returned check, a refund) on ``on``, with why."""
    if not why.strip():
        raise PaymentError("a return needs a reason (--why)")
    payment = session.scalar(
        select(t.PatientPayment).where(
            t.PatientPayment.id == payment_id, t.PatientPayment.practice_id == practice_id
        )
    )
    if payment is None:
        raise PaymentError(f"no patient payment {payment_id} at this practice")
    _lock(session, payment.patient_id)
    if payment.undoes_id is not None:
        raise PaymentError(f"payment {payment_id} is itself the return of {payment.undoes_id}")
    done = session.scalar(select(t.PatientPayment).where(t.PatientPayment.undoes_id == payment_id))
    if done is not None:
        raise PaymentError(
            f"payment {payment_id} was already returned on {done.received_on} ({done.id})"
        )
    if on < payment.received_on:
        raise PaymentError(
            f"payment {payment_id} was received on {payment.received_on}: it cannot be "
            f"returned on {on}"
        )
    return _add(
        session,
        t.PatientPayment(
            practice_id=practice_id,
            patient_id=payment.patient_id,
            received_on=on,
            amount=-payment.amount,
            method=payment.method,
            reference=payment.reference,
            undoes_id=payment.id,
            who=who,
            why=why,
        ),
    )


def payments_by_patient(
    session: Session, practice_id: int, as_of: date, patient_id: int | None = None
) -> dict[int, list[Received]]:
    """Payments and returns dated by ``as_of``, by patient row id, oldest first."""
    q = select(t.PatientPayment).where(
        t.PatientPayment.practice_id == practice_id, t.PatientPayment.received_on <= as_of
    )
    if patient_id is not None:
        q = q.where(t.PatientPayment.patient_id == patient_id)
    out: dict[int, list[Received]] = defaultdict(list)
    for row in session.scalars(q.order_by(t.PatientPayment.received_on, t.PatientPayment.id)):
        out[row.patient_id].append(_received(row))
    return out


def _patient(session: Session, practice_id: int, ext_id: str) -> int:
    found = session.scalar(
        select(t.Patient.id).where(t.Patient.practice_id == practice_id, t.Patient.ext_id == ext_id)
    )
    if found is None:
        raise PaymentError(f"no patient {ext_id!r} at this practice")
    return found


def _add(session: Session, row: t.PatientPayment) -> Received:
    """The row written, stamped with when it was recorded."""
    row.at = datetime.now(UTC)
    session.add(row)
    session.flush()
    return _received(row)


def _lock(session: Session, patient_id: int) -> None:
    """Hold the patient's row until the transaction ends, so that two clerks entering the same
    check, or returning the same payment, at once are taken one after the other and the second
    is refused: an UPDATE locks the row on PostgreSQL and takes SQLite's write lock, where a
    SELECT ... FOR UPDATE would lock nothing on SQLite."""
    table = cast(Table, t.Patient.__table__)
    session.execute(update(table).where(table.c.id == patient_id).values(ext_id=table.c.ext_id))


def _received(row: t.PatientPayment) -> Received:
    return Received(
        row.id,
        row.received_on,
        row.amount,
        row.method,
        row.reference,
        row.undoes_id,
        row.who,
        row.why,
    )
