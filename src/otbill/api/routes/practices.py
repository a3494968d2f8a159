"""The practices a caller may see, one practice, and their dashboards (ledger/dashboard)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from otbill.access.roles import can
from otbill.api.deps import Actor, Ctx, db, require, signed_in, today
from otbill.api.fast import JSONRoute
from otbill.ledger import schema as t
from otbill.ledger.dashboard import as_dict, dashboard

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


@router.get("/practices/{practice_id}/dashboard")
def practice_dashboard(
    ctx: Ctx = Depends(require("claims:read", "dashboard.read")),
) -> dict[str, Any]:
    """Claims and money by state, the denial queue's size, amount and nearest deadlines, and
    the A/R by age, as of today."""
    ctx.audit("dashboard")
    return as_dict(dashboard(ctx.db, ctx.practice_id, today()))


def readable(a: Actor) -> list[int]:
    """The practices whose claims the caller may read, by id."""
    return sorted(pid for pid, role in a.roles.items() if can(role, "claims:read"))


@router.get("/dashboard")
def dashboards(
    a: Actor = Depends(signed_in("dashboard.list")), s: Session = Depends(db, scope="function")
) -> list[dict[str, Any]]:
    """Each practice's dashboard whose claims the caller may read, side by side."""
    day = today()
    return [as_dict(dashboard(s, pid, day)) for pid in readable(a)]
