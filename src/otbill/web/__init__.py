"""The workbench's pages: server-rendered (Jinja2, autoescaped) with htmx for the parts that
update in place, and no JavaScript build. Each page reads and writes through the API route it
matches (api/routes), with the same dependencies (api/deps: who, which practice, the role's
permission, CSRF) and so the same ledger functions: no rule is written twice."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI) -> None:
    from otbill.web import auth, claims, dashboard, people, work

    for module in (auth, dashboard, claims, work, people):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
