"""The shipped code-set files load, carry their dates and sources, and say what they lack."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest

from otbill.codesets import hcpcs, modifiers, thresholds
from otbill.codesets.pfs import bundled_fee_schedules, conversion_factor_on, conversion_factors
from otbill.model import Discipline

REQUIRED = (
    ["97165", "97166", "97167", "97168", "97161", "97162", "97163", "97164"]
    + [f"970{n:02d}" for n in (10, 12, 14, 16, 18, 22, 24, 26, 28)]
    + [f"970{n}" for n in (32, 33, 34, 35, 36, 39)]
    + ["97110", "97112", "97113", "97116", "97140", "97150", "97530", "97533", "97535"]
    + ["97537", "97542", "97750", "97755", "97760", "97761", "97763", "G0283"]
)


def test_every_code_the_issue_names_is_present() -> None:
    codes = hcpcs.therapy_codes()
    assert set(REQUIRED) <= set(codes)


@pytest.mark.parametrize("code", ["97165", "97166", "97167", "97168", "97150", "97010", "G0283"])
def test_untimed(code: str) -> None:
    assert hcpcs.lookup(code).timed is False  # type: ignore[union-attr]


@pytest.mark.parametrize("code", ["97110", "97112", "97140", "97530", "97535", "97035", "97763"])
def test_timed(code: str) -> None:
    assert hcpcs.lookup(code).timed is True  # type: ignore[union-attr]


def test_evaluations_belong_to_their_discipline_and_start_2017() -> None:
    for code in ("97165", "97166", "97167", "97168"):
        tc = hcpcs.lookup(code)
        assert tc is not None and tc.discipline is Discipline.OT and tc.is_evaluation
        assert not tc.period.contains(date(2016, 12, 31))
        assert tc.period.contains(date(2017, 1, 1))
    assert hcpcs.lookup("97163").discipline is Discipline.PT  # type: ignore[union-attr]


def test_descriptions_are_our_own_words() -> None:
    # CPT descriptors are AMA copyright; ours must not be the PPRRVU abbreviations either.
    assert hcpcs.lookup("97110").description != "Therapeutic exercises"  # type: ignore[union-attr]
    assert all(tc.description for tc in hcpcs.therapy_codes().values())


def test_functional_gcodes_are_the_42_codes_of_14_sets() -> None:
    g = hcpcs.functional_gcodes()
    assert len(g) == 42
    sets = {c.set for c in g.values()}
    assert len(sets) == 14
    assert {"G8978", "G8999", "G9158", "G9186"} <= set(g)
    assert "G9180" not in g
    assert all(c.reportable.end == date(2018, 12, 31) for c in g.values())


def test_modifier_dates() -> None:
    assert not modifiers.in_force("CO", date(2019, 12, 31))
    assert modifiers.in_force("CO", date(2020, 1, 1))
    assert not modifiers.in_force("XU", date(2014, 12, 31))
    assert modifiers.in_force("XU", date(2015, 1, 1))
    assert modifiers.in_force("CJ", date(2018, 12, 31))
    assert not modifiers.in_force("CJ", date(2019, 1, 1))
    wanted = {"GO", "GP", "GN", "KX", "CO", "CQ", "59", "XE", "XS", "XP", "XU"}
    wanted |= {f"C{x}" for x in "HIJKLMN"}
    assert wanted <= set(modifiers.modifiers())
    assert all(m.source and m.confidence in "PSU" for m in modifiers.modifiers().values())


def test_kx_thresholds_2018_to_2026_with_confidence() -> None:
    assert thresholds.years() == list(range(2018, 2027))
    t = thresholds.thresholds(2024)
    assert t is not None
    assert t.kx(Discipline.OT) == Decimal("2330.00")
    assert t.kx(Discipline.PT) == t.kx(Discipline.SLP) == Decimal("2330.00")
    assert t.mr == Decimal("3000.00")
    assert t.confidence == "P"
    # Only secondary sources were found for 2026: the file must say so rather than hide it.
    assert thresholds.thresholds(2026).confidence == "S"  # type: ignore[union-attr]
    assert thresholds.thresholds(2017) is None
    assert thresholds.bucket(Discipline.SLP) == thresholds.bucket(Discipline.PT) != "OT"


def non_qp_on(day: date) -> Decimal:
    cf = conversion_factor_on(day)
    assert cf is not None, f"no conversion factor recorded for {day}"
    return cf.non_qp


def test_conversion_factors_by_date_of_service() -> None:
    cf26 = conversion_factor_on(date(2026, 6, 1))
    assert cf26 is not None and (cf26.non_qp, cf26.qp) == (Decimal("33.4009"), Decimal("33.5675"))
    assert cf26.confidence == "S"  # only secondary sources were found: the file says so
    # CY2023: the final rule's 33.0607 never priced a claim; CAA 2023 made it 33.8872.
    assert non_qp_on(date(2023, 1, 1)) == non_qp_on(date(2023, 12, 31)) == Decimal("33.8872")
    # CY2024 changed on 2024-03-09 (CAA 2024), not retroactively.
    assert non_qp_on(date(2024, 3, 8)) == Decimal("32.7442")
    assert non_qp_on(date(2024, 3, 9)) == Decimal("33.2875")
    assert conversion_factor_on(date(2021, 12, 31)) is None
    rows = conversion_factors()
    for a, b in pairwise(rows):
        assert a.period.end is not None
        assert (b.period.start - a.period.end).days == 1, "no gap and no overlap"
    assert all(r.source and r.confidence in ("P", "S") for r in rows)


def test_each_shipped_release_carries_the_factor_recorded_for_its_dates() -> None:
    shipped = {(fs.year, fs.release.code if fs.release else "") for fs in bundled_fee_schedules()}
    assert shipped == {
        (2022, "RVU22A"),
        (2023, "RVU23A"),
        (2024, "RVU24C"),
        (2025, "RVU25A"),
        (2025, "RVU25D"),
    }, "ship only releases that could be sourced"
    for fs in bundled_fee_schedules():
        rec = conversion_factor_on(fs.effective_from)
        assert rec is not None and rec.non_qp == fs.conversion_factor, fs.label
        assert rec.confidence == "P" and fs.release is not None
        assert fs.release.code in rec.source, "the row names the release it was read from"


def test_every_untimed_code_has_a_per_day_limit_and_no_timed_code_does() -> None:
    for tc in hcpcs.therapy_codes().values():
        day = max(tc.period.start, date(2017, 1, 1))
        limit = hcpcs.untimed_limit(tc.code, day)
        if tc.timed:
            assert limit is None, tc.code
        else:
            assert limit is not None, f"{tc.code} is untimed with no per-day limit"
            assert limit.units >= 1 and limit.source and limit.confidence in ("P", "D", "U")


def test_evaluations_are_one_a_day_on_cms_authority() -> None:
    for code in ("97161", "97162", "97163", "97164", "97165", "97166", "97167", "97168"):
        limit = hcpcs.untimed_limit(code, date(2025, 6, 2))
        assert limit is not None and (limit.units, limit.confidence) == (1, "P")
        assert "§20.2.B" in limit.source and "ch.11 §P.1" in limit.source
    # Where otbill is not sure, the file says so, and the rule only warns.
    for code in ("97150", "97039"):
        limit = hcpcs.untimed_limit(code, date(2025, 6, 2))
        assert limit is not None and limit.confidence == "U" and not limit.verified
