"""Rules on worked examples: the progress-report period, the KX crossing line, filing limits,
MBI format, silences, and the registry's contract."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType

import pytest

from otbill.corpus.scenarios import scenario
from otbill.model import PayerKind, Silence
from otbill.rules.context import History
from otbill.rules.engine import check_episode
from otbill.rules.filing import filing_deadline
from otbill.rules.model import Category
from otbill.rules.parties import MBI
from otbill.rules.registry import all_rules, get


def findings(s, rule: str):  # type: ignore[no-untyped-def]
    reports = check_episode(s.episode, as_of=s.as_of, codesets=s.codesets, history=s.history)
    return [(r.claim.id, f) for r in reports for f in r.findings if f.rule == rule]


def test_registry_contract() -> None:
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules)
    for r in rules:
        assert re.fullmatch(r"OT-[A-Z]+-\d{3}", r.id)
        assert isinstance(r.category, Category)
        assert r.title and r.checks and r.why and r.example and r.fix
        assert r.source.cite
    used = {r.category for r in rules}
    # Every category of the contract has at least one rule, except eligibility-only ones later.
    assert used == set(Category)


def test_progress_report_mbpm_example() -> None:
    # MBPM ch.15 §220.3.D: evaluation on the first day of the period; without a report, the
    # 11th treatment day is past the period. The scenario has a report on visit 8; remove it.
    s = scenario(PayerKind.MEDICARE, date(2022, 10, 3), visits=12)
    visits = list(s.episode.visits)
    visits[7] = replace(
        visits[7], documentation=replace(visits[7].documentation, progress_report=False)
    )
    s = replace(s, episode=replace(s.episode, visits=tuple(visits)))
    ids = [v.id for v in visits]
    overdue = [cid for cid, _ in findings(s, "OT-PR-001")]
    assert overdue == ids[10:]  # the 11th and 12th treatment days
    due = [(cid, f.message) for cid, f in findings(s, "OT-PR-002")]
    assert [cid for cid, _ in due] == [ids[8], ids[9]]
    assert "next visit" in due[0][1]


def test_report_on_day_ten_starts_a_new_period() -> None:
    s = scenario(PayerKind.MEDICARE, date(2022, 10, 3), visits=12)
    assert findings(s, "OT-PR-001") == []


@pytest.mark.parametrize("attested", [False, True])
def test_kx_required_from_the_crossing_line(attested: bool) -> None:
    # 2022 OT threshold $2,150. Before the claim: $2,100. The first visit is the evaluation:
    # 97166 allowed $103.13 takes the year to $2,203.13, so both of its lines need KX. The coder
    # applies it when the note attests medical necessity; without that, both lines are flagged.
    h = History(therapy_ytd=MappingProxyType({"2022:OT": Decimal("2100.00")}))
    s = replace(
        scenario(PayerKind.MEDICARE, date(2022, 3, 7), visits=1, medical_necessity=attested),
        history=h,
    )
    hits = findings(s, "OT-KX-001")
    if attested:
        assert hits == []
        assert findings(s, "OT-KX-003") == []
        return
    assert [f.line for _, f in hits] == [0, 1]
    assert "$2,203.13" in hits[0][1].message
    assert "does not attest medical necessity, so the coder left KX off" in hits[0][1].message


def test_kx_not_needed_below_threshold() -> None:
    h = History(therapy_ytd=MappingProxyType({"2022:OT": Decimal("1000.00")}))
    s = replace(scenario(PayerKind.MEDICARE, date(2022, 3, 7), visits=1), history=h)
    assert findings(s, "OT-KX-001") == []


def test_pt_slp_bucket_does_not_count_toward_ot() -> None:
    h = History(therapy_ytd=MappingProxyType({"2022:PT+SLP": Decimal("2149.00")}))
    s = replace(scenario(PayerKind.MEDICARE, date(2022, 3, 7), visits=1), history=h)
    assert findings(s, "OT-KX-001") == []


@pytest.mark.parametrize(
    ("dos", "limit", "last_day"),
    [
        (date(2025, 3, 3), "12m", date(2026, 3, 3)),
        (date(2024, 2, 29), "12m", date(2025, 2, 28)),
        (date(2026, 1, 31), "90d", date(2026, 5, 1)),
    ],
)
def test_filing_deadlines(dos: date, limit: str, last_day: date) -> None:
    assert filing_deadline(dos, limit) == last_day


@pytest.mark.parametrize(
    ("mbi", "ok"),
    [
        ("1EG4TE5MK73", True),  # the CMS example
        ("1EG4-TE5-MK73", False),
        ("0EG4TE5MK73", False),
        ("1SG4TE5MK73", False),  # S is never used
        ("123456789A", False),
    ],
)
def test_mbi_format(mbi: str, ok: bool) -> None:
    assert bool(MBI.match(mbi)) is ok


def test_silence_needs_who_and_why_and_is_recorded() -> None:
    with pytest.raises(ValueError, match="who and why"):
        Silence("OT-DOC-004", "V1", "", "because")
    s = scenario(PayerKind.MEDICARE, date(2022, 3, 7), visits=3)
    v = s.episode.visits[1]
    visits = list(s.episode.visits)
    visits[1] = replace(v, documentation=replace(v.documentation, note_signed=False))
    s = replace(s, episode=replace(s.episode, visits=tuple(visits)))
    silence = Silence("OT-DOC-001", v.id, "j.biller", "signed on paper 3/11; scan attached")
    reports = check_episode(s.episode, as_of=s.as_of, codesets=s.codesets, silences=[silence])
    report = next(r for r in reports if r.claim.id == v.id)
    f = next(f for f in report.findings if f.rule == "OT-DOC-001")
    assert f.silenced == silence
    assert report.clean  # the silenced error no longer counts


def test_timely_filing_uses_the_as_of_date() -> None:
    s = scenario(PayerKind.COMMERCIAL, date(2024, 9, 9), visits=1)
    assert findings(replace(s, as_of=date(2024, 12, 8)), "OT-FILE-001") == []
    late = findings(replace(s, as_of=date(2024, 12, 9)), "OT-FILE-001")
    assert len(late) == 1
    assert "2024-12-08" in late[0][1].message


def test_rule_lookup_is_case_insensitive() -> None:
    assert get("ot-kx-001") is get("OT-KX-001") is not None
    assert get("OT-NOPE-001") is None


def test_unpriced_year_warns_instead_of_guessing() -> None:
    h = History(therapy_ytd_upper=MappingProxyType({"2026:OT": Decimal("2450.00")}))
    s = replace(scenario(PayerKind.MEDICARE, date(2026, 2, 2), visits=1), history=h)
    assert findings(s, "OT-KX-001") == []
    assert len(findings(s, "OT-KX-004")) == 1
    assert (s.as_of - timedelta(days=7)).year == 2026


def test_rules_given_once_as_an_iterator_check_every_date() -> None:
    """The rules a caller passes are taken once and used for each date of service, and the
    rules in force are chosen per date as the registry's own set is."""
    s = scenario(PayerKind.MEDICARE, date(2022, 10, 3), visits=12)
    visits = list(s.episode.visits)
    visits[7] = replace(
        visits[7], documentation=replace(visits[7].documentation, progress_report=False)
    )
    episode = replace(s.episode, visits=tuple(visits))

    def run(rules):  # type: ignore[no-untyped-def]
        return [
            (r.claim.id, f.rule)
            for r in check_episode(episode, as_of=s.as_of, codesets=s.codesets, rules=rules)
            for f in r.findings
        ]

    everything = run(None)
    assert {rule for _, rule in everything} >= {"OT-PR-001", "OT-PR-002"}
    assert run(r for r in all_rules()) == everything
    assert run(iter([get("OT-PR-001")])) == [x for x in everything if x[1] == "OT-PR-001"]
