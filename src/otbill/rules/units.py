"""Units: what the documented minutes support under the payer's unit method."""

from __future__ import annotations

from collections.abc import Iterator

from otbill.codesets import hcpcs
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
