"""Posting under stress: killed midway it leaves the books as they were; two processes posting
the same file at once (PostgreSQL) post it once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from otbill.demo.practice import generate_practice
from otbill.demo.remit import remittance
from otbill.ledger import schema as t
from otbill.ledger.claims import as_claims, build_claims, list_claims, submit
from otbill.ledger.db import session_scope
from otbill.ledger.store import import_episodes
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo

WHEN = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)


def submitted_practice(engine: Engine, tmp_path: Path, patients: int) -> Path:
    practice = generate_practice(seed=21, patients=patients, realistic_defects=False)
    with session_scope(engine) as s:
        pid = import_episodes(s, list(practice.episodes)).practice_id
        build_claims(s, pid, date(2026, 12, 31))
        # Everything is billed, ready or not: this test is about posting, not scrubbing.
        for c in list_claims(s, pid, "draft"):
            c.state = "ready"
        submit(s, pid, tmp_path / "all.837", when=WHEN)
        claims = as_claims(list_claims(s, pid, "submitted"))
    era = tmp_path / "all.835"
    era.write_text(build_835([remittance(claims, seed=5)], InterchangeInfo("P", "Q", 3, WHEN)))
    return era


def otbill(url: str, *args: str, **extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "OTBILL_DATABASE_URL": url, **extra}
    exe = Path(sys.executable).parent / "otbill"
    return subprocess.Popen(
        [str(exe), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def counts(engine: Engine) -> tuple[int, int, int, set[str]]:
    with session_scope(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(t.Remittance)) or 0,
            s.scalar(select(func.count()).select_from(t.Posting)) or 0,
            s.scalar(select(func.count()).select_from(t.Adjustment)) or 0,
            {c.state for c in s.scalars(select(t.Claim))},
        )


@pytest.mark.slow
def test_a_posting_killed_midway_leaves_the_database_as_it_was(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    era = submitted_practice(engine, tmp_path, patients=60)
    before = counts(engine)
    assert before == (0, 0, 0, {"submitted"})
    # The poster stops once its rows are written but not committed, and is killed there.
    proc = otbill(db_url, "era", "post", str(era), OTBILL_TEST_PAUSE_MIDWAY="60")
    assert proc.stderr is not None
    assert proc.stderr.readline().strip() == "otbill: paused midway"
    assert proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert counts(engine) == before
    # And the same file then posts cleanly, whole.
    done = otbill(db_url, "era", "post", str(era))
    _, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    remits, postings, _, states = counts(engine)
    assert remits == 1
    assert postings > 0
    assert "submitted" not in states


@pytest.mark.slow
def test_two_processes_posting_the_same_file_post_it_once(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the concurrency test is for PostgreSQL, where posters run side by side")
    era = submitted_practice(engine, tmp_path, patients=20)
    a = otbill(db_url, "era", "post", "--json", str(era))
    b = otbill(db_url, "era", "post", "--json", str(era))
    out_a, err_a = a.communicate(timeout=300)
    out_b, err_b = b.communicate(timeout=300)
    assert a.returncode == 0, err_a
    assert b.returncode == 0, err_b
    said = sorted([json.loads(out_a)["already_posted"], json.loads(out_b)["already_posted"]])
    assert said == [False, True]
    remits, postings, _, _ = counts(engine)
    assert remits == 1
    with session_scope(engine) as s:
        assert postings == s.scalar(select(func.count()).select_from(t.Claim))
