"""The denial work queue, uploads worked as jobs, and their progress."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from otbill.api.deps import Ctx, require, today
from otbill.api.fast import JSONRoute
from otbill.api.problems import Problem, not_found
from otbill.denials.causes import CATEGORIES
from otbill.ledger import schema as t
from otbill.ledger.denials import (
    ACT,
    ITEM_SORTS,
    ItemView,
    act,
    assign,
    note,
    queue_page,
    show_item,
)
from otbill.ledger.jobs import enqueue, job_view

router = APIRouter(
    prefix="/api/practices/{practice_id}", tags=["denials", "jobs"], route_class=JSONRoute
)


def _item_view(v: ItemView) -> dict[str, Any]:
    return v.__dict__


def _own_item(ctx: Ctx, item_id: int) -> t.WorkItem:
    row = ctx.db.get(t.WorkItem, item_id)
    if row is None or row.practice_id != ctx.practice_id:
        raise not_found()
    ctx.audit(f"work item {item_id}", patient_id=_patient_of(ctx, row.claim_id))
    return row


def _patient_of(ctx: Ctx, claim_id: int) -> int | None:
    return ctx.db.scalar(select(t.Claim.patient_id).where(t.Claim.id == claim_id))


@router.get("/denials")
def denials(
    state: str = Query("open", pattern="^(open|waiting|closed|all)$"),
    payer: str | None = None,
    reason: str | None = None,
    cause: str | None = None,
    therapist: str | None = None,
    assignee: str | None = None,
    min_age: int | None = Query(None, ge=0),
    max_age: int | None = Query(None, ge=0),
    sort: str | None = Query(None, description="due (default), amount, age or claim; '-' descends"),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0),
    ctx: Ctx = Depends(require("claims:read", "denial.list")),
) -> dict[str, Any]:
    if cause is not None and cause not in CATEGORIES:
        raise Problem(400, f"no root cause {cause!r}: one of {', '.join(CATEGORIES)}", "filter")
    from otbill.api.routes.claims import parse_sort

    keys = parse_sort(sort, ITEM_SORTS, ())
    q = queue_page(
        ctx.db,
        ctx.practice_id,
        today(),
        state=state,
        payer=payer,
        reason=reason,
        category=cause,
        therapist=therapist,
        assignee=assignee,
        min_age=min_age,
        max_age=max_age,
        sort=keys,
        limit=limit,
        offset=offset,
    )
    ctx.audit(f"denials {state}", count=len(q.items), total=q.total)
    return {
        "items": [_item_view(v) for v in q.items],
        "total": q.total,
        "amount": q.amount,
        "limit": limit,
        "offset": offset,
    }


@router.get("/denials/{item_id}")
def denial(
    item_id: int, ctx: Ctx = Depends(require("claims:read", "denial.read"))
) -> dict[str, Any]:
    _own_item(ctx, item_id)
    d = show_item(ctx.db, ctx.practice_id, item_id, today())
    return {
        "item": _item_view(d.item),
        "history": d.history,
        "appeals": d.appeals,
        "others": d.others,
    }


class AssignBody(BaseModel):
    to: str = Field(min_length=1, max_length=80)


class NoteBody(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class ActBody(BaseModel):
    action: str
    why: str = Field(min_length=1)
    code: str | None = None
    signer: str | None = Field(
        None,
        max_length=200,
        description="appeal: the letter, signed by this name, is filed with the appeal",
    )


@router.post("/denials/{item_id}/assign")
def assign_item(
    item_id: int,
    body: AssignBody,
    ctx: Ctx = Depends(require("denials:work", "denial.assign", "U")),
) -> dict[str, Any]:
    _own_item(ctx, item_id)
    return _item_view(assign(ctx.db, ctx.practice_id, item_id, body.to, ctx.actor.username))


@router.post("/denials/{item_id}/note")
def note_item(
    item_id: int, body: NoteBody, ctx: Ctx = Depends(require("denials:work", "denial.note", "U"))
) -> dict[str, Any]:
    _own_item(ctx, item_id)
    return _item_view(note(ctx.db, ctx.practice_id, item_id, body.text, ctx.actor.username))


@router.post("/denials/{item_id}/act")
def act_item(
    item_id: int, body: ActBody, ctx: Ctx = Depends(require("denials:work", "denial.act", "U"))
) -> dict[str, Any]:
    if body.action not in ACT:
        raise Problem(422, f"no action {body.action!r}: one of {', '.join(ACT)}", "action")
    _own_item(ctx, item_id)
    letter = None
    if body.action == "appeal" and body.signer:
        # The letter previewed (GET letter.pdf, the same signer), with the reason given as its
        # argument, kept with the appeal as `otbill denials act --letter` keeps it.
        from otbill.ledger.appeals import letter_doc, letter_for

        made = letter_for(ctx.db, ctx.practice_id, item_id, body.signer, today(), argue=body.why)
        letter = letter_doc(made)
    r = act(
        ctx.db,
        ctx.practice_id,
        item_id,
        body.action,
        ctx.actor.username,
        body.why,
        today(),
        code=body.code,
        letter=letter,
    )
    ctx.audit(detail_action=body.action)
    return r.__dict__


@router.get("/denials/{item_id}/letter.pdf")
def letter(
    item_id: int,
    signer: str = Query(..., min_length=1),
    kind: str | None = Query(None, pattern="^(appeal|reopening)$"),
    ctx: Ctx = Depends(require("denials:work", "denial.letter")),
) -> Response:
    from otbill.forms.appeal import render_letter
    from otbill.ledger.appeals import letter_for

    _own_item(ctx, item_id)
    pdf = render_letter(letter_for(ctx.db, ctx.practice_id, item_id, signer, today(), kind=kind))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="appeal-{item_id}.pdf"'},
    )


def _upload(
    ctx: Ctx, request: Request, tasks: BackgroundTasks, kind: str, file: UploadFile
) -> dict[str, Any]:
    content = file.file.read()
    job = enqueue(ctx.db, ctx.practice_id, kind, file.filename or kind, content, ctx.actor.user_id)
    job_id = job.id
    ctx.audit(f"job {job_id} ({kind} {job.file_name})", sha256=job.sha256)
    # Handed to the runner once the request's transaction has committed the job.
    tasks.add_task(request.app.state.runner.submit, job_id)
    return {
        "job": job_id,
        "state": "queued",
        "progress": f"/api/practices/{ctx.practice_id}/jobs/{job_id}",
    }


@router.post("/remittances", status_code=202)
def post_remittance(
    request: Request,
    tasks: BackgroundTasks,
    file: UploadFile = File(...),
    ctx: Ctx = Depends(require("remits:post", "remittance.upload", "C")),
) -> dict[str, Any]:
    """An 835, posted as a job: all of it or nothing; posting it again changes nothing."""
    return _upload(ctx, request, tasks, "835", file)


@router.post("/acks", status_code=202)
def post_ack(
    request: Request,
    tasks: BackgroundTasks,
    file: UploadFile = File(...),
    ctx: Ctx = Depends(require("remits:post", "ack.upload", "C")),
) -> dict[str, Any]:
    """A 999 or 277CA, applied to the claims sent."""
    return _upload(ctx, request, tasks, "ack", file)


@router.post("/visits", status_code=202)
def post_visits(
    request: Request,
    tasks: BackgroundTasks,
    file: UploadFile = File(...),
    ctx: Ctx = Depends(require("visits:write", "visits.upload", "C")),
) -> dict[str, Any]:
    """Visits: otbill JSON, a CSV export or a FHIR R4 bundle, recognized by content."""
    return _upload(ctx, request, tasks, "visits", file)


@router.get("/jobs/{job_id}")
def job(job_id: int, ctx: Ctx = Depends(require("practice:read", "job.read"))) -> dict[str, Any]:
    row = ctx.db.get(t.Job, job_id)
    if row is None or row.practice_id != ctx.practice_id:
        raise not_found()
    ctx.audit(f"job {job_id}")
    return job_view(row)


@router.get("/remittances")
def remittances(
    ctx: Ctx = Depends(require("claims:read", "remittance.list")),
) -> list[dict[str, Any]]:
    rows = ctx.db.scalars(
        select(t.Remittance)
        .where(t.Remittance.practice_id == ctx.practice_id)
        .order_by(t.Remittance.id.desc())
    )
    return [
        {
            "id": r.id,
            "trace": r.trace_number,
            "payer": r.payer_name,
            "amount": r.amount,
            "paid_on": r.paid_on,
            "posted_at": r.posted_at,
            "file": r.file_name,
        }
        for r in rows
    ]


@router.get("/unmatched")
def unmatched(ctx: Ctx = Depends(require("claims:read", "unmatched.list"))) -> list[dict[str, Any]]:
    rows = ctx.db.scalars(
        select(t.Unmatched)
        .where(t.Unmatched.practice_id == ctx.practice_id)
        .order_by(t.Unmatched.id)
    )
    return [
        {
            "id": u.id,
            "remittance": u.remittance_id,
            "patient_control_number": u.patient_control_number,
            "payer_claim_number": u.payer_claim_number,
            "paid": u.paid,
            "reason": u.reason,
        }
        for u in rows
    ]


class MatchBody(BaseModel):
    claim: str = Field(min_length=1)


@router.post("/unmatched/{unmatched_id}/match")
def match(
    unmatched_id: int,
    body: MatchBody,
    ctx: Ctx = Depends(require("remits:post", "unmatched.match", "U")),
) -> dict[str, Any]:
    """Post a payment no claim was found for to the claim a biller names."""
    from otbill.ledger.matching import match_by_hand

    row = ctx.db.get(t.Unmatched, unmatched_id)
    if row is None or row.practice_id != ctx.practice_id:
        raise not_found()
    r = match_by_hand(ctx.db, ctx.practice_id, unmatched_id, body.claim, ctx.actor.username)
    ctx.audit(f"unmatched {unmatched_id} to claim {body.claim}")
    return r
