"""Connecting: SQLite by default (a file in the user's data directory, or --db PATH), any
SQLAlchemy URL through OTBILL_DATABASE_URL (postgresql+psycopg://... at scale)."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import Connection, Dialect, Engine, Table, create_engine, event, text
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


def make_engine(url: str, pool_size: int | None = None) -> Engine:
    """``pool_size``: connections kept for a server's threads (SQLAlchemy's default, 5 and 10
    more on demand, suits the command line)."""
    sized = {"pool_size": pool_size, "max_overflow": pool_size // 2} if pool_size else {}
    engine = create_engine(url, future=True, **sized)
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
    """One executemany of plain rows (each with the first row's keys). The ORM's bulk insert
    splits its batches wherever a row has None where the one before had a value (it leaves
    such columns out), and an INSERT with RETURNING runs row by row on SQLite: either meant
    tens of thousands of statements on a large build. The ``json_text`` columns come already
    serialized and are bound as text."""
    if rows:
        conn = session.connection()
        plan = _insert_plan(conn.dialect, model.__table__, tuple(rows[0]), tuple(json_text))
        plan.run(conn, rows)


def update_rows(session: Session, model: Any, rows: list[dict[str, Any]], key: str = "id") -> None:
    """One executemany of ``UPDATE ... SET <the other keys> WHERE <key> = ...``, on the
    connection: a session flush would send dirty objects one UPDATE at a time."""
    if rows:
        conn = session.connection()
        plan = _update_plan(conn.dialect, model.__table__, tuple(rows[0]), key)
        plan.run(conn, rows)


@dataclass(frozen=True, slots=True)
class _Plan:
    """A statement as the driver takes it, and each parameter's bind processor: worked out once
    per table and columns, where SQLAlchemy's executemany works out each row's parameters
    through the compiled statement (a third of a 50,000-claim posting went there)."""

    sql: str
    keys: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    defaults: tuple[Any, ...] = ()  # bound after the keys' values: the columns rows leave out

    def run(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        keys = self.keys
        if any(self.processors):
            pairs = tuple(zip(keys, self.processors, strict=True))
            params = [tuple(r[k] if p is None else p(r[k]) for k, p in pairs) for r in rows]
        else:
            params = [tuple(r[k] for k in keys) for r in rows]
        if self.defaults:
            params = [(*p, *self.defaults) for p in params]
        conn.exec_driver_sql(self.sql, params)


def _marker(dialect: Dialect) -> str:
    # The drivers otbill runs on: sqlite3 takes qmark, psycopg takes format with pyformat.
    return "?" if dialect.paramstyle == "qmark" else "%s"


def _processor(dialect: Dialect, column: Any) -> Callable[[Any], Any] | None:
    proc: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).bind_processor(dialect)
    return proc


@lru_cache(maxsize=256)
def _insert_plan(
    dialect: Dialect, table: Table, keys: tuple[str, ...], json_text: tuple[str, ...]
) -> _Plan:
    q = dialect.identifier_preparer
    mark = _marker(dialect)
    # The columns left out get their model defaults, as an ORM or Core insert would give them.
    left_out = [c for c in table.c if c.key not in keys and c.default is not None]
    values = [_scalar_default(table, c) for c in left_out]
    marks = [
        # Text bound into a JSON column: PostgreSQL wants it cast, SQLite stores it as is.
        f"CAST({mark} AS {table.c[k].type.compile(dialect)})"
        if k in json_text and dialect.name == "postgresql"
        else mark
        for k in keys
    ] + [mark] * len(left_out)
    columns = [table.c[k] for k in keys] + left_out
    sql = (
        f"INSERT INTO {q.format_table(table)} "
        f"({', '.join(q.format_column(c) for c in columns)}) VALUES ({', '.join(marks)})"
    )
    procs = tuple(None if k in json_text else _processor(dialect, table.c[k]) for k in keys)
    defaults = tuple(
        v if (p := _processor(dialect, c)) is None else p(v)
        for c, v in zip(left_out, values, strict=True)
    )
    return _Plan(sql, keys, procs, defaults)


def _scalar_default(table: Table, column: Any) -> Any:
    default: Any = column.default
    if not default.is_scalar:
        raise ValueError(f"{table.name}.{column.key}: its default is computed; give it a value")
    return default.arg


@lru_cache(maxsize=256)
def _update_plan(dialect: Dialect, table: Table, keys: tuple[str, ...], key: str) -> _Plan:
    q = dialect.identifier_preparer
    mark = _marker(dialect)
    sets = [k for k in keys if k != key]
    sql = (
        f"UPDATE {q.format_table(table)} SET "
        f"{', '.join(f'{q.format_column(table.c[k])} = {mark}' for k in sets)} "
        f"WHERE {q.format_column(table.c[key])} = {mark}"
    )
    order = (*sets, key)
    return _Plan(sql, order, tuple(_processor(dialect, table.c[k]) for k in order))


def insert_returning_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Like insert_rows, and the new rows' ids in the order of ``rows`` (for small batches:
    RETURNING makes it a statement per row on SQLite)."""
    if not rows:
        return []
    table = model.__table__
    result = session.connection().execute(
        table.insert().returning(table.c.id, sort_by_parameter_order=True), rows
    )
    return [r[0] for r in result]


IN_CHUNK = 1000  # ids in one IN list: well inside SQLite's and PostgreSQL's limits


def in_chunks(session: Session, query: Any, column: Any, ids: Sequence[int]) -> Iterator[Any]:
    """The rows of ``query`` whose ``column`` is one of ``ids``, read an IN list of at most
    IN_CHUNK ids at a time (a practice's ids run to tens of thousands)."""
    for k in range(0, len(ids), IN_CHUNK):
        yield from session.execute(query.where(column.in_(ids[k : k + IN_CHUNK])))


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


APP_ROLE = "otbill_app"


def enter_practices(session: Session, practice_ids: Sequence[int]) -> None:
    """For the rest of this transaction, on PostgreSQL: run as the workbench's role, which sees
    the rows of these practices only (row-level security, migration 0007), a second wall
    behind the queries' own scoping. Nothing on SQLite. SET LOCAL: the pooled connection is
    back to itself at the transaction's end."""
    if session.get_bind().dialect.name != "postgresql":
        return
    # One round trip: the ids are ints (int() refuses anything else), so written in the text.
    ids = ",".join(str(int(i)) for i in practice_ids)
    session.execute(text(f"SET LOCAL ROLE {APP_ROLE}; SET LOCAL otbill.practices = '{ids}'"))
