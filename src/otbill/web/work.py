"""The denial work queue (filters in the address, one item with its history and the forms to
assign, note and act, the appeal letter previewed before it is filed), remittances (an 835 or
an acknowledgment posted as a job whose progress the page polls, the remittances posted, the
payments no claim was found for and a form to match each by hand), and a job's progress."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import BackgroundTasks, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from otbill.access.roles import can
from otbill.api.deps import Ctx, require, today
from otbill.api.routes import work as api
from otbill.denials.causes import ACTIONS, CATEGORIES
from otbill.ledger import schema as t
from otbill.ledger.appeals import letter_for
from otbill.ledger.denials import ACT, write_off_codes
from otbill.web.common import Refused, attempt, body, page_router, practice, query
from otbill.web.render import fragment, page, redirect

router = page_router()
FILTERS = ("state", "payer", "reason", "cause", "therapist", "assignee", "min_age", "max_age")
SORTS = {
    "": "deadline",
    "-amount": "amount, most first",
    "-age": "age, oldest first",
    "claim": "claim",
}
ACT_LABELS = {**{k: ACTIONS[k] for k in ACT if k in ACTIONS}, "close": "close: nothing left to do"}


def _age(value: str) -> int | None:
    v = value.strip()
    return int(v) if v.isdigit() else None


def _filters(values: dict[str, str]) -> dict[str, str]:
    """The queue's filters from an address's query (unknown keys left out)."""
    out = {k: (values.get(k) or "").strip() for k in FILTERS}
    out["state"] = out["state"] if out["state"] in ("open", "waiting", "closed", "all") else "open"
    out["sort"] = values.get("sort", "") if values.get("sort", "") in SORTS else ""
    return out


def _queue_args(f: dict[str, str]) -> dict[str, Any]:
    """The filters as list_items (and GET /denials) take them: blanks are no filter."""
    return {
        "state": f["state"],
        "payer": f["payer"] or None,
        "reason": f["reason"] or None,
        "cause": f["cause"] or None,
        "therapist": f["therapist"] or None,
        "assignee": f["assignee"] or None,
        "min_age": _age(f["min_age"]),
        "max_age": _age(f["max_age"]),
    }


def _choices(ctx: Ctx) -> dict[str, Any]:
    payers = list(
        ctx.db.scalars(
            select(t.Payer.ext_id)
            .where(t.Payer.practice_id == ctx.practice_id)
            .order_by(t.Payer.ext_id)
        )
    )
    therapists = []
    for npi, doc in ctx.db.execute(
        select(t.Provider.npi, t.Provider.doc)
        .where(t.Provider.practice_id == ctx.practice_id)
        .order_by(t.Provider.npi)
    ):
        name = " ".join(x for x in (doc.get("first_name"), doc.get("last_name")) if x)
        therapists.append((npi, f"{name} ({npi})" if name else npi))
    return {"payers": payers, "therapists": therapists, "causes": CATEGORIES, "sorts": SORTS}


@router.get("/p/{practice_id}/denials")
def queue_page(
    request: Request, page_no: int = 1, ctx: Ctx = Depends(require("claims:read", "denial.list"))
) -> Response:
    f = _filters(dict(request.query_params))
    if f["cause"] and f["cause"] not in CATEGORIES:
        f["cause"] = ""
    limit = 100
    offset = (max(page_no, 1) - 1) * limit
    data = api.denials(
        **_queue_args(f), sort=f["sort"] or None, limit=limit, offset=offset, ctx=ctx
    )
    qs = query(f)
    return page(
        request,
        "denials.html",
        actor=ctx.actor,
        practice=practice(ctx),
        current="denials",
        data=data,
        f=f,
        qs=qs,
        page_no=max(page_no, 1),
        pages=max(1, -(-data["total"] // limit)),
        **_choices(ctx),
    )


def _neighbours(ctx: Ctx, item_id: int, f: dict[str, str]) -> tuple[int | None, int | None]:
    """The items before and after this one in the queue as filtered and sorted (the first of
    the queue after it, when the item has left the view)."""
    from otbill.api.routes.claims import parse_sort
    from otbill.ledger.denials import ITEM_SORTS, queue_ids

    args = _queue_args(f)
    args["category"] = args.pop("cause")
    sort = parse_sort(f["sort"] or None, ITEM_SORTS, ())
    ids = queue_ids(ctx.db, ctx.practice_id, today(), sort=sort, **args)
    if item_id not in ids:
        return None, (ids[0] if ids else None)
    k = ids.index(item_id)
    return (ids[k - 1] if k > 0 else None), (ids[k + 1] if k + 1 < len(ids) else None)


def _item(
    request: Request, ctx: Ctx, item_id: int, f: dict[str, str], error: str = "", status: int = 200
) -> Response:
    prev_id, next_id = _neighbours(ctx, item_id, f)
    d = api.denial(item_id, ctx)  # 404 unless the item is this practice's
    return page(
        request,
        "denial.html",
        actor=ctx.actor,
        practice=practice(ctx),
        current="denials",
        status=status,
        error=error,
        d=d,
        i=d["item"],
        f=f,
        qs=query(f),
        prev_id=prev_id,
        next_id=next_id,
        actions=ACT_LABELS,
        write_offs=write_off_codes(),
    )


@router.get("/p/{practice_id}/denials/{item_id}")
def item_page(
    request: Request, item_id: int, ctx: Ctx = Depends(require("claims:read", "denial.read"))
) -> Response:
    return _item(request, ctx, item_id, _filters(dict(request.query_params)))


def _queue_of(back: str) -> dict[str, str]:
    return _filters(dict(parse_qsl(back)))


def _to_item(ctx: Ctx, item_id: int, f: dict[str, str], message: str) -> Response:
    qs = query(f)
    return redirect(
        f"/p/{ctx.practice_id}/denials/{item_id}" + (f"?{qs}" if qs else ""), ctx.actor, message
    )


@router.post("/p/{practice_id}/denials/{item_id}/assign")
def assign_form(
    request: Request,
    item_id: int,
    to: str = Form(""),
    back: str = Form(""),
    ctx: Ctx = Depends(require("denials:work", "denial.assign", "U")),
) -> Response:
    f = _queue_of(back)
    out = attempt(ctx, lambda: api.assign_item(item_id, body(api.AssignBody, to=to.strip()), ctx))
    if isinstance(out, Refused):
        return _item(request, ctx, item_id, f, out.detail, out.status)
    return _to_item(ctx, item_id, f, f"Item {item_id} assigned to {out['assignee']}.")


@router.post("/p/{practice_id}/denials/{item_id}/note")
def note_form(
    request: Request,
    item_id: int,
    text: str = Form(""),
    back: str = Form(""),
    ctx: Ctx = Depends(require("denials:work", "denial.note", "U")),
) -> Response:
    f = _queue_of(back)
    out = attempt(ctx, lambda: api.note_item(item_id, body(api.NoteBody, text=text.strip()), ctx))
    if isinstance(out, Refused):
        return _item(request, ctx, item_id, f, out.detail, out.status)
    return _to_item(ctx, item_id, f, f"Note added to item {item_id}.")


@router.post("/p/{practice_id}/denials/{item_id}/act")
def act_form(
    request: Request,
    item_id: int,
    action: str = Form(""),
    why: str = Form(""),
    code: str = Form(""),
    signer: str = Form(""),
    back: str = Form(""),
    ctx: Ctx = Depends(require("denials:work", "denial.act", "U")),
) -> Response:
    """The item ends in an action; then the next item of the queue as filtered."""
    f = _queue_of(back)
    if not action:
        return _item(request, ctx, item_id, f, "choose an action", 422)
    _, next_id = _neighbours(ctx, item_id, f)
    out = attempt(
        ctx,
        lambda: api.act_item(
            item_id,
            body(
                api.ActBody,
                action=action,
                why=why.strip(),
                code=code.strip() or None,
                signer=signer.strip() or None,
            ),
            ctx,
        ),
    )
    if isinstance(out, Refused):
        return _item(request, ctx, item_id, f, out.detail, out.status)
    new = f" New claim {out['new_claim']}." if out.get("new_claim") else ""
    also = f" Items {', '.join(map(str, out['also']))} too." if out.get("also") else ""
    message = f"Item {item_id}: {out['action'].replace('_', ' ')}, {out['message']}.{new}{also}"
    if next_id is not None:
        return _to_item(ctx, next_id, f, message)
    qs = query(f)
    return redirect(f"/p/{ctx.practice_id}/denials" + (f"?{qs}" if qs else ""), ctx.actor, message)


@router.get("/p/{practice_id}/denials/{item_id}/letter")
def letter_page(
    request: Request,
    item_id: int,
    signer: str = "",
    kind: str = "",
    ctx: Ctx = Depends(require("denials:work", "denial.letter")),
) -> Response:
    """The appeal letter as GET /denials/{item}/letter.pdf makes it, read on the page before
    the appeal is filed with it."""
    f = _filters(dict(request.query_params))
    signer = signer.strip() or ctx.actor.display_name or ctx.actor.username
    api._own_item(ctx, item_id)
    made = letter_for(
        ctx.db,
        ctx.practice_id,
        item_id,
        signer,
        today(),
        kind=kind if kind in ("appeal", "reopening") else None,
    )
    d = api.denial(item_id, ctx)
    return page(
        request,
        "letter.html",
        actor=ctx.actor,
        practice=practice(ctx),
        current="denials",
        letter=made,
        i=d["item"],
        signer=signer,
        kind=kind,
        f=f,
        qs=query(f),
    )


# --- remittances and jobs --------------------------------------------------------------------


def _remits(
    request: Request, ctx: Ctx, job: int | None = None, error: str = "", status: int = 200
) -> Response:
    return page(
        request,
        "remittances.html",
        actor=ctx.actor,
        practice=practice(ctx),
        current="remittances",
        status=status,
        error=error,
        remits=api.remittances(ctx),
        unmatched=api.unmatched(ctx),
        job=api.job(job, ctx) if job is not None else None,
    )


@router.get("/p/{practice_id}/remittances")
def remittances_page(
    request: Request,
    job: int | None = None,
    ctx: Ctx = Depends(require("claims:read", "remittance.list")),
) -> Response:
    return _remits(request, ctx, job)


def _upload_route(path: str, kind: str, event: str) -> None:
    @router.post(f"/p/{{practice_id}}/{path}", name=f"upload_{kind}")
    def upload(
        request: Request,
        tasks: BackgroundTasks,
        file: UploadFile | None = File(None),
        ctx: Ctx = Depends(require("remits:post", event, "C")),
    ) -> Response:
        """Posted as a job, as POST /api/.../{path}: the page then shows its progress."""
        if file is None or not file.filename:
            return _remits(request, ctx, error="choose a file to post", status=422)
        out = attempt(ctx, lambda: api._upload(ctx, request, tasks, kind, file))
        if isinstance(out, Refused):
            return _remits(request, ctx, error=out.detail, status=out.status)
        return redirect(f"/p/{ctx.practice_id}/remittances?job={out['job']}")


_upload_route("remittances", "835", "remittance.upload")
_upload_route("acks", "ack", "ack.upload")


@router.get("/p/{practice_id}/jobs/{job_id}")
def job_fragment(
    request: Request, job_id: int, ctx: Ctx = Depends(require("practice:read", "job.read"))
) -> Response:
    """A job's progress, for htmx to poll each second until it is done or failed; once it is
    done, the lists it changed come with it (swapped out of band)."""
    job = api.job(job_id, ctx)
    role = ctx.role
    lists = None
    if job["state"] == "done" and job["kind"] in ("835", "ack") and can(role, "claims:read"):
        lists = {"remits": api.remittances(ctx), "unmatched": api.unmatched(ctx)}
    return fragment(
        "_job.html",
        job=job,
        practice_id=ctx.practice_id,
        lists=lists,
        csrf=ctx.actor.csrf,
        can_match=can(role, "remits:post"),
        oob=True,
    )


@router.post("/p/{practice_id}/unmatched/{unmatched_id}/match")
def match_form(
    request: Request,
    unmatched_id: int,
    claim: str = Form(""),
    ctx: Ctx = Depends(require("remits:post", "unmatched.match", "U")),
) -> Response:
    out = attempt(
        ctx, lambda: api.match(unmatched_id, body(api.MatchBody, claim=claim.strip()), ctx)
    )
    if isinstance(out, Refused):
        return _remits(request, ctx, error=out.detail, status=out.status)
    return redirect(
        f"/p/{ctx.practice_id}/remittances",
        ctx.actor,
        f"Payment matched to claim {out['claim']} ({out['state']}), ${out['paid']} paid.",
    )
