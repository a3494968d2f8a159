"""Patients (balances, statements, payments at the front desk) and eligibility (a 270 out, a
271 read: coverage, therapy benefits, visits left)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from otbill.api.deps import Ctx, require, today
from otbill.api.fast import JSONRoute
from otbill.api.problems import Problem, not_found
from otbill.ledger import schema as t

router = APIRouter(
    prefix="/api/practices/{practice_id}", tags=["patients", "eligibility"], route_class=JSONRoute
)


def _patient(ctx: Ctx, patient: str) -> t.Patient:
    row = ctx.db.scalar(
        select(t.Patient).where(
            t.Patient.practice_id == ctx.practice_id, t.Patient.ext_id == patient
        )
    )
    if row is None:
        raise not_found()
    ctx.audit(f"patient {patient}", patient_id=row.id)
    return row


@router.get("/patients")
def patients(
    owing: bool = False, ctx: Ctx = Depends(require("patients:read", "patient.list"))
) -> list[dict[str, Any]]:
    from otbill.ledger.patients import patient_balances

    rows = patient_balances(ctx.db, ctx.practice_id, today())
    ctx.audit("patients", count=len(rows))
    return [
        {
            "patient": b.patient_id,
            "name": f"{b.last_name}, {b.first_name}",
            "owed": b.owed,
            "paid": b.paid,
        }
        for b in rows
        if not owing or b.owed > 0
    ]


@router.get("/patients/{patient}")
def patient(
    patient: str, ctx: Ctx = Depends(require("patients:read", "patient.read"))
) -> dict[str, Any]:
    from otbill.ledger.patients import statement_for

    row = _patient(ctx, patient)
    st = statement_for(ctx.db, ctx.practice_id, patient, today())
    claims = ctx.db.scalars(
        select(t.Claim).where(t.Claim.patient_id == row.id).order_by(t.Claim.date_of_service)
    )
    return {
        "patient": row.ext_id,
        "name": f"{row.last_name}, {row.first_name}",
        "owed": st.balance.owed,
        "aging": st.balance.aging,
        "claims": [
            {
                "number": c.number,
                "state": c.state,
                "date_of_service": c.date_of_service,
                "payer": c.payer_ext,
                "charge": c.total_charge,
            }
            for c in claims
        ],
    }


@router.get("/patients/{patient}/statement.pdf")
def statement(
    patient: str, ctx: Ctx = Depends(require("patients:read", "patient.statement"))
) -> Response:
    from otbill.forms.statement import render_statement
    from otbill.ledger.patients import statement_for

    _patient(ctx, patient)
    pdf = render_statement(statement_for(ctx.db, ctx.practice_id, patient, today()))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="statement-{patient}.pdf"'},
    )


class PaymentBody(BaseModel):
    amount: str = Field(description='Dollars and cents, e.g. "20.00"')
    method: str = Field(pattern="^(cash|check|card|other)$")
    reference: str = ""
    received_on: date | None = None


@router.post("/patients/{patient}/payments")
def payment(
    patient: str,
    body: PaymentBody,
    ctx: Ctx = Depends(require("patients:pay", "patient.payment", "C")),
) -> dict[str, Any]:
    from otbill.ledger.payments import record_payment

    _patient(ctx, patient)
    try:
        amount = Decimal(body.amount.replace(",", ""))
    except InvalidOperation:
        raise Problem(422, f"not an amount: {body.amount!r}", "amount") from None
    r = record_payment(
        ctx.db,
        ctx.practice_id,
        patient,
        amount,
        body.received_on or today(),
        body.method,
        body.reference,
        ctx.actor.username,
        "front desk",
    )
    return {"payment": r.id, "amount": r.amount, "received_on": r.received_on}


@router.post("/eligibility/270")
def inquiry(
    patient: list[str] = Query(default=[], description="Patients' ids; none: those seen on --date"),
    on: date | None = Query(None, description="Service date; default tomorrow's schedule"),
    ctx: Ctx = Depends(require("eligibility:run", "eligibility.inquiry", "E")),
) -> Response:
    """An eligibility inquiry (270) for the patients named, or for every patient with a visit
    on the date (tomorrow's schedule)."""
    from otbill.ledger.eligibility import inquiries_270

    day = on or date.fromordinal(today().toordinal() + 1)
    text, count = inquiries_270(ctx.db, ctx.practice_id, patient, day)
    ctx.audit(f"270 for {count} coverages on {day}")
    return Response(
        text,
        media_type="application/edi-x12",
        headers={
            "Content-Disposition": f'attachment; filename="eligibility-{day}.270"',
            "X-Inquiries": str(count),
        },
    )


@router.post("/eligibility/271")
def response_271(
    file: UploadFile = File(...),
    ctx: Ctx = Depends(require("eligibility:run", "eligibility.response", "R")),
) -> list[dict[str, Any]]:
    """A 271 read: per subscriber, active or not, the plan dates, therapy benefits (co-pay,
    co-insurance, deductible left), visits allowed and left, and what the payer said."""
    from otbill.ledger.eligibility import read_271_text

    out = read_271_text(file.file.read().decode("utf-8", errors="replace"))
    ctx.audit(f"271 with {len(out)} responses")
    return out
