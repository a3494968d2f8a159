"""Who is asking, and may they: the dependencies every route is built from.

A request is signed in by the session cookie (a browser) or a bearer token (a machine client).
Every practice's data lives under /api/practices/{practice_id}/...: ``require(permission)``
answers 404 when the caller has no role in that practice (its existence is not told), 403 when
the role lacks the permission, and checks the CSRF token and Origin of every unsafe request a
browser session makes. Each route notes what it reads or writes for the audit log; the
middleware in api/app.py writes the row with the outcome, refusals included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from otbill.access.accounts import csrf_ok, memberships, session_for, token_for
from otbill.access.roles import can
from otbill.api.problems import Problem, not_found
from otbill.ledger import schema as t
from otbill.ledger.db import enter_practices, session_scope

COOKIE = "__Host-otbill"
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class AuditNote:
    event: str
    action: str  # C R U D E
    practice_id: int | None = None
    resource: str = ""
    patient_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    # Who, when no one is signed in yet (a sign-in names the account it tried), and an outcome
    # the status alone does not tell (a refused sign-in is a failure, not an access denied).
    user_id: int | None = None
    username: str = ""
    outcome: str | None = None


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    display_name: str
    roles: dict[int, str]  # practice id -> role
    via: str  # session or token
    session_id: int | None
    csrf: str | None
    mfa_pending: bool


@dataclass
class Ctx:
    """A request allowed into one practice: who, which practice, the database session."""

    actor: Actor
    practice_id: int
    db: Session
    request: Request

    @property
    def role(self) -> str:
        return self.actor.roles[self.practice_id]

    def audit(self, resource: str = "", patient_id: int | None = None, **detail: Any) -> None:
        n: AuditNote | None = self.request.state.audit
        if n is not None:
            n.resource = resource or n.resource
            n.patient_id = patient_id if patient_id is not None else n.patient_id
            n.detail.update(detail)


def db(request: Request) -> Iterator[Session]:
    with session_scope(request.app.state.engine) as s:
        yield s


def note(
    request: Request, event: str, action: str, practice_id: int | None = None, resource: str = ""
) -> None:
    request.state.audit = AuditNote(event, action, practice_id, resource)


def _client(request: Request) -> tuple[str, str]:
    ip = request.client.host if request.client else ""
    return ip, request.headers.get("user-agent", "")


def find_actor(request: Request, s: Session) -> Actor | None:
    """The signed-in caller, or None (also set on request.state for the audit log)."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        tok = token_for(s, auth[7:].strip())
        if tok is None:
            return None
        user = s.get(t.AppUser, tok.user_id)
        assert user is not None
        a = Actor(
            user.id,
            user.username,
            user.display_name,
            {tok.practice_id: tok.role},
            "token",
            None,
            None,
            False,
        )
    else:
        cookie = request.cookies.get(COOKIE)
        row = session_for(s, cookie) if cookie else None
        if row is None:
            return None
        user = s.get(t.AppUser, row.user_id)
        assert user is not None
        a = Actor(
            user.id,
            user.username,
            user.display_name,
            memberships(s, user.id),
            "session",
            row.id,
            row.csrf_token,
            not row.mfa_done,
        )
    request.state.actor = a
    return a


def _csrf(request: Request, a: Actor, sent_form: str | None) -> None:
    """Unsafe requests from a browser session carry the session's CSRF token (header
    X-CSRF-Token or form field csrf_token) and come from this site (Origin, Sec-Fetch-Site)."""
    if request.method in SAFE or a.via != "session":
        return
    origin = request.headers.get("origin")
    if origin is not None and origin.rstrip("/") != str(request.base_url).rstrip("/"):
        raise Problem(403, "the request comes from another site", "csrf")
    if request.headers.get("sec-fetch-site") in ("cross-site",):
        raise Problem(403, "the request comes from another site", "csrf")
    sent = request.headers.get("x-csrf-token") or sent_form
    row = t.UserSession(csrf_token=a.csrf or "")
    if not csrf_ok(row, sent):
        raise Problem(403, "the CSRF token is missing or wrong: reload the page", "csrf")


async def _form_token(request: Request) -> str | None:
    if request.method in SAFE:
        return None
    kind = request.headers.get("content-type", "")
    if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def signed_in(event: str, action: str = "R") -> Callable[..., Actor]:
    """Any signed-in caller (routes not in one practice: the caller's own data, the list of
    their practices)."""

    def dep(
        request: Request,
        s: Session = Depends(db, scope="function"),
        form_token: str | None = Depends(_form_token),
    ) -> Actor:
        note(request, event, action)
        a = find_actor(request, s)
        if a is None or a.mfa_pending:
            raise Problem(401, "sign in first", "unauthenticated")
        _csrf(request, a, form_token)
        enter_practices(s, list(a.roles))
        return a

    dep.__otbill_auth__ = True  # type: ignore[attr-defined]
    return dep


def require(permission: str, event: str, action: str = "R") -> Callable[..., Ctx]:
    """The caller may ``permission`` in the path's practice (see the module's text)."""
    can("admin", permission)  # an unknown permission fails at import, not at request time

    def dep(
        request: Request,
        practice_id: int,
        s: Session = Depends(db, scope="function"),
        form_token: str | None = Depends(_form_token),
    ) -> Ctx:
        note(request, event, action, practice_id)
        a = find_actor(request, s)
        if a is None or a.mfa_pending:
            raise Problem(401, "sign in first", "unauthenticated")
        _csrf(request, a, form_token)
        role = a.roles.get(practice_id)
        if role is None:
            raise not_found()
        if not can(role, permission):
            raise Problem(403, f"a {role} may not do this ({permission})", "forbidden")
        enter_practices(s, [practice_id])  # PostgreSQL's row-level security: the second wall
        return Ctx(a, practice_id, s, request)

    dep.__otbill_auth__ = True  # type: ignore[attr-defined]
    return dep


def today() -> date:
    """The server's calendar day (as the CLI's default --as-of)."""
    return datetime.now().astimezone().date()


def client_of(request: Request) -> tuple[str, str]:
    return _client(request)
