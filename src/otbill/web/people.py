"""Patients (balances, one patient's claims and aging, the statement, a payment taken at the
front desk) and eligibility (a 270 for a patient or a day's schedule, a 271 read into coverage,
therapy benefits and visits left), through the API's routes."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from otbill.api.deps import Ctx, require, today
from otbill.api.routes import people as api
from otbill.ledger import schema as t
from otbill.ledger.eligibility import THERAPY_TYPES
from otbill.web.common import Refused, attempt, body, page_router, practice
from otbill.web.render import page, redirect

router = page_router()
METHODS = ("card", "cash", "check", "other")
# X12 service type codes (code list 1365) the 271 summary reads, in words.
SERVICE_TYPES = {
    "30": "plan coverage",
    "AD": "occupational therapy",
    "PT": "physical therapy",
    "AF": "speech therapy",
}
assert set(SERVICE_TYPES) == set(THERAPY_TYPES)


@router.get("/p/{practice_id}/patients")
def patients_page(
    request: Request,
    owing: bool = False,
    ctx: Ctx = Depends(require("patients:read", "patient.list")),
) -> Response:
    rows = api.patients(owing, ctx)
    return page(
        request,
        "patients.html",
        actor=ctx.actor,
        practice=practice(ctx),
        current="patients",
        rows=rows,
        owing=owing,
    )


def _patient(
    request: Request, ctx: Ctx, patient: str, error: str = "", status: int = 200, **form: str
) -> Response:
    data = api.patient(patient, ctx)  # 404 unless the patient is this practice's
    return page(
        request,
        "patient.html",
        actor=ctx.actor,
        practice=practice(ctx),
        current="patients",
        status=status,
        error=error,
        p=data,
        methods=METHODS,
        today=today(),
        form=form,
    )


@router.get("/p/{practice_id}/patients/{patient}")
def patient_page(
    request: Request, patient: str, ctx: Ctx = Depends(require("patients:read", "patient.read"))
) -> Response:
    return _patient(request, ctx, patient)


@router.post("/p/{practice_id}/patients/{patient}/payments")
def payment_form(
    request: Request,
    patient: str,
    amount: str = Form(""),
    method: str = Form(""),
    reference: str = Form(""),
    received_on: str = Form(""),
    ctx: Ctx = Depends(require("patients:pay", "patient.payment", "C")),
) -> Response:
    fields = {
        "amount": amount.strip().lstrip("$"),
        "method": method,
        "reference": reference.strip(),
        "received_on": received_on.strip() or None,
    }
    out = attempt(ctx, lambda: api.payment(patient, body(api.PaymentBody, **fields), ctx))
    if isinstance(out, Refused):
        return _patient(
            request,
            ctx,
            patient,
            out.detail,
            out.status,
            amount=amount,
            method=method,
            reference=reference,
            received_on=received_on,
        )
    return redirect(
        f"/p/{ctx.practice_id}/patients/{patient}",
        ctx.actor,
        f"Payment {out['payment']} of ${out['amount']:,.2f} received {out['received_on']} "
        f"recorded for {patient}.",
    )


def _eligibility(
    request: Request,
    ctx: Ctx,
    error: str = "",
    status: int = 200,
    responses: list[dict[str, object]] | None = None,
    file_name: str = "",
) -> Response:
    patients = list(
        ctx.db.execute(
            select(t.Patient.ext_id, t.Patient.last_name, t.Patient.first_name)
            .where(t.Patient.practice_id == ctx.practice_id)
            .order_by(t.Patient.last_name, t.Patient.first_name)
        )
    )
    return page(
        request,
        "eligibility.html",
        actor=ctx.actor,
        practice=practice(ctx),
        current="eligibility",
        status=status,
        error=error,
        patients=patients,
        tomorrow=today() + timedelta(days=1),
        responses=responses,
        file_name=file_name,
        service_types=SERVICE_TYPES,
    )


@router.get("/p/{practice_id}/eligibility")
def eligibility_page(
    request: Request, ctx: Ctx = Depends(require("eligibility:run", "eligibility.read"))
) -> Response:
    return _eligibility(request, ctx)


@router.post("/p/{practice_id}/eligibility/270")
def inquiry_form(
    request: Request,
    patient: str = Form(""),
    on: str = Form(""),
    ctx: Ctx = Depends(require("eligibility:run", "eligibility.inquiry", "E")),
) -> Response:
    """The 270 file, as POST /api/.../eligibility/270 makes it: the patient named, or every
    patient with a visit on the day (tomorrow's schedule unless another day is given)."""
    try:
        day = date.fromisoformat(on.strip()) if on.strip() else None
    except ValueError:
        return _eligibility(request, ctx, f"not a date: {on!r} (YYYY-MM-DD)", 422)
    who = [patient.strip()] if patient.strip() else []
    out = attempt(ctx, lambda: api.inquiry(patient=who, on=day, ctx=ctx))
    if isinstance(out, Refused):
        return _eligibility(request, ctx, out.detail, out.status)
    return out


@router.post("/p/{practice_id}/eligibility/271")
def response_form(
    request: Request,
    file: UploadFile | None = File(None),
    ctx: Ctx = Depends(require("eligibility:run", "eligibility.response", "R")),
) -> Response:
    """A 271 read (nothing is stored: the page shows what the payer said)."""
    if file is None or not file.filename:
        return _eligibility(request, ctx, "choose a 271 file to read", 422)
    out = attempt(ctx, lambda: api.response_271(file, ctx))
    if isinstance(out, Refused):
        return _eligibility(request, ctx, out.detail, out.status)
    return _eligibility(request, ctx, responses=out, file_name=file.filename)
