"""KX applied by the coder (issue 14): past the year's threshold, on the lines from the one that
crosses it, when the visit's documentation attests medical necessity; never otherwise. Both
sides of the threshold, both buckets (OT; PT and SLP combined), and the scrubber agreeing with
the coder claim by claim. 2022 dates: the year whose CMS fee schedule otbill ships."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from types import MappingProxyType

import pytest

from otbill.coding.coder import code_episode
from otbill.coding.grouping import split
from otbill.coding.kx import bucket_for
from otbill.corpus.defects import set_services, with_plan
from otbill.corpus.scenarios import Scenario, scenario
from otbill.model import Claim, Discipline, PayerKind, Service
from otbill.rules.context import History
from otbill.rules.engine import check_episode

M = PayerKind.MEDICARE
DAY = date(2022, 3, 7)  # the evaluation: 97166 allowed $103.13, then 97535 $24.92


def coded(s: Scenario, before: str | None = None, key: str = "2022:OT") -> tuple[Claim, ...]:
    prior = None if before is None else {key: Decimal(before)}
    return code_episode(s.episode, s.codesets, prior=prior)


def mods(claim: Claim) -> list[tuple[str, tuple[str, ...]]]:
    return [(ln.code, ln.modifiers) for ln in claim.lines]


def test_past_the_threshold_with_the_attestation_kx_and_why() -> None:
    (claim,) = coded(scenario(M, DAY, visits=1, medical_necessity=True), "2100.00")
    assert mods(claim) == [("97166", ("GO", "KX")), ("97535", ("GO", "KX"))]
    assert str(claim.lines[0].explanation[-1]) == (
        "KX: the 2022 OT amount reaches $2,203.13, past the $2,150.00 threshold (2022), and "
        f"visit {claim.id}'s documentation attests medical necessity (in the note of Dana "
        "Whitfield, OT, the rendering provider). [Pub. 100-04 ch. 5 §10.3.3 (KX modifier use)]"
    )


def test_past_the_threshold_without_the_attestation_no_kx_and_why() -> None:
    (claim,) = coded(scenario(M, DAY, visits=1), "2100.00")
    assert mods(claim) == [("97166", ("GO",)), ("97535", ("GO",))]
    assert str(claim.lines[0].explanation[-1]).startswith(
        "No KX: the 2022 OT amount reaches $2,203.13, past the $2,150.00 threshold (2022), but "
        f"visit {claim.id}'s documentation does not attest medical necessity"
    )


@pytest.mark.parametrize("attested", [True, False])
def test_under_the_threshold_no_kx_either_way(attested: bool) -> None:
    (claim,) = coded(scenario(M, DAY, visits=1, medical_necessity=attested), "2000.00")
    assert mods(claim) == [("97166", ("GO",)), ("97535", ("GO",))]  # $2,128.05 at most
    assert not any("KX" in str(s) for ln in claim.lines for s in ln.explanation)


def test_kx_from_the_line_that_crosses() -> None:
    # $2,040 + 97166 $103.13 = $2,143.13 (under); + 97535 $24.92 = $2,168.05 (past).
    (claim,) = coded(scenario(M, DAY, visits=1, medical_necessity=True), "2040.00")
    assert mods(claim) == [("97166", ("GO",)), ("97535", ("GO", "KX"))]


def _pt(s: Scenario) -> Scenario:
    s = with_plan(s, discipline=Discipline.PT)
    return set_services(s, 0, Service("97161", 45), Service("97110", 15))


def test_pt_and_slp_share_a_bucket_apart_from_ot() -> None:
    s = _pt(scenario(M, DAY, visits=1, medical_necessity=True))
    (claim,) = coded(s, "2149.00", key="2022:PT+SLP")
    assert [m for _, m in mods(claim)] == [("GP", "KX"), ("GP", "KX")]
    assert "the 2022 PT+SLP amount reaches" in str(claim.lines[0].explanation[-1])
    (claim,) = coded(s, "2149.00", key="2022:OT")  # the OT bucket is not PT's
    assert [m for _, m in mods(claim)] == [("GP",), ("GP",)]


def test_kx_goes_after_the_therapy_and_assistant_modifiers() -> None:
    s = scenario(M, date(2022, 3, 7), visits=3, assistant=True, medical_necessity=True)
    claims = coded(s, "2100.00")
    assert ("97530", ("GO", "CO", "KX")) in mods(claims[1])


@pytest.mark.parametrize("kind", [PayerKind.MEDICARE_ADVANTAGE, PayerKind.COMMERCIAL])
def test_only_payers_that_take_kx(kind: PayerKind) -> None:
    (claim,) = coded(scenario(kind, DAY, visits=1, medical_necessity=True), "2100.00")
    assert not any("KX" in ln.modifiers for ln in claim.lines)


def test_the_year_counts_across_the_episode_as_the_scrubber_counts_it() -> None:
    """No history given: 24 attested visits cross $2,150 within the episode. Each claim's KX
    lines are exactly those the scrubber requires, and none it forbids."""
    s = scenario(M, date(2022, 1, 3), visits=24, medical_necessity=True)
    claims = coded(s)
    with_kx = [c.id for c in claims if any("KX" in ln.modifiers for ln in c.lines)]
    assert (
        with_kx
        and with_kx[0] != claims[0].id
        and with_kx == [c.id for c in claims][-len(with_kx) :]
    )
    reports = check_episode(s.episode, claims, as_of=s.as_of, codesets=s.codesets)
    kx_rules = {"OT-KX-001", "OT-KX-002", "OT-KX-003"}
    assert [f.rule for r in reports for f in r.findings if f.rule in kx_rules] == []
    # The same visits without the attestation: no KX, and the scrubber flags the lines past it.
    plain = replace(s, episode=replace(s.episode, visits=tuple(
        replace(v, documentation=replace(v.documentation, medical_necessity_documented=False))
        for v in s.episode.visits
    )))  # fmt: skip
    claims = coded(plain)
    assert not any("KX" in ln.modifiers for c in claims for ln in c.lines)
    reports = check_episode(plain.episode, claims, as_of=s.as_of, codesets=s.codesets)
    flagged = {r.claim.id for r in reports for f in r.findings if f.rule == "OT-KX-001"}
    assert flagged == set(with_kx)


def test_check_episode_codes_kx_from_the_history_it_is_given() -> None:
    h = History(therapy_ytd=MappingProxyType({"2022:OT": Decimal("2100.00")}))
    s = scenario(M, DAY, visits=1, medical_necessity=True)
    (report,) = check_episode(s.episode, as_of=s.as_of, codesets=s.codesets, history=h)
    assert all("KX" in ln.modifiers for ln in report.claim.lines)
    assert report.clean


def test_before_2018_there_is_no_kx_threshold() -> None:
    (claim,) = coded(scenario(M, date(2016, 3, 7), visits=1, medical_necessity=True), "5000.00")
    assert not any("KX" in ln.modifiers for ln in claim.lines)


def test_a_split_made_on_a_kx_line_still_names_it_before_kx_is_applied() -> None:
    s = scenario(M, DAY, visits=1, medical_necessity=True)
    (with_kx,) = coded(s, "2100.00")
    (bare,) = code_episode(s.episode, s.codesets, kx=False)
    pick = (with_kx.lines[1].code, with_kx.lines[1].modifiers)  # as the ledger recorded it
    assert pick == ("97535", ("GO", "KX"))
    kept, moved = split(bare, [pick], "X-S1")
    assert [ln.code for ln in moved.lines] == ["97535"]
    assert [ln.code for ln in kept.lines] == ["97166"]


def test_a_threshold_from_secondary_sources_says_so() -> None:
    b2025 = bucket_for(date(2025, 6, 2), Discipline.OT)
    assert b2025 is not None and b2025.threshold == Decimal("2410.00")
    assert b2025.threshold_note.startswith(" (the 2025 figure: ")
    assert "no CMS or MAC copy found" in b2025.threshold_note
    b2022 = bucket_for(date(2022, 6, 6), Discipline.PT)
    assert b2022 is not None and b2022.threshold_note == ""  # a Medicare contractor's figure
    assert bucket_for(date(2017, 6, 5), Discipline.OT) is None  # a cap then, not a threshold
