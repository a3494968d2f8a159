"""Visits as documented (the otbill visit document each import stored), with the claims of
their day: GET /visits, GET /visits/{visit}. Visits come in through POST /visits (a job)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select

from otbill.api.deps import Ctx, require
from otbill.api.fast import JSONRoute
from otbill.api.problems import Problem, not_found
from otbill.ledger import schema as t

router = APIRouter(prefix="/api/practices/{practice_id}", tags=["visits"], route_class=JSONRoute)
SORTS = {"date": t.Visit.date_of_service, "visit": t.Visit.ext_id}


def _claims_of(ctx: Ctx, visits: list[tuple[int, date]]) -> dict[tuple[int, date], list[str]]:
    """The claims of each patient's day (a day's visits are billed together)."""
    if not visits:
        return {}
    C = t.Claim
    out: dict[tuple[int, date], list[str]] = {}
    rows = ctx.db.execute(
        select(C.patient_id, C.date_of_service, C.number)
        .where(
            C.practice_id == ctx.practice_id,
            C.patient_id.in_(sorted({p for p, _ in visits})),
            C.date_of_service.in_(sorted({d for _, d in visits})),
        )
        .order_by(C.number)
    )
    for pid, dos, number in rows:
        out.setdefault((pid, dos), []).append(number)
    return out


def _view(v: t.Visit, patient: str, claims: list[str], full: bool) -> dict[str, Any]:
    d = v.doc
    out: dict[str, Any] = {
        "visit": v.ext_id,
        "patient": patient,
        "date_of_service": v.date_of_service,
        "rendering_npi": d.get("rendering_npi"),
        "services": [
            {k: s.get(k) for k in ("code", "therapist_minutes", "assistant_minutes", "units")}
            for s in d.get("services", [])
        ],
        "diagnoses": d.get("diagnoses", []),
        "claims": claims,
        "updated_at": v.updated_at,
    }
    if full:
        out["document"] = d  # the visit as imported, every field
    return out


@router.get("/visits")
def visits(
    patient: str | None = Query(None, description="A patient's id."),
    since: date | None = Query(None, description="Dates of service from this day."),
    until: date | None = Query(None, description="Dates of service to this day."),
    sort: str = Query("-date", description="date or visit; '-' descends."),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    ctx: Ctx = Depends(require("patients:read", "visit.list")),
) -> dict[str, Any]:
    V, P = t.Visit, t.Patient
    key = sort.lstrip("-")
    if key not in SORTS:
        raise Problem(400, f"cannot sort by {key}: sort by {', '.join(SORTS)}", "sort")
    where = [V.practice_id == ctx.practice_id]
    if patient is not None:
        where.append(P.ext_id == patient)
    if since is not None:
        where.append(V.date_of_service >= since)
    if until is not None:
        where.append(V.date_of_service <= until)
    col = SORTS[key]
    order = col.desc() if sort.startswith("-") else col.asc()
    base = select(V, P.ext_id).join(P, P.id == V.patient_id).where(*where)
    total = ctx.db.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = list(ctx.db.execute(base.order_by(order, V.id).limit(limit).offset(offset)))
    claims = _claims_of(ctx, [(v.patient_id, v.date_of_service) for v, _ in rows])
    ctx.audit(f"visits {offset}-{offset + len(rows)} of {total}")
    return {
        "items": [
            _view(v, ext, claims.get((v.patient_id, v.date_of_service), []), False)
            for v, ext in rows
        ],
        "total": total,
        "limit": limit,
        "offset": offset,
        "next": offset + limit if offset + limit < total else None,
    }


@router.get("/visits/{visit}")
def visit(visit: str, ctx: Ctx = Depends(require("patients:read", "visit.read"))) -> dict[str, Any]:
    V, P = t.Visit, t.Patient
    found = ctx.db.execute(
        select(V, P.ext_id)
        .join(P, P.id == V.patient_id)
        .where(V.practice_id == ctx.practice_id, V.ext_id == visit)
    ).first()
    if found is None:
        raise not_found()
    v, ext = found
    ctx.audit(f"visit {visit}", patient_id=v.patient_id)
    claims = _claims_of(ctx, [(v.patient_id, v.date_of_service)])
    return _view(v, ext, claims.get((v.patient_id, v.date_of_service), []), True)
