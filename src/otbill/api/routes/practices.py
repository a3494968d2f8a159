"""The practices a caller may see, and one practice."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from otbill.api.deps import Actor, Ctx, db, require, signed_in
from otbill.api.fast import JSONRoute
from otbill.ledger import schema as t

router = APIRouter(prefix="/api", tags=["practices"], route_class=JSONRoute)


@router.get("/health")
def health() -> dict[str, str]:
    """For load balancers and the load test's floor: no database, no sign-in."""
    return {"status": "ok"}


@router.get("/practices")
def practices(
    a: Actor = Depends(signed_in("practice.list")), s: Session = Depends(db, scope="function")
) -> list[dict[str, Any]]:
    rows = s.scalars(select(t.Practice).where(t.Practice.id.in_(list(a.roles)))).all()
    return [{"id": p.id, "npi": p.npi, "name": p.name, "role": a.roles[p.id]} for p in rows]


@router.get("/practices/{practice_id}")
def practice(ctx: Ctx = Depends(require("practice:read", "practice.read"))) -> dict[str, Any]:
    p = ctx.db.get(t.Practice, ctx.practice_id)
    assert p is not None
    ctx.audit(f"practice {p.npi}")
    return {"id": p.id, "npi": p.npi, "name": p.name, "role": ctx.role}
