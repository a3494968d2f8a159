"""Properties of the unit methods that must hold for any day's minutes."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from otbill.coding.units import TimedEntry, compute_units, units_for_minutes
from otbill.model import UnitMethod

TIMED = ["97110", "97112", "97116", "97140", "97530", "97535", "97533", "97542", "97035"]

days = st.lists(
    st.tuples(st.sampled_from(TIMED), st.integers(min_value=0, max_value=130)),
    min_size=1,
    max_size=6,
    unique_by=lambda p: p[0],
)


def entries(pairs: list[tuple[str, int]]) -> list[TimedEntry]:
    return [TimedEntry(c, m) for c, m in pairs]


@given(days)
def test_cms_total_depends_only_on_total_minutes(pairs: list[tuple[str, int]]) -> None:
    r = compute_units(UnitMethod.CMS, entries(pairs))
    total = sum(m for _, m in pairs)
    assert r.total_units == units_for_minutes(total)
    # The same minutes in one code give the same total.
    assert compute_units(UnitMethod.CMS, [TimedEntry("97110", total)]).total_units == r.total_units


@given(days)
def test_no_code_gets_more_units_than_its_minutes_allow(pairs: list[tuple[str, int]]) -> None:
    for method in UnitMethod:
        r = compute_units(method, entries(pairs))
        for ln, (_, m) in zip(r.lines, pairs, strict=True):
            # No unit without minutes in it, and at least one unit per full 15 under CMS.
            assert ln.units <= math.ceil(m / 15)
            if method is UnitMethod.AMA:
                assert ln.units == units_for_minutes(m)
            else:
                assert ln.units >= m // 15


@given(st.sampled_from(TIMED), st.integers(min_value=0, max_value=600))
def test_methods_agree_on_a_single_code(code: str, minutes: int) -> None:
    one = [TimedEntry(code, minutes)]
    assert (
        compute_units(UnitMethod.CMS, one).total_units
        == compute_units(UnitMethod.AMA, one).total_units
    )


@given(days)
def test_cms_is_deterministic_and_sums(pairs: list[tuple[str, int]]) -> None:
    a = compute_units(UnitMethod.CMS, entries(pairs))
    b = compute_units(UnitMethod.CMS, entries(pairs))
    assert a == b
    assert sum(ln.units for ln in a.lines) == a.total_units


@given(days)
def test_cms_extra_units_go_to_the_largest_leftovers(pairs: list[tuple[str, int]]) -> None:
    r = compute_units(UnitMethod.CMS, entries(pairs))
    extra = [(m % 15) for (_, m), ln in zip(pairs, r.lines, strict=True) if ln.units > m // 15]
    passed = [(m % 15) for (_, m), ln in zip(pairs, r.lines, strict=True) if ln.units == m // 15]
    if extra and passed:
        assert min(extra) >= max(passed)
