"""A practice's dashboard: what GET /api/practices/{id}/dashboard answers, as a page."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from otbill.analytics.svg import chart_svg
from otbill.api.deps import Ctx, require
from otbill.api.routes import practices as api
from otbill.web.common import page_router, practice
from otbill.web.render import page

router = page_router()


@router.get("/p/{practice_id}")
def dashboard_page(
    request: Request, ctx: Ctx = Depends(require("claims:read", "dashboard.read"))
) -> Response:
    ctx.audit("dashboard")
    board, head = api.board(ctx)
    charts = [chart_svg(c, t) for c, t in head.charts]
    return page(
        request,
        "dashboard.html",
        actor=ctx.actor,
        practice=practice(ctx),
        current="dashboard",
        board=board,
        headline=head,
        charts=charts,
    )
