"""The bulk writers (ledger/db): rows sent to the driver's executemany read back through the ORM
exactly as the ORM would have written them, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from otbill.ledger import schema as t
from otbill.ledger.db import insert_rows, session_scope, update_rows

D = Decimal


def _claim(s: object, number: str = "C-1") -> t.Claim:
    practice = t.Practice(npi="1234567893", name="P", doc={"name": "P"})
    s.add(practice)  # type: ignore[attr-defined]
    s.flush()  # type: ignore[attr-defined]
    patient = t.Patient(
        practice_id=practice.id, ext_id="PT-1", last_name="DOE", first_name="JANE", doc={}
    )
    s.add(patient)  # type: ignore[attr-defined]
    s.flush()  # type: ignore[attr-defined]
    claim = t.Claim(
        practice_id=practice.id,
        number=number,
        patient_id=patient.id,
        visit_id=None,
        payer_ext="MCR",
        member_id="1EG4TE5MK73",
        date_of_service=date(2026, 3, 2),
        state="ready",
        total_charge=D("100.00"),
        doc={},
        findings={},
    )
    s.add(claim)  # type: ignore[attr-defined]
    s.flush()  # type: ignore[attr-defined]
    return claim


def test_values_defaults_and_json_read_back_as_written(engine: Engine) -> None:
    with session_scope(engine) as s:
        claim = _claim(s)
        # paid, adjusted and patient_resp left out: their model defaults (0.00) are written.
        insert_rows(
            s,
            t.ClaimLine,
            [
                {"claim_id": claim.id, "line_no": n, "code": code, "modifiers": "GO",
                 "units": 2, "charge": charge, "allowed": allowed}
                for n, (code, charge, allowed) in enumerate(
                    [("97110", D("64.005"), None), ("97530", D("36"), D("30.10"))], start=1
                )
            ],
        )  # fmt: skip
        at = datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
        insert_rows(
            s,
            t.ClaimEvent,
            [{"claim_id": claim.id, "at": at, "who": "ann", "from_state": None,
              "to_state": "draft", "why": "built"}],
        )  # fmt: skip
        # A JSON column given as text already serialized, and one given as a dict.
        insert_rows(
            s,
            t.Claim,
            [{"practice_id": claim.practice_id, "number": "C-2", "patient_id": claim.patient_id,
              "visit_id": None, "payer_ext": "MCR", "member_id": "1EG4TE5MK73",
              "date_of_service": date(2026, 3, 5), "state": "draft", "total_charge": D("12.30"),
              "doc": json.dumps({"id": "C-2", "lines": [1, 2]}), "findings": {"items": []}}],
            json_text=("doc",),
        )  # fmt: skip
    with session_scope(engine) as s:
        lines = list(s.scalars(select(t.ClaimLine).order_by(t.ClaimLine.line_no)))
        assert [(ln.code, ln.charge, ln.allowed) for ln in lines] == [
            ("97110", D("64.00"), None),  # to the cent, half even, as the Money type rounds
            ("97530", D("36.00"), D("30.10")),
        ]
        assert all((ln.paid, ln.adjusted, ln.patient_resp) == (D("0.00"),) * 3 for ln in lines)
        (event,) = s.scalars(select(t.ClaimEvent))
        assert event.at.replace(tzinfo=event.at.tzinfo or UTC) == at
        c2 = s.scalar(select(t.Claim).where(t.Claim.number == "C-2"))
        assert c2 is not None
        assert c2.doc == {"id": "C-2", "lines": [1, 2]} and c2.findings == {"items": []}
        assert (c2.frequency, c2.date_of_service, c2.total_charge) == (
            "1",
            date(2026, 3, 5),
            D("12.30"),
        )


def test_update_rows_sets_the_other_keys_by_id(engine: Engine) -> None:
    with session_scope(engine) as s:
        claim = _claim(s)
        insert_rows(
            s,
            t.ClaimLine,
            [{"claim_id": claim.id, "line_no": n, "code": "97110", "modifiers": "",
              "units": 1, "charge": D("30"), "allowed": None} for n in (1, 2)],
        )  # fmt: skip
    with session_scope(engine) as s:
        a, b = s.scalars(select(t.ClaimLine).order_by(t.ClaimLine.line_no))
        update_rows(s, t.ClaimLine, [{"id": b.id, "paid": D("21.07"), "allowed": D("26.34")}])
    with session_scope(engine) as s:
        a, b = s.scalars(select(t.ClaimLine).order_by(t.ClaimLine.line_no))
        assert (a.paid, a.allowed) == (D("0.00"), None)
        assert (b.paid, b.allowed, b.charge) == (D("21.07"), D("26.34"), D("30.00"))


def test_a_left_out_column_with_a_computed_default_is_refused(engine: Engine) -> None:
    from sqlalchemy import Column, Integer, MetaData, Table

    table = Table("x", MetaData(), Column("id", Integer, primary_key=True),
                  Column("n", Integer, default=lambda: 1))  # fmt: skip

    class Model:
        __table__ = table

    with (
        pytest.raises(ValueError, match=r"x\.n: its default is computed"),
        session_scope(engine) as s,
    ):
        insert_rows(s, Model, [{"id": 1}])


def test_the_migrations_make_the_schema_the_models_describe(engine: Engine) -> None:
    """Alembic's own comparison of the migrated database with the models finds nothing to add,
    drop or change: a model changed without its migration fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), t.Base.metadata)
    assert diff == []


