"""NCCI: procedure-to-procedure edits, medically unlikely edits, and distinct-service modifiers.

The edits come from the CMS quarterly files a practice loads (see otbill.codesets.ncci); PTP
edits apply to services by the same provider on the same date of service, which is one claim.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from otbill.codesets.modifiers import DISTINCT_MODIFIERS
from otbill.dates import Period
from otbill.rules.context import ClaimContext
from otbill.rules.model import Category, Hit, Severity
from otbill.rules.registry import rule
from otbill.sources import NCCI_CH1_E, NCCI_CH1_V, NCCI_CH11_P, NCCI_PTP_TABLE

MAI_TEXT = {
    1: "a claim-line edit",
    2: "a date-of-service edit based on policy (not bypassed on appeal)",
    3: "a date-of-service edit based on clinical benchmarks",
}


def _pairs(ctx: ClaimContext) -> Iterator[tuple[int, int, str]]:
    """(column 1 line, column 2 line, modifier indicator) for each PTP edit on the claim."""
    if not ctx.profile.follows_ncci or not ctx.codesets.ncci.ptp:
        return
    lines = ctx.claim.lines
    for i, a in enumerate(lines):
        for j, b in enumerate(lines):
            if a.code == b.code:
                continue
            for edit in ctx.codesets.ncci.edits(a.code, b.code, ctx.day):
                yield i, j, edit.modifier_indicator


def _distinct(mods: tuple[str, ...]) -> bool:
    return bool(DISTINCT_MODIFIERS & set(mods))


@rule(
    "OT-NCCI-001",
    Category.NCCI_PTP,
    Severity.ERROR,
    "NCCI pair that no modifier can bypass",
    checks="A column-two code billed with its column-one code on the same day by the same "
    "provider, where the edit's modifier indicator is 0.",
    why="The column-two code is denied; no modifier bypasses an indicator-0 edit.",
    example="An edit 9XXX1/9XXX2 with indicator 0 and both codes on the claim.",
    fix="Bill only the column-one code (the column-two service is included in it).",
    source=NCCI_PTP_TABLE,
)
def ptp_hard(ctx: ClaimContext) -> Iterator[Hit]:
    for i, j, ind in _pairs(ctx):
        if ind == "0":
            a, b = ctx.claim.lines[i], ctx.claim.lines[j]
            yield Hit(f"{b.code} is column two to {a.code} (indicator 0): {b.code} is denied.", j)


@rule(
    "OT-NCCI-002",
    Category.NCCI_PTP,
    Severity.ERROR,
    "NCCI pair without a distinct-service modifier",
    checks="A column-one/column-two pair with modifier indicator 1 where neither line carries "
    "59 or XE/XS/XP/XU.",
    why="Without an NCCI-associated modifier the column-two code is denied. For therapy, "
    "services in different timed intervals may be reported with 59 or XU (NCCI ch.11 §P.2).",
    example="97530 and 97140 on one day with an indicator-1 edit and no modifier.",
    fix="If the services were distinct (different 15-minute intervals), append XU (or 59) to the "
    "column-two code and document why; otherwise bill only the column-one code.",
    source=NCCI_PTP_TABLE,
)
def ptp_needs_modifier(ctx: ClaimContext) -> Iterator[Hit]:
    for i, j, ind in _pairs(ctx):
        a, b = ctx.claim.lines[i], ctx.claim.lines[j]
        if ind == "1" and not _distinct(a.modifiers) and not _distinct(b.modifiers):
            yield Hit(
                f"{b.code} is column two to {a.code} (indicator 1) and neither line carries "
                "59 or X{EPSU}.",
                j,
            )


@rule(
    "OT-MUE-001",
    Category.NCCI_MUE,
    Severity.ERROR,
    "Units over the medically unlikely edit",
    checks="Units of a code against its practitioner MUE: per line for adjudication indicator 1, "
    "per date of service for indicators 2 and 3.",
    why="Units past the MUE are denied; an MUE denial is a coding denial, so an ABN does not "
    "shift the liability to the patient (NCCI ch.1 §V).",
    example="A code with MUE 2 (indicator 3) billed for 3 units on one day.",
    fix="Bill no more than the MUE; if more were truly furnished (indicator 3), be ready to appeal "
    "with the record.",
    source=NCCI_CH1_V,
)
def mue(ctx: ClaimContext) -> Iterator[Hit]:
    table = ctx.codesets.ncci.mue
    if not table:
        return
    per_day: dict[str, tuple[int, int]] = {}
    for i, ln in enumerate(ctx.claim.lines):
        m = table.get(ln.code)
        if m is None:
            continue
        if m.indicator == 1 and ln.units > m.units:
            yield Hit(f"{ln.code}: {ln.units} units on the line, MUE {m.units} ({MAI_TEXT[1]}).", i)
        units, first = per_day.get(ln.code, (0, i))
        per_day[ln.code] = (units + ln.units, first)
    for code, (units, i) in per_day.items():
        m = table[code]
        if m.indicator in (2, 3) and units > m.units:
            yield Hit(
                f"{code}: {units} units on the day, MUE {m.units} ({MAI_TEXT[m.indicator]}).", i
            )


@rule(
    "OT-DIST-001",
    Category.MODIFIER_DISTINCT,
    Severity.ERROR,
    "Distinct-service modifier without a documented reason",
    checks="A line with 59, XE, XS, XP or XU whose service records no distinct-service reason.",
    why="59/X{EPSU} bypass NCCI edits only when the record shows the services were distinct; "
    "reviewers deny and recoup unsupported use.",
    example="97140-59 with no note of separate time intervals.",
    fix="Record why the service was distinct (e.g. 'manual therapy 10:05-10:20, separate from "
    "therapeutic activities 10:20-10:50'), or remove the modifier.",
    source=NCCI_CH1_E,
)
def distinct_without_reason(ctx: ClaimContext) -> Iterator[Hit]:
    reasons = {s.code for s in ctx.visit.services if s.distinct_reason}
    for i, ln in enumerate(ctx.claim.lines):
        mods = DISTINCT_MODIFIERS & set(ln.modifiers)
        if mods and ln.code not in reasons:
            yield Hit(f"{ln.code} carries {' '.join(sorted(mods))} with no documented reason.", i)


@rule(
    "OT-DIST-002",
    Category.MODIFIER_DISTINCT,
    Severity.WARNING,
    "Modifier 59 where an X modifier says more",
    checks="Modifier 59 on a therapy line.",
    why="CMS: 59 is used 'only if no more descriptive modifier is available'. For therapy in "
    "different timed intervals XU says exactly that (NCCI ch.11 §P.2), and some payers deny 59 "
    "where an X modifier applies.",
    example="97140-59 beside 97530 for separate 15-minute intervals.",
    fix="Use XU (or XE for a separate encounter the same day, XP for a different practitioner).",
    source=NCCI_CH11_P,
    period=Period(date(2015, 1, 1)),  # XE/XS/XP/XU exist from 2015-01-01 (CR 8863)
)
def fifty_nine(ctx: ClaimContext) -> Iterator[Hit]:
    for i, ln in enumerate(ctx.claim.lines):
        if "59" in ln.modifiers:
            yield Hit(f"{ln.code} carries 59; XU (or XE, XP) is more descriptive.", i)
