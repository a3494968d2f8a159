"""The demo practice: deterministic, realistic, loadable, and coded without error."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest
import simple_icd_10_cm as icd
from jsonschema import Draft202012Validator

from otbill.codesets import hcpcs
from otbill.coding.coder import code_episode
from otbill.demo.practice import DemoPractice, generate_practice, practice_with_visits
from otbill.export.documents import episode_document, visit_document
from otbill.load.json_doc import load_document, schema
from otbill.model import Credential, PayerKind, is_valid_npi
from otbill.rules.parties import MBI


@pytest.fixture(scope="module")
def demo() -> DemoPractice:
    return generate_practice(seed=11, patients=120)


def test_same_seed_same_practice_other_seed_other_practice(demo: DemoPractice) -> None:
    assert generate_practice(seed=11, patients=120) == demo
    assert generate_practice(seed=12, patients=120) != demo


def test_scale(demo: DemoPractice) -> None:
    small = generate_practice(seed=11, patients=30)
    assert len(small.episodes) == 30
    assert small.visits_count < demo.visits_count
    # A year of visits: about 10-25 per patient.
    assert 10 * 120 <= demo.visits_count <= 25 * 120
    assert practice_with_visits(2500, seed=3).visits_count == 2500


def test_staff_and_payer_mix(demo: DemoPractice) -> None:
    creds = Counter(p.credential for p in demo.providers)
    assert creds[Credential.OT] >= 3
    assert creds[Credential.OTA] >= 2
    assert sum(v for k, v in creds.items() if k.is_physician_or_npp) >= 5
    kinds = Counter(next(iter(e.payers.values())).kind for e in demo.episodes)
    assert set(kinds) == {
        PayerKind.MEDICARE,
        PayerKind.MEDICARE_ADVANTAGE,
        PayerKind.MEDICAID,
        PayerKind.COMMERCIAL,
        PayerKind.WORKERS_COMP,
    }
    assert len({p.id for p in demo.payers if p.kind is PayerKind.COMMERCIAL}) == 2
    assert kinds[PayerKind.MEDICARE] > kinds[PayerKind.WORKERS_COMP]


def test_identifiers_are_valid(demo: DemoPractice) -> None:
    assert all(is_valid_npi(p.npi) for p in demo.providers)
    assert is_valid_npi(demo.practice.npi)
    assert len({p.npi for p in demo.providers}) == len(demo.providers)
    for e in demo.episodes:
        cov = e.coverages[0]
        if next(iter(e.payers.values())).kind is PayerKind.MEDICARE:
            assert MBI.match(cov.member_id), cov.member_id
        if cov.injury is not None:
            assert cov.injury.claim_number
            assert cov.injury.employer
    ids = [v.id for e in demo.episodes for v in e.visits]
    assert len(ids) == len(set(ids))


def test_diagnoses_are_billable_icd10cm(demo: DemoPractice) -> None:
    codes = {d for e in demo.episodes for v in e.visits for d in v.diagnoses}
    assert codes
    for c in codes:
        assert icd.is_valid_item(c) and icd.is_leaf(c), c


def test_visits_follow_the_plan(demo: DemoPractice) -> None:
    for e in demo.episodes:
        plan = e.plans_of_care[0]
        assert e.visits
        assert e.visits[0].date == plan.start_date
        first = hcpcs.lookup(e.visits[0].services[0].code)
        assert first is not None and first.is_evaluation
        for v in e.visits:
            assert v.services
            assert plan.start_date <= v.date <= plan.start_date + timedelta(weeks=12)
            assert v.documentation.total_treatment_minutes == sum(s.minutes for s in v.services)
        assert e.visits[-1].documentation.discharge


def test_documents_validate_and_round_trip(demo: DemoPractice) -> None:
    validator = Draft202012Validator(schema())
    for e in demo.episodes[:40]:
        doc = json.loads(json.dumps(episode_document(e)))
        validator.validate(doc)
        loaded = load_document(doc)
        # Loaded payers carry their profile filled in; everything else is equal.
        assert replace(loaded, payers=e.payers) == e
        one = load_document(json.loads(json.dumps(visit_document(e, e.visits[1]))))
        assert one.visits == (e.visits[1],)


def test_every_episode_codes_and_assistants_get_co(demo: DemoPractice) -> None:
    co = 0
    for e in demo.episodes:
        for claim in code_episode(e):
            assert claim.lines
            co += sum(1 for ln in claim.lines if "CO" in ln.modifiers)
    assert co > 0


def test_week_keeps_only_that_weeks_visits(demo: DemoPractice) -> None:
    start = date(2026, 3, 9)
    week = demo.week(start)
    assert week
    for e in week:
        assert all(start <= v.date <= start + timedelta(days=6) for v in e.visits)
    total = sum(1 for e in demo.episodes for v in e.visits
                if start <= v.date <= start + timedelta(days=6))  # fmt: skip
    assert sum(len(e.visits) for e in week) == total
