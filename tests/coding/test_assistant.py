"""CO/CQ per billed unit under the 10% de minimis standard."""

from __future__ import annotations

import pytest

from otbill.coding.assistant import split_timed, split_untimed


@pytest.mark.parametrize(
    ("units", "therapist", "assistant", "with_mod"),
    [
        (1, 15, 0, 0),  # therapist alone
        (2, 0, 30, 2),  # assistant alone: every unit
        (1, 5, 10, 1),  # assistant 10 of 15 (the CMS/therapycomply example): CQ/CO
        (1, 14, 1, 0),  # 1 of 15 minutes is under 10%
        (1, 13, 2, 1),  # 2 of 15 is over 10%
        (1, 18, 2, 0),  # the one unit is the therapist's full 15; the rest is not billed
        (2, 12, 11, 1),  # both 9-14 minutes with two units left: one each (CY 2022)
        (2, 15, 15, 1),  # one full unit each
        (3, 30, 15, 1),
        (2, 20, 3, 1),  # 20 + 3 = 23 min, 2 units: second unit 5 + 3, assistant 37%
        (2, 25, 1, 0),  # second unit 10 + 1: 9%, de minimis
    ],
)
def test_timed_units(units: int, therapist: int, assistant: int, with_mod: int) -> None:
    split = split_timed("97110", units, therapist, assistant, "CO")
    assert split.assistant_units == with_mod
    assert split.units == units
    if assistant:
        assert split.steps, "every decision involving an assistant is explained"


def test_no_units_no_modifier() -> None:
    assert split_timed("97110", 0, 3, 4, "CO").assistant_units == 0


@pytest.mark.parametrize(
    ("therapist", "assistant", "with_mod"),
    [(40, 5, 1), (45, 5, 0), (0, 20, 1), (30, 0, 0)],
)
def test_untimed_service(therapist: int, assistant: int, with_mod: int) -> None:
    assert split_untimed("97150", 1, therapist, assistant, "CO").assistant_units == with_mod
