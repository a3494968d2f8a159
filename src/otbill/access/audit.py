"""The audit log: append-only and hash-chained.

Each row's hash is SHA-256 over the previous row's hash and the row's own fields in a fixed
order, so changing, removing or reordering a row breaks every hash after it, and `otbill audit
verify` names the first row that no longer matches. Rows are appended one writer at a time (on
PostgreSQL an advisory lock for the transaction; SQLite writes one at a time anyway), in a
transaction of their own, so a request that fails still leaves its row. Patient data is kept
out: ids, not names (a reviewer resolves them).
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from otbill.ledger import schema as t
from otbill.ledger.db import session_scope

GENESIS = "0" * 64
ACTIONS = ("C", "R", "U", "D", "E")
OUTCOMES = ("success", "denied", "failure", "error")
_LOCK = 7_466_180_001  # the advisory lock's key: one audit writer at a time on PostgreSQL


@dataclass(frozen=True)
class Entry:
    action: str
    event: str
    outcome: str
    user_id: int | None = None
    username: str = ""
    practice_id: int | None = None
    resource: str = ""
    patient_id: int | None = None
    ip: str = ""
    user_agent: str = ""
    request_id: str = ""
    detail: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.action not in ACTIONS or self.outcome not in OUTCOMES:
            raise ValueError(f"audit action {self.action!r} / outcome {self.outcome!r}")


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def digest(prev: str, row: dict[str, Any]) -> str:
    """The hash of a row, chained to the previous one's."""
    fields = [
        row["id"],
        _stamp(row["at"]),
        row["user_id"],
        row["username"],
        row["practice_id"],
        row["action"],
        row["event"],
        row["resource"],
        row["patient_id"],
        row["outcome"],
        row["ip"],
        row["user_agent"],
        row["request_id"],
        row["detail"],
    ]
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev + body).encode()).hexdigest()


def append(session: Session, e: Entry, at: datetime | None = None) -> t.AuditEvent:
    """Add the entry at the end of the chain, in the caller's transaction."""
    return append_all(session, [(e, at or datetime.now(UTC))])[0]


def append_all(session: Session, entries: list[tuple[Entry, datetime]]) -> list[t.AuditEvent]:
    """Add entries (each with the time it happened) at the end of the chain, in order, in the
    caller's transaction: the lock and the chain's last row are read once for them all."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})
    last = session.execute(
        select(t.AuditEvent.id, t.AuditEvent.hash).order_by(t.AuditEvent.id.desc()).limit(1)
    ).first()
    prev_id, prev = (last[0], last[1]) if last else (0, GENESIS)
    rows = []
    for e, at in entries:
        prev_id += 1
        row = {
            "id": prev_id,
            "at": at.astimezone(UTC),
            "user_id": e.user_id,
            "username": e.username,
            "practice_id": e.practice_id,
            "action": e.action,
            "event": e.event,
            "resource": e.resource[:200],
            "patient_id": e.patient_id,
            "outcome": e.outcome,
            "ip": e.ip[:64],
            "user_agent": e.user_agent[:300],
            "request_id": e.request_id[:40],
            "detail": e.detail or {},
        }
        h = digest(prev, row)
        rows.append(t.AuditEvent(**row, prev_hash=prev, hash=h))
        prev = h
    session.add_all(rows)
    session.flush()
    return rows


def record(engine: Engine, e: Entry) -> None:
    """Append in a transaction of its own: the row stays whatever becomes of the request."""
    with session_scope(engine) as s:
        append(s, e)


class Writer:
    """The server's audit writer: group commit.

    Every request's row goes through one thread that writes whatever has queued up in one
    transaction, so the chain's one-writer lock and the commit's flush to disk are paid once
    per batch rather than once per request; under load the batches grow and the cost per row
    falls. The caller waits on the returned future: a response is not sent before its audit
    row is on disk. A batch that fails is written again row by row, so one bad row (a field
    the database refuses) fails only its own request.
    """

    def __init__(self, engine: Engine, max_batch: int = 500) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[Entry, datetime, Future[None]] | None] = (
            queue.SimpleQueue()
        )
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def submit(self, e: Entry, at: datetime | None = None) -> Future[None]:
        done: Future[None] = Future()
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="otbill-audit", daemon=True)
                self._thread.start()
        self._queue.put((e, at or datetime.now(UTC), done))
        return done

    def close(self) -> None:
        """Write what is queued, then stop the thread."""
        with self._start:
            if self._thread is not None and self._thread.is_alive():
                self._queue.put(None)
                self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = [first], False
            while len(batch) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._write(batch)
            if stop:
                return

    def _write(self, batch: list[tuple[Entry, datetime, Future[None]]]) -> None:
        try:
            with session_scope(self.engine) as s:
                append_all(s, [(e, at) for e, at, _ in batch])
        except Exception:
            for e, at, done in batch:
                try:
                    with session_scope(self.engine) as s:
                        append(s, e, at)
                except Exception as exc:  # the request that made it answers 500
                    done.set_exception(exc)
                else:
                    done.set_result(None)
            return
        for _, _, done in batch:
            done.set_result(None)


@dataclass(frozen=True)
class Break:
    id: int
    problem: str


def _rows(session: Session) -> Iterator[t.AuditEvent]:
    last = 0
    while True:
        batch = list(
            session.scalars(
                select(t.AuditEvent)
                .where(t.AuditEvent.id > last)
                .order_by(t.AuditEvent.id)
                .limit(5000)
            )
        )
        if not batch:
            return
        yield from batch
        last = batch[-1].id
        session.expunge_all()


def verify(session: Session) -> tuple[int, list[Break]]:
    """(rows read, the breaks): a row whose hash does not match its fields and the hash before
    it, a row missing from the sequence, a chain that does not start at the beginning."""
    prev, expected, n = GENESIS, 1, 0
    breaks: list[Break] = []
    for r in _rows(session):
        n += 1
        if r.id != expected:
            breaks.append(Break(r.id, f"rows {expected} to {r.id - 1} are missing"))
        if r.prev_hash != prev:
            breaks.append(Break(r.id, "its previous hash is not the hash of the row before it"))
        fields = {
            "id": r.id,
            "at": r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC),
            "user_id": r.user_id,
            "username": r.username,
            "practice_id": r.practice_id,
            "action": r.action,
            "event": r.event,
            "resource": r.resource,
            "patient_id": r.patient_id,
            "outcome": r.outcome,
            "ip": r.ip,
            "user_agent": r.user_agent,
            "request_id": r.request_id,
            "detail": r.detail,
        }
        if digest(r.prev_hash, fields) != r.hash:
            breaks.append(Break(r.id, "its fields were changed after it was written"))
        prev, expected = r.hash, r.id + 1
    return n, breaks
