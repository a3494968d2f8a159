"""Units: what the documented minutes support under the payer's unit method."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from otbill.codesets import hcpcs
from otbill.codesets.hcpcs import UntimedLimit
from otbill.rules.context import ClaimContext
from otbill.rules.model import Category, Hit, Severity
from otbill.rules.registry import rule
from otbill.sources import CPM_5_20_2


def _billed_by_code(ctx: ClaimContext) -> dict[str, tuple[int, int]]:
    """code -> (units billed, index of its first line)."""
    out: dict[str, tuple[int, int]] = {}
    for i, ln in enumerate(ctx.claim.lines):
        units, first = out.get(ln.code, (0, i))
        out[ln.code] = (units + ln.units, first)
    return out


@rule(
    "OT-UNITS-001",
    Category.UNITS,
    Severity.ERROR,
    "More units than the minutes support",
    checks="Units billed for a code against the units its documented minutes support under the "
    "payer's unit method (CMS total time or AMA per code); untimed codes bill one unit per "
    "service.",
    why="Billing units the minutes do not support is over-billing: the payer denies or recoups "
    "the excess units, and a pattern of it invites review.",
    example="97110 23 min and 97112 24 min (47 min, CMS): 3 units in all. Billing 2 + 2 is one "
    "unit too many.",
    fix="Bill the units the minutes support (run `otbill units` on the visit's minutes), or "
    "correct the documented minutes if they were recorded wrong.",
    source=CPM_5_20_2,
)
def units_over(ctx: ClaimContext) -> Iterator[Hit]:
    expected = ctx.expected_units
    supported: dict[str, int] = {}
    for ln in expected.lines:
        supported[ln.code] = supported.get(ln.code, 0) + ln.units
    for code, (billed, i) in _billed_by_code(ctx).items():
        if hcpcs.lookup(code) is None:
            continue  # G-codes are nonpayable; other codes are not this practice's therapy
        allowed = supported.get(code, 0)
        if billed > allowed:
            mins = sum(s.minutes for s in ctx.visit.services if s.code == code)
            yield Hit(
                f"{code}: {billed} units billed, {allowed} supported by {mins} documented "
                f"minutes under the {ctx.profile.unit_method.upper()} method.",
                i,
            )


@rule(
    "OT-UNITS-002",
    Category.UNITS,
    Severity.WARNING,
    "Fewer units than the minutes support",
    checks="Timed codes whose documented minutes support more units than the claim bills, "
    "including a documented code left off the claim.",
    why="Units the minutes support but the claim lacks are revenue lost for care given.",
    example="97530 38 min under the CMS method supports 3 units; the claim bills 2.",
    fix="Add the supported units (check that the minutes are right first).",
    source=CPM_5_20_2,
)
def units_under(ctx: ClaimContext) -> Iterator[Hit]:
    expected = ctx.expected_units
    billed = _billed_by_code(ctx)
    for ln in expected.lines:
        if not ln.timed or ln.units == 0:
            continue
        have, i = billed.get(ln.code, (0, None))
        if have < ln.units:
            yield Hit(
                f"{ln.code}: {ln.minutes} documented minutes support {ln.units} units; "
                f"the claim bills {have}.",
                i,
            )


def _over_limit(ctx: ClaimContext) -> Iterator[tuple[UntimedLimit, int, int, date]]:
    """(limit, units billed, first line, day) for each untimed code billed past its per-day
    limit on the claim. Codes a loaded CMS MUE file lists are left to OT-MUE-001."""
    day_units: dict[tuple[date, str], tuple[int, int]] = {}
    for i, ln in enumerate(ctx.claim.lines):
        if ln.timed:
            continue
        units, first = day_units.get((ln.date, ln.code), (0, i))
        day_units[(ln.date, ln.code)] = (units + ln.units, first)
    mue = ctx.codesets.ncci.mue
    for (day, code), (units, i) in day_units.items():
        limit = hcpcs.untimed_limit(code, day)
        if limit is not None and units > limit.units and code not in mue:
            yield limit, units, i, day


_CONFIDENCE = {
    "P": "stated by CMS for the code",
    "D": "the untimed-code rule applied to the code",
    "U": "unverified: the payer may allow more",
}


def _limit_hit(limit: UntimedLimit, units: int, i: int, day: date) -> Hit:
    return Hit(
        f"{limit.code}: {units} units on {day}, past the limit of {limit.units} a day "
        f"({limit.source}; {_CONFIDENCE[limit.confidence]}).",
        i,
    )


@rule(
    "OT-UNITS-003",
    Category.UNITS,
    Severity.ERROR,
    "Untimed code past its per-day limit",
    checks="Units of an untimed code on the claim's date of service against its per-day limit "
    "(codesets/data/untimed_limits.csv, rows of confidence P or D): 1 for the evaluations and "
    "re-evaluations 97161-97168, the supervised modalities and G0283. A loaded CMS MUE file "
    "answers for the codes it lists (OT-MUE-001); across claims of one day, a second evaluation "
    "is OT-EVAL-001 and a repeated line OT-DUP-001.",
    why="An untimed code is one service however long it took: 'only one unit of service is "
    "appropriately billed on the same day'. The excess units are denied, and a 2-unit evaluation "
    "is usually a data-entry slip billed as it was typed.",
    example="97166 entered with 2 units: 2 units on the day, the limit is 1.",
    fix="Bill 1 unit (the minutes belong in the total treatment time, not in units); if the "
    "document's units are a typing error, correct them there.",
    source=CPM_5_20_2,
)
def untimed_over(ctx: ClaimContext) -> Iterator[Hit]:
    for limit, units, i, day in _over_limit(ctx):
        if limit.verified:
            yield _limit_hit(limit, units, i, day)


@rule(
    "OT-UNITS-004",
    Category.UNITS,
    Severity.WARNING,
    "Untimed code past an unverified per-day figure",
    checks="As OT-UNITS-003, for the untimed codes whose per-day figure otbill could not verify "
    "(confidence U in untimed_limits.csv: 97150 group therapy, 97039 unlisted modality).",
    why="The figure is the untimed-code default of one unit a day; a payer may allow more (a "
    "second group session, an unlisted modality priced by time), so this is a question, not a "
    "denial foretold.",
    example="97150 entered with 2 units for two group sessions on one day.",
    fix="Check the payer's policy or the quarter's CMS MUE file (load it with --mue): bill the "
    "units it allows and document each session.",
    source=CPM_5_20_2,
)
def untimed_over_unverified(ctx: ClaimContext) -> Iterator[Hit]:
    for limit, units, i, day in _over_limit(ctx):
        if not limit.verified:
            yield _limit_hit(limit, units, i, day)
