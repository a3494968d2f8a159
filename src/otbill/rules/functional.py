"""Functional limitation reporting: G-codes with severity modifiers, 2013-01-01 to 2018-12-31."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from otbill.codesets import hcpcs
from otbill.dates import Period
from otbill.rules.context import ClaimContext, is_treatment_day
from otbill.rules.model import Category, Hit, Severity
from otbill.rules.registry import rule
from otbill.sources import CPM_5_10_6, MBPM_15_220_4

FR_YEARS = Period(date(2013, 1, 1), date(2018, 12, 31))
AFTER_FR = Period(date(2019, 1, 1))
SEVERITY = frozenset({"CH", "CI", "CJ", "CK", "CL", "CM", "CN"})


def _gcode_lines(ctx: ClaimContext) -> list[int]:
    g = hcpcs.functional_gcodes()
    return [i for i, ln in enumerate(ctx.claim.lines) if ln.code in g]


def _why_due(ctx: ClaimContext) -> str | None:
    codes = [ln.code for ln in ctx.claim.lines]
    if ctx.history.treatment_days_total == 0 and is_treatment_day(ctx.visit):
        return "the first treatment day of the episode"
    for c in codes:
        tc = hcpcs.lookup(c)
        if tc is not None and tc.is_evaluation:
            return f"an evaluative procedure ({c}) is billed"
    if ctx.visit.documentation.discharge:
        return "the patient is discharged"
    if is_treatment_day(ctx.visit) and ctx.history.days_since_functional + 1 >= 10:
        return f"treatment day {ctx.history.days_since_functional + 1} since the last report"
    return None


@rule(
    "OT-FR-001",
    Category.FUNCTIONAL_REPORTING,
    Severity.ERROR,
    "Functional G-codes missing (2013-2018)",
    checks="Medicare dates of service 2013-01-01 to 2018-12-31: a pair of functional G-codes of "
    "one limitation set (current and goal status; goal and discharge at discharge) at the first "
    "treatment day, every 10th treatment day, an evaluation or re-evaluation, and discharge.",
    why="Claims without the required G-codes were returned as unprocessable (from 2013-07-01).",
    example="2016 evaluation 97166 billed with no G8987/G8988.",
    fix="Add the two G-codes of the limitation being reported, each with GO and a severity "
    "modifier (CH-CN), at a zero charge.",
    source=CPM_5_10_6,
    period=FR_YEARS,
)
def gcodes_missing(ctx: ClaimContext) -> Iterator[Hit]:
    if not ctx.profile.functional_reporting:
        return
    why = _why_due(ctx)
    if why is None:
        return
    g = hcpcs.functional_gcodes()
    sets: dict[str, set[str]] = {}
    for i in _gcode_lines(ctx):
        code = ctx.claim.lines[i].code
        sets.setdefault(g[code].set, set()).add(g[code].role)
    if not any(len(roles) >= 2 for roles in sets.values()):
        yield Hit(
            f"Functional G-codes are required because {why}; the claim has "
            f"{'no pair of one set' if sets else 'none'}."
        )


@rule(
    "OT-FR-002",
    Category.FUNCTIONAL_REPORTING,
    Severity.ERROR,
    "G-code without a severity modifier",
    checks="Each functional G-code line carries one severity modifier CH-CN (2013-2018).",
    why="A G-code without its severity modifier is returned as unprocessable.",
    example="G8978 billed with GP only.",
    fix="Add the severity modifier that matches the measured impairment (CH 0% ... CN 100%).",
    source=CPM_5_10_6,
    period=FR_YEARS,
)
def gcode_severity(ctx: ClaimContext) -> Iterator[Hit]:
    for i in _gcode_lines(ctx):
        ln = ctx.claim.lines[i]
        if len(SEVERITY & set(ln.modifiers)) != 1:
            yield Hit(f"{ln.code} needs exactly one severity modifier (CH-CN).", i)


@rule(
    "OT-FR-003",
    Category.FUNCTIONAL_REPORTING,
    Severity.WARNING,
    "Functional G-codes are no longer reportable",
    checks="Functional G-codes or severity modifiers on dates of service from 2019-01-01.",
    why="The CY 2019 PFS final rule ended functional reporting for dates of service on and after "
    "2019-01-01; payers may reject the lines, and they only add noise.",
    example="A 2024 claim with G8987-CJ.",
    fix="Remove the G-code lines and severity modifiers.",
    source=MBPM_15_220_4,
    period=AFTER_FR,
)
def gcodes_obsolete(ctx: ClaimContext) -> Iterator[Hit]:
    for i, ln in enumerate(ctx.claim.lines):
        if ln.code in hcpcs.functional_gcodes() or SEVERITY & set(ln.modifiers):
            yield Hit(
                f"{ln.code}{'' if ln.code.startswith('G') else ' (severity modifier)'} "
                f"on {ctx.day}: functional reporting ended 2018-12-31.",
                i,
            )
