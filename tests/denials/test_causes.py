"""The root-cause map: every row valid, the precedence of rows, and the cases a biller meets."""

from __future__ import annotations

import pytest

from otbill.codesets._csv import data_rows
from otbill.denials.causes import ACTIONS, CATEGORIES, CAUSES_FILE, classify, covering_rules
from otbill.denials.codes import shipped
from otbill.rules.registry import all_rules


@pytest.mark.parametrize(
    ("group", "reason", "remarks", "kind", "category", "denial", "appealable", "action"),
    [
        # Not denials (HFMA leaves them out of denial rates): contractual and the patient's share.
        ("CO", "45", (), "medicare", "contractual", False, "no", "none"),
        ("CO", "253", (), "medicare", "contractual", False, "no", "none"),
        ("OA", "23", (), "commercial", "contractual", False, "no", "none"),
        ("PR", "1", (), "medicare", "patient_responsibility", False, "no", "bill_secondary"),
        ("PR", "2", (), "medicare", "patient_responsibility", False, "no", "bill_secondary"),
        ("PR", "3", (), "commercial", "patient_responsibility", False, "no", "bill_secondary"),
        # Unprocessable: the companion remark names what is wrong; never an appeal.
        ("CO", "16", ("MA130",), "medicare", "claim_data", True, "no", "resubmit"),
        ("CO", "16", ("MA130", "M51"), "medicare", "coding", True, "no", "resubmit"),
        ("CO", "16", ("M53", "MA130"), "medicare", "coding", True, "no", "resubmit"),
        ("CO", "16", ("MA130", "MA27"), "medicare", "eligibility", True, "no", "resubmit"),
        # Timely filing: Medicare's is no initial determination; a plan's is appealed with proof.
        ("CO", "29", (), "medicare", "timely_filing", True, "no", "write_off"),
        ("CO", "29", (), "commercial", "timely_filing", True, "yes", "appeal"),
        # 119: Medicare's therapy threshold without KX; a plan's visit limit.
        ("CO", "119", (), "medicare", "kx_threshold", True, "yes", "correct"),
        ("CO", "119", ("N640",), "commercial", "authorization", True, "partly", "appeal"),
        # Medical necessity by the remark; PR-50: a valid ABN, the patient owes it.
        ("CO", "50", ("N115",), "medicare", "medical_necessity", True, "yes", "appeal"),
        ("CO", "50", ("N473",), "medicare", "plan_of_care", True, "yes", "appeal"),
        ("CO", "50", ("N29",), "medicare", "documentation", True, "yes", "appeal"),
        ("PR", "50", (), "medicare", "medical_necessity", True, "yes", "bill_patient"),
        ("CO", "236", (), "medicaid", "bundling", True, "partly", "correct"),
        ("CO", "198", (), "medicare_advantage", "authorization", True, "partly", "appeal"),
        ("CO", "27", (), "commercial", "eligibility", True, "no", "resubmit"),
        ("CO", "18", (), "medicare", "duplicate", True, "no", "write_off"),
        ("CO", "4", (), "medicare", "modifiers", True, "yes", "correct"),
    ],
)
def test_the_cases_a_biller_meets(
    group: str,
    reason: str,
    remarks: tuple[str, ...],
    kind: str,
    category: str,
    denial: bool,
    appealable: str,
    action: str,
) -> None:
    c = classify(group, reason, remarks, kind)
    assert (c.category, c.denial, c.appealable, c.action) == (category, denial, appealable, action)


def test_an_unknown_code_is_unclassified_and_never_hidden() -> None:
    c = classify("CO", "999", ())
    assert (c.category, c.denial, c.matched) == ("unclassified", True, "")
    assert "not in otbill's root-cause map" in c.note
    # The patient's share of an unknown reason is no denial of the practice's money.
    assert classify("PR", "999").denial is False


def test_every_row_names_real_things() -> None:
    rule_ids = {r.id for r in all_rules()}
    carcs, rarcs = shipped("CARC"), shipped("RARC")
    rows = [r for _, r in data_rows(CAUSES_FILE)]
    assert len(rows) > 60
    for r in rows:
        assert r["category"] in CATEGORIES and r["action"] in ACTIONS
        assert r["carc"] in carcs, f"CARC {r['carc']} has no description"
        assert not r["rarc"] or r["rarc"] in rarcs, f"RARC {r['rarc']} has no description"
        assert set(r["rules"].split()) <= rule_ids, r
    keys = [(r["group"], r["carc"], r["rarc"], r["payer_kinds"]) for r in rows]
    assert len(keys) == len(set(keys)), "a row listed twice"


def test_every_category_the_issue_names_has_a_cause() -> None:
    seen = {r["category"] for _, r in data_rows(CAUSES_FILE)}
    assert set(CATEGORIES) - seen == {"unclassified"}


def test_covering_rules_per_category() -> None:
    rules = covering_rules()
    assert "OT-KX-001" in rules["kx_threshold"]
    assert "OT-FILE-001" in rules["timely_filing"]
    assert set(rules["bundling"]) >= {"OT-NCCI-001", "OT-NCCI-002"}
    assert rules["contractual"] == ()
