"""Expected Medicare payment on each shipped CMS release, CY2023 to CY2025, worked by hand.

Every case is one visit: 97530 for 30 minutes (2 units) and 97110 for 15 (1 unit), national
amounts (GPCI 1.000). Therapy MPPR (CPM ch.5 §10.7): the one unit with the highest PE (a unit
of 97530 in every year here) keeps its full PE; the other two units are paid 50% of their PE.
Medicare pays 80% (CPM ch.5 §10.3). Amounts are rounded to the cent per line, half up.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from builders import episode, visit
from otbill.coding.coder import code_visit
from otbill.model import Claim, Service

D = Decimal


def cents(x: Decimal) -> Decimal:
    return x.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def claim_on(day: date) -> Claim:
    v = visit(day, Service("97530", 30), Service("97110", 15))
    return code_visit(episode(v, plan_start=date(day.year, 1, 2)), v)


def text(claim: Claim) -> str:
    return "\n".join(s.text for s in claim.explanation)


def test_cy2023_january_release() -> None:
    claim = claim_on(date(2023, 3, 10))
    a97530, a97110 = claim.lines
    # RVU23A, CF 33.8872. 97530: work 0.44, PE 0.66, MP 0.01; 97110: 0.45, 0.42, 0.01.
    # 97530: (0.44 + 0.66 + 0.01) + (0.44 + 0.33 + 0.01) = 1.89 RVUs x 33.8872 = 64.046808
    assert a97530.allowed == D("64.05")
    assert a97530.expected_payment == D("51.24")  # 64.046808 x 0.80 = 51.2374464
    # 97110: 0.45 + 0.21 + 0.01 = 0.67 x 33.8872 = 22.704424
    assert a97110.allowed == D("22.70")
    assert a97110.expected_payment == D("18.16")  # 22.704424 x 0.80 = 18.1635392
    assert claim.expected_payment == D("69.40")
    assert "CY2023 January release RVU23A" in text(claim)
    assert "conversion factor 33.8872" in text(claim)
    assert "not loaded" not in text(claim)  # the release for the date prices it


def test_cy2024_july_release_in_force() -> None:
    claim = claim_on(date(2024, 9, 10))
    a97530, a97110 = claim.lines
    # RVU24C, CF 33.2875. 97530: 0.44, 0.65, 0.01; 97110: 0.45, 0.42, 0.01.
    # 97530: 1.10 + (0.44 + 0.325 + 0.01) = 1.875 x 33.2875 = 62.4140625
    assert a97530.allowed == D("62.41")
    assert a97530.expected_payment == D("49.93")  # x 0.80 = 49.93125
    # 97110: 0.67 x 33.2875 = 22.302625
    assert a97110.allowed == D("22.30")
    assert a97110.expected_payment == D("17.84")  # x 0.80 = 17.8421
    assert claim.expected_payment == D("67.77")
    assert "CY2024 July release RVU24C" in text(claim)
    assert "not loaded" not in text(claim)


def test_cy2024_before_july_the_july_rvus_stand_in_with_the_factor_of_the_date() -> None:
    claim = claim_on(date(2024, 2, 12))
    a97530, a97110 = claim.lines
    # RVU24C's RVUs (the only CY2024 release shipped) with 32.7442, the CF in force from
    # 2024-01-01 to 2024-03-08 (CY2024 final rule), not the July file's 33.2875.
    # 97530: 1.875 x 32.7442 = 61.395375
    assert a97530.allowed == D("61.40")
    assert a97530.expected_payment == D("49.12")  # x 0.80 = 49.1163
    # 97110: 0.67 x 32.7442 = 21.938614
    assert a97110.allowed == D("21.94")
    assert a97110.expected_payment == D("17.55")  # x 0.80 = 17.5508912
    said = text(claim)
    assert "January release RVU24A, for dates of service from 2024-01-01, is not loaded" in said
    assert "RVUs are from the July release RVU24C" in said
    assert "Conversion factor 32.7442: the one in force on 2024-02-12" in said
    assert "confidence S" in said  # the 32.7442 is from secondary sources, and says so


def test_cy2024_after_the_march_act_the_factor_is_the_july_files() -> None:
    claim = claim_on(date(2024, 4, 15))
    # 33.2875 from 2024-03-09 (Consolidated Appropriations Act, 2024): the same as RVU24C's.
    assert claim.lines[0].allowed == cents(D("1.875") * D("33.2875")) == D("62.41")
    said = text(claim)
    assert "April release RVU24B, for dates of service from 2024-04-01, is not loaded" in said
    assert "Conversion factor" not in said  # nothing to replace: the file's factor is in force


@pytest.mark.parametrize(
    ("day", "release", "missing"),
    [
        (date(2025, 2, 10), "January release RVU25A", None),
        (date(2025, 6, 2), "January release RVU25A", "April release RVU25B"),
        (date(2025, 9, 30), "January release RVU25A", "July release RVU25C"),
        (date(2025, 10, 1), "October release RVU25D", None),
        (date(2025, 12, 31), "October release RVU25D", None),
    ],
)
def test_cy2025_each_release_answers_for_its_own_dates(
    day: date, release: str, missing: str | None
) -> None:
    claim = claim_on(day)
    a97530, a97110 = claim.lines
    # RVU25A and RVU25D agree for these codes; CF 32.3465 in both.
    # 97530: 0.44, 0.62, 0.01: (0.44 + 0.62 + 0.01) + (0.44 + 0.31 + 0.01) = 1.83 x 32.3465
    #   = 59.194095; x 0.80 = 47.355276
    assert (a97530.allowed, a97530.expected_payment) == (D("59.19"), D("47.36"))
    # 97110: 0.45, 0.43, 0.01: 0.45 + 0.215 + 0.01 = 0.675 x 32.3465 = 21.8338875;
    #   x 0.80 = 17.46711
    assert (a97110.allowed, a97110.expected_payment) == (D("21.83"), D("17.47"))
    said = text(claim)
    assert f"CY2025 {release} (" in said
    if missing is None:
        assert "not loaded" not in said
    else:
        assert f"The CMS {missing}" in said and "is not loaded" in said


def test_an_assistant_unit_on_a_shipped_2025_release() -> None:
    v = visit(date(2025, 2, 10), Service("97530", 30), Service("97110", 0, 15))
    claim = code_visit(episode(v, plan_start=date(2025, 1, 2)), v)
    co = claim.lines[1]
    assert co.modifiers == ("GO", "CO")
    # 21.8338875 x 0.80 x 0.85 = 14.8470435 (CPM ch.5 §20.1: CO units at 85%)
    assert co.expected_payment == D("14.85")


@pytest.mark.parametrize("day", [date(2026, 3, 10), date(2021, 6, 7)])
def test_a_year_not_shipped_is_not_priced_and_says_so(day: date) -> None:
    claim = claim_on(day)
    assert all(ln.allowed is None and ln.expected_payment is None for ln in claim.lines)
    said = text(claim)
    assert f"No CY{day.year} Medicare fee schedule is loaded (loaded: 2022, 2023, 2024, 2025)" in (
        said
    )
