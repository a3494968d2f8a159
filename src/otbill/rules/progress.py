"""Progress reports: at least once every 10 treatment days (MBPM ch.15 §220.3.D)."""

from __future__ import annotations

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
