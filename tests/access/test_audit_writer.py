"""The audit writer's group commit: rows from many threads end in one intact chain, each caller
learns its own row is written, and a row the database refuses fails alone."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from otbill.access.audit import Entry, Writer, verify
from otbill.ledger import schema as t
from otbill.ledger.db import session_scope


def entry(i: int, **kw: object) -> Entry:
    return Entry("R", "claim.read", "success", None, f"user{i % 7}", None, f"claim:{i}", **kw)  # type: ignore[arg-type]


def test_many_threads_one_chain(engine: Engine) -> None:
    w = Writer(engine, max_batch=50)
    futures = []
    lock = threading.Lock()

    def burst(k: int) -> None:
        for i in range(40):
            f = w.submit(entry(k * 100 + i))
            with lock:
                futures.append(f)

    threads = [threading.Thread(target=burst, args=(k,)) for k in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for f in futures:
        f.result(timeout=60)
    w.close()
    with session_scope(engine) as s:
        n, breaks = verify(s)
        resources = set(s.scalars(select(t.AuditEvent.resource)))
    assert (n, breaks) == (240, [])
    assert resources == {f"claim:{k * 100 + i}" for k in range(6) for i in range(40)}


def test_time_is_when_it_happened_not_when_written(engine: Engine) -> None:
    w = Writer(engine)
    then = datetime.now(UTC) - timedelta(minutes=5)
    w.submit(entry(1), at=then).result(timeout=30)
    w.close()
    with session_scope(engine) as s:
        at = s.scalar(select(t.AuditEvent.at))
    assert at is not None
    assert abs((at.replace(tzinfo=UTC) if at.tzinfo is None else at) - then) < timedelta(seconds=1)


def test_a_refused_row_fails_alone(engine: Engine) -> None:
    w = Writer(engine)
    w.close()  # nothing queued: close is harmless, and the next submit starts the thread again
    # Queue them while the thread is busy so they share a batch: submit from one thread in a row.
    good1 = w.submit(entry(1))
    bad = w.submit(entry(2, detail={"x": object()}))  # not JSON: the database write fails
    good2 = w.submit(entry(3))
    good1.result(timeout=30)
    good2.result(timeout=30)
    with pytest.raises(Exception, match="not JSON serializable"):
        bad.result(timeout=30)
    w.close()
    with session_scope(engine) as s:
        n, breaks = verify(s)
        count = s.scalar(select(func.count()).select_from(t.AuditEvent))
    assert (n, breaks, count) == (2, [], 2)
