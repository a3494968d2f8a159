"""`otbill serve`: the workbench and its API on a database; `otbill users`: the people who sign
in; `otbill audit verify`: the audit log's hash chain checked."""

from __future__ import annotations

import getpass
import sys
from typing import Any

import click

from otbill.cli.ledger import _engine, _out, db_options
from otbill.errors import InputError


@click.command("serve")
@click.option(
    "--db",
    "db_path",
    help="A SQLite file (else OTBILL_DATABASE_URL, else the user data directory).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes (PostgreSQL only): one per core is the usual choice.",
)
def serve_cmd(db_path: str | None, host: str, port: int, workers: int) -> None:
    """Serve the workbench (pages at /, the API under /api, its description at /api/docs).

    Sign-in cookies are Secure: a browser sends them over HTTPS, or to localhost. Serve other
    hosts behind a TLS proxy."""
    import os

    import uvicorn

    from otbill.ledger.db import ENV, resolve_url

    engine = _engine(db_path)  # the schema brought up to date once, before any process starts
    if workers > 1 and engine.dialect.name != "postgresql":
        # SQLite has one writer, and its jobs' progress lives in the one server's memory.
        raise InputError("--workers", "several server processes need PostgreSQL")
    engine.dispose()
    os.environ[ENV] = resolve_url(db_path)
    click.echo(
        f"otbill workbench on http://{host}:{port}/ (the API at /api, its docs at /api/docs)"
    )
    uvicorn.run(
        "otbill.api.app:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


@click.command("worker")
@click.option("--db", "db_path")
@click.option("--once", is_flag=True, help="Work the jobs waiting now, then stop.")
def worker_cmd(db_path: str | None, once: bool) -> None:
    """Work the workbench's background jobs on PostgreSQL (as many workers as you like)."""
    from otbill.ledger.pgjobs import ProcrastinateRunner

    engine = _engine(db_path)
    if engine.dialect.name != "postgresql":
        raise InputError("--db", "a worker is for PostgreSQL; on SQLite the server works its jobs")
    runner = ProcrastinateRunner(engine)
    if once:
        runner.drain()
        return
    click.echo("otbill worker: waiting for jobs (Ctrl-C stops)")
    runner.start_worker()
    assert runner.thread is not None
    runner.thread.join()


@click.group("users")
def users_cmd() -> None:
    """The people who sign in to the workbench, and their roles."""


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InputError("password", "the two did not match")
    return first


def _practice_id(s: Any, npi: str) -> int:
    from sqlalchemy import select

    from otbill.ledger import schema as t

    pid = s.scalar(select(t.Practice.id).where(t.Practice.npi == npi))
    if pid is None:
        raise InputError("--practice", f"no practice with NPI {npi} in the database")
    return int(pid)


@users_cmd.command("add")
@click.argument("username")
@click.option("--practice", "practice_npi", required=True, help="The practice's NPI.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "manager", "biller", "coder", "front_desk", "auditor"]),
)
@click.option("--name", default="", help="The name shown in the workbench and the audit log.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--db", "db_path")
def users_add(
    username: str,
    practice_npi: str,
    role: str,
    name: str,
    password_stdin: bool,
    db_path: str | None,
) -> None:
    """Add a user with a role in a practice (an admin gets a TOTP secret to enroll)."""
    from otbill.access.accounts import create_user, enroll_totp, grant
    from otbill.ledger.db import session_scope

    password = _password(password_stdin)
    with session_scope(_engine(db_path)) as s:
        user = create_user(s, username, name, password)
        grant(s, user, _practice_id(s, practice_npi), role)
        uri = enroll_totp(s, user) if role == "admin" else None
    click.echo(f"user {user.username} is {role} of practice {practice_npi}")
    if uri:
        click.echo(
            f"an admin signs in with a second factor: add this to an authenticator app\n  {uri}"
        )


@users_cmd.command("grant")
@click.argument("username")
@click.option("--practice", "practice_npi", required=True)
@click.option("--role", required=True)
@click.option("--db", "db_path")
def users_grant(username: str, practice_npi: str, role: str, db_path: str | None) -> None:
    """Give a user a role in another practice (a billing company's staff work several)."""
    from sqlalchemy import select

    from otbill.access.accounts import enroll_totp, grant
    from otbill.ledger import schema as t
    from otbill.ledger.db import session_scope

    with session_scope(_engine(db_path)) as s:
        user = s.scalar(select(t.AppUser).where(t.AppUser.username == username.lower()))
        if user is None:
            raise InputError(username, "no such user")
        grant(s, user, _practice_id(s, practice_npi), role)
        uri = enroll_totp(s, user) if role == "admin" and not user.totp_secret else None
    click.echo(f"user {username} is {role} of practice {practice_npi}")
    if uri:
        click.echo(f"enroll the second factor: {uri}")


@users_cmd.command("disable")
@click.argument("username")
@click.option("--db", "db_path")
def users_disable(username: str, db_path: str | None) -> None:
    """Disable a user (never deleted): every session and token of theirs ends now."""
    from sqlalchemy import select

    from otbill.access.accounts import disable_user
    from otbill.ledger import schema as t
    from otbill.ledger.db import session_scope

    with session_scope(_engine(db_path)) as s:
        user = s.scalar(select(t.AppUser).where(t.AppUser.username == username.lower()))
        if user is None:
            raise InputError(username, "no such user")
        disable_user(s, user)
    click.echo(f"user {username} disabled")


@users_cmd.command("list")
@db_options
def users_list(db_path: str | None, practice_npi: str | None, as_json: Any) -> None:
    """Every user and their roles."""
    from sqlalchemy import select

    from otbill.ledger import schema as t
    from otbill.ledger.db import session_scope

    with session_scope(_engine(db_path)) as s:
        rows = s.execute(
            select(t.AppUser.username, t.AppUser.active, t.Practice.npi, t.Membership.role)
            .join(t.Membership, t.Membership.user_id == t.AppUser.id, isouter=True)
            .join(t.Practice, t.Practice.id == t.Membership.practice_id, isouter=True)
            .order_by(t.AppUser.username)
        ).all()
    data = [{"user": u, "active": a, "practice": p, "role": r} for u, a, p, r in rows]
    text = "\n".join(
        f"{d['user']:<24}{d['role'] or '-':<12}{d['practice'] or '-':<12}"
        + ("" if d["active"] else "disabled")
        for d in data
    )
    _out(as_json, data, text or "no users")


@click.group("audit")
def audit_cmd() -> None:
    """The audit log of every read and write of patient data."""


@audit_cmd.command("verify")
@db_options
def audit_verify(db_path: str | None, practice_npi: str | None, as_json: Any) -> None:
    """Check the hash chain: exit 1 and name each row that no longer matches."""
    from otbill.access.audit import verify
    from otbill.ledger.db import session_scope

    with session_scope(_engine(db_path)) as s:
        n, breaks = verify(s)
    text = f"{n} audit rows: " + (
        "the chain is intact"
        if not breaks
        else "\n".join(f"row {b.id}: {b.problem}" for b in breaks)
    )
    _out(as_json, {"rows": n, "breaks": [b.__dict__ for b in breaks]}, text)
    if breaks:
        raise click.exceptions.Exit(1)
