"""Every worked example of Pub. 100-04 ch. 5 §20.2, and the unit chart's boundaries."""

from __future__ import annotations

import pytest

from otbill.coding.units import TimedEntry, UntimedEntry, compute_units, units_for_minutes
from otbill.model import UnitMethod

CMS = UnitMethod.CMS


def cms(*pairs: tuple[str, int]) -> dict[str, int]:
    result = compute_units(CMS, [TimedEntry(c, m) for c, m in pairs])
    return {ln.code: ln.units for ln in result.lines}


# The chart in §20.2.C: 1 unit >= 8 through 22 minutes ... 8 units >= 113 through 127.
CHART = [(1, 8, 22), (2, 23, 37), (3, 38, 52), (4, 53, 67), (5, 68, 82), (6, 83, 97),
         (7, 98, 112), (8, 113, 127)]  # fmt: skip


@pytest.mark.parametrize(("units", "low", "high"), CHART)
def test_unit_chart_boundaries(units: int, low: int, high: int) -> None:
    assert units_for_minutes(low - 1) == units - 1
    assert units_for_minutes(low) == units
    assert units_for_minutes(high) == units
    assert units_for_minutes(high + 1) == units + 1


def test_under_eight_minutes_alone_is_not_billed() -> None:
    assert cms(("97110", 7)) == {"97110": 0}
    assert cms(("97110", 8)) == {"97110": 1}


def test_60_minutes_of_97530_is_4_units() -> None:
    # §20.2.B: "60 minutes of occupational therapy ... 97530 ... report 4 units".
    assert cms(("97530", 60)) == {"97530": 4}


def test_example_1_more_units_to_the_code_with_more_time() -> None:
    # 24 min 97112 + 23 min 97110 = 47 min = 3 units: 2 of 97112, 1 of 97110.
    assert cms(("97112", 24), ("97110", 23)) == {"97112": 2, "97110": 1}
    # The order of entry does not change who gets the unit.
    assert cms(("97110", 23), ("97112", 24)) == {"97112": 2, "97110": 1}


def test_example_2_tie_either_code_never_three_on_one() -> None:
    result = compute_units(CMS, [TimedEntry("97112", 20), TimedEntry("97110", 20)])
    units = {ln.code: ln.units for ln in result.lines}
    assert sorted(units.values()) == [1, 2]
    assert result.total_units == 3
    # Deterministic: the first entered code takes the unit, and the result says the other
    # choice was equally valid.
    assert units == {"97112": 2, "97110": 1}
    winner = next(ln for ln in result.lines if ln.code == "97112")
    assert winner.tie_with == ("97110",)
    assert any("equally valid" in s.text for s in result.explanation)


def test_example_3_a_code_under_8_minutes_can_get_the_unit() -> None:
    # 33 min 97110 + 7 min 97140 = 40 min = 3 units: 97110 2, 97140 1.
    assert cms(("97110", 33), ("97140", 7)) == {"97110": 2, "97140": 1}


def test_example_4_total_time_limits_the_units() -> None:
    # 18 + 13 + 10 + 8 = 49 min = 3 units; the ultrasound is not billed.
    got = cms(("97110", 18), ("97140", 13), ("97116", 10), ("97035", 8))
    assert got == {"97110": 1, "97140": 1, "97116": 1, "97035": 0}


def test_example_5_three_short_services_pool_into_one_unit() -> None:
    result = compute_units(
        CMS, [TimedEntry("97112", 7), TimedEntry("97110", 7), TimedEntry("97140", 7)]
    )
    assert result.total_units == 1
    billed = [ln for ln in result.lines if ln.units]
    assert len(billed) == 1
    assert set(billed[0].tie_with) | {billed[0].code} == {"97112", "97110", "97140"}


def test_untimed_minutes_never_count_as_timed() -> None:
    # An evaluation's minutes are untimed (MBPM ch.15 §220.3): 7 timed minutes stay unbilled
    # even beside a 45-minute evaluation.
    result = compute_units(CMS, [TimedEntry("97110", 7)], [UntimedEntry("97166", 45)])
    assert result.total_timed_minutes == 7
    assert {ln.code: ln.units for ln in result.lines} == {"97110": 0, "97166": 1}


def test_explanation_cites_the_manual() -> None:
    result = compute_units(CMS, [TimedEntry("97112", 24), TimedEntry("97110", 23)])
    assert result.explanation
    assert all(s.source is not None and "§20.2" in s.source.cite for s in result.explanation)
    assert "47" in result.explanation[0].text
