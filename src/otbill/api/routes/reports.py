"""The reports (ledger/reports) over HTTP: GET /reports/{kind} as JSON, CSV, HTML, SVG or PDF,
the same report `otbill report KIND` prints."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from otbill.analytics.model import Report
from otbill.api.deps import Ctx, require, today
from otbill.api.fast import JSONRoute
from otbill.api.problems import Problem
from otbill.ledger.db import enter_practices
from otbill.ledger.reports import KINDS, build_report
from otbill.ledger.reports.denials import DIMS
from otbill.ledger.reports.facts import refresh

router = APIRouter(prefix="/api/practices/{practice_id}", tags=["reports"], route_class=JSONRoute)
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
}


def _month(v: str | None, name: str) -> date | None:
    if v is None:
        return None
    if not MONTH.match(v):
        raise Problem(400, f"{name}: a month as YYYY-MM, not {v!r}", "filter")
    return date(int(v[:4]), int(v[5:]), 1)


def twelve_months(as_of: date) -> tuple[date, date]:
    """The twelve whole months to the as-of day's (the reports' default)."""
    from otbill.analytics.periods import prev_month

    return prev_month(as_of, 11), as_of


def report_for(
    ctx: Ctx,
    kind: str,
    start: date | None = None,
    end: date | None = None,
    as_of: date | None = None,
    payer: str | None = None,
    therapist: str | None = None,
    by: frozenset[str] = frozenset(),
) -> Report:
    """Fold what is new into the reports' tables and commit (the fold's locks are not held
    while the report reads; see ledger/reports/facts), then build the report."""
    day = as_of or today()
    first, last = twelve_months(end or day)
    refresh(ctx.db, ctx.practice_id)
    ctx.db.commit()
    enter_practices(ctx.db, [ctx.practice_id])  # the commit ended the wall's transaction
    return build_report(
        ctx.db,
        ctx.practice_id,
        kind,
        start or first,
        last,
        day,
        payer=payer,
        therapist=therapist,
        by=by,
        fold=False,
    )


@router.get("/reports/{kind}")
def report(
    kind: str,
    start: str | None = Query(None, alias="from", description="First month, YYYY-MM."),
    end: str | None = Query(None, alias="to", description="Last month, YYYY-MM."),
    as_of: date | None = Query(None, description="The day A/R is aged to (default today)."),
    payer: str | None = None,
    therapist: str | None = None,
    by: list[str] = Query([], description=f"Denials' breakdowns: {', '.join(DIMS)}."),
    format: str = Query("json", pattern="^(json|csv|html|svg|pdf)$"),
    ctx: Ctx = Depends(require("reports:read", "report.read")),
) -> Any:
    """A report (denials, claims, ar, compliance, monthly) over whole months: every KPI with
    its formula and source, its tables and charts. Default: the twelve months to today's."""
    if kind not in KINDS:
        raise Problem(404, f"no report {kind!r}: one of {', '.join(KINDS)}", "not-found")
    bad = sorted(set(by) - set(DIMS))
    if bad:
        raise Problem(400, f"no breakdown {bad[0]!r}: one of {', '.join(DIMS)}", "filter")
    r = report_for(
        ctx,
        kind,
        _month(start, "from"),
        _month(end, "to"),
        as_of,
        payer,
        therapist,
        frozenset(by),
    )
    ctx.audit(f"report {kind} {r.start} to {r.end}", format=format)
    if format == "json":
        return r.as_dict()
    if format == "csv":
        from otbill.analytics.text import report_csv

        body: bytes = report_csv(r).encode()
    elif format == "html":
        from otbill.analytics.html import report_html

        body = report_html(r).encode()
    elif format == "svg":
        from otbill.analytics.svg import report_svg

        body = report_svg(r).encode()
    else:
        from otbill.forms.report import render_report

        body = render_report(r)
    name = f"{kind}-{r.start:%Y-%m}-to-{r.end:%Y-%m}.{format}"
    return Response(
        body,
        media_type=FORMATS[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
