"""Background jobs: a file posted to the workbench (an 835, a 999 or 277CA, a visits file) is
kept with its job and worked away from the request, all or nothing as the CLI does it, with the
progress a page shows.

One small interface, two runners: on SQLite the server works its jobs itself, one at a time in
a thread (SQLite has one writer anyway); on PostgreSQL through procrastinate (jobs/pg.py),
whose workers may run anywhere. A job's payload is its id: no patient data in a queue.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from otbill.errors import OtbillError
from otbill.ledger import schema as t
from otbill.ledger.db import enter_practices, session_scope

log = logging.getLogger("otbill.jobs")
KINDS = ("835", "ack", "visits")
MAX_BYTES = 50 * 1024 * 1024


class JobError(OtbillError):
    """A file that cannot be taken as a job."""


def now() -> datetime:
    return datetime.now(UTC)


def enqueue(
    session: Session, practice_id: int, kind: str, file_name: str, content: bytes, user_id: int
) -> t.Job:
    if kind not in KINDS:
        raise JobError(f"a job is one of {', '.join(KINDS)}")
    if not content:
        raise JobError(f"{file_name}: the file is empty")
    if len(content) > MAX_BYTES:
        raise JobError(f"{file_name}: larger than {MAX_BYTES // (1024 * 1024)} MB")
    job = t.Job(
        practice_id=practice_id,
        kind=kind,
        state="queued",
        file_name=file_name[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        done=0,
        total=0,
        created_by=user_id,
        created_at=now(),
        result={},
        error="",
    )
    session.add(job)
    session.flush()
    return job


# Progress of the jobs this process works, for SQLite: the work's transaction holds SQLite's one
# write lock, so progress cannot be written beside it; the server that works the job answers
# for its progress from here.
LIVE: dict[int, tuple[int, int]] = {}


def _progress(engine: Engine, job_id: int) -> Callable[[int, int], None]:
    """Progress a page can see while the work's own transaction is still open: in short
    transactions of its own on PostgreSQL, in this process's memory on SQLite."""
    last = [0.0]
    sqlite = engine.dialect.name == "sqlite"

    def tell(done: int, total: int) -> None:
        if sqlite:
            LIVE[job_id] = (done, total)
            return
        stamp = now().timestamp()
        if done < total and stamp - last[0] < 0.5:
            return
        last[0] = stamp
        with session_scope(engine) as s:
            job = s.get(t.Job, job_id)
            if job is not None:
                job.done, job.total = done, total

    return tell


def _work(
    session: Session, job: t.Job, who: str, tell: Callable[[int, int], None]
) -> dict[str, Any]:
    text = (job.content or b"").decode("utf-8", errors="replace")
    if job.kind == "835":
        from otbill.ledger.posting import post_835

        r = post_835(session, job.practice_id, text, who, name=job.file_name, progress=tell)
        return {
            "message": r.message,
            "already_posted": r.already_posted,
            "claims_posted": r.claims_posted,
            "reversals": r.reversals,
            "unmatched": len(r.unmatched),
            "paid": str(r.paid),
        }
    if job.kind == "ack":
        from otbill.ledger.acks import apply_ack

        a = apply_ack(session, job.practice_id, text, who)
        return {"accepted": len(a.accepted), "rejected": len(a.rejected), "unknown": a.unknown}
    import tempfile
    from pathlib import Path

    from otbill.ledger.store import import_episodes
    from otbill.load.files import load_file

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (Path(job.file_name).name or "visits")
        path.write_bytes(job.content or b"")
        episodes = load_file(path)
    # Checked before anything is written: the practice is the job's (the page's), never the
    # file's, and on PostgreSQL the wall would refuse the write with a less helpful message.
    own = session.get(t.Practice, job.practice_id)
    assert own is not None
    others = sorted({e.practice.npi for e in episodes} - {own.npi})
    if others:
        raise JobError(
            f"{job.file_name}: its visits are another practice's (NPI {', '.join(others)}), "
            f"not {own.name}'s (NPI {own.npi}): post them to that practice"
        )
    r2 = import_episodes(session, episodes)
    return {"visits_added": r2.visits_added, "visits_updated": r2.visits_updated}


def run_job(engine: Engine, job_id: int) -> None:
    """Work one job: its whole effect in one transaction, or none of it and the reason."""
    with session_scope(engine) as s:
        job = s.get(t.Job, job_id)
        if job is None or job.state != "queued":
            return
        job.state, job.started_at = "running", now()
    tell = _progress(engine, job_id)
    try:
        with session_scope(engine) as s:
            job = s.get(t.Job, job_id)
            assert job is not None
            user = s.get(t.AppUser, job.created_by)
            enter_practices(s, [job.practice_id])  # the job sees its practice's rows only
            result = _work(s, job, user.username if user else "otbill", tell)
            job.state, job.result, job.finished_at = "done", result, now()
            job.done, job.total = LIVE.pop(job_id, (job.done, job.total))
            job.content = None  # worked: the file's effect is in the ledger now
    except Exception as e:
        if not isinstance(e, OtbillError):
            log.exception("job %s failed", job_id)
        LIVE.pop(job_id, None)
        with session_scope(engine) as s:
            job = s.get(t.Job, job_id)
            assert job is not None
            job.state, job.error, job.finished_at = "failed", str(e)[:2000], now()
        return
    _fold_reports(engine, job_id)


def _fold_reports(engine: Engine, job_id: int) -> None:
    """After a job's work commits, its history folded into the reports' tables in a
    transaction of its own (see ledger/reports/facts: a fold waits for writers, so it never
    runs inside one), so the dashboard that reads them next folds little. Best effort: a fold
    that fails is done again by the next report."""
    try:
        from otbill.ledger.reports.facts import refresh

        with session_scope(engine) as s:
            job = s.get(t.Job, job_id)
            assert job is not None
            enter_practices(s, [job.practice_id])
            refresh(s, job.practice_id)
    except Exception:
        log.exception("folding the reports after job %s failed; the next report folds it", job_id)


class Runner(Protocol):
    def submit(self, job_id: int) -> None: ...


class ThreadRunner:
    """Jobs worked by the server itself, one at a time, in order (SQLite)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="otbill-job")
        self.futures: list[Future[None]] = []
        self.lock = threading.Lock()

    def submit(self, job_id: int) -> None:
        with self.lock:
            self.futures.append(self.pool.submit(run_job, self.engine, job_id))

    def wait(self) -> None:
        """Until every job submitted so far is done (for tests and shutdown)."""
        with self.lock:
            pending = list(self.futures)
        for f in pending:
            f.result()


class InlineRunner:
    """Jobs worked at once, in the caller's thread (tests; a command line)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def submit(self, job_id: int) -> None:
        run_job(self.engine, job_id)


def job_view(job: t.Job) -> dict[str, Any]:
    done, total = LIVE.get(job.id, (job.done, job.total))
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "file": job.file_name,
        "sha256": job.sha256,
        "done": done,
        "total": total,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "result": job.result,
        "error": job.error,
    }


def runner_for(engine: Engine) -> Runner:
    """The runner for the database: procrastinate's workers on PostgreSQL when it is
    installed, the server's own thread otherwise."""
    if engine.dialect.name == "postgresql":
        try:
            from otbill.ledger.pgjobs import ProcrastinateRunner
        except ImportError:
            return ThreadRunner(engine)
        return ProcrastinateRunner(engine)
    return ThreadRunner(engine)
