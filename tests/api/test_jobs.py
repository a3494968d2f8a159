"""Files posted to the workbench become jobs: worked all or nothing, with progress, posting the
same file again changes nothing; on PostgreSQL through procrastinate's workers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, select, text

from conftest import World, make_world
from otbill.demo.remit import remittance
from otbill.ledger import schema as t
from otbill.ledger.claims import as_claims, list_claims
from otbill.ledger.db import make_engine, session_scope
from otbill.ledger.migrate import upgrade
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo


def era_for(world: World) -> bytes:
    with session_scope(world.engine) as s:
        claims = as_claims(list_claims(s, world.a, "submitted"))
    r = remittance(claims, seed=3)
    return build_835([r], InterchangeInfo("MCR", "P", 9, datetime(2026, 4, 1, tzinfo=UTC))).encode()


def test_an_835_posted_as_a_job_and_posted_again(world: World) -> None:
    c = world.client("a_biller")
    era = era_for(world)
    r = c.post(f"/api/practices/{world.a}/remittances", files={"file": ("week.835", era)})
    assert r.status_code == 202
    job = c.get(r.json()["progress"]).json()
    assert job["state"] == "done" and job["result"]["claims_posted"] == 5
    assert job["done"] == job["total"] == 5
    again = c.post(f"/api/practices/{world.a}/remittances", files={"file": ("week.835", era)})
    assert c.get(again.json()["progress"]).json()["result"]["already_posted"] is True
    with session_scope(world.engine) as s:
        assert s.scalar(select(t.Job.content).where(t.Job.id == job["id"])) is None
        states = {x.state for x in list_claims(s, world.a)}
        # The reports' tables were folded after the posting: its postings are in them.
        mark = s.get(t.ReportMark, world.a)
        last_posting = s.scalar(select(func.max(t.Posting.id)))
    assert "submitted" not in states
    assert mark is not None and mark.posting_id == last_posting


def test_a_bad_file_fails_the_job_and_changes_nothing(world: World) -> None:
    c = world.client("a_biller")
    broken = era_for(world)[:-40]  # cut short: no SE, GE, IEA
    for content in (broken, b"not an X12 file"):
        r = c.post(f"/api/practices/{world.a}/remittances", files={"file": ("x.835", content)})
        job = c.get(r.json()["progress"]).json()
        assert job["state"] == "failed" and job["error"], job
    with session_scope(world.engine) as s:
        assert s.scalar(select(t.Remittance.id)) is None


def test_an_empty_upload_is_refused_at_once(world: World) -> None:
    c = world.client("a_biller")
    r = c.post(f"/api/practices/{world.a}/remittances", files={"file": ("x.835", b"")})
    assert r.status_code == 422 and "the file is empty" in r.json()["detail"]


@pytest.fixture
def own_pg(pg_url: str) -> Iterator[str]:
    """A database of its own: procrastinate's tables stay out of the other tests' schema."""
    admin = create_engine(pg_url.rsplit("/", 1)[0] + "/test", isolation_level="AUTOCOMMIT")
    name = f"otbill_jobs_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield pg_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(
            text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def test_procrastinate_works_the_job_on_postgresql(own_pg: str, tmp_path: object) -> None:
    from otbill.ledger.pgjobs import ProcrastinateRunner

    engine = make_engine(own_pg)
    upgrade(engine)
    world = make_world(engine, tmp_path)  # type: ignore[arg-type]
    runner = ProcrastinateRunner(engine)
    c = world.client("a_biller", runner=runner)
    r = c.post(
        f"/api/practices/{world.a}/remittances", files={"file": ("week.835", era_for(world))}
    )
    progress = r.json()["progress"]
    assert c.get(progress).json()["state"] == "queued"  # deferred: a worker takes it
    runner.drain()
    job = c.get(progress).json()
    assert job["state"] == "done" and job["result"]["claims_posted"] == 5
    engine.dispose()
