"""Claims: the list (build, submit, batches to download, visits to import), one claim (lines,
each line's explanation, findings with their rule page and a silence form, history, and the
biller's actions), and a rule's page. Each form does what its API route does, through it."""

from __future__ import annotations

import re
from typing import Any

from fastapi import BackgroundTasks, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from otbill.api.deps import Ctx, require
from otbill.api.problems import not_found
from otbill.api.routes import claims as api
from otbill.api.routes import work as api_work
from otbill.export.json import rule_meta
from otbill.ledger import schema as t
from otbill.ledger.claims import EDITABLE, claims_query
from otbill.ledger.lifecycle import STATES
from otbill.rules.registry import get as get_rule
from otbill.web.common import Refused, attempt, body, page_router, practice, query
from otbill.web.render import page, redirect

router = page_router()
PAGE = 50
# The actions on a sent claim, each with its API route (claims:write).
ACTIONS = {
    "correct": "Correct (a replacement claim, or a reopening where the payer takes none)",
    "void": "Void",
    "close": "Close with no further action",
}


def _list(
    request: Request,
    ctx: Ctx,
    state: str = "",
    payer: str = "",
    page_no: int = 1,
    error: str = "",
    status: int = 200,
    job: int | None = None,
) -> Response:
    offset = (max(page_no, 1) - 1) * PAGE
    data = api.claims(
        state=state or None,
        payer=payer or None,
        since=None,
        sort="-date_of_service,number",
        limit=PAGE,
        offset=offset,
        ctx=ctx,
    )
    payers = list(
        ctx.db.scalars(
            select(t.Payer.ext_id)
            .where(t.Payer.practice_id == ctx.practice_id)
            .order_by(t.Payer.ext_id)
        )
    )
    batches = api.batches(ctx)[:10]
    filters = {"state": state, "payer": payer}
    return page(
        request,
        "claims.html",
        actor=ctx.actor,
        practice=practice(ctx),
        current="claims",
        status=status,
        error=error,
        data=data,
        states=STATES,
        payers=payers,
        filters=filters,
        page_no=max(page_no, 1),
        pages=max(1, -(-(data["total"] or 0) // PAGE)),
        qs=query(filters),
        batches=batches,
        job=api_work.job(job, ctx) if job is not None else None,
    )


@router.get("/p/{practice_id}/claims")
def claims_page(
    request: Request,
    state: str = "",
    payer: str = "",
    page_no: int = Query(1, alias="page"),
    job: int | None = None,
    ctx: Ctx = Depends(require("claims:read", "claim.list")),
) -> Response:
    return _list(request, ctx, state, payer, page_no, job=job)


def _back_to_list(ctx: Ctx, message: str) -> Response:
    return redirect(f"/p/{ctx.practice_id}/claims", ctx.actor, message)


@router.post("/p/{practice_id}/claims/build")
def build_form(
    request: Request, ctx: Ctx = Depends(require("claims:write", "claim.build", "U"))
) -> Response:
    out = attempt(ctx, lambda: api.build(ctx))
    if isinstance(out, Refused):
        return _list(request, ctx, error=out.detail, status=out.status)
    return _back_to_list(
        ctx,
        f"Claims built: {out['built']} new, {out['rebuilt']} rebuilt; {out['ready']} ready, "
        f"{out['draft']} draft (held for their errors), {out['kept']} already sent and kept.",
    )


@router.post("/p/{practice_id}/batches")
def submit_form(
    request: Request, ctx: Ctx = Depends(require("claims:write", "batch.create", "C"))
) -> Response:
    out = attempt(ctx, lambda: api.submit_batch(ctx))
    if isinstance(out, Refused):
        return _list(request, ctx, error=out.detail, status=out.status)
    return _back_to_list(
        ctx,
        f"Batch {out['batch']} holds {out['claims']} claims (interchange "
        f"{out['interchange']}): download its 837P below.",
    )


@router.post("/p/{practice_id}/visits")
def visits_form(
    request: Request,
    tasks: BackgroundTasks,
    file: UploadFile | None = File(None),
    ctx: Ctx = Depends(require("visits:write", "visits.upload", "C")),
) -> Response:
    """A visits file (otbill JSON, CSV, FHIR), imported as a job: its progress shows on the
    claims page; then build the claims."""
    if file is None or not file.filename:
        return _list(request, ctx, error="choose a visits file to import", status=422)
    out = attempt(ctx, lambda: api_work._upload(ctx, request, tasks, "visits", file))
    if isinstance(out, Refused):
        return _list(request, ctx, error=out.detail, status=out.status)
    return redirect(f"/p/{ctx.practice_id}/claims?job={out['job']}")


def _patient(ctx: Ctx, patient_row_id: int) -> t.Patient:
    p = ctx.db.get(t.Patient, patient_row_id)
    assert p is not None and p.practice_id == ctx.practice_id
    return p


def line_steps(detail: dict[str, Any]) -> dict[int, list[str]]:
    """For each line, the claim's coding steps that name its code or one of its modifiers
    (the units split between codes, GO on every line): its units and modifiers explained
    beside it, as well as in the claim's steps. A step's cited source is not read for names."""
    out: dict[int, list[str]] = {}
    for ln in detail["lines"]:
        names = [ln["code"], *ln["modifiers"]]
        out[ln["line"]] = [
            step
            for step in detail["explanation"]
            if step not in ln["explanation"]
            and any(re.search(rf"\b{re.escape(n)}\b", step.split(" [", 1)[0]) for n in names)
        ]
    return out


def _claim(request: Request, ctx: Ctx, number: str, error: str = "", status: int = 200) -> Response:
    detail = api.claim(number, ctx)  # 404 unless the claim is this practice's
    rules = {}
    for f in detail["findings"]:
        r = get_rule(f["rule"])
        if r is not None:
            rules[f["rule"]] = rule_meta(r)
    patient = _patient(ctx, detail["patient_id"])
    same_day = [
        c.number
        for c in ctx.db.scalars(claims_query(ctx.practice_id, patient_id=patient.id))
        if c.date_of_service == detail["date_of_service"]
        and c.number != number
        and c.state in EDITABLE
    ]
    return page(
        request,
        "claim.html",
        actor=ctx.actor,
        practice=practice(ctx),
        current="claims",
        status=status,
        error=error,
        c=detail,
        rules=rules,
        line_steps=line_steps(detail),
        patient=patient,
        editable=detail["state"] in EDITABLE,
        same_day=same_day,
        actions=ACTIONS,
    )


@router.get("/p/{practice_id}/claims/{number}")
def claim_page(
    request: Request, number: str, ctx: Ctx = Depends(require("claims:read", "claim.read"))
) -> Response:
    return _claim(request, ctx, number)


def _after(request: Request, ctx: Ctx, number: str, out: Any) -> Response:
    """Back to the claim with what happened, or the claim again with why not."""
    if isinstance(out, Refused):
        ctx.db.expire_all()
        return _claim(request, ctx, number, error=out.detail, status=out.status)
    new = f" New claim {out['new_claim']}." if out.get("new_claim") else ""
    message = f"Claim {out['claim']}: {out['action']}, now {out['state']}.{new} {out['message']}"
    return redirect(f"/p/{ctx.practice_id}/claims/{number}", ctx.actor, message)


@router.post("/p/{practice_id}/claims/{number}/silence")
def silence_form(
    request: Request,
    number: str,
    rule: str = Form(""),
    why: str = Form(""),
    ctx: Ctx = Depends(require("claims:write", "claim.silence", "U")),
) -> Response:
    out = attempt(
        ctx,
        lambda: api.silence_finding(number, body(api.SilenceBody, rule=rule, why=why), ctx),
    )
    return _after(request, ctx, number, out)


@router.post("/p/{practice_id}/claims/{number}/split")
def split_form(
    request: Request,
    number: str,
    line: list[int] = Form([]),
    why: str = Form(""),
    ctx: Ctx = Depends(require("claims:write", "claim.split", "U")),
) -> Response:
    out = attempt(
        ctx, lambda: api.split_claim(number, body(api.SplitBody, lines=line, why=why), ctx)
    )
    return _after(request, ctx, number, out)


@router.post("/p/{practice_id}/claims/{number}/merge")
def merge_form(
    request: Request,
    number: str,
    into: str = Form(""),
    why: str = Form(""),
    ctx: Ctx = Depends(require("claims:write", "claim.merge", "U")),
) -> Response:
    out = attempt(
        ctx, lambda: api.merge_claim(number, body(api.MergeBody, into=into, why=why), ctx)
    )
    return _after(request, ctx, number, out)


def _action_route(action: str) -> None:
    """Correct, void or close: a form for each, through POST /claims/{number}/{action}."""
    route = {"correct": api.correct_claim, "void": api.void_claim, "close": api.close_claim}[action]

    @router.post(f"/p/{{practice_id}}/claims/{{number}}/{action}", name=f"claim_{action}")
    def act_form(
        request: Request,
        number: str,
        why: str = Form(""),
        ctx: Ctx = Depends(require("claims:write", f"claim.{action}", "U")),
    ) -> Response:
        out = attempt(ctx, lambda: route(number, body(api.Why, why=why), ctx))
        return _after(request, ctx, number, out)


for _action in ACTIONS:
    _action_route(_action)


@router.get("/p/{practice_id}/rules/{rule_id}")
def rule_page(
    request: Request, rule_id: str, ctx: Ctx = Depends(require("claims:read", "rule.read"))
) -> Response:
    """A rule's page: what it checks, why, an example, the fix, its source, when in force."""
    r = get_rule(rule_id)
    if r is None:
        raise not_found("no such rule")
    return page(
        request,
        "rule.html",
        actor=ctx.actor,
        practice=practice(ctx),
        current="claims",
        rule=rule_meta(r),
    )
