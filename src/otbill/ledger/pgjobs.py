"""Jobs on PostgreSQL through procrastinate: a job is deferred in the database (its id only),
and any number of workers, in the server or apart from it (`otbill worker`), take them with
row locks; the work itself is ledger.jobs.run_job, the same as on SQLite."""

from __future__ import annotations

import threading
from typing import Any

import procrastinate
from sqlalchemy import Engine, text

from otbill.ledger.jobs import run_job

QUEUE = "otbill"


def _conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class ProcrastinateRunner:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(conninfo=_conninfo(engine))
        )
        self.task: Any = self.app.task(name="otbill.run_job", queue=QUEUE)(self._run)
        self.thread: threading.Thread | None = None
        self._schema()

    def _run(self, job_id: int) -> None:
        run_job(self.engine, job_id)

    def _schema(self) -> None:
        """procrastinate's tables, made once in the practice's database."""
        with self.engine.connect() as conn:
            there = conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar()
        if there is None:
            with self.app.open():
                self.app.schema_manager.apply_schema()

    def submit(self, job_id: int) -> None:
        with self.app.open():
            self.task.defer(job_id=job_id)

    def drain(self) -> None:
        """Work every job waiting now, then return (tests, and `otbill worker --once`)."""
        with self.app.open():
            self.app.run_worker(queues=[QUEUE], wait=False, install_signal_handlers=False)

    def start_worker(self) -> None:
        """A worker in this process, in the background, for as long as the process runs."""

        def work() -> None:
            with self.app.open():
                self.app.run_worker(queues=[QUEUE], wait=True, install_signal_handlers=False)

        self.thread = threading.Thread(target=work, name="otbill-worker", daemon=True)
        self.thread.start()
