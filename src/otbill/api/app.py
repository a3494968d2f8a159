"""The workbench's server: the REST API under /api, the pages, and what wraps every request
(a request id, the security headers, the audit row)."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from otbill import __version__
from otbill.access.audit import Entry, Writer
from otbill.api.deps import Actor, AuditNote, client_of
from otbill.api.problems import Problem, problem_response
from otbill.errors import OtbillError

log = logging.getLogger("otbill.api")

# Content-Security-Policy: nothing from elsewhere, no inline script (htmx is served from here).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",  # patient data is never kept in a shared cache
}


# Requests run in a pool of threads (FastAPI's sync routes); each holds at most one database
# connection, and the connection is given back (the commit) in a second call into the pool. If
# the threads outnumbered the connections, threads waiting for a connection could take every
# place in the pool while the threads holding one wait for a place to commit: a deadlock that
# only the pool's timeout ends. So the server keeps fewer threads than connections.
THREADS = 24


def _threads_for(engine: Engine) -> int:
    pool = engine.pool
    size, overflow = getattr(pool, "size", lambda: 0)(), getattr(pool, "_max_overflow", 0)
    room = size + max(overflow, 0) - 2  # one for the audit writer, one to spare
    return max(1, min(THREADS, room)) if size else THREADS


async def _warm(app: Any) -> None:
    """One request for a path no route takes, through the whole app, before the server
    listens: FastAPI builds each router's routes on the first request that tries them, so the
    first billers do not wait on that (a tenth of a second, once per process)."""
    path = "/__otbill_warm__"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 0),
        "state": {},
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    await app(scope, receive, send)


def _outcome(status: int) -> str:
    if status < 400:
        return "success"
    if status in (401, 403, 404):
        return "denied"
    return "error" if status >= 500 else "failure"


def create_app(engine: Engine, runner: Any = None) -> FastAPI:
    audit = Writer(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = _threads_for(engine)
        await _warm(app)
        yield
        await run_in_threadpool(audit.close)  # what is queued is written before the server ends

    app = FastAPI(
        lifespan=lifespan,
        title="otbill",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.audit = audit
    if runner is None:
        from otbill.ledger.jobs import ThreadRunner

        runner = ThreadRunner(engine)
    app.state.runner = runner

    @app.middleware("http")
    async def wrap(request: Request, call_next: Any) -> Response:
        request.state.request_id = secrets.token_hex(8)
        request.state.audit = None
        request.state.actor = None
        status = 500
        try:
            response: Response = await call_next(request)
            status = response.status_code
        finally:
            n: AuditNote | None = request.state.audit
            if n is not None:
                a: Actor | None = request.state.actor
                ip, ua = client_of(request)
                entry = Entry(
                    n.action,
                    n.event,
                    n.outcome or _outcome(status),
                    a.user_id if a else n.user_id,
                    a.username if a else n.username,
                    n.practice_id,
                    n.resource,
                    n.patient_id,
                    ip,
                    ua,
                    request.state.request_id,
                    {
                        "status": status,
                        "path": request.url.path,
                        "via": a.via if a else "",
                        **n.detail,
                    },
                )
                await asyncio.wrap_future(audit.submit(entry))
        if request.url.path.startswith("/static/"):
            # otbill's own stylesheet, script and icon, no patient's data: kept for an hour.
            response.headers.setdefault("Cache-Control", "public, max-age=3600")
        for k, v in HEADERS.items():
            response.headers.setdefault(k, v)
        response.headers["X-Request-Id"] = request.state.request_id
        return response

    @app.exception_handler(Problem)
    async def _problem(request: Request, e: Problem) -> Response:
        if not request.url.path.startswith("/api/"):
            # A page: no session goes to sign in (303), a refusal is a page saying why.
            from otbill.web.errors import page_problem

            return page_problem(request, e.status, e.detail)
        return problem_response(request, e.status, e.detail, e.kind, **e.extra)

    @app.exception_handler(OtbillError)
    async def _otbill(request: Request, e: OtbillError) -> Response:
        # otbill's own refusals (a lifecycle move not allowed, bad input): the caller's to fix.
        return problem_response(request, 422, str(e), "refused")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError) -> Response:
        errors = [
            {"field": ".".join(str(x) for x in err["loc"]), "problem": err["msg"]}
            for err in e.errors()
        ]
        return problem_response(request, 422, "the request is not valid", "invalid", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException) -> Response:
        return problem_response(request, e.status_code, str(e.detail))

    @app.exception_handler(Exception)
    async def _crash(request: Request, e: Exception) -> Response:
        log.exception("request %s failed", request.state.request_id)
        return problem_response(
            request, 500, f"otbill failed; quote request {request.state.request_id}", "error"
        )

    from otbill.api.routes import mount

    mount(app)
    return app


def from_environment() -> FastAPI:
    """The app for `otbill serve` (each server process calls it): the database of
    OTBILL_DATABASE_URL, a connection for every request thread, the runner for its jobs (on
    PostgreSQL a procrastinate worker in the process; `otbill worker` adds more)."""
    from otbill.ledger.db import make_engine, resolve_url
    from otbill.ledger.jobs import runner_for

    engine = make_engine(resolve_url(None), pool_size=THREADS + 4)
    runner = runner_for(engine)
    if hasattr(runner, "start_worker"):
        runner.start_worker()
    return create_app(engine, runner)
