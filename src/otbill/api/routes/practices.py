"""The practices a caller may see, one practice, and their dashboards (ledger/dashboard)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from otbill.access.roles import can
from otbill.analytics.model import Chart, Figure, Table
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


@dataclass(frozen=True)
class Headline:
    """The dashboard's rates and trend charts, from the reports of the twelve months to
    today's: every figure with its formula and source, as the reports give them."""

    figures: tuple[Figure, ...]
    charts: tuple[tuple[Chart, Table], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "figures": [f.as_dict() for f in self.figures],
            "charts": [c.as_dict() for c, _ in self.charts],
        }


# (report, section, figure keys, chart keys): the rates a biller watches, and their trends.
HEADLINE = (
    ("claims", "claims", ("clean_claim_rate", "denial_rate", "first_pass_resolution_rate"),
     ("claims_trend",)),
    ("denials", "initial", ("initial_denial_rate",), ("denial_rate_trend",)),
)  # fmt: skip


def headline(ctx: Ctx) -> Headline:
    from otbill.api.routes.reports import report_for

    figures: list[Figure] = []
    charts: list[tuple[Chart, Table]] = []
    for kind, key, figure_keys, chart_keys in HEADLINE:
        section = report_for(ctx, kind).section(key)
        # The first of a key: the denials report gives the initial denial rate for claims,
        # then for lines and dollars; the dashboard shows the claims'.
        for k in figure_keys:
            figures.append(next(f for f in section.figures if f.formula.key == k))
        for c in section.charts:
            if c.key in chart_keys:
                charts.append((c, section.table(c.table)))
    return Headline(tuple(figures), tuple(charts))


def board(ctx: Ctx) -> tuple[dict[str, Any], Headline]:
    head = headline(ctx)
    return as_dict(dashboard(ctx.db, ctx.practice_id, today())), head


@router.get("/practices/{practice_id}/dashboard")
def practice_dashboard(
    ctx: Ctx = Depends(require("claims:read", "dashboard.read")),
) -> dict[str, Any]:
    """Claims and money by state, the denial queue's size, amount and nearest deadlines, and
    the A/R by age, as of today; the clean-claim and denial rates of the twelve months to
    today's and their monthly trends (``headline``: from the reports)."""
    ctx.audit("dashboard")
    data, head = board(ctx)
    return {**data, "headline": head.as_dict()}


def readable(a: Actor) -> list[int]:
    """The practices whose claims the caller may read, by id."""
    return sorted(pid for pid, role in a.roles.items() if can(role, "claims:read"))


@router.get("/dashboard")
def dashboards(
    a: Actor = Depends(signed_in("dashboard.list")), s: Session = Depends(db, scope="function")
) -> list[dict[str, Any]]:
    """Each practice's dashboard whose claims the caller may read, side by side."""
    from otbill.api.routes.reports import twelve_months
    from otbill.ledger.reports import build_report
    from otbill.ledger.reports.facts import refresh

    day = today()
    first, last = twelve_months(day)
    out = []
    for pid in readable(a):
        refresh(s, pid)
        s.commit()  # each fold's locks released before its report reads
        claims = build_report(s, pid, "claims", first, last, day, fold=False).section("claims")
        rates = {k: claims.figure(k).as_dict() for k in ACROSS}
        out.append({**as_dict(dashboard(s, pid, day)), "rates": rates})
    return out


# The rates shown for each practice side by side (of the twelve months to today's).
ACROSS = ("clean_claim_rate", "denial_rate")
