"""CSV visit exports: the example against its JSON equivalents, grouping, and bad input."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from otbill.coding.coder import code_episode
from otbill.errors import InputError
from otbill.load.csv_visits import csv_documents, is_visits_csv, load_csv
from otbill.load.json_doc import load_path, schema
from otbill.model import Episode

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "schemas" / "examples"
CSV = EXAMPLES / "visits.csv"

Row = dict[str, str]


def rows() -> list[Row]:
    return list(csv.DictReader(io.StringIO(CSV.read_text())))


def write(table: list[Row], header: list[str] | None = None) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, header or list(table[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(table)
    return out.getvalue()


def load(table: list[Row]) -> list[Episode]:
    return load_csv(write(table), "visits.csv")


def test_example_codes_like_its_json_documents() -> None:
    medicare, comp = load_csv(CSV.read_text(), "visits.csv")
    for ep, name in ((medicare, "visit.json"), (comp, "visit-workers-comp.json")):
        expected = load_path(EXAMPLES / name)
        assert ep.visits == expected.visits
        assert ep.patient == expected.patient
        assert ep.coverages == expected.coverages
        assert ep.plans_of_care == expected.plans_of_care
        assert ep.authorizations == expected.authorizations
        assert ep.payers == expected.payers
        # The CSV lists the providers its visits and plans name; the JSON may list more.
        assert {n: expected.providers[n] for n in ep.providers} == dict(ep.providers)
        assert code_episode(ep) == code_episode(expected)
    (claim,) = code_episode(medicare)
    assert [(ln.code, ln.units, ln.modifiers) for ln in claim.lines] == [
        ("97112", 2, ("GO",)),
        ("97110", 1, ("GO", "CO")),
        ("97535", 1, ("GO",)),
    ]


def test_example_documents_follow_the_schema() -> None:
    docs = csv_documents(CSV.read_text())
    assert [d["patient"]["id"] for d in docs] == ["P-0001", "P-0417"]
    for d in docs:
        Draft202012Validator(schema()).validate(d)


def test_charges_are_exact_decimals() -> None:
    ep = load_csv(CSV.read_text())[0]
    assert ep.practice.charges["97112"] == Decimal("52.00")
    assert all(isinstance(v, Decimal) for v in ep.practice.charges.values())
    table = rows()
    table[0]["charge"] = "$1,052.10"
    assert load(table)[0].practice.charges["97112"] == Decimal("1052.10")


def test_an_export_that_repeats_every_column_loads_the_same() -> None:
    table, filled = rows(), []
    first: dict[str, Row] = {}
    for r in table:
        head = first.setdefault(r["visit_id"], r)
        line_cols = ("code", "minutes", "assistant_minutes", "charge")
        filled.append({c: (r[c] if c in line_cols else head[c]) for c in r})
    filled[3].update({k: v for k, v in filled[0].items() if k.startswith("practice_")})
    assert load(filled) == load(table)


def test_rows_group_into_visits_and_visits_into_a_patients_episode() -> None:
    table = rows()[:3]
    later = [dict(r, visit_id="V-2026-0303-0002") for r in rows()[:2]]
    later[0].update(visit_date="03/03/2026", total_treatment_minutes="40")
    later[0].update({c: "" for c in later[0] if c.startswith("assistant_")})
    later[1].update(minutes="16", assistant_minutes="")
    (ep,) = load(table + later)
    assert [v.id for v in ep.visits] == ["V-2026-0303-0002", "V-2026-0310-0001"]
    early = ep.visits[0]
    assert early.date == date(2026, 3, 3)
    assert [(s.code, s.minutes_therapist) for s in early.services] == [("97112", 24), ("97110", 16)]
    assert early.assistant_npi is None
    assert [s.code for s in ep.visits[1].services] == ["97112", "97110", "97535"]


def test_recognized_by_its_header() -> None:
    assert is_visits_csv(CSV.read_text())
    assert is_visits_csv("\ufeffvisit_id,code\r\nV-1,97110\r\n")
    assert not is_visits_csv("id,code\nV-1,97110\n")
    assert not is_visits_csv('{"document": "visit"}')


def edit(row: int, **cells: str) -> list[Row]:
    """The example with cells changed on a data row (row 2 is the first under the header)."""
    table = rows()
    table[row - 2].update(cells)
    return table


@pytest.mark.parametrize(
    ("table", "where", "words"),
    [
        (edit(3, minutes="abc"), "row 3, column minutes", "'abc' is not a whole number"),
        (edit(2, visit_date="2026-02-30"), "row 2, column visit_date", "is not a date"),
        (edit(5, charge="4x"), "row 5, column charge", "not an amount"),
        (edit(2, note_signed="maybe"), "row 2, column note_signed", "not true or false"),
        (edit(4, code=""), "row 4, column code", "required on every row"),
        (
            edit(3, patient_last_name="Pryce"),
            "row 3, column patient_last_name",
            "'Pryce' differs from 'Price' in row 2 for patient P-0001",
        ),
        (
            edit(6, visit_date="2026-02-26"),
            "row 6, column visit_date",
            "differs from '2026-02-25' in row 5 for visit V-WC-0007",
        ),
        (edit(2, patient_sex=""), "row 2, column patient_sex", "no value on any row"),
        (edit(5, patient_city=""), "row 5, column patient_city", "needed with the other address"),
        (
            edit(5, assistant_first_name="Luis"),
            "row 5, column assistant_first_name",
            "visit V-WC-0007 gives no assistant_npi",
        ),
        (edit(7, charge=""), "row 7, column charge", "no charge for 97760"),
        # Errors the document loader finds come back to the cell they came from.
        (edit(2, assistant_npi="1555555551"), "row 2, column assistant_npi", "check digit"),
        (edit(3, code="99213"), "row 3, column code", "unknown code 99213"),
        (edit(2, patient_zip="6270"), "row 2, column patient_zip", "does not match"),
        (edit(5, payer_kind="hmo"), "row 5, column payer_kind", "is not one of"),
    ],
)
def test_bad_cells_name_row_and_column(table: list[Row], where: str, words: str) -> None:
    with pytest.raises(InputError) as e:
        load(table)
    assert e.value.field == f"visits.csv {where}"
    assert words in e.value.problem


def test_bad_header() -> None:
    table = rows()
    with pytest.raises(InputError, match=r"visits.csv row 1, column minuts: not a column"):
        load_csv(write(table).replace(",minutes,", ",minuts,", 1), "visits.csv")
    no_date = [{k: v for k, v in r.items() if k != "visit_date"} for r in table]
    with pytest.raises(InputError, match=r"visits.csv row 1: missing column\(s\): visit_date"):
        load(no_date)
    with pytest.raises(InputError, match="header but no rows"):
        load_csv(write(table).splitlines()[0] + "\n")


def test_plan_first_treatment_column() -> None:
    table = [dict(r, poc_first_treatment="") for r in rows()]
    table[0]["poc_first_treatment"] = "03/04/2026"
    medicare, comp = load(table)
    assert medicare.plans_of_care[0].first_treatment_date == date(2026, 3, 4)
    assert comp.plans_of_care[0].first_treatment_date is None
    table[0]["poc_first_treatment"] = "2026-03-40"
    with pytest.raises(InputError) as e:
        load(table)
    assert e.value.field == "visits.csv row 2, column poc_first_treatment"