def test_a_database_with_postings_upgrades_from_0002_to_head(engine: Engine) -> None:
    """Upgrading a practice's database, not an empty one: SQLite rebuilds a table to add a
    foreign key, and with postings and their adjustments pointing at it that must not fail
    or lose a row."""
    from sqlalchemy import text

    from otbill.ledger.migrate import current, head, upgrade

    with engine.begin() as conn:
        t.Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine, "0002")
    with session_scope(engine) as s:
        claim = _claim(s)
        remit = t.Remittance(
            practice_id=claim.practice_id, sha256="x" * 64, trace_number="T1",
            payer_name="MEDICARE", amount=D("80.00"), paid_on=date(2026, 3, 20),
            posted_at=datetime(2026, 3, 21, tzinfo=UTC), file_name="a.835",
        )  # fmt: skip
        s.add(remit)
        s.flush()
        # The posting table as it was at 0002: written with Core, naming its columns then.
        posting = s.execute(
            t.Posting.__table__.insert().values(
                remittance_id=remit.id, claim_id=claim.id, status="1", charge=D("100.00"),
                paid=D("80.00"), patient_resp=D("20.00"), payer_claim_number="ICN1",
                reversed=False, doc={},
            )
        ).inserted_primary_key[0]  # fmt: skip
        s.execute(
            t.Adjustment.__table__.insert().values(
                posting_id=posting, claim_id=claim.id, claim_line_id=None, group_code="PR",
                reason="2", amount=D("20.00"), remarks="",
            )
        )  # fmt: skip
        # Paid again, and that payment reversed: the reversal is linked when the column comes.
        payments = [
            s.execute(
                t.Posting.__table__.insert().values(
                    remittance_id=remit.id, claim_id=claim.id, status=status, charge=charge,
                    paid=paid, patient_resp=D("0.00"), payer_claim_number="ICN2",
                    reversed=True, doc={},
                )
            ).inserted_primary_key[0]
            for status, charge, paid in (("1", D("100.00"), D("5.00")),
                                         ("22", D("-100.00"), D("-5.00")))
        ]  # fmt: skip
    upgrade(engine)
    assert current(engine) == head()
    with session_scope(engine) as s:
        kept, again, undo = s.scalars(select(t.Posting).order_by(t.Posting.id))
        (adj,) = s.scalars(select(t.Adjustment))
        assert (kept.paid, kept.reversed_by_id, adj.posting_id) == (D("80.00"), None, kept.id)
        assert [again.id, undo.id] == payments
        assert (again.reversed_by_id, undo.reversed_by_id) == (undo.id, None)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:  # the connection's keys are enforced again
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
