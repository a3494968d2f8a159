"""Visits to claim lines: modifiers, split CO lines, pointers, charges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from builders import episode, visit
from otbill.coding.coder import code_visit
from otbill.errors import InputError
from otbill.model import Discipline, Service


def lines(claim):  # type: ignore[no-untyped-def]
    return [(ln.code, ln.units, ln.modifiers) for ln in claim.lines]


def test_go_on_every_line_under_an_ot_plan() -> None:
    v = visit(date(2022, 3, 10), Service("97530", 30), Service("97165", 45))
    claim = code_visit(episode(v), v)
    assert lines(claim) == [("97530", 2, ("GO",)), ("97165", 1, ("GO",))]


@pytest.mark.parametrize(("discipline", "mod"), [(Discipline.PT, "GP"), (Discipline.SLP, "GN")])
def test_discipline_modifier_follows_the_plan(discipline: Discipline, mod: str) -> None:
    v = visit(date(2022, 3, 10), Service("97110", 30))
    claim = code_visit(episode(v, discipline=discipline), v)
    assert lines(claim) == [("97110", 2, (mod,))]


def test_assistant_units_split_onto_their_own_co_line() -> None:
    # 97110: therapist 15 alone, assistant 15 alone: 2 units, one of each.
    v = visit(date(2022, 3, 10), Service("97110", 15, 15))
    claim = code_visit(episode(v), v)
    assert lines(claim) == [("97110", 1, ("GO",)), ("97110", 1, ("GO", "CO"))]
    assert [ln.charge for ln in claim.lines] == [Decimal("48.00"), Decimal("48.00")]


def test_cq_under_a_pt_plan() -> None:
    v = visit(date(2022, 3, 10), Service("97110", 0, 30))
    claim = code_visit(episode(v, discipline=Discipline.PT), v)
    assert lines(claim) == [("97110", 2, ("GP", "CQ"))]


def test_no_assistant_modifier_before_2020() -> None:
    v = visit(date(2019, 6, 3), Service("97110", 0, 30))
    claim = code_visit(episode(v, plan_start=date(2019, 6, 1)), v)
    assert lines(claim) == [("97110", 2, ("GO",))]
    assert any("not used for this payer" in s.text for ln in claim.lines for s in ln.explanation)


def test_commercial_payer_gets_no_co_and_uses_ama_units() -> None:
    v = visit(date(2022, 3, 10), Service("97112", 20), Service("97110", 0, 20))
    claim = code_visit(episode(v, payer="ACME"), v)
    # AMA: 20 minutes each is one unit each (CMS would give 3 in total).
    assert lines(claim) == [("97112", 1, ("GO",)), ("97110", 1, ("GO",))]


def test_medicare_advantage_takes_co() -> None:
    v = visit(date(2022, 3, 10), Service("97110", 0, 15))
    claim = code_visit(episode(v, payer="MA"), v)
    assert lines(claim) == [("97110", 1, ("GO", "CO"))]


def test_unbilled_codes_leave_no_zero_unit_line() -> None:
    v = visit(
        date(2022, 3, 10),
        Service("97110", 18), Service("97140", 13), Service("97116", 10), Service("97035", 8),
    )  # fmt: skip
    claim = code_visit(episode(v), v)
    assert [c for c, _, _ in lines(claim)] == ["97110", "97140", "97116"]
    assert any("97035" in s.text and "Not billed" in s.text for s in claim.explanation)


def test_clinician_modifiers_are_kept_after_the_therapy_modifier() -> None:
    v = visit(
        date(2022, 3, 10),
        Service("97530", 30),
        Service("97168", 30, modifiers=("XU",), distinct_reason="fall with new wrist fracture"),
    )
    claim = code_visit(episode(v), v)
    assert lines(claim) == [("97530", 2, ("GO",)), ("97168", 1, ("GO", "XU"))]
    assert any("fall with new wrist fracture" in s.text for s in claim.lines[1].explanation)


def test_pointers_default_to_the_visit_diagnoses_and_follow_service_diagnoses() -> None:
    v = visit(
        date(2022, 3, 10),
        Service("97530", 30),
        Service("97110", 15, diagnoses=("M25.611",)),
    )
    claim = code_visit(episode(v), v)
    assert claim.diagnoses == ("I69.351", "M62.81", "M25.611")
    assert [ln.diagnosis_pointers for ln in claim.lines] == [(1, 2), (3,)]


def test_same_code_twice_in_a_visit_is_counted_once() -> None:
    v = visit(date(2022, 3, 10), Service("97110", 10), Service("97110", 13))
    claim = code_visit(episode(v), v)
    assert lines(claim) == [("97110", 2, ("GO",))]


def test_missing_charge_names_the_field() -> None:
    v = visit(date(2022, 3, 10), Service("97113", 30))
    with pytest.raises(InputError, match=r"practice\.charges.*97113"):
        code_visit(episode(v), v)


def test_claim_carries_the_referring_certifier_and_explanation() -> None:
    v = visit(date(2022, 3, 10), Service("97530", 30))
    claim = code_visit(episode(v), v)
    assert claim.referring_npi == episode(v).plans_of_care[0].certifying_npi
    assert claim.total_charge == Decimal("110.00")
    assert any(s.source and "§20.1" in s.source.cite for s in claim.explanation)
