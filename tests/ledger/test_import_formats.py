"""`otbill import` of a CSV export and a FHIR bundle (SQLite and PostgreSQL): recognized by
content, stored like a JSON import, and idempotent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from otbill.cli import cli
from otbill.errors import InputError
from otbill.ledger import schema as t
from otbill.ledger.db import session_scope
from otbill.ledger.store import load_episodes
from otbill.load.json_doc import load_path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "schemas" / "examples"
TABLES = (
    t.Practice,
    t.Provider,
    t.Payer,
    t.Patient,
    t.Coverage,
    t.PlanOfCare,
    t.Authorization,
    t.Visit,
)


def counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as s:
        return {
            table.__tablename__: s.scalar(select(func.count()).select_from(table)) or 0
            for table in TABLES
        }


def run_import(db_url: str, *files: Path) -> dict[str, Any]:
    r = CliRunner().invoke(cli, ["import", "--db", db_url, "--json", *map(str, files)])
    assert r.exit_code == 0, r.output
    totals: dict[str, Any] = json.loads(r.output[r.output.index("{") :])
    return totals


@pytest.mark.parametrize(
    ("name", "visits", "patients"), [("visits.csv", 2, 2), ("bundle.json", 1, 1)]
)
def test_import_twice_adds_nothing_the_second_time(
    engine: Engine, db_url: str, tmp_path: Path, name: str, visits: int, patients: int
) -> None:
    # A name that says nothing: the format is told by the content, not the extension.
    src = tmp_path / "export.dat"
    src.write_bytes((EXAMPLES / name).read_bytes())
    first = run_import(db_url, src)
    assert (first["visits_added"], first["visits_updated"]) == (visits, 0)
    after_first = counts(engine)
    assert (after_first["visit"], after_first["patient"]) == (visits, patients)
    again = run_import(db_url, src)
    assert (again["visits_added"], again["visits_updated"]) == (0, 0)
    assert counts(engine) == after_first


def test_imported_visits_read_back_as_the_json_documents(engine: Engine, db_url: str) -> None:
    # The last file's practice document replaces the stored one whole, charge master included:
    # the CSV's covers every code the two files bill, the bundle's lacks 97760.
    run_import(db_url, EXAMPLES / "bundle.json", EXAMPLES / "visits.csv")
    with session_scope(engine) as s:
        (practice_id,) = s.scalars(select(t.Practice.id))
        episodes = {e.patient.id: e for e in load_episodes(s, practice_id).values()}
    # Both files describe visit V-2026-0310-0001 the same way: it is stored once.
    assert counts(engine)["visit"] == 2
    for patient, name in (("P-0001", "visit.json"), ("P-0417", "visit-workers-comp.json")):
        expected = load_path(EXAMPLES / name)
        assert episodes[patient].visits == expected.visits
        assert episodes[patient].coverages == expected.coverages


def test_a_bad_row_imports_nothing(engine: Engine, db_url: str, tmp_path: Path) -> None:
    lines = (EXAMPLES / "visits.csv").read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("minutes")] = "abc"
    bad = tmp_path / "visits.csv"
    bad.write_text("\n".join([lines[0], lines[1], ",".join(cells), *lines[3:]]) + "\n")
    r = CliRunner().invoke(cli, ["import", "--db", db_url, str(bad)])
    assert isinstance(r.exception, InputError)
    assert str(r.exception) == f"{bad} row 3, column minutes: 'abc' is not a whole number"
    assert counts(engine)["visit"] == 0


def test_unrecognized_content_is_refused(db_url: str, tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("patient,minutes\nP-1,30\n")
    r = CliRunner().invoke(cli, ["import", "--db", db_url, str(odd)])
    assert isinstance(r.exception, InputError)
    assert "a FHIR R4 Bundle, or a visits CSV" in str(r.exception)
