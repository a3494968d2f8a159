"""Signing in on a page (username and password, then an admin's TOTP code), out, and the first
page: each practice's dashboard side by side, or the one practice's first page.

The sign-in forms post the same steps as POST /api/session and /api/session/totp (the same
functions: throttling, lock-out, the audit rows, a new session id at each step). No session
exists to carry a CSRF token yet, so the password form is taken only from this site (Origin and
Sec-Fetch-Site, against login CSRF); the code form carries the pending session's token."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from otbill.access.accounts import csrf_ok
from otbill.api.deps import Actor, db, find_actor, signed_in, today
from otbill.api.problems import Problem
from otbill.api.routes import auth as api
from otbill.api.routes import practices as api_practices
from otbill.ledger import schema as t
from otbill.web.common import page_router
from otbill.web.errors import safe_next
from otbill.web.render import landing, page, redirect

router = page_router()


def _same_site(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin is not None and origin.rstrip("/") != str(request.base_url).rstrip("/"):
        raise Problem(403, "the request comes from another site", "csrf")
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise Problem(403, "the request comes from another site", "csrf")


@router.get("/login")
def login_page(
    request: Request, next: str = "/", out: bool = False, s: Session = Depends(db, scope="function")
) -> Response:
    a = find_actor(request, s)
    if a is not None and a.mfa_pending:
        return redirect(f"/login/totp?next={quote(safe_next(next))}")
    if a is not None:
        return redirect(safe_next(next))
    return page(request, "login.html", next=safe_next(next), out=out)


@router.post("/login")
def login_form(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
    s: Session = Depends(db, scope="function"),
) -> Response:
    _same_site(request)
    target = safe_next(next)
    response = redirect(target)
    try:
        got = api.login(s, request, response, username, password)
    except Problem as e:
        return page(
            request, "login.html", status=401, error=e.detail, next=target, username=username
        )
    if got["mfa_required"]:
        response.headers["location"] = f"/login/totp?next={quote(target)}"
    return response


@router.get("/login/totp")
def totp_page(
    request: Request, next: str = "/", s: Session = Depends(db, scope="function")
) -> Response:
    a = find_actor(request, s)
    if a is None or not a.mfa_pending:
        return redirect(f"/login?next={quote(safe_next(next))}")
    return page(request, "totp.html", pending_csrf=a.csrf, next=safe_next(next))


@router.post("/login/totp")
def totp_form(
    request: Request,
    code: str = Form(""),
    next: str = Form("/"),
    csrf_token: str = Form(""),
    s: Session = Depends(db, scope="function"),
) -> Response:
    _same_site(request)
    a = find_actor(request, s)
    if a is None or not a.mfa_pending or a.session_id is None:
        return redirect("/login")
    if not csrf_ok(t.UserSession(csrf_token=a.csrf or ""), csrf_token):
        raise Problem(403, "the CSRF token is missing or wrong: reload the page", "csrf")
    response = redirect(safe_next(next))
    try:
        api.totp(api.Code(code=code.strip()), request, response, s)
    except Problem as e:
        return page(
            request,
            "totp.html",
            status=401,
            error=e.detail,
            pending_csrf=a.csrf,
            next=safe_next(next),
        )
    return response


@router.post("/logout")
def logout(
    s: Session = Depends(db, scope="function"), a: Actor = Depends(signed_in("logout", "E"))
) -> Response:
    response = redirect("/login?out=1")
    api.delete_session(response, s, a)
    return response


@router.get("/")
def home(
    request: Request,
    a: Actor = Depends(signed_in("dashboard.list")),
    s: Session = Depends(db, scope="function"),
) -> Response:
    """One practice: its first page. Several: each one's dashboard side by side, as
    GET /api/practices and GET /api/dashboard answer them."""
    if len(a.roles) == 1:
        ((pid, role),) = a.roles.items()
        return redirect(landing(pid, role))
    boards = {d["practice"]: d for d in api_practices.dashboards(a, s)}
    rows = [
        {**p, "board": boards.get(p["id"]), "href": landing(p["id"], p["role"])}
        for p in sorted(api_practices.practices(a, s), key=lambda p: p["name"])
    ]
    return page(request, "home.html", actor=a, rows=rows, as_of=today())
