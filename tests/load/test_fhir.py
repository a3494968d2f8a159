"""FHIR R4 bundles: the example against its JSON equivalent, the mapping, and bad input."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from otbill.coding.coder import code_episode
from otbill.errors import InputError
from otbill.load.fhir import bundle_documents, load_bundle
from otbill.load.json_doc import load_path, schema

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "schemas" / "examples"
BUNDLE = EXAMPLES / "bundle.json"

Json = dict[str, Any]


def bundle() -> Json:
    data: Json = json.loads(BUNDLE.read_text(), parse_float=Decimal)
    return data


def resource(data: Json, ref: str) -> Json:
    kind, rid = ref.split("/")
    return next(
        e["resource"]
        for e in data["entry"]
        if (e["resource"]["resourceType"], e["resource"].get("id")) == (kind, rid)
    )


def test_example_is_the_visit_json_document() -> None:
    (ep,) = load_bundle(bundle(), "bundle.json")
    expected = load_path(EXAMPLES / "visit.json")
    assert ep == expected
    assert code_episode(ep) == code_episode(expected)


def test_example_document_follows_the_schema() -> None:
    (doc,) = bundle_documents(bundle())
    Draft202012Validator(schema()).validate(doc)
    assert doc["practice"]["tax_id"] == "861234567"
    assert doc["practice"]["charges"]["97110"] == "48.00"


def test_minutes_of_one_code_add_up_and_the_assistants_count_apart() -> None:
    (ep,) = load_bundle(bundle())
    by_code = {s.code: s for s in ep.visits[0].services}
    assert (by_code["97110"].minutes_therapist, by_code["97110"].minutes_assistant) == (8, 15)
    assert ep.visits[0].assistant_npi == "1555555550"


def test_untimed_units_line_diagnoses_and_modifiers() -> None:
    data = bundle()
    item = resource(data, "ChargeItem/ci-97535")
    item["code"]["coding"][0]["code"] = "97168"
    item["quantity"] = {"value": 1}
    item["reason"] = [
        {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M62.81"}]}
    ]
    item["extension"] = [
        {"url": "https://otbill.dev/fhir/StructureDefinition/modifier", "valueCode": "XU"},
        {
            "url": "https://otbill.dev/fhir/StructureDefinition/distinct-reason",
            "valueString": "fall",
        },
    ]
    (ep,) = load_bundle(data)
    line = ep.visits[0].services[-1]
    assert (line.code, line.units, line.minutes) == ("97168", 1, 0)
    assert (line.diagnoses, line.modifiers, line.distinct_reason) == (("M62.81",), ("XU",), "fall")


def test_skipped_statuses_are_not_billed() -> None:
    data = bundle()
    resource(data, "ChargeItem/ci-97535")["status"] = "aborted"
    (ep,) = load_bundle(data)
    assert [s.code for s in ep.visits[0].services] == ["97112", "97110"]
    resource(data, "Encounter/V-2026-0310-0001")["status"] = "cancelled"
    with pytest.raises(InputError, match="no Encounter"):
        load_bundle(data)


def test_payer_kind_from_the_payment_typology() -> None:
    data = bundle()
    coverage = resource(data, "Coverage/eleanor-medicare")
    coverage["type"]["coding"][0]["code"] = "95"
    coverage["relationship"]["coding"][0]["code"] = "injured"
    coverage["extension"] = [
        {
            "url": "https://otbill.dev/fhir/StructureDefinition/injury",
            "extension": [
                {"url": "claimNumber", "valueString": "IL-26-0044182"},
                {"url": "date", "valueDate": "2026-01-19"},
            ],
        }
    ]
    (ep,) = load_bundle(data)
    assert ep.payers["MCR-IL"].kind == "workers_comp"
    (cov,) = ep.coverages
    assert (cov.relationship, cov.injury and cov.injury.claim_number) == (
        "employee",
        "IL-26-0044182",
    )


Edit = Callable[[Json], None]


def put(ref: str, path: str, value: Any) -> Edit:
    def edit(data: Json) -> None:
        node: Any = resource(data, ref)
        *parents, last = path.split(".")
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        if value is KeyError:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "where", "words"),
    [
        (
            put("Patient/eleanor-price", "birthDate", "1948-13-14"),
            "Patient/eleanor-price, element birthDate",
            "does not match",
        ),
        (
            put("ChargeItem/ci-97112", "quantity.value", Decimal("7.5")),
            "ChargeItem/ci-97112, element quantity",
            "7.5 is not a whole number",
        ),
        (
            put("ChargeItem/ci-97112", "code.coding.0.system", "http://snomed.info/sct"),
            "ChargeItem/ci-97112, element code",
            "no CPT coding",
        ),
        (
            put("Encounter/V-2026-0310-0001", "period.start", KeyError),
            "Encounter/V-2026-0310-0001, element period.start",
            "date of service",
        ),
        (
            put("Encounter/V-2026-0310-0001", "period.start", "2026-03"),
            "Encounter/V-2026-0310-0001, element period.start",
            "needs a full date",
        ),
        (
            put("Encounter/V-2026-0310-0001", "subject.reference", "Patient/nobody"),
            "Encounter/V-2026-0310-0001, element subject",
            "'Patient/nobody' is not in the bundle",
        ),
        (
            put("ChargeItem/ci-97535", "context.reference", "Patient/eleanor-price"),
            "ChargeItem/ci-97535, element context",
            "is a Patient, expected Encounter",
        ),
        (
            put("Condition/dx-weakness", "code.coding.0.system", "http://snomed.info/sct"),
            "Condition/dx-weakness, element code",
            "no ICD-10-CM coding",
        ),
        (
            put("Coverage/eleanor-medicare", "type.coding.0.code", "32"),
            "Coverage/eleanor-medicare, element type",
            "typology 32",
        ),
        (
            put("Practitioner/priya", "qualification.0.code.coding.0.code", "RN"),
            "Practitioner/priya, element qualification",
            "no credential",
        ),
        # Errors the document loader finds come back to the resource they came from.
        (
            put("Practitioner/luis", "identifier.0.value", "1555555551"),
            "Practitioner/luis, element identifier",
            "check digit",
        ),
        (
            put("ChargeItem/ci-97535", "code.coding.0.code", "99213"),
            "ChargeItem/ci-97535, element code",
            "unknown code 99213",
        ),
        (
            put("ChargeItemDefinition/fee-97535", "code.coding.0.code", "97760"),
            "ChargeItem/ci-97535, element code",
            "no charge for 97535",
        ),
        (
            put("Patient/eleanor-price", "address.0.postalCode", "6270"),
            "Patient/eleanor-price, element address",
            "does not match",
        ),
        (
            put("CarePlan/POC-1", "category.0.coding.0.code", "RT"),
            "CarePlan/POC-1, element category",
            "is not one of",
        ),
    ],
)
def test_bad_resources_name_resource_and_element(edit: Edit, where: str, words: str) -> None:
    data = copy.deepcopy(bundle())
    edit(data)
    with pytest.raises(InputError) as e:
        load_bundle(data, "bundle.json")
    assert e.value.field == f"bundle.json, {where}"
    assert words in e.value.problem


def test_references_by_urn_uuid_full_urls() -> None:
    text = BUNDLE.read_text()
    for n, entry in enumerate(bundle()["entry"]):
        urn = f"urn:uuid:{n:08d}-0000-4000-8000-000000000000"
        ref = f"{entry['resource']['resourceType']}/{entry['resource']['id']}"
        text = text.replace(f'"fullUrl": "{entry["fullUrl"]}"', f'"fullUrl": "{urn}"')
        text = text.replace(f'"reference": "{ref}"', f'"reference": "{urn}"')
    assert "riverside-ot.example/fhir/Patient" not in text
    assert load_bundle(json.loads(text, parse_float=Decimal)) == load_bundle(bundle())


def test_each_encounter_is_a_visit_with_its_own_charge_items() -> None:
    data = bundle()
    visit = copy.deepcopy(resource(data, "Encounter/V-2026-0310-0001"))
    visit.update(id="V-2026-0305-0001", period={"start": "2026-03-05"})
    visit["participant"] = visit["participant"][:1]
    item = copy.deepcopy(resource(data, "ChargeItem/ci-97112"))
    item.update(id="ci-0305", context={"reference": "Encounter/V-2026-0305-0001"})
    item["code"]["coding"][0]["code"] = "97530"
    data["entry"] += [{"resource": visit}, {"resource": item}]
    (ep,) = load_bundle(data)
    assert [(v.id, [s.code for s in v.services]) for v in ep.visits] == [
        ("V-2026-0305-0001", ["97530"]),
        ("V-2026-0310-0001", ["97112", "97110", "97535"]),
    ]
    assert ep.visits[0].assistant_npi is None
    # Only the encounter its CarePlan lists as an outcome is tied to it by id.
    assert (ep.visits[0].plan_of_care_id, ep.visits[1].plan_of_care_id) == (None, "POC-1")


def test_plan_first_treatment_extension() -> None:
    data = bundle()
    url = "https://otbill.dev/fhir/StructureDefinition/first-treatment"
    resource(data, "CarePlan/POC-1")["extension"] = [{"url": url, "valueDate": "2026-03-04"}]
    (ep,) = load_bundle(data)
    assert ep.plans_of_care[0].first_treatment_date == date(2026, 3, 4)
    resource(data, "CarePlan/POC-1")["extension"] = [{"url": url, "valueDate": "2026-03"}]
    with pytest.raises(InputError) as e:
        load_bundle(data, "bundle.json")
    assert e.value.field == "bundle.json, CarePlan/POC-1, element extension"


def test_medical_necessity_extension_on_the_encounter() -> None:
    data = bundle()
    url = "https://otbill.dev/fhir/StructureDefinition/medical-necessity-documented"
    encounter = resource(data, "Encounter/V-2026-0310-0001")
    (ep,) = load_bundle(data)
    assert ep.visits[0].documentation.medical_necessity_documented is False
    encounter["extension"] = [{"url": url, "valueBoolean": True}]
    (ep,) = load_bundle(data)
    assert ep.visits[0].documentation.medical_necessity_documented is True
    assert ep.visits[0].documentation.total_treatment_minutes == 57
    encounter["extension"] = [{"url": url, "valueString": "yes"}]
    with pytest.raises(InputError) as e:
        load_bundle(data, "bundle.json")
    assert e.value.field == "bundle.json, Encounter/V-2026-0310-0001, element extension"
