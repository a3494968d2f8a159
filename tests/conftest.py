"""Databases for the tests that store: a SQLite file, and a real PostgreSQL database
(127.0.0.1:5432, trust auth; .ci/run starts the server when it is down)."""

from __future__ import annotations

import os

# The suite signs in hundreds of times: cheap Argon2 parameters (otbill.access.passwords).
os.environ.setdefault("OTBILL_TEST_FAST_HASHES", "1")
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from otbill.ledger.db import make_engine
from otbill.ledger.migrate import upgrade
from otbill.ledger.schema import Base

PG_ADMIN = os.environ.get("OTBILL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as e:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN}: {e}")
        pytest.skip(f"PostgreSQL is not reachable: {e}")
    name = f"otbill_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(
            text(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            )
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def fresh(engine: Engine) -> Engine:
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    else:
        eng = make_engine(request.getfixturevalue("pg_url"))
    yield fresh(eng)
    eng.dispose()


@pytest.fixture
def db_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)
