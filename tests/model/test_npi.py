"""NPI check digit: the CMS standard's worked example and the Luhn property."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otbill.model import is_valid_npi, make_npi, npi_problem
from otbill.model.npi import npi_check_digit


def test_cms_worked_example() -> None:
    # CMS "Requirements for the NPI check digit": 123456789 -> check digit 3.
    assert npi_check_digit("123456789") == 3
    assert is_valid_npi("1234567893")


@pytest.mark.parametrize(
    ("npi", "why"),
    [
        ("1234567890", "check digit"),
        ("123456789", "10 digits"),
        ("12345678AB", "10 digits"),
        ("3234567893", "starts with 1 or 2"),
    ],
)
def test_invalid_npis_say_why(npi: str, why: str) -> None:
    problem = npi_problem(npi)
    assert problem is not None
    assert why in problem


@given(st.text(alphabet="0123456789", min_size=8, max_size=8), st.sampled_from("12"))
def test_exactly_one_check_digit_is_valid(rest: str, first: str) -> None:
    nine = first + rest
    valid = [d for d in "0123456789" if is_valid_npi(nine + d)]
    assert valid == [make_npi(nine)[-1]]


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_single_digit_errors_are_caught(rest: str) -> None:
    npi = make_npi("1" + rest)
    for i in range(1, 10):
        wrong = npi[:i] + str((int(npi[i]) + 1) % 10) + npi[i + 1 :]
        assert not is_valid_npi(wrong)


def test_a_provider_record_cannot_hold_a_bad_npi() -> None:
    from otbill.model import Credential, Provider

    Provider("1234567893", "Dana", "Whitfield", Credential.OT)
    with pytest.raises(ValueError, match="check digit"):
        Provider("1234567890", "Dana", "Whitfield", Credential.OT)
