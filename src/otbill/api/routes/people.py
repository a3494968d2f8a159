"""Patients (balances, statements, payments at the front desk) and eligibility (a 270 out, a
271 read: coverage, therapy benefits, visits left)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select

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
    ctx: Ctx = Depends(require("eligibility:run", "eligibility.response", "C")),
) -> list[dict[str, Any]]:
    """A 271 read and kept: per subscriber, active or not, the plan dates, therapy benefits
    (co-pay, co-insurance, deductible left), visits allowed and left, what the payer said, and
    the patient it belongs to (by the member id on file); each is then a check under
    GET /eligibility."""
    from otbill.ledger.eligibility import keep_271

    kept = keep_271(
        ctx.db,
        ctx.practice_id,
        file.file.read().decode("utf-8", errors="replace"),
        ctx.actor.username,
    )
    ctx.audit(f"271 with {len(kept)} responses", checks=[r.id for r, _ in kept])
    patients = _ext_ids(ctx, [r.patient_id for r, _ in kept])
    return [_check(r, patients, answer) for r, answer in kept]


def _ext_ids(ctx: Ctx, ids: list[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    q = select(t.Patient.id, t.Patient.ext_id).where(t.Patient.id.in_(wanted))
    return {pid: ext for pid, ext in ctx.db.execute(q).all()}  # noqa: C416 - rows, not pairs


def _check(
    r: t.EligibilityCheck, patients: dict[int, str], answer: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        **(answer if answer is not None else r.doc),
        "check": r.id,
        "patient": patients.get(r.patient_id) if r.patient_id is not None else None,
        "received_at": r.received_at,
        "by": r.who,
    }


@router.get("/eligibility")
def checks(
    patient: str | None = Query(None, description="Only this patient's checks."),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    ctx: Ctx = Depends(require("patients:read", "eligibility.list")),
) -> dict[str, Any]:
    """The 271 answers kept, newest first."""
    E = t.EligibilityCheck
    where = [E.practice_id == ctx.practice_id]
    if patient is not None:
        where.append(E.patient_id == _patient(ctx, patient).id)
    total = ctx.db.scalar(select(func.count()).select_from(E).where(*where)) or 0
    rows = list(
        ctx.db.scalars(
            select(E).where(*where).order_by(E.received_at.desc(), E.id.desc())
            .limit(limit).offset(offset)
        )
    )  # fmt: skip
    ctx.audit(f"eligibility checks {offset}-{offset + len(rows)} of {total}")
    patients = _ext_ids(ctx, [r.patient_id for r in rows])
    return {
        "items": [_check(r, patients) for r in rows],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


@router.get("/eligibility/{check_id}")
def check(
    check_id: int, ctx: Ctx = Depends(require("patients:read", "eligibility.read"))
) -> dict[str, Any]:
    r = ctx.db.get(t.EligibilityCheck, check_id)
    if r is None or r.practice_id != ctx.practice_id:
        raise not_found()
    ctx.audit(f"eligibility check {check_id}", patient_id=r.patient_id)
    return _check(r, _ext_ids(ctx, [r.patient_id]))
