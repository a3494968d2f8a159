"""Expected Medicare payment on the CY2022 fee schedule (CMS PPRRVU22_JAN, CF 34.6062).

Hand-checked: 97530 RVUs work 0.44, PE 0.64, MP 0.02; 97110 work 0.45, PE 0.40, MP 0.02.
One unit of the highest-PE code keeps its full PE; every other unit gets 50% PE (MPPR).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from builders import episode, visit
from otbill.coding.coder import code_visit
from otbill.model import Service

D = Decimal


def test_mppr_and_coinsurance() -> None:
    v = visit(date(2022, 3, 10), Service("97530", 30), Service("97110", 15))
    claim = code_visit(episode(v), v)
    a97530, a97110 = claim.lines
    # 97530: 1.10 x 34.6062 (full) + 0.78 x 34.6062 (half PE) = 65.059656
    assert a97530.allowed == D("65.06")
    assert a97530.expected_payment == D("52.05")  # 80% of 65.059656
    # 97110: 0.67 x 34.6062 = 23.186154
    assert a97110.allowed == D("23.19")
    assert a97110.expected_payment == D("18.55")
    assert claim.expected_payment == D("70.60")


def test_assistant_units_paid_85_percent_from_2022() -> None:
    v = visit(date(2022, 3, 10), Service("97530", 30), Service("97110", 0, 15))
    claim = code_visit(episode(v), v)
    co = claim.lines[1]
    assert co.modifiers == ("GO", "CO")
    assert co.allowed == D("23.19")  # the allowed amount is unchanged
    assert co.expected_payment == D("15.77")  # 23.186154 x 0.80 x 0.85 = 15.7665847


def test_a_single_unit_has_no_mppr() -> None:
    v = visit(date(2022, 3, 10), Service("97110", 15))
    claim = code_visit(episode(v), v)
    assert claim.lines[0].allowed == D("30.11")  # 0.87 x 34.6062 = 30.107394


def test_bundled_code_has_no_amount() -> None:
    v = visit(date(2022, 3, 10), Service("97010"), Service("97110", 15))
    claim = code_visit(episode(v), v)
    assert claim.lines[0].code == "97010"
    assert claim.lines[0].allowed is None
    assert claim.expected_payment is None


def test_no_fee_schedule_for_the_year_says_so() -> None:
    v = visit(date(2026, 3, 10), Service("97110", 15))
    claim = code_visit(episode(v, plan_start=date(2026, 3, 1)), v)
    assert claim.lines[0].expected_payment is None
    assert any("No CY2026 Medicare fee schedule" in s.text for s in claim.explanation)


def test_commercial_claims_are_not_priced_on_the_medicare_schedule() -> None:
    v = visit(date(2022, 3, 10), Service("97110", 15))
    claim = code_visit(episode(v, payer="ACME"), v)
    assert claim.lines[0].expected_payment is None
