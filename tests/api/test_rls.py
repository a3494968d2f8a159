"""PostgreSQL's row-level security, the second wall: as the workbench's role, a transaction sees
only the practices it names, none without; the role is no superuser, bypasses nothing and owns
nothing; the setting does not outlive its transaction on a pooled connection."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from conftest import World
from otbill.ledger.db import enter_practices, session_scope


@pytest.fixture
def pg_world(world: World) -> World:
    if world.engine.dialect.name != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    return world


def count(engine: Engine, table: str, practices: list[int] | None) -> int:
    with session_scope(engine) as s:
        if practices is not None:
            enter_practices(s, practices)
        else:
            s.execute(text("SET LOCAL ROLE otbill_app"))
        return int(s.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())


def test_the_role_sees_only_the_practices_named(pg_world: World) -> None:
    w = pg_world
    all_claims = count(w.engine, "claim", [w.a, w.b])
    assert count(w.engine, "claim", [w.a]) == count(w.engine, "claim", [w.b]) == 5
    assert all_claims == 10
    assert count(w.engine, "claim", None) == 0  # no setting: no rows (fails closed)
    # Tables without the practice's id are seen through their claim.
    assert count(w.engine, "claim_line", [w.a]) * 2 == count(w.engine, "claim_line", [w.a, w.b])
    assert count(w.engine, "claim_line", None) == 0


def test_a_row_of_another_practice_cannot_be_written(pg_world: World) -> None:
    w = pg_world
    insert = text(
        "INSERT INTO payer_edit (practice_id, payer_ext, doc, active, at, who, why) "
        "VALUES (:b, 'X', '{}', true, now(), 'x', 'x')"
    )
    with session_scope(w.engine) as s:
        enter_practices(s, [w.a])
        with pytest.raises(Exception, match="row-level security"):
            s.execute(insert, {"b": w.b})
    with session_scope(w.engine) as s:
        enter_practices(s, [w.a])
        changed = s.execute(
            text("UPDATE claim SET state = 'closed' WHERE practice_id = :b"), {"b": w.b}
        )
        assert changed.rowcount == 0  # B's claims are not there to change
        with pytest.raises(Exception, match="permission denied"):
            s.execute(text("DELETE FROM audit_event"))


def test_the_role_is_neither_superuser_nor_bypass_nor_owner(pg_world: World) -> None:
    with session_scope(pg_world.engine) as s:
        sup, bypass = s.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'otbill_app'")
        ).one()
        owned = s.execute(
            text("SELECT count(*) FROM pg_tables WHERE tableowner = 'otbill_app'")
        ).scalar_one()
    assert (sup, bypass, owned) == (False, False, 0)


def test_the_setting_ends_with_its_transaction(pg_world: World) -> None:
    w = pg_world
    c = w.client("a_biller")
    assert c.get(f"/api/practices/{w.a}/claims").status_code == 200
    with w.engine.connect() as conn:  # the pool's connection, back from the request
        setting = conn.execute(text("SELECT current_setting('otbill.practices', true)")).scalar()
        user = conn.execute(text("SELECT current_user")).scalar()
    assert setting in (None, "") and user != "otbill_app"


# Tables a practice's user never reaches, by design: shared code tables, the accounts (one
# person works several practices), the audit log (written by the server, read by an auditor
# through the application), the jobs' queue of procrastinate.
SHARED = {
    "alembic_version", "adjustment_code", "app_user", "membership", "user_session", "api_token",
    "login_attempt", "audit_event",
}  # fmt: skip


def test_every_practice_table_is_behind_the_wall(pg_world: World) -> None:
    """A table added later with patient or practice data and no policy would be seen whole by
    the workbench's role: each table with a practice's id, or its claim's or item's, has row-level
    security on."""
    with session_scope(pg_world.engine) as s:
        rows = s.execute(
            text(
                "SELECT c.relname, c.relrowsecurity FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r' "
                "AND c.relname NOT LIKE 'procrastinate%'"
            )
        ).all()
        columns = {
            (table, col)
            for table, col in s.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = 'public'"
                )
            )
        }
    keyed = {
        table
        for table, _ in rows
        if {(table, "practice_id"), (table, "claim_id"), (table, "item_id")} & columns
        or table == "practice"
    }
    unsecured = {table for table, secured in rows if not secured}
    assert sorted(unsecured & keyed - SHARED) == []
    assert sorted(unsecured - SHARED) == []  # nothing unsecured that is not explained above
