"""A practice's users and their roles, API tokens for machine clients, and the audit log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from otbill.access.accounts import (
    AccessError,
    create_token,
    create_user,
    disable_user,
    grant,
    revoke_token,
)
from otbill.access.audit import verify
from otbill.access.roles import ROLES
from otbill.api.deps import Ctx, require
from otbill.api.fast import JSONRoute
from otbill.api.problems import Problem, not_found
from otbill.ledger import schema as t

router = APIRouter(prefix="/api/practices/{practice_id}", tags=["admin"], route_class=JSONRoute)


class NewUser(BaseModel):
    username: str = Field(min_length=2, max_length=80)
    display_name: str = ""
    password: str
    role: str


class RoleBody(BaseModel):
    role: str


class NewToken(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    role: str
    days: int | None = Field(90, ge=1, le=366)


def _member(ctx: Ctx, username: str) -> t.AppUser:
    """A user with a role in this practice, or 404."""
    user = ctx.db.scalar(select(t.AppUser).where(t.AppUser.username == username.lower()))
    if user is None or not ctx.db.scalar(
        select(t.Membership.id).where(
            t.Membership.user_id == user.id, t.Membership.practice_id == ctx.practice_id
        )
    ):
        raise not_found()
    return user


@router.get("/users")
def users(ctx: Ctx = Depends(require("users:admin", "user.list"))) -> list[dict[str, Any]]:
    rows = ctx.db.execute(
        select(t.AppUser, t.Membership.role)
        .join(t.Membership, t.Membership.user_id == t.AppUser.id)
        .where(t.Membership.practice_id == ctx.practice_id)
        .order_by(t.AppUser.username)
    )
    return [
        {"username": u.username, "name": u.display_name, "role": role, "active": u.active}
        for u, role in rows
    ]


@router.post("/users", status_code=201)
def add_user(
    body: NewUser, ctx: Ctx = Depends(require("users:admin", "user.create", "C"))
) -> dict[str, Any]:
    if body.role not in ROLES:
        raise Problem(422, f"a role is one of {', '.join(ROLES)}", "role")
    try:
        user = create_user(ctx.db, body.username, body.display_name, body.password)
        grant(ctx.db, user, ctx.practice_id, body.role)
    except AccessError as e:
        raise Problem(422, str(e), "user") from None
    ctx.audit(f"user {user.username}", role=body.role)
    return {"username": user.username, "role": body.role}


@router.put("/users/{username}/role")
def set_role(
    username: str, body: RoleBody, ctx: Ctx = Depends(require("users:admin", "user.role", "U"))
) -> dict[str, Any]:
    user = _member(ctx, username)
    try:
        grant(ctx.db, user, ctx.practice_id, body.role)
    except AccessError as e:
        raise Problem(422, str(e), "role") from None
    ctx.audit(f"user {user.username}", role=body.role)
    return {"username": user.username, "role": body.role}


@router.post("/users/{username}/disable")
def disable(
    username: str, ctx: Ctx = Depends(require("users:admin", "user.disable", "U"))
) -> dict[str, Any]:
    user = _member(ctx, username)
    if user.id == ctx.actor.user_id:
        raise Problem(409, "you cannot disable yourself", "self")
    disable_user(ctx.db, user)
    ctx.audit(f"user {user.username}")
    return {"username": user.username, "active": False}


@router.get("/tokens")
def tokens(ctx: Ctx = Depends(require("users:admin", "token.list"))) -> list[dict[str, Any]]:
    rows = ctx.db.scalars(
        select(t.ApiToken).where(t.ApiToken.practice_id == ctx.practice_id).order_by(t.ApiToken.id)
    )
    return [
        {
            "id": k.id,
            "name": k.name,
            "role": k.role,
            "created_at": k.created_at,
            "expires_at": k.expires_at,
            "revoked_at": k.revoked_at,
            "last_used_at": k.last_used_at,
        }
        for k in rows
    ]


@router.post("/tokens", status_code=201)
def new_token(
    body: NewToken, ctx: Ctx = Depends(require("users:admin", "token.create", "C"))
) -> dict[str, Any]:
    user = ctx.db.get(t.AppUser, ctx.actor.user_id)
    assert user is not None
    try:
        secret, row = create_token(ctx.db, user, ctx.practice_id, body.role, body.name, body.days)
    except AccessError as e:
        raise Problem(422, str(e), "token") from None
    ctx.audit(f"token {row.id}", role=body.role)
    return {
        "id": row.id,
        "token": secret,
        "role": row.role,
        "expires_at": row.expires_at,
        "note": "shown once: only its hash is kept",
    }


@router.delete("/tokens/{token_id}")
def delete_token(
    token_id: int, ctx: Ctx = Depends(require("users:admin", "token.revoke", "D"))
) -> dict[str, Any]:
    row = ctx.db.get(t.ApiToken, token_id)
    if row is None or row.practice_id != ctx.practice_id:
        raise not_found()
    revoke_token(ctx.db, row)
    ctx.audit(f"token {token_id}")
    return {"id": token_id, "revoked": True}


@router.get("/audit")
def audit(
    limit: int = Query(100, ge=1, le=1000),
    before: int | None = Query(None, description="Rows before this id (the next page)"),
    ctx: Ctx = Depends(require("audit:read", "audit.read")),
) -> dict[str, Any]:
    q = select(t.AuditEvent).where(t.AuditEvent.practice_id == ctx.practice_id)
    if before is not None:
        q = q.where(t.AuditEvent.id < before)
    rows = list(ctx.db.scalars(q.order_by(t.AuditEvent.id.desc()).limit(limit)))
    return {
        "items": [
            {
                "id": r.id,
                "at": r.at,
                "user": r.username,
                "action": r.action,
                "event": r.event,
                "resource": r.resource,
                "patient_id": r.patient_id,
                "outcome": r.outcome,
                "ip": r.ip,
            }
            for r in rows
        ],
        "next": rows[-1].id if len(rows) == limit else None,
    }


@router.get("/audit/verify")
def audit_verify(ctx: Ctx = Depends(require("audit:read", "audit.verify"))) -> dict[str, Any]:
    """The whole chain checked (every practice's rows: the chain is one)."""
    n, breaks = verify(ctx.db)
    return {
        "rows": n,
        "intact": not breaks,
        "breaks": [{"id": b.id, "problem": b.problem} for b in breaks[:50]],
    }
