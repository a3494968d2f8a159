"""The treatment note behind the claim: signed, with timed minutes and total treatment time."""

from __future__ import annotations

from collections.abc import Iterator

from otbill.codesets import hcpcs
from otbill.rules.context import ClaimContext
from otbill.rules.model import Category, Hit, Severity
from otbill.rules.registry import rule
from otbill.sources import MBPM_15_220_3_E


def _timed_minutes(ctx: ClaimContext) -> int:
    return sum(
        s.minutes
        for s in ctx.visit.services
        if (tc := hcpcs.lookup(s.code)) is not None and tc.timed
    )


@rule(
    "OT-DOC-001",
    Category.DOCUMENTATION,
    Severity.ERROR,
    "Treatment note not signed",
    checks="The visit's treatment note is signed by the qualified professional who furnished or "
    "supervised the services.",
    why="An unsigned note does not support the claim; on review the services are denied.",
    example="A note left in draft in the EMR.",
    fix="Have the therapist sign the note before the claim is sent.",
    source=MBPM_15_220_3_E,
)
def note_signed(ctx: ClaimContext) -> Iterator[Hit]:
    if not ctx.visit.documentation.note_signed:
        yield Hit(f"The note for visit {ctx.visit.id} is not signed.")


@rule(
    "OT-DOC-002",
    Category.DOCUMENTATION,
    Severity.ERROR,
    "Timed minutes not recorded",
    checks="Every timed code has its minutes recorded in the note.",
    why="Timed codes are billed from minutes; without them the units cannot be supported.",
    example="97530 listed with no minutes.",
    fix="Record the minutes of each timed service (or total timed minutes) in the note.",
    source=MBPM_15_220_3_E,
)
def timed_minutes(ctx: ClaimContext) -> Iterator[Hit]:
    if not ctx.visit.documentation.timed_minutes_recorded:
        yield Hit(f"The note for visit {ctx.visit.id} records no timed minutes.")
        return
    for s in ctx.visit.services:
        tc = hcpcs.lookup(s.code)
        if tc is not None and tc.timed and s.minutes == 0:
            i = next((i for i, ln in enumerate(ctx.claim.lines) if ln.code == s.code), None)
            yield Hit(f"{s.code} is timed but has no minutes recorded.", i)


@rule(
    "OT-DOC-003",
    Category.DOCUMENTATION,
    Severity.ERROR,
    "Total treatment time below the timed minutes",
    checks="The note's total treatment time is at least the sum of its timed minutes.",
    why="Total treatment time includes the timed minutes (and untimed ones); less than the timed "
    "minutes means one of the two is wrong, and reviewers deny on it.",
    example="97110 30 min and 97530 25 min, total treatment time 45 min.",
    fix="Correct the total treatment time or the service minutes in the note.",
    source=MBPM_15_220_3_E,
)
def total_time(ctx: ClaimContext) -> Iterator[Hit]:
    total = ctx.visit.documentation.total_treatment_minutes
    timed = _timed_minutes(ctx)
    if total is not None and total < timed:
        yield Hit(f"Total treatment time {total} min is less than the {timed} timed minutes.")


@rule(
    "OT-DOC-004",
    Category.DOCUMENTATION,
    Severity.WARNING,
    "Total treatment time not recorded",
    checks="The note records total treatment time (timed and untimed minutes).",
    why="Medicare's treatment note requires total timed minutes and total treatment time.",
    example="A note with service minutes but no total.",
    fix="Record the total treatment time in the note.",
    source=MBPM_15_220_3_E,
)
def total_time_missing(ctx: ClaimContext) -> Iterator[Hit]:
    if ctx.visit.documentation.total_treatment_minutes is None:
        yield Hit(f"The note for visit {ctx.visit.id} has no total treatment time.")
