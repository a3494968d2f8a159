"""Progress reports: at least once every 10 treatment days (MBPM ch.15 §220.3.D)."""

from __future__ import annotations

import math
from collections.abc import Iterator

from otbill.rules.context import ClaimContext, closes_progress_period, is_treatment_day
from otbill.rules.model import Category, Hit, Severity
from otbill.rules.registry import rule
from otbill.sources import MBPM_15_220_3_D

PERIOD = 10


def _day_in_period(ctx: ClaimContext) -> int | None:
    """This visit's place in the progress-report period (1 = first treatment day after the last
    report), or None when the visit writes the report or is no treatment day."""
    if not ctx.profile.progress_reports or not is_treatment_day(ctx.visit):
        return None
    if closes_progress_period(ctx.visit):
        return None
    return ctx.history.treatment_days_in_period + 1


@rule(
    "OT-PR-001",
    Category.PROGRESS_REPORT,
    Severity.ERROR,
    "No progress report within the last 10 treatment days",
    checks="A therapist's progress report (or a re-evaluation) within every 10 treatment days; "
    "only days with an evaluation, re-evaluation or treatment count.",
    why="The progress report is required documentation at least once every 10 treatment days; "
    "services past the period without one are not supported on review.",
    example="Evaluation 10/1, treatment 5x a week, no report: the visit on the 11th treatment day.",
    fix="Have the therapist write the progress report (within 7 days of the period's end) "
    "covering the period, and note it on the visit.",
    source=MBPM_15_220_3_D,
)
def progress_overdue(ctx: ClaimContext) -> Iterator[Hit]:
    day = _day_in_period(ctx)
    if day is not None and day > PERIOD:
        yield Hit(
            f"Treatment day {day} since the last progress report (the period ends at day {PERIOD})."
        )


@rule(
    "OT-PR-002",
    Category.PROGRESS_REPORT,
    Severity.WARNING,
    "Progress report due",
    checks="The next treatment day is the 10th since the last progress report (or this one is).",
    why="A report written on time avoids a gap that makes later visits unsupported.",
    example="Treatment day 9 since the last report: the report is due at the next visit.",
    fix="Schedule the therapist's progress report for the next visit.",
    source=MBPM_15_220_3_D,
)
def progress_due(ctx: ClaimContext) -> Iterator[Hit]:
    day = _day_in_period(ctx)
    if day == PERIOD - 1:
        yield Hit(
            f"Treatment day {day} since the last report: a progress report is due at the "
            "next visit."
        )
    elif day == PERIOD:
        yield Hit(
            f"Treatment day {day} since the last report: the period ends today; the report "
            "is due within 7 days."
        )


def _unseen_days(ctx: ClaimContext) -> tuple[int, str] | None:
    """How many treatment days may lie between the first treatment and the first visit the
    record holds, in words; None when the record's count since the last report is whole."""
    ft = ctx.first_treatment
    if ft is None or ft.in_record or ctx.history.period_closed:
        return None
    span = (ft.record_first - ft.day).days
    freq = ctx.plan.frequency_per_week if ctx.plan else None
    if freq:
        n = min(span, math.ceil(span * freq / 7))
        return n, f"about {n} at the plan's {freq} a week"
    return span, f"up to {span} (one a day: the plan gives no frequency)"


@rule(
    "OT-PR-003",
    Category.PROGRESS_REPORT,
    Severity.WARNING,
    "Progress report period not countable from the document",
    checks="The record begins after the plan's first treatment (a visit document, an episode "
    "that starts mid-plan) and holds no progress report or re-evaluation under the plan, and the "
    "treatment days it may be missing (at the plan's frequency; without one, a day each calendar "
    "day) with the ones it counts pass the 10-day period.",
    why="Treatment days that are not in the document cannot be counted, and taking the first "
    "visit in it as the period's first day would pass a plan treated for weeks without a report. "
    "The count is an estimate, so this is a warning, not OT-PR-001.",
    example="A visit document of 4/20 under a plan started 3/2 at 2 a week, no report in it: "
    "about 14 treatment days before this one.",
    fix="Include the plan's visits since its last progress report (that visit marked "
    "progress_report), or since its start, so the period is counted; if a report is due, have "
    "the therapist write it.",
    source=MBPM_15_220_3_D,
)
def progress_uncounted(ctx: ClaimContext) -> Iterator[Hit]:
    day = _day_in_period(ctx)
    unseen = _unseen_days(ctx) if day is not None else None
    ft = ctx.first_treatment
    if day is None or unseen is None or ft is None:
        return
    n, how = unseen
    if n + day > PERIOD:
        yield Hit(
            f"No progress report in the document, which begins {ft.record_first}, after the "
            f"first treatment ({ft}): otbill counts {day} treatment "
            f"day{'s' if day != 1 else ''} since a report, and the days before may hold {how}, "
            f"past the {PERIOD}-day period."
        )
