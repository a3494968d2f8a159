"""Eligibility, timely filing and duplicates: whether this payer should get this claim now."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from otbill.dates import filing_deadline
from otbill.rules.context import ClaimContext
from otbill.rules.model import Category, Hit, Severity
from otbill.rules.registry import rule
from otbill.sources import CFR_424_44, CMS_DUPLICATE, PAYER_POLICY

WARN_DAYS = 30


@rule(
    "OT-ELIG-001",
    Category.ELIGIBILITY,
    Severity.ERROR,
    "No active coverage with the payer on the date of service",
    checks="The patient has coverage with the claim's payer whose dates include the date of "
    "service.",
    why="A claim for a date outside the coverage is denied (CARC 27: expenses incurred after "
    "coverage terminated; CARC 26 before it began).",
    example="Commercial coverage ended 3/31; visit on 4/3 billed to it.",
    fix="Check eligibility (270/271) and bill the payer that covered the date, or the patient.",
    source=PAYER_POLICY,
)
def eligibility(ctx: ClaimContext) -> Iterator[Hit]:
    mine = [c for c in ctx.episode.coverages if c.payer_id == ctx.payer.id]
    if not any(c.active_on(ctx.day) for c in mine):
        spans = "; ".join(str(c.period) for c in mine if c.period) or "no coverage on file"
        yield Hit(f"No {ctx.payer.name} coverage is active on {ctx.day} ({spans}).")


@rule(
    "OT-FILE-001",
    Category.TIMELY_FILING,
    Severity.ERROR,
    "Past the payer's filing limit",
    checks="The day the claim would be sent against the payer's timely filing limit from the "
    "date of service (Medicare: 12 months).",
    why="Claims filed late are denied (CARC 29) and the patient may not be billed.",
    example="Medicare visit on 2025-03-03 sent on 2026-03-04.",
    fix="If an exception applies (Medicare: administrative error, retroactive entitlement), file "
    "with the proof; otherwise write the balance off.",
    source=CFR_424_44,
)
def timely_filing(ctx: ClaimContext) -> Iterator[Hit]:
    limit = ctx.profile.timely_filing
    if limit is None:
        return
    deadline = filing_deadline(ctx.day, limit)
    if ctx.as_of > deadline:
        yield Hit(f"Filing limit for {ctx.day} ended {deadline} ({limit}); today is {ctx.as_of}.")


@rule(
    "OT-FILE-002",
    Category.TIMELY_FILING,
    Severity.WARNING,
    "Filing limit within 30 days",
    checks="The claim's filing deadline falls within the next 30 days.",
    why="A claim returned for a fix near the deadline can miss it.",
    example="Commercial 90-day limit; visit 62 days ago.",
    fix="Send this claim first.",
    source=PAYER_POLICY,
)
def filing_soon(ctx: ClaimContext) -> Iterator[Hit]:
    limit = ctx.profile.timely_filing
    if limit is None:
        return
    deadline = filing_deadline(ctx.day, limit)
    if ctx.as_of <= deadline < ctx.as_of + timedelta(days=WARN_DAYS):
        yield Hit(
            f"Filing limit for {ctx.day} ends {deadline}, {(deadline - ctx.as_of).days} "
            "days from now."
        )


@rule(
    "OT-DUP-001",
    Category.DUPLICATE,
    Severity.ERROR,
    "Service already billed",
    checks="The same patient, date of service, code and units billed on an earlier claim, or "
    "twice on this one.",
    why="Exact duplicates are denied (CARC 18) and a pattern of them draws review.",
    example="97110 x2 on 3/10 billed on claim V-0310 and again on V-0310B.",
    fix="If the first claim is wrong, send a corrected claim (frequency 7) instead of a new one; "
    "otherwise drop the duplicate.",
    source=CMS_DUPLICATE,
)
def duplicate(ctx: ClaimContext) -> Iterator[Hit]:
    seen: set[tuple[str, int, tuple[str, ...]]] = set()
    for i, ln in enumerate(ctx.claim.lines):
        if (ln.date, ln.code, ln.units) in ctx.history.billed:
            yield Hit(f"{ln.code} x{ln.units} on {ln.date} was already billed for this patient.", i)
        key = (ln.code, ln.units, ln.modifiers)
        if key in seen:
            yield Hit(f"{ln.code} x{ln.units} appears twice on this claim.", i)
        seen.add(key)
