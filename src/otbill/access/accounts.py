"""Users, memberships, sign-in, sessions and API tokens.

Sign-in: one uniform refusal for an unknown user, a wrong password, a disabled or a locked
account (no user enumeration, ASVS 6.3.8); five failures in 15 minutes lock the account for 15
minutes, and twenty from one address in 15 minutes refuse that address for the rest of the
window (credential stuffing, ASVS 6.3.1). A user who is an admin anywhere proves a TOTP code
before the session may do anything. Sessions live in the database: a random 256-bit token in
the cookie, only its SHA-256 stored; 15 minutes idle or 10 hours in all ends one (HIPAA
164.312(a)(2)(iii) automatic logoff, ASVS 7.3.1/7.3.2); a new token at sign-in and at the second
factor (no fixation); logout ends it at once. API tokens are the same kind of random secret,
hashed at rest, each scoped to one practice and one role, revocable.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otbill.access.passwords import hash_password, needs_rehash, password_problem, verify_password
from otbill.access.roles import MFA_ROLES, ROLES
from otbill.errors import OtbillError
from otbill.ledger import schema as t

IDLE = timedelta(minutes=15)
SEEN_EVERY = timedelta(seconds=30)  # how finely the idle clock is kept
ABSOLUTE = timedelta(hours=10)
LOCK_AFTER, LOCK_WINDOW, LOCK_FOR = 5, timedelta(minutes=15), timedelta(minutes=15)
IP_LIMIT = 20
REFUSED = "the username or password is not right, or the account cannot sign in now"


class AccessError(OtbillError):
    """An account change or second factor refused, in words safe to show the person asking;
    ``reason`` is what the audit log records."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


@dataclass(frozen=True)
class Refused:
    """A sign-in refused: the person sees REFUSED, the audit log the reason."""

    username: str
    reason: str
    user_id: int | None


def utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(d: datetime) -> datetime:
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- users and memberships -------------------------------------------------------------------


def create_user(
    session: Session, username: str, display_name: str, password: str, now: datetime | None = None
) -> t.AppUser:
    username = username.strip().lower()
    if not username or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise AccessError("a username is letters, digits, '.', '-' or '_'")
    problem = password_problem(password, username)
    if problem:
        raise AccessError(problem)
    if session.scalar(select(t.AppUser.id).where(t.AppUser.username == username)):
        raise AccessError(f"the username {username!r} is taken")
    user = t.AppUser(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        active=True,
        totp_secret=None,
        failed_logins=0,
        created_at=now or utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def grant(session: Session, user: t.AppUser, practice_id: int, role: str) -> t.Membership:
    if role not in ROLES:
        raise AccessError(f"a role is one of {', '.join(ROLES)}")
    m = session.scalar(
        select(t.Membership).where(
            t.Membership.user_id == user.id, t.Membership.practice_id == practice_id
        )
    )
    if m is None:
        m = t.Membership(user_id=user.id, practice_id=practice_id, role=role)
        session.add(m)
    else:
        m.role = role
    session.flush()
    return m


def memberships(session: Session, user_id: int) -> dict[int, str]:
    return dict(
        session.execute(
            select(t.Membership.practice_id, t.Membership.role).where(
                t.Membership.user_id == user_id
            )
        ).all()
    )


def needs_mfa(session: Session, user: t.AppUser) -> bool:
    return bool(set(memberships(session, user.id).values()) & MFA_ROLES)


def enroll_totp(session: Session, user: t.AppUser) -> str:
    """A new TOTP secret for the user; the provisioning URI an authenticator app reads."""
    user.totp_secret = pyotp.random_base32()
    session.flush()
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name="otbill")


def totp_ok(user: t.AppUser, code: str, now: datetime | None = None) -> bool:
    if not user.totp_secret or not code.strip().isdigit():
        return False
    return pyotp.TOTP(user.totp_secret).verify(code.strip(), for_time=now, valid_window=1)


def disable_user(session: Session, user: t.AppUser) -> None:
    """Disabled, never deleted; every session and token of the user ends now."""
    user.active = False
    stamp = utcnow()
    for s in session.scalars(
        select(t.UserSession).where(
            t.UserSession.user_id == user.id, t.UserSession.ended_at.is_(None)
        )
    ):
        s.ended_at = stamp
    for k in session.scalars(
        select(t.ApiToken).where(t.ApiToken.user_id == user.id, t.ApiToken.revoked_at.is_(None))
    ):
        k.revoked_at = stamp
    session.flush()


# --- sign-in ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    user: t.AppUser
    token: str  # the session's secret, for the cookie: never stored
    row: t.UserSession
    mfa_pending: bool


def _attempt(session: Session, username: str, ip: str, ok: bool, now: datetime) -> None:
    session.add(t.LoginAttempt(at=now, username=username, ip=ip, ok=ok))
    session.flush()


def _ip_blocked(session: Session, ip: str, now: datetime) -> bool:
    failures = session.scalar(
        select(func.count())
        .select_from(t.LoginAttempt)
        .where(
            t.LoginAttempt.ip == ip,
            t.LoginAttempt.ok.is_(False),
            t.LoginAttempt.at >= now - LOCK_WINDOW,
        )
    )
    return (failures or 0) >= IP_LIMIT


