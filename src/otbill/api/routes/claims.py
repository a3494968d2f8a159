"""Claims: the list (filters, pagination, allow-listed sort keys), one claim with its lines,
findings, explanation and history, and what a biller does to it — the ledger's functions, as the
CLI calls them."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from otbill.api.deps import Ctx, require, today
from otbill.api.fast import JSONRoute
from otbill.api.problems import Problem, not_found
from otbill.ledger import schema as t
from otbill.ledger.books import claim_totals
from otbill.ledger.claims import SORTS, build_claims, claims_query, list_claims, submit
from otbill.ledger.lifecycle import STATES
from otbill.ledger.views import claim_detail
from otbill.ledger.workflow import (
    ClaimActionError,
    Outcome,
    appeal,
    close,
    correct,
    merge_claims,
    silence,
    split_lines,
    void,
)

router = APIRouter(prefix="/api/practices/{practice_id}", tags=["claims"], route_class=JSONRoute)
MAX_PAGE = 500


def parse_sort(
    sort: str | None, allowed: dict[str, Any], default: tuple[str, ...]
) -> tuple[str, ...]:
    """Sort keys from ?sort=a,-b, each one of the allowed (never a column name passed through:
    OpenEMR's ORDER BY injections, CVE-2026-24908)."""
    if not sort:
        return default
    keys = tuple(k.strip() for k in sort.split(",") if k.strip())
    bad = [k for k in keys if k.lstrip("-") not in allowed]
    if bad:
        raise Problem(
            400, f"cannot sort by {', '.join(bad)}: sort by {', '.join(sorted(allowed))}", "sort"
        )
    return keys


def claim_row(ctx: Ctx, number: str) -> t.Claim:
    """A claim of the practice in the path, or 404 (another practice's looks the same)."""
    row = ctx.db.scalar(
        select(t.Claim).where(t.Claim.practice_id == ctx.practice_id, t.Claim.number == number)
    )
    if row is None:
        raise not_found()
    ctx.audit(f"claim {number}", patient_id=row.patient_id)
    return row


@router.get("/claims")
def claims(
    state: str | None = Query(None, description="A claim state."),
    payer: str | None = None,
    since: date | None = None,
    sort: str | None = Query(None, description=f"Keys of {', '.join(SORTS)}; '-' descends."),
    limit: int = Query(50, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
    ctx: Ctx = Depends(require("claims:read", "claim.list")),
) -> dict[str, Any]:
    if state is not None and state not in STATES:
        raise Problem(400, f"no claim state {state!r}: one of {', '.join(STATES)}", "filter")
    keys = parse_sort(sort, SORTS, ("date_of_service", "number"))
    rows = list_claims(
        ctx.db,
        ctx.practice_id,
        state,
        payer=payer,
        since=since,
        sort=keys,
        limit=limit,
        offset=offset,
        with_doc=False,
    )
    total = ctx.db.scalar(
        select(func.count()).select_from(
            claims_query(ctx.practice_id, state, payer=payer, since=since).subquery()
        )
    )
    totals = claim_totals(ctx.db, rows)
    ctx.audit(f"claims {offset}-{offset + len(rows)} of {total}")
    return {
        "items": [
            {
                "number": r.number,
                "state": r.state,
                "payer": r.payer_ext,
                "patient_id": r.patient_id,
                "date_of_service": r.date_of_service,
                **totals[r.id].as_dict(),
            }
            for r in rows
        ],
        "total": total,
        "limit": limit,
        "offset": offset,
        "next": offset + limit if offset + limit < (total or 0) else None,
    }


@router.get("/claims/{number}")
def claim(number: str, ctx: Ctx = Depends(require("claims:read", "claim.read"))) -> dict[str, Any]:
    return claim_detail(ctx.db, claim_row(ctx, number))


class Why(BaseModel):
    why: str = Field(min_length=1, description="Kept in the claim's history.")


def outcome(o: Outcome) -> dict[str, Any]:
    return {
        "claim": o.claim,
        "action": o.action,
        "state": o.state,
        "new_claim": o.new_claim,
        "message": o.message,
    }


def _act(ctx: Ctx, number: str, action: str, why: str) -> dict[str, Any]:
    claim_row(ctx, number)
    who = ctx.actor.username
    day = today()
    try:
        if action == "correct":
            o = correct(ctx.db, ctx.practice_id, number, who, why, day)
        elif action == "void":
            o = void(ctx.db, ctx.practice_id, number, who, why)
        elif action == "appeal":
            o = appeal(ctx.db, ctx.practice_id, number, who, why)
        else:
            o = close(ctx.db, ctx.practice_id, number, who, why)
    except ClaimActionError as e:
        raise Problem(409, str(e), "claim-action") from None
    ctx.audit(detail_action=action)
    return outcome(o)


@router.post("/claims/{number}/correct")
def correct_claim(
    number: str, body: Why, ctx: Ctx = Depends(require("claims:write", "claim.correct", "U"))
) -> dict[str, Any]:
    return _act(ctx, number, "correct", body.why)


@router.post("/claims/{number}/void")
def void_claim(
    number: str, body: Why, ctx: Ctx = Depends(require("claims:write", "claim.void", "U"))
) -> dict[str, Any]:
    return _act(ctx, number, "void", body.why)


@router.post("/claims/{number}/close")
def close_claim(
    number: str, body: Why, ctx: Ctx = Depends(require("claims:write", "claim.close", "U"))
) -> dict[str, Any]:
    return _act(ctx, number, "close", body.why)


class SilenceBody(BaseModel):
    rule: str = Field(min_length=1, max_length=40, description="The finding's rule id.")
    why: str = Field(min_length=1, description="Kept with the finding and the claim edit.")


class SplitBody(BaseModel):
    lines: list[int] = Field(min_length=1, description="Line numbers (1-based) to move.")
    why: str = Field(min_length=1)


class MergeBody(BaseModel):
    into: str = Field(min_length=1, description="The claim that takes this claim's lines.")
    why: str = Field(min_length=1)


def edit_claim(ctx: Ctx, number: str, action: str, **args: Any) -> dict[str, Any]:
    """Silence a finding, split lines off or merge into another claim (ledger/workflow): an
    edit kept through rebuilds, refused (409) when the claim's state does not allow it."""
    claim_row(ctx, number)
    who, day = ctx.actor.username, today()
    try:
        if action == "silence":
            o = silence(ctx.db, ctx.practice_id, number, args["rule"], who, args["why"], day)
        elif action == "split":
            o = split_lines(ctx.db, ctx.practice_id, number, args["lines"], who, args["why"], day)
        else:
            o = merge_claims(ctx.db, ctx.practice_id, number, args["into"], who, args["why"], day)
    except ClaimActionError as e:
        raise Problem(409, str(e), "claim-action") from None
    ctx.audit(detail_action=action)
    return outcome(o)


@router.post("/claims/{number}/silence")
def silence_finding(
    number: str,
    body: SilenceBody,
    ctx: Ctx = Depends(require("claims:write", "claim.silence", "U")),
) -> dict[str, Any]:
    """Silence one finding of a draft or ready claim, with why; a rebuild keeps it."""
    return edit_claim(ctx, number, "silence", rule=body.rule, why=body.why)


@router.post("/claims/{number}/split")
def split_claim(
    number: str, body: SplitBody, ctx: Ctx = Depends(require("claims:write", "claim.split", "U"))
) -> dict[str, Any]:
    """Move lines of a draft or ready claim to a new claim of their own."""
    return edit_claim(ctx, number, "split", lines=body.lines, why=body.why)


@router.post("/claims/{number}/merge")
def merge_claim(
    number: str, body: MergeBody, ctx: Ctx = Depends(require("claims:write", "claim.merge", "U"))
) -> dict[str, Any]:
    """Put this claim's lines on another of the same patient, payer and day."""
    return edit_claim(ctx, number, "merge", into=body.into, why=body.why)


@router.post("/claims/build")
def build(ctx: Ctx = Depends(require("claims:write", "claim.build", "U"))) -> dict[str, Any]:
    r = build_claims(ctx.db, ctx.practice_id, today(), ctx.actor.username)
    ctx.audit("claims built", built=r.built, rebuilt=r.rebuilt)
    return {
        "built": r.built,
        "rebuilt": r.rebuilt,
        "ready": r.ready,
        "draft": r.draft,
        "kept": r.kept,
    }


@router.post("/batches")
def submit_batch(
    ctx: Ctx = Depends(require("claims:write", "batch.create", "C")),
) -> dict[str, Any]:
    """The ready claims in one 837P batch, kept with the batch for download."""
    import tempfile
    from pathlib import Path

    out = Path(tempfile.mkdtemp(prefix="otbill-batch-")) / "claims.837"
    sub = submit(ctx.db, ctx.practice_id, out, ctx.actor.username)
    if sub is None:
        raise Problem(409, "no ready claims to send", "no-claims")
    row = ctx.db.get(t.Batch, sub.batch_id)
    assert row is not None
    row.content = sub.text.encode()
    ctx.audit(f"batch {sub.batch_id}", claims=sub.claims)
    return {
        "batch": sub.batch_id,
        "claims": sub.claims,
        "interchange": sub.control,
        "download": f"/api/practices/{ctx.practice_id}/batches/{sub.batch_id}/837",
    }


@router.get("/batches")
def batches(ctx: Ctx = Depends(require("claims:read", "batch.list"))) -> list[dict[str, Any]]:
    rows = ctx.db.scalars(
        select(t.Batch).where(t.Batch.practice_id == ctx.practice_id).order_by(t.Batch.id.desc())
    )
    return [
        {
            "batch": b.id,
            "claims": b.claim_count,
            "interchange": b.interchange_control,
            "created_at": b.created_at,
            "sha256": b.sha256,
        }
        for b in rows
    ]


@router.get("/batches/{batch_id}/837")
def batch_file(
    batch_id: int, ctx: Ctx = Depends(require("claims:read", "batch.download"))
) -> Response:
    row = ctx.db.get(t.Batch, batch_id)
    if row is None or row.practice_id != ctx.practice_id or row.content is None:
        raise not_found()
    ctx.audit(f"batch {batch_id}")
    return Response(
        row.content,
        media_type="application/edi-x12",
        headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.837"'},
    )


@router.get("/claims/{number}/cms1500.pdf")
def cms1500(number: str, ctx: Ctx = Depends(require("claims:read", "claim.cms1500"))) -> Response:
    from otbill.forms.cms1500 import render_cms1500
    from otbill.ledger.claimdoc import claim_from_doc
    from otbill.ledger.store import load_episodes

    row = claim_row(ctx, number)
    episode = load_episodes(ctx.db, ctx.practice_id, [row.patient_id])[row.patient_id]
    pdf = render_cms1500([claim_from_doc(row.doc)], episode, draw_form=True)
    disposition = f'inline; filename="{number}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})
