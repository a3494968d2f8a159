"""The API's routes, one module per resource, mounted under /api; and the pages."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

# Routes anyone may call: the health check, signing in, the API's description, static files.
PUBLIC = frozenset(
    {
        "/api/health",
        "/api/session",  # POST: sign in
        "/api/openapi.json",
        "/api/docs",
        "/api/docs/oauth2-redirect",
        "/login",
        "/static",
    }
)


def mount(app: FastAPI) -> None:
    from otbill.api.routes import admin, auth, claims, people, practices, reports, visits, work

    for module in (auth, practices, claims, visits, work, people, reports, admin):
        app.include_router(module.router)
    from otbill.web import mount as mount_pages

    mount_pages(app)


def api_routes(app: FastAPI) -> list[Any]:
    """Every route the app serves, through the routers it includes."""
    from fastapi.routing import APIRoute

    out: list[Any] = []
    stack: list[Any] = list(app.routes)
    while stack:
        r = stack.pop(0)
        if isinstance(r, APIRoute):
            out.append(r)
        elif hasattr(r, "original_router"):
            stack.extend(r.original_router.routes)
    return out


def authorized(route: Any) -> bool:
    """The route depends on one of api/deps.py's sign-in checks (at any depth)."""
    stack = list(route.dependant.dependencies)
    while stack:
        d = stack.pop()
        if getattr(d.call, "__otbill_auth__", False):
            return True
        stack.extend(d.dependencies)
    return False
