"""The ledger end to end on the demo practice: import, build claims, write the 837P, post an 835
for all of them; on SQLite and on PostgreSQL, each step's seconds and rows per second.

    .venv/bin/python bench/ledger.py [--visits 50000] [--pg postgresql+psycopg://...]

Target: the whole run under 60 seconds on SQLite.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text, update

from otbill.demo.practice import practice_with_visits
from otbill.demo.remit import remittance
from otbill.export.documents import episode_document
from otbill.ledger.claims import as_claims, build_claims, list_claims, submit, write_after_commit
from otbill.ledger.db import make_engine, session_scope
from otbill.ledger.migrate import upgrade
from otbill.ledger.posting import post_835
from otbill.ledger.schema import Claim
from otbill.ledger.store import import_episodes
from otbill.x12.read import read_x12
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo

WHEN = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)


def timed(label: str, rows: int, fn: Callable[[], Any], out: list[tuple[str, float, int]]) -> Any:
    t = time.perf_counter()
    result = fn()
    secs = time.perf_counter() - t
    out.append((label, secs, rows))
    print(f"  {label:<28}{secs:8.2f} s {rows / secs:12,.0f} rows/s", flush=True)
    return result


def run(url: str, visits: int) -> float:
    engine = make_engine(url)
    upgrade(engine)
    practice = practice_with_visits(visits)
    tmp = Path(tempfile.mkdtemp(prefix="otbill-ledger-"))
    steps: list[tuple[str, float, int]] = []

    def do_import() -> int:
        with session_scope(engine) as s:
            return import_episodes(s, list(practice.episodes)).practice_id

    pid = timed("import visits", visits, do_import, steps)

    def do_build() -> Any:
        with session_scope(engine) as s:
            r = build_claims(s, pid, date(2026, 12, 31))
            # The bench bills everything, ready or not: one UPDATE, not otbill's work.
            s.execute(
                update(Claim)
                .where(Claim.practice_id == pid, Claim.state == "draft")
                .values(state="ready")
            )
            return r

    built = timed("build claims (code + check)", visits, do_build, steps)

    def do_submit() -> Any:
        with session_scope(engine) as s:
            sub = submit(s, pid, tmp / "all.837", when=WHEN)
        assert sub is not None
        write_after_commit(sub)
        return sub

    sub = timed("write the 837P batch", sub_rows := built.built, do_submit, steps)
    with session_scope(engine) as s:
        claims = as_claims(list_claims(s, pid, "submitted"))
    era = tmp / "all.835"
    era.write_text(build_835([remittance(claims, seed=5)], InterchangeInfo("P", "Q", 3, WHEN)))

    def do_post() -> Any:
        with session_scope(engine) as s:
            return post_835(s, pid, era)

    posted = timed("post the 835", len(claims), do_post, steps)
    baselines(practice, era, visits)
    assert posted.claims_posted == len(claims) == sub.claims == sub_rows
    total = sum(s for _, s, _ in steps)
    print(f"  {'whole run':<28}{total:8.2f} s")
    engine.dispose()
    return total


def baselines(practice: Any, era: Path, visits: int) -> None:
    """Floors measured in the same run: what the bare parts cost without the ledger's work."""
    docs = [json.dumps(v) for e in practice.episodes for v in episode_document(e)["visits"]]
    db = sqlite3.connect(":memory:")
    db.execute("create table v (id integer primary key, doc text)")
    t0 = time.perf_counter()
    db.executemany("insert into v (doc) values (?)", [(d,) for d in docs])
    db.commit()
    raw = time.perf_counter() - t0
    t0 = time.perf_counter()
    read_x12(era.read_text())
    parse = time.perf_counter() - t0
    print(f"  baseline: raw sqlite3 insert of the {len(docs):,} visit documents {raw:6.2f} s")
    print(f"  baseline: reading the 835 alone (no ledger)          {parse:6.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--visits", type=int, default=50_000)
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="otbill-ledger-"))
    print(f"SQLite ({args.visits:,} visits)")
    sqlite_total = run(f"sqlite:///{tmp / 'bench.db'}", args.visits)
    print(f"SQLite whole run: {sqlite_total:.1f} s (target < 60 s)\n")
    if args.no_pg:
        return
    name = f"otbill_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        print(f"PostgreSQL ({args.visits:,} visits)")
        run(args.pg.rsplit("/", 1)[0] + f"/{name}", args.visits)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
