"""Evaluations and re-evaluations (NCCI Policy Manual ch.11 §P; MBPM ch.15 §220.3.C)."""

from __future__ import annotations

from collections.abc import Iterator

from otbill.codesets import hcpcs
from otbill.rules.context import ClaimContext
from otbill.rules.model import Category, Hit, Severity
from otbill.rules.registry import rule
from otbill.sources import MBPM_15_220_3_C, NCCI_CH11_P

OT_EVALS = frozenset({"97165", "97166", "97167", "97168"})
PT_EVALS = frozenset({"97161", "97162", "97163", "97164"})
REEVALS = frozenset({"97164", "97168"})
# NCCI ch.11 §P.8: not separately reportable with an evaluation by the same practitioner.
WITH_ANY_EVAL = frozenset({"97750", "97755", "97763"})
WITH_REEVAL = frozenset({"97760", "97761"})


def _codes(ctx: ClaimContext) -> list[str]:
    return [ln.code for ln in ctx.claim.lines]


@rule(
    "OT-EVAL-001",
    Category.EVALUATION,
    Severity.ERROR,
    "More than one evaluation on a day",
    checks="One OT evaluation or re-evaluation (97165-97168) per date of service, one PT "
    "(97161-97164); the same practitioner does not bill both an OT and a PT evaluation.",
    why="NCCI ch.11 §P.1: a therapist 'may report only one evaluation/re-evaluation ... on a "
    "single date of service'; the second is denied.",
    example="97166 and 97168 billed for the same day.",
    fix="Bill the one evaluation that was performed.",
    source=NCCI_CH11_P,
)
def one_evaluation(ctx: ClaimContext) -> Iterator[Hit]:
    codes = _codes(ctx)
    for group, name in ((OT_EVALS, "OT"), (PT_EVALS, "PT")):
        here = [i for i, c in enumerate(codes) if c in group]
        # Evaluations are one unit; ask the history about each code rather than scan it.
        before = sorted(c for c in group if (ctx.day, c, 1) in ctx.history.billed)
        if len(here) > 1 or (here and before):
            extra = ", already billed today: " + ", ".join(before) if before else ""
            listed = ", ".join(codes[i] for i in here)
            yield Hit(
                f"{len(here) + len(before)} {name} evaluations on {ctx.day} ({listed}{extra}).",
                here[-1],
            )
    if any(c in OT_EVALS for c in codes) and any(c in PT_EVALS for c in codes):
        i = next(i for i, c in enumerate(codes) if c in PT_EVALS)
        yield Hit("An OT and a PT evaluation by the same practitioner on one claim.", i)


@rule(
    "OT-EVAL-002",
    Category.EVALUATION,
    Severity.ERROR,
    "Re-evaluation during a planned course without reason and 59/XU",
    checks="97168 (97164 for PT) billed with other therapy on the same day needs a documented "
    "reason (a change in the patient's status) and 59 or XU on the re-evaluation.",
    why="NCCI ch.11 §P.3: re-evaluations 'shall not be routinely reported during a planned "
    "course'; NCCI edits pair the therapy codes with them, bypassed only with 59/XU when a "
    "re-evaluation is medically necessary.",
    example="97530 and 97168 on a mid-plan visit, 97168 with GO only.",
    fix="If the patient's status changed, document it and append XU (or 59) to 97168; otherwise "
    "do not bill the re-evaluation (routine reassessment is part of treatment).",
    source=NCCI_CH11_P,
)
def reevaluation_in_course(ctx: ClaimContext) -> Iterator[Hit]:
    lines = ctx.claim.lines
    others = [ln for ln in lines if ln.code not in REEVALS and hcpcs.lookup(ln.code) is not None]
    if not others:
        return
    reasons = {s.code for s in ctx.visit.services if s.distinct_reason}
    for i, ln in enumerate(lines):
        if ln.code not in REEVALS:
            continue
        missing = []
        if not {"59", "XU"} & set(ln.modifiers):
            missing.append("59 or XU")
        if ln.code not in reasons:
            missing.append("a documented reason")
        if missing:
            yield Hit(
                f"{ln.code} billed with other therapy today lacks {' and '.join(missing)}.", i
            )


@rule(
    "OT-EVAL-003",
    Category.EVALUATION,
    Severity.ERROR,
    "Evaluation of the other discipline",
    checks="The evaluation code belongs to the plan of care's discipline: 97165-97168 under an OT "
    "plan, 97161-97164 under PT.",
    why="Evaluation codes are discipline-specific (CMS edits them for GO or GP, CR 10176); an OT "
    "billing a PT evaluation is denied.",
    example="97163 (PT evaluation) billed under an OT plan of care.",
    fix="Bill the evaluation code of the discipline that evaluated: 97165-97167 for an OT "
    "evaluation, 97168 for an OT re-evaluation.",
    source=MBPM_15_220_3_C,
)
def evaluation_discipline(ctx: ClaimContext) -> Iterator[Hit]:
    if ctx.discipline is None:
        return
    for i, ln in enumerate(ctx.claim.lines):
        tc = hcpcs.lookup(ln.code)
        if tc is not None and tc.is_evaluation and tc.discipline not in (None, ctx.discipline):
            yield Hit(
                f"{ln.code} is a {tc.discipline} evaluation under a {ctx.discipline} plan.", i
            )


@rule(
    "OT-EVAL-004",
    Category.EVALUATION,
    Severity.ERROR,
    "Tests, orthotic or prosthetic training on an evaluation day",
    checks="97750, 97755 or 97763 on the same day as an OT or PT evaluation or re-evaluation, and "
    "97760 or 97761 on the same day as a re-evaluation (97164, 97168), by one practitioner.",
    why="NCCI ch.11 §P.8: these are 'not separately reportable' with the evaluation when one "
    "practitioner (or two of the same specialty) performs both.",
    example="97165 and 97750 on the evaluation visit.",
    fix="Bill the evaluation only; the tests and measures are part of it. Different specialties "
    "may report both with an NCCI-associated modifier.",
    source=NCCI_CH11_P,
)
def evaluation_day_bundles(ctx: ClaimContext) -> Iterator[Hit]:
    codes = _codes(ctx)
    evals = [c for c in codes if c in OT_EVALS | PT_EVALS]
    if not evals:
        return
    reevals = [c for c in evals if c in REEVALS]
    for i, c in enumerate(codes):
        if c in WITH_ANY_EVAL or (c in WITH_REEVAL and reevals):
            yield Hit(f"{c} is not separately reportable with {', '.join(evals)} the same day.", i)
