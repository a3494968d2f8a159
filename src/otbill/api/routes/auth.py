"""Signing in and out: POST /api/session (username and password, then /api/session/totp for
an admin's code), DELETE /api/session; GET /api/me."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from otbill.access.accounts import REFUSED, Refused, end_session, second_factor, sign_in
from otbill.api.deps import COOKIE, Actor, AuditNote, client_of, db, find_actor, note, signed_in
from otbill.api.fast import JSONRoute
from otbill.api.problems import Problem
from otbill.ledger import schema as t

router = APIRouter(prefix="/api", tags=["session"], route_class=JSONRoute)


class Credentials(BaseModel):
    username: str
    password: str


class Code(BaseModel):
    code: str


def set_cookie(response: Response, token: str) -> None:
    # __Host-: Secure, path /, no domain (ASVS 3.3.1-3.3.4); HttpOnly; SameSite Lax.
    response.set_cookie(COOKIE, token, secure=True, httponly=True, samesite="lax", path="/")


def _signin_audit(
    request: Request, outcome: str, user_id: int | None, username: str, why: str
) -> None:
    # Written by the middleware's audit writer after the attempt commits, like every row: a
    # request's own transaction never holds the audit chain's lock.
    request.state.audit = AuditNote(
        "login", "E", detail={"why": why}, user_id=user_id, username=username, outcome=outcome
    )


def login(
    s: Session, request: Request, response: Response, username: str, password: str
) -> dict[str, Any]:
    ip, ua = client_of(request)
    got = sign_in(s, username, password, ip, ua)
    if isinstance(got, Refused):
        _signin_audit(request, "failure", got.user_id, got.username, got.reason)
        s.commit()  # the attempt stays (and the lock-out it counts toward): the refusal ends it
        raise Problem(401, REFUSED, "login-refused")
    _signin_audit(
        request,
        "success",
        got.user.id,
        got.user.username,
        "second factor next" if got.mfa_pending else "signed in",
    )
    set_cookie(response, got.token)
    return {
        "user": got.user.username,
        "mfa_required": got.mfa_pending,
        "csrf_token": got.row.csrf_token,
    }


@router.post("/session")
def create_session(
    body: Credentials,
    request: Request,
    response: Response,
    s: Session = Depends(db, scope="function"),
) -> dict[str, Any]:
    """Sign in; an admin then posts the TOTP code to /api/session/totp."""
    return login(s, request, response, body.username, body.password)


@router.post("/session/totp")
def totp(
    body: Code, request: Request, response: Response, s: Session = Depends(db, scope="function")
) -> dict[str, Any]:
    """The second factor: the pending session ends and a new one begins."""
    note(request, "login.totp", "E")
    a = find_actor(request, s)
    if a is None or a.session_id is None or not a.mfa_pending:
        raise Problem(401, "sign in with your password first", "unauthenticated")
    row = s.get(t.UserSession, a.session_id)
    assert row is not None
    from otbill.access.accounts import AccessError

    try:
        token, new = second_factor(s, row, body.code)
    except AccessError as e:
        s.commit()
        raise Problem(401, str(e), "totp-refused") from None
    set_cookie(response, token)
    return {"user": a.username, "mfa_required": False, "csrf_token": new.csrf_token}


@router.delete("/session")
def delete_session(
    response: Response,
    s: Session = Depends(db, scope="function"),
    a: Actor = Depends(signed_in("logout", "E")),
) -> dict[str, Any]:
    """Sign out: the session ends now, wherever its cookie is."""
    if a.session_id is not None:
        row = s.get(t.UserSession, a.session_id)
        assert row is not None
        end_session(s, row)
    response.delete_cookie(COOKIE, secure=True, httponly=True, samesite="lax", path="/")
    return {"signed_out": True}


@router.get("/me")
def me(a: Actor = Depends(signed_in("me.read"))) -> dict[str, Any]:
    """Who you are, your practices and your role in each, and the CSRF token for writes."""
    return {
        "user": a.username,
        "name": a.display_name,
        "practices": [{"id": pid, "role": role} for pid, role in sorted(a.roles.items())],
        "csrf_token": a.csrf,
        "via": a.via,
    }
