"""National Provider Identifier check digit.

The tenth digit is a Luhn check digit computed over the prefix 80840 followed by the first nine
digits (the CMS NPI check-digit standard). 80840 contributes a constant 24 to the Luhn sum.
"""

from __future__ import annotations

from functools import lru_cache


def npi_check_digit(first_nine: str) -> int:
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("need the first nine digits of an NPI")
    total = 24
    # Double every other digit starting from the rightmost of the nine (Luhn, check digit absent).
    for i, ch in enumerate(reversed(first_nine)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


@lru_cache(maxsize=65536)  # a practice's few NPIs are checked on every visit read
def npi_problem(npi: str) -> str | None:
    """Why ``npi`` is not a valid NPI, or None when it is."""
    if len(npi) != 10 or not npi.isdigit():
        return f"an NPI is 10 digits, got {npi!r}"
    if npi[0] not in "12":
        return f"an NPI starts with 1 or 2, got {npi!r}"
    expected = npi_check_digit(npi[:9])
    if int(npi[9]) != expected:
        return f"check digit of {npi} should be {expected} (Luhn over 80840 + NPI)"
    return None


def is_valid_npi(npi: str) -> bool:
    return npi_problem(npi) is None


def make_npi(first_nine: str) -> str:
    """Complete nine digits into a valid NPI (for demo data and tests)."""
    return first_nine + str(npi_check_digit(first_nine))
