"""Therapy modifiers GO/GP/GN, and CO/CQ for services furnished by assistants."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from otbill.codesets import hcpcs
from otbill.codesets.modifiers import ASSISTANT_MODIFIER, THERAPY_MODIFIER
from otbill.coding.coder import assistant_units_by_code
from otbill.dates import Period
from otbill.rules.context import ClaimContext
from otbill.rules.model import Category, Hit, Severity
from otbill.rules.registry import rule
from otbill.sources import CPM_5_20_1, CY2020_PFS_DE_MINIMIS

THERAPY_MODS = frozenset(THERAPY_MODIFIER.values())
ASSISTANT_MODS = frozenset(ASSISTANT_MODIFIER.values())
CO_CQ_REQUIRED = Period(date(2020, 1, 1))


def _is_therapy_code(code: str) -> bool:
    return hcpcs.lookup(code) is not None or code in hcpcs.functional_gcodes()


@rule(
    "OT-MOD-001",
    Category.MODIFIER_THERAPY,
    Severity.ERROR,
    "Therapy modifier missing",
    checks="Every line of a therapy code carries the modifier of the plan of care's discipline: "
    "GO under an OT plan, GP under PT, GN under SLP.",
    why="Medicare and most payers return therapy lines without GO/GP/GN as unprocessable; the "
    "modifier also routes the dollars to the right KX threshold bucket.",
    example="97535 under an OT plan billed with no modifier.",
    fix="Append GO (GP, GN) for the plan of care under which the service was furnished.",
    source=CPM_5_20_1,
)
def therapy_modifier_missing(ctx: ClaimContext) -> Iterator[Hit]:
    if not ctx.profile.therapy_modifiers or ctx.discipline is None:
        return
    want = THERAPY_MODIFIER[ctx.discipline.value]
    for i, ln in enumerate(ctx.claim.lines):
        if _is_therapy_code(ln.code) and not THERAPY_MODS & set(ln.modifiers):
            yield Hit(
                f"{ln.code} has no therapy modifier; the {ctx.discipline} plan needs {want}.", i
            )


@rule(
    "OT-MOD-002",
    Category.MODIFIER_THERAPY,
    Severity.ERROR,
    "Wrong or several therapy modifiers",
    checks="Exactly one of GO/GP/GN per therapy line, and the one of the plan's discipline; an "
    "evaluation code carries its own discipline's modifier (GO on 97165-97168, GP on "
    "97161-97164).",
    why="A line with two therapy modifiers, or one of another discipline, is rejected; CMS edits "
    "discipline-specific evaluation codes for their modifier (CR 10176).",
    example="97530 under an OT plan billed with GP.",
    fix="Keep one therapy modifier: the plan of care's discipline.",
    source=CPM_5_20_1,
)
def therapy_modifier_wrong(ctx: ClaimContext) -> Iterator[Hit]:
    if not ctx.profile.therapy_modifiers or ctx.discipline is None:
        return
    for i, ln in enumerate(ctx.claim.lines):
        mods = [m for m in ln.modifiers if m in THERAPY_MODS]
        if len(mods) > 1:
            yield Hit(f"{ln.code} carries {len(mods)} therapy modifiers ({' '.join(mods)}).", i)
            continue
        tc = hcpcs.lookup(ln.code)
        disc = tc.discipline if tc is not None and tc.discipline else ctx.discipline
        want = THERAPY_MODIFIER[disc.value]
        if mods and mods[0] != want:
            yield Hit(f"{ln.code} carries {mods[0]}; the {disc} service needs {want}.", i)


@rule(
    "OT-MOD-003",
    Category.MODIFIER_THERAPY,
    Severity.ERROR,
    "Therapy modifier on a non-therapy code",
    checks="GO/GP/GN only on codes of the therapy code list.",
    why="CMS: the therapy modifiers 'should never be used with codes that are not on the list of "
    "applicable therapy services'; such lines are returned.",
    example="99213 (an office visit) billed with GO.",
    fix="Remove the therapy modifier, or bill the service on the claim of the practitioner who "
    "furnished it.",
    source=CPM_5_20_1,
)
def therapy_modifier_on_other_code(ctx: ClaimContext) -> Iterator[Hit]:
    for i, ln in enumerate(ctx.claim.lines):
        mods = THERAPY_MODS & set(ln.modifiers)
        if mods and not _is_therapy_code(ln.code):
            yield Hit(f"{ln.code} is not a therapy code but carries {' '.join(sorted(mods))}.", i)


@rule(
    "OT-ASST-001",
    Category.MODIFIER_ASSISTANT,
    Severity.ERROR,
    "Assistant's share over de minimis without CO/CQ",
    checks="Per billed unit, CO (OT) or CQ (PT) where the assistant furnished more than 10% of "
    "the unit on their own.",
    why="Services furnished in whole or in part by an OTA or PTA must carry CO/CQ from "
    "2020-01-01 and are paid at 85% from 2022-01-01; billing them without it overstates payment "
    "and is recouped on review.",
    example="97530: OTA 30 min alone, OT 5 min; 2 units billed with GO only.",
    fix="Put CO (CQ) on the units the assistant furnished in part; split the line if only some "
    "units qualify.",
    source=CY2020_PFS_DE_MINIMIS,
    period=CO_CQ_REQUIRED,
)
def assistant_modifier_missing(ctx: ClaimContext) -> Iterator[Hit]:
    if not ctx.profile.assistant_modifiers or ctx.discipline is None:
        return
    mod = ASSISTANT_MODIFIER.get(ctx.discipline.value)
    if mod is None:
        return
    expected = assistant_units_by_code(ctx.visit, ctx.expected_units, ctx.discipline)
    billed: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, ln in enumerate(ctx.claim.lines):
        first.setdefault(ln.code, i)
        if mod in ln.modifiers:
            billed[ln.code] = billed.get(ln.code, 0) + ln.units
    for code, want in expected.items():
        have = billed.get(code, 0)
        if want > have and code in first:
            yield Hit(
                f"{code}: the assistant furnished more than 10% of {want} unit"
                f"{'s' if want != 1 else ''}; {have} carr{'y' if have != 1 else 'ies'} {mod}.",
                first[code],
            )


@rule(
    "OT-ASST-002",
    Category.MODIFIER_ASSISTANT,
    Severity.ERROR,
    "CO or CQ without its therapy modifier",
    checks="CO is paired with GO and CQ with GP on the same line.",
    why="CMS: 'Claims not so paired will be rejected/returned as unprocessable.'",
    example="97110 billed with CO but no GO.",
    fix="Add GO to a CO line (GP to a CQ line).",
    source=CPM_5_20_1,
)
def assistant_modifier_unpaired(ctx: ClaimContext) -> Iterator[Hit]:
    pair = {"CO": "GO", "CQ": "GP"}
    for i, ln in enumerate(ctx.claim.lines):
        for m in ASSISTANT_MODS & set(ln.modifiers):
            if pair[m] not in ln.modifiers:
                yield Hit(f"{ln.code} carries {m} without {pair[m]}.", i)


@rule(
    "OT-ASST-003",
    Category.MODIFIER_ASSISTANT,
    Severity.ERROR,
    "Assistant modifier of the other discipline",
    checks="CO only under an OT plan of care, CQ only under a PT plan; neither under SLP.",
    why="CO means an occupational therapy assistant furnished the service; on a PT plan (or CQ on "
    "an OT plan) it misstates who treated and is rejected.",
    example="97110 under a PT plan billed with GP CO.",
    fix="Use CQ for a PTA under a PT plan and CO for an OTA under an OT plan.",
    source=CPM_5_20_1,
)
def assistant_modifier_wrong_discipline(ctx: ClaimContext) -> Iterator[Hit]:
    if ctx.discipline is None:
        return
    want = ASSISTANT_MODIFIER.get(ctx.discipline.value)
    for i, ln in enumerate(ctx.claim.lines):
        for m in ASSISTANT_MODS & set(ln.modifiers):
            if m != want:
                yield Hit(f"{ln.code} carries {m} under a {ctx.discipline} plan of care.", i)
