"""Deadlines, worked by hand from the regulations and the payer profiles."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from otbill.codesets.payers import default_profiles
from otbill.denials.deadlines import amount_in_controversy, deadline_for, medicare_level, next_level
from otbill.model import PayerKind

P = default_profiles()
NOTICE, DOS = date(2026, 3, 27), date(2026, 3, 10)


def test_medicare_redetermination_counts_from_receipt() -> None:
    # Received 5 days after the notice (2026-04-01), then 120 days: July 30.
    d = deadline_for("appeal", True, P[PayerKind.MEDICARE], NOTICE, DOS)
    assert (d.due, d.what) == (date(2026, 7, 30), "redetermination")
    assert "presumed received 5 days later (2026-04-01)" in d.rule
    assert "405.942" in d.source.cite


def test_each_medicare_level_after_a_decision() -> None:
    # Redetermination decided 2026-08-15: received 08-20, 180 days to the QIC: 2027-02-16.
    assert next_level(1, date(2026, 8, 15)).due == date(2027, 2, 16)  # type: ignore[union-attr]
    assert medicare_level(3, date(2027, 1, 4)).due == date(2027, 3, 10)  # 01-09 + 60
    assert next_level(5, date(2027, 1, 4)) is None


@pytest.mark.parametrize(
    ("kind", "action", "due", "what"),
    [
        (PayerKind.MEDICARE_ADVANTAGE, "appeal", date(2026, 5, 31), "appeal"),  # 65 days
        (PayerKind.COMMERCIAL, "appeal", date(2026, 9, 23), "appeal"),  # 180 days
        (PayerKind.MEDICARE, "correct", date(2027, 3, 27), "reopening"),  # one year
        (PayerKind.MEDICARE, "resubmit", date(2027, 3, 10), "new claim"),  # 12 months of DOS
        (PayerKind.COMMERCIAL, "correct", date(2026, 6, 8), "corrected claim"),  # 90 days of DOS
        (PayerKind.MEDICAID, "bill_secondary", date(2027, 3, 10), "secondary claim"),
    ],
)
def test_payer_windows(kind: PayerKind, action: str, due: date, what: str) -> None:
    d = deadline_for(action, kind == PayerKind.MEDICARE, P[kind], NOTICE, DOS)
    assert (d.due, d.what) == (due, what)


def test_a_window_not_on_file_says_so() -> None:
    d = deadline_for("appeal", False, P[PayerKind.WORKERS_COMP], NOTICE, DOS)
    assert d.due is None
    assert "set appeal_window in its profile" in d.rule
    mine = replace(P[PayerKind.WORKERS_COMP], appeal_window="30d")
    assert deadline_for("appeal", False, mine, NOTICE, DOS).due == date(2026, 4, 26)
    corrected = replace(P[PayerKind.COMMERCIAL], corrected_claim_window="6m")
    assert deadline_for("correct", False, corrected, NOTICE, DOS).due == date(2026, 9, 27)
    assert deadline_for("write_off", False, P[PayerKind.COMMERCIAL], NOTICE, DOS).due is None


def test_amount_in_controversy() -> None:
    assert amount_in_controversy(3, date(2026, 2, 1))[0] == Decimal("200")
    assert amount_in_controversy(5, date(2025, 6, 1))[0] == Decimal("1900")
    amount, why = amount_in_controversy(3, date(2024, 6, 1))
    assert amount is None and "not on file" in why
    assert amount_in_controversy(1, date(2026, 2, 1))[0] == Decimal("0")
