"""Connecting: SQLite by default (a file in the user's data directory, or --db PATH), any
SQLAlchemy URL through OTBILL_DATABASE_URL (postgresql+psycopg://... at scale)."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import Engine, Text, bindparam, cast, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

ENV = "OTBILL_DATABASE_URL"


def default_url() -> str:
    folder = Path(user_data_dir("otbill", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'otbill.db'}"


def resolve_url(db_path: str | None = None) -> str:
    if db_path:
        return db_path if "://" in db_path else f"sqlite:///{Path(db_path).resolve()}"
    return os.environ.get(ENV) or default_url()


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed if the block finishes, rolled back whole if it raises."""
    factory = sessionmaker(engine, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def insert_rows(
    session: Session, model: Any, rows: list[dict[str, Any]], json_text: Sequence[str] = ()
) -> None:
    """One executemany of plain rows. The ORM's bulk insert splits its batches wherever a row
    has None where the one before had a value (it leaves such columns out), and an INSERT with
    RETURNING runs row by row on SQLite: either meant tens of thousands of statements on a
    large build. The ``json_text`` columns come already serialized and are bound as text."""
    if rows:
        session.connection().execute(_insert(session, model, json_text), rows)


def _insert(session: Session, model: Any, json_text: Sequence[str]) -> Any:
    table = model.__table__
    stmt = table.insert()
    if json_text:
        pg = session.get_bind().dialect.name == "postgresql"
        stmt = stmt.values(
            {
                c: cast(bindparam(c, type_=Text()), table.c[c].type)
                if pg
                else bindparam(c, type_=Text())
                for c in json_text
            }
        )
    return stmt


def insert_returning_ids(
    session: Session, model: Any, rows: list[dict[str, Any]], json_text: Sequence[str] = ()
) -> list[int]:
    """Like insert_rows, and the new rows' ids in the order of ``rows`` (for small batches:
    RETURNING makes it a statement per row on SQLite)."""
    if not rows:
        return []
    table = model.__table__
    stmt = _insert(session, model, json_text)
    result = session.connection().execute(
        stmt.returning(table.c.id, sort_by_parameter_order=True), rows
    )
    return [r[0] for r in result]


@contextmanager
def bulk_work() -> Iterator[None]:
    """The cyclic garbage collector paused for one bulk step. A large posting or build holds
    hundreds of thousands of objects, and each full collection walks them all: at 50,000
    claims that was a quarter of the posting time. What the step frees it frees by reference
    counting; cycles wait for the collector to resume."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