def sign_in(
    session: Session,
    username: str,
    password: str,
    ip: str,
    user_agent: str,
    now: datetime | None = None,
) -> SignIn | Refused:
    """A new session, or Refused whatever the reason; the attempt is recorded either way, so
    the caller commits both."""
    now = now or utcnow()
    name = username.strip().lower()
    user = session.scalar(select(t.AppUser).where(t.AppUser.username == name))
    why = ""
    if _ip_blocked(session, ip, now):
        why = "too many failures from this address"
    elif user is None:
        verify_password(_DUMMY, password)  # as long as a real check: no timing tell
        why = "no such user"
    elif not user.active:
        why = "the account is disabled"
    elif user.locked_until is not None and _aware(user.locked_until) > now:
        why = "the account is locked"
    elif not verify_password(user.password_hash, password):
        why = "wrong password"
        recent = session.scalar(
            select(func.count())
            .select_from(t.LoginAttempt)
            .where(
                t.LoginAttempt.username == name,
                t.LoginAttempt.ok.is_(False),
                t.LoginAttempt.at >= now - LOCK_WINDOW,
            )
        )
        user.failed_logins += 1
        if (recent or 0) + 1 >= LOCK_AFTER:
            user.locked_until = now + LOCK_FOR
            why = "wrong password; the account is now locked"
    if why:
        _attempt(session, name, ip, False, now)
        return Refused(name, why, user.id if user is not None else None)
    assert user is not None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    _attempt(session, name, ip, True, now)
    pending = needs_mfa(session, user)
    token, row = _new_session(session, user.id, ip, user_agent, now, mfa_done=not pending)
    return SignIn(user, token, row, pending)


_DUMMY = hash_password("a password nobody has, for the timing of unknown users")


def _new_session(
    session: Session, user_id: int, ip: str, ua: str, now: datetime, *, mfa_done: bool
) -> tuple[str, t.UserSession]:
    token = secrets.token_urlsafe(32)
    row = t.UserSession(
        token_hash=token_hash(token),
        user_id=user_id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + ABSOLUTE,
        mfa_done=mfa_done,
        csrf_token=secrets.token_urlsafe(32),
        ip=ip[:64],
        user_agent=ua[:300],
    )
    session.add(row)
    session.flush()
    return token, row


def second_factor(
    session: Session, row: t.UserSession, code: str, now: datetime | None = None
) -> tuple[str, t.UserSession]:
    """Prove the TOTP code: the pending session ends and a new one (a new token) begins."""
    now = now or utcnow()
    user = session.get(t.AppUser, row.user_id)
    assert user is not None
    if row.mfa_done or not totp_ok(user, code, now):
        _attempt(session, user.username, row.ip, False, now)
        raise AccessError("the code is not right", "wrong TOTP code")
    row.ended_at = now
    return _new_session(session, user.id, row.ip, row.user_agent, now, mfa_done=True)


def session_for(session: Session, token: str, now: datetime | None = None) -> t.UserSession | None:
    """The live session a cookie names, its idle clock restarted; None when it has ended, timed
    out, or its user is disabled."""
    now = now or utcnow()
    # The session and its user in one query (the user is then in the session's identity map).
    found = session.execute(
        select(t.UserSession, t.AppUser)
        .join(t.AppUser, t.AppUser.id == t.UserSession.user_id)
        .where(t.UserSession.token_hash == token_hash(token))
    ).first()
    if found is None:
        return None
    row, user = found
    if row.ended_at is not None:
        return None
    if _aware(row.expires_at) <= now or _aware(row.last_seen_at) + IDLE <= now:
        row.ended_at = now
        return None
    if not user.active:
        row.ended_at = now
        return None
    if now - _aware(row.last_seen_at) >= SEEN_EVERY:
        row.last_seen_at = now  # not on every request: a read stays a read (no write, no flush)
    return row


def end_session(session: Session, row: t.UserSession, now: datetime | None = None) -> None:
    row.ended_at = now or utcnow()
    session.flush()


def csrf_ok(row: t.UserSession, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(row.csrf_token, sent or "")


# --- API tokens ------------------------------------------------------------------------------


def create_token(
    session: Session,
    user: t.AppUser,
    practice_id: int,
    role: str,
    name: str,
    days: int | None = 90,
    now: datetime | None = None,
) -> tuple[str, t.ApiToken]:
    """A token for a machine client, shown once; the caller must hold the role or a higher one
    in the practice (an admin grants any)."""
    if role not in ROLES:
        raise AccessError(f"a role is one of {', '.join(ROLES)}")
    held = memberships(session, user.id).get(practice_id)
    if held is None or not ROLES[role] <= ROLES[held]:
        raise AccessError("a token cannot do more than its owner may in the practice")
    now = now or utcnow()
    secret = "otb_" + secrets.token_urlsafe(32)
    row = t.ApiToken(
        token_hash=token_hash(secret),
        name=name,
        user_id=user.id,
        practice_id=practice_id,
        role=role,
        created_at=now,
        expires_at=None if days is None else now + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    return secret, row


def token_for(session: Session, secret: str, now: datetime | None = None) -> t.ApiToken | None:
    now = now or utcnow()
    row = session.scalar(select(t.ApiToken).where(t.ApiToken.token_hash == token_hash(secret)))
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and _aware(row.expires_at) <= now:
        return None
    owner = session.get(t.AppUser, row.user_id)
    if owner is None or not owner.active:
        return None
    row.last_used_at = now
    return row


def revoke_token(session: Session, row: t.ApiToken) -> None:
    row.revoked_at = utcnow()
    session.flush()
