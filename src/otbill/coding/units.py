"""Timed-code units: the CMS total-time method and the AMA/CPT per-code method.

CMS (Pub. 100-04 ch. 5 §20.2): the day's total timed minutes decide how many timed units may be
billed; each code first gets one unit per full 15 minutes; any units still allowed go one at a
time to the codes with the most minutes left over, even a code under 8 minutes (the manual's
example 3). Untimed codes are billed per their units and their minutes never count as timed.

AMA/CPT: each code stands alone; a unit is attained when the midpoint (8 minutes) is passed, so
a code of m minutes gets (m + 7) // 15 units.

Both functions are pure and deterministic. Where the CMS method leaves a free choice (equal
leftover minutes competing for the last unit), the result takes the first such code in input
order and records the other codes that were equally valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from otbill.model.enums import UnitMethod
from otbill.model.explain import Explanation, Step
from otbill.sources import AMA_CPT_TIME, CPM_5_20_2, MBPM_15_220_3

UNIT_MINUTES = 15
MIDPOINT = 8  # minutes; a 15-minute unit is attained from the 8th minute (CPM §20.2 chart)


@dataclass(frozen=True, slots=True)
class TimedEntry:
    code: str
    minutes: int


@dataclass(frozen=True, slots=True)
class UntimedEntry:
    code: str
    minutes: int | None = None
    units: int = 1


@dataclass(frozen=True, slots=True)
class UnitLine:
    code: str
    minutes: int | None
    units: int
    timed: bool
    # Codes that could equally have received this line's last unit instead (CMS ties).
    tie_with: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnitResult:
    method: UnitMethod
    total_timed_minutes: int
    total_units: int  # timed units plus untimed units
    lines: tuple[UnitLine, ...]
    explanation: Explanation

    @property
    def timed_units(self) -> int:
        return sum(line.units for line in self.lines if line.timed)

    def units_for(self, code: str) -> int:
        return sum(line.units for line in self.lines if line.code == code)


def units_for_minutes(minutes: int) -> int:
    """Units for a span of timed minutes: 0 under 8, then 8-22 = 1, 23-37 = 2, ..."""
    if minutes < 0:
        raise ValueError("minutes cannot be negative")
    return (minutes + UNIT_MINUTES - MIDPOINT) // UNIT_MINUTES


def compute_units(
    method: UnitMethod,
    timed: Sequence[TimedEntry],
    untimed: Sequence[UntimedEntry] = (),
) -> UnitResult:
    _check_entries(timed, untimed)
    if method is UnitMethod.CMS:
        return _cms(timed, untimed)
    return _ama(timed, untimed)


def _check_entries(timed: Sequence[TimedEntry], untimed: Sequence[UntimedEntry]) -> None:
    seen: set[str] = set()
    for e in timed:
        if e.minutes < 0:
            raise ValueError(f"{e.code}: minutes cannot be negative ({e.minutes})")
        if e.code in seen:
            raise ValueError(f"{e.code} appears twice; give each code's minutes once")
        seen.add(e.code)
    for u in untimed:
        if u.units < 0 or (u.minutes is not None and u.minutes < 0):
            raise ValueError(f"{u.code}: units and minutes cannot be negative")


def _untimed_lines(untimed: Sequence[UntimedEntry]) -> tuple[list[UnitLine], list[Step]]:
    lines = [UnitLine(u.code, u.minutes, u.units, timed=False) for u in untimed]
    steps = []
    if untimed:
        codes = ", ".join(
            f"{u.code} ({u.units} unit{'s' if u.units != 1 else ''})" for u in untimed
        )
        steps.append(
            Step(
                f"Untimed codes are billed per service, whatever their minutes: {codes}; "
                "their minutes are not counted as timed minutes.",
                MBPM_15_220_3,
            )
        )
    return lines, steps


def _cms(timed: Sequence[TimedEntry], untimed: Sequence[UntimedEntry]) -> UnitResult:
    total_minutes = sum(e.minutes for e in timed)
    total_timed_units = units_for_minutes(total_minutes)
    steps: list[Step] = []
    if timed:
        parts = " + ".join(f"{e.code} {e.minutes}" for e in timed)
        lo, hi = _unit_band(total_timed_units)
        steps.append(
            Step(
                f"Total timed minutes: {parts} = {total_minutes}, which falls in {lo}-{hi} "
                f"minutes: {total_timed_units} timed unit{'s' if total_timed_units != 1 else ''}.",
                CPM_5_20_2,
            )
        )

    full = [e.minutes // UNIT_MINUTES for e in timed]
    units = list(full)
    full_codes = [f"{e.code} {f}" for e, f in zip(timed, full, strict=True) if f]
    if full_codes:
        steps.append(
            Step(
                "Each code gets one unit per full 15 minutes: " + ", ".join(full_codes) + ".",
                CPM_5_20_2,
            )
        )
    # Fewer than 15 left over for every code, so at most one more unit per code can be due;
    # the arithmetic (units_for_minutes of the leftovers' sum) guarantees remaining >= 0.
    remaining = total_timed_units - sum(full)
    leftovers = [e.minutes % UNIT_MINUTES for e in timed]
    tie_with: dict[int, tuple[str, ...]] = {}
    if remaining > 0:
        # Most leftover minutes first; equal leftovers keep input order (deterministic).
        order = sorted(range(len(timed)), key=lambda i: (-leftovers[i], i))
        chosen = order[:remaining]
        for i in chosen:
            units[i] += 1
        cut = leftovers[chosen[-1]]
        winners_at_cut = [i for i in chosen if leftovers[i] == cut]
        losers_at_cut = [i for i in order[remaining:] if leftovers[i] == cut]
        desc = ", ".join(f"{timed[i].code} ({leftovers[i]} left)" for i in chosen)
        steps.append(
            Step(
                f"{remaining} more unit{'s' if remaining != 1 else ''} allowed; "
                f"given to the code{'s' if remaining != 1 else ''} with the most minutes left "
                f"over: {desc}.",
                CPM_5_20_2,
            )
        )
        if losers_at_cut:
            others = tuple(timed[i].code for i in losers_at_cut)
            for i in winners_at_cut:
                tie_with[i] = others
            steps.append(
                Step(
                    "Tie: "
                    + ", ".join(timed[i].code for i in winners_at_cut + losers_at_cut)
                    + f" each had {cut} minutes left over. The unit went to "
                    + ", ".join(timed[i].code for i in winners_at_cut)
                    + " (first in the visit's order); giving it to "
                    + " or ".join(others)
                    + " instead is equally valid (CPM §20.2 examples 2 and 5).",
                    CPM_5_20_2,
                )
            )
    unbilled = [e.code for e, u in zip(timed, units, strict=True) if u == 0 and e.minutes > 0]
    if unbilled:
        steps.append(
            Step(
                "Not billed, because the total minutes allow no more units (document the "
                "time in the note all the same): " + ", ".join(unbilled) + ".",
                CPM_5_20_2,
            )
        )
    lines = [
        UnitLine(e.code, e.minutes, u, timed=True, tie_with=tie_with.get(i, ()))
        for i, (e, u) in enumerate(zip(timed, units, strict=True))
    ]
    untimed_lines, untimed_steps = _untimed_lines(untimed)
    steps.extend(untimed_steps)
    return UnitResult(
        method=UnitMethod.CMS,
        total_timed_minutes=total_minutes,
        total_units=total_timed_units + sum(u.units for u in untimed),
        lines=tuple(lines + untimed_lines),
        explanation=tuple(steps),
    )


def _ama(timed: Sequence[TimedEntry], untimed: Sequence[UntimedEntry]) -> UnitResult:
    steps: list[Step] = []
    lines: list[UnitLine] = []
    for e in timed:
        u = units_for_minutes(e.minutes)
        lines.append(UnitLine(e.code, e.minutes, u, timed=True))
        if u == 0:
            why = f"{e.code}: {e.minutes} minutes does not pass the 8-minute midpoint: 0 units."
        else:
            lo, hi = _unit_band(u)
            why = f"{e.code}: {e.minutes} minutes on its own falls in {lo}-{hi}: {u} unit" + (
                "s." if u != 1 else "."
            )
        steps.append(Step(why, AMA_CPT_TIME))
    untimed_lines, untimed_steps = _untimed_lines(untimed)
    steps.extend(untimed_steps)
    total_minutes = sum(e.minutes for e in timed)
    return UnitResult(
        method=UnitMethod.AMA,
        total_timed_minutes=total_minutes,
        total_units=sum(line.units for line in lines) + sum(u.units for u in untimed),
        lines=tuple(lines + untimed_lines),
        explanation=tuple(steps),
    )


def _unit_band(units: int) -> tuple[int, int]:
    """The minutes that give exactly ``units`` (0 units: 0-7)."""
    if units == 0:
        return 0, MIDPOINT - 1
    lo = UNIT_MINUTES * units - (UNIT_MINUTES - MIDPOINT)
    return lo, lo + UNIT_MINUTES - 1
