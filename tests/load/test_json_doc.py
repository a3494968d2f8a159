"""The JSON input documents: the published schema, the examples, and bad input."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from otbill.errors import InputError
from otbill.export.documents import episode_document
from otbill.load.json_doc import load_document, load_path, loads, schema

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "schemas" / "examples"


def example(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((EXAMPLES / name).read_text())
    return result


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(schema())
    assert (ROOT / "schemas" / "input.schema.json").exists()


# bundle.json is a FHIR bundle, not an otbill document: tests/load/test_fhir.py loads it.
@pytest.mark.parametrize(
    "name", sorted(p.name for p in EXAMPLES.glob("*.json") if p.name != "bundle.json")
)
def test_examples_validate_and_load(name: str) -> None:
    doc = example(name)
    Draft202012Validator(schema()).validate(doc)
    ep = load_path(EXAMPLES / name)
    assert ep.visits
    assert ep.patient.id


def test_episode_example_has_visits_in_date_order() -> None:
    ep = load_path(EXAMPLES / "episode.json")
    days = [v.date for v in ep.visits]
    assert days == sorted(days)
    assert len(ep.visits) >= 3


def test_money_is_exact() -> None:
    doc = example("visit.json")
    doc["practice"]["charges"]["97110"] = 48.1
    ep = loads(json.dumps(doc))
    assert ep.practice.charges["97110"] == Decimal("48.1")
    assert isinstance(ep.practice.charges["97110"], Decimal)


def mutate(path: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(example("visit.json"))
    *parents, last = path.split(".")
    node: Any = doc
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    if value is KeyError:
        del node[int(last) if last.isdigit() else last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        ("providers.0.npi", "1987654320", "providers[0].npi", "check digit"),
        ("practice.npi", "12345", "practice.npi", "does not match"),
        ("visit.services.0.code", "99213", "visit.services[0].code", "unknown code 99213"),
        (
            "visit.services.0.therapist_minutes",
            -5,
            "visit.services[0].therapist_minutes",
            "minimum",
        ),
        ("visit.services.0.therapist_minutes", "24", "visit.services[0].therapist_minutes", "type"),
        ("visit.date", "2026-02-30", "visit.date", "not a real date"),
        ("visit.rendering_npi", "1234567893", "visit.rendering_npi", "not among the providers"),
        ("visit.plan_of_care_id", "POC-9", "visit.plan_of_care_id", "no plan of care"),
        ("coverages.0.payer_id", "NOPE", "coverages[0].payer_id", "no payer"),
        ("visit.diagnoses.0", "M25-511", "visit.diagnoses[0]", "does not match"),
        ("visit.services", [], "visit.services", "non-empty"),
        ("patient.sex", "X", "patient.sex", "is not one of"),
        ("visit.services.0.units", 2, "visit.services[0].units", "timed"),
        ("document", "claim", "document", "visit"),
        ("visit.id", KeyError, "visit", "'id' is a required property"),
    ],
)
def test_bad_input_names_the_field(path: str, value: Any, field: str, words: str) -> None:
    with pytest.raises(InputError) as info:
        load_document(mutate(path, value))
    assert info.value.field == field
    assert words in info.value.problem


def test_not_json_names_the_position() -> None:
    with pytest.raises(InputError, match="line 1 column"):
        loads("{not json", source="x.json")


def test_unreadable_file() -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_path(Path("/nonexistent/visit.json"))


def test_duplicate_visit_ids_are_refused() -> None:
    doc = example("episode.json")
    doc["visits"][1]["id"] = doc["visits"][0]["id"]
    with pytest.raises(InputError, match="appears twice"):
        load_document(doc)


def test_plan_first_treatment_date_loads_and_round_trips() -> None:
    doc = example("visit.json")
    doc["plans_of_care"][0]["first_treatment_date"] = "2026-03-04"
    ep = load_document(doc)
    assert ep.plans_of_care[0].first_treatment_date == date(2026, 3, 4)
    again = load_document(json.loads(json.dumps(episode_document(ep))))
    assert again.plans_of_care == ep.plans_of_care
    with pytest.raises(InputError) as info:
        load_document(mutate("plans_of_care.0.first_treatment_date", "2026-02-30"))
    assert info.value.field == "plans_of_care[0].first_treatment_date"
