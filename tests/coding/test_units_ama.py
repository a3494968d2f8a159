"""The AMA/CPT per-code method, against the comparison table in shared/reference §2."""

from __future__ import annotations

import pytest

from otbill.coding.units import TimedEntry, compute_units
from otbill.model import UnitMethod


@pytest.mark.parametrize(
    ("pairs", "cms_total", "ama_total"),
    [
        ([("97112", 24), ("97110", 23)], 3, 4),
        ([("97112", 20), ("97110", 20)], 3, 2),
        ([("97110", 33), ("97140", 7)], 3, 2),
        ([("97110", 18), ("97140", 13), ("97116", 10), ("97035", 8)], 3, 4),
        ([("97112", 7), ("97110", 7), ("97140", 7)], 1, 0),
        ([("97530", 20), ("97535", 20), ("97110", 20)], 4, 3),
        ([("97530", 60)], 4, 4),
    ],
)
def test_methods_differ_in_both_directions(
    pairs: list[tuple[str, int]], cms_total: int, ama_total: int
) -> None:
    entries = [TimedEntry(c, m) for c, m in pairs]
    assert compute_units(UnitMethod.CMS, entries).total_units == cms_total
    assert compute_units(UnitMethod.AMA, entries).total_units == ama_total


def test_each_code_on_its_own_minutes() -> None:
    r = compute_units(UnitMethod.AMA, [TimedEntry("97110", 33), TimedEntry("97140", 7)])
    assert {ln.code: ln.units for ln in r.lines} == {"97110": 2, "97140": 0}
    assert any("midpoint" in s.text for s in r.explanation)
