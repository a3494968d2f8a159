"""Diagnoses: valid and billable on the date of service, in a valid first position, pointed at."""

from __future__ import annotations

from collections.abc import Iterator

from otbill.codesets.icd10 import Icd10CodeSet
from otbill.rules.context import ClaimContext
from otbill.rules.model import Category, Hit, Severity
from otbill.rules.registry import rule
from otbill.sources import HIPAA_ICD10, ICD10_GUIDELINES, X12_837P_CLAIM

MAX_DX, MAX_POINTERS = 12, 4


def _release(ctx: ClaimContext) -> tuple[Icd10CodeSet, bool]:
    return ctx.codesets.icd10.for_date(ctx.day)


@rule(
    "OT-DX-001",
    Category.DIAGNOSIS,
    Severity.ERROR,
    "Diagnosis code does not exist",
    checks="Each ICD-10-CM code on the claim exists in the release in force on the date of "
    "service.",
    why="A code that is not in the code set is rejected before adjudication.",
    example="M62.89X (no such code).",
    fix="Find the code in the current ICD-10-CM tabular list; the index alone is not enough.",
    source=HIPAA_ICD10,
)
def dx_exists(ctx: ClaimContext) -> Iterator[Hit]:
    release, _ = _release(ctx)
    for code in ctx.claim.diagnoses:
        if release.get(code) is None:
            yield Hit(f"{code} is not an ICD-10-CM code in {release.version}.")


@rule(
    "OT-DX-002",
    Category.DIAGNOSIS,
    Severity.ERROR,
    "Diagnosis code is not billable",
    checks="Each code is billable (a leaf: no more specific codes below it) on the date of "
    "service.",
    why="A category or subcategory that has children is not valid on a claim and is rejected.",
    example="M25.61 (stiffness of shoulder) where M25.611 (right shoulder) is required.",
    fix="Code to the highest specificity: add the characters the tabular list requires "
    "(laterality, encounter).",
    source=HIPAA_ICD10,
)
def dx_billable(ctx: ClaimContext) -> Iterator[Hit]:
    release, _ = _release(ctx)
    for code in ctx.claim.diagnoses:
        entry = release.get(code)
        if entry is not None and not entry.billable:
            yield Hit(f"{code} ({entry.description}) is a header code, not billable.")


def _manifestation(description: str) -> bool:
    # Guidelines I.A.13: manifestation codes mostly read "in diseases classified elsewhere",
    # and may never be first-listed.
    return "in diseases classified elsewhere" in description.lower()


@rule(
    "OT-DX-003",
    Category.DIAGNOSIS,
    Severity.ERROR,
    "First diagnosis may not be listed first",
    checks="The first-listed diagnosis is neither an external-cause code (V00-Y99) nor a "
    "manifestation code ('in diseases classified elsewhere').",
    why="External-cause codes are never a principal or first-listed diagnosis (Guidelines I.C.20) "
    "and manifestation codes must follow their underlying condition (I.A.13); payers reject both.",
    example="W19.XXXA (unspecified fall) listed first.",
    fix="List the condition treated first (e.g. the injury or the functional deficit), then the "
    "external cause or the manifestation.",
    source=ICD10_GUIDELINES,
)
def dx_first(ctx: ClaimContext) -> Iterator[Hit]:
    if not ctx.claim.diagnoses:
        return
    first = ctx.claim.diagnoses[0]
    if first[:1] in ("V", "W", "X", "Y"):
        yield Hit(f"{first} is an external-cause code and may not be listed first.")
        return
    entry = _release(ctx)[0].get(first)
    if entry is not None and _manifestation(entry.description):
        yield Hit(
            f"{first} ({entry.description}) is a manifestation code; list it after the "
            "underlying condition."
        )


@rule(
    "OT-DX-004",
    Category.DIAGNOSIS,
    Severity.ERROR,
    "Diagnoses or pointers out of bounds",
    checks="A claim has 1 to 12 diagnoses; each line points at 1 to 4 of them, within range.",
    why="The 837P carries 12 diagnoses (HI) and 4 pointers a line (SV107); a line that points "
    "at none is rejected.",
    example="A line with no diagnosis pointer, or a 13th diagnosis.",
    fix="Keep the 12 diagnoses that the services treat; point each line at up to 4 of them.",
    source=X12_837P_CLAIM,
)
def dx_bounds(ctx: ClaimContext) -> Iterator[Hit]:
    n = len(ctx.claim.diagnoses)
    if n == 0:
        yield Hit("The claim has no diagnosis.")
    elif n > MAX_DX:
        yield Hit(f"The claim has {n} diagnoses; at most {MAX_DX}.")
    for i, ln in enumerate(ctx.claim.lines):
        p = ln.diagnosis_pointers
        if not p:
            yield Hit(f"{ln.code} points at no diagnosis.", i)
        elif len(p) > MAX_POINTERS:
            yield Hit(f"{ln.code} has {len(p)} pointers; at most {MAX_POINTERS}.", i)
        elif any(x < 1 or x > n for x in p):
            yield Hit(f"{ln.code} points at a diagnosis the claim does not have ({p}).", i)


@rule(
    "OT-DX-005",
    Category.DIAGNOSIS,
    Severity.WARNING,
    "No ICD-10-CM release loaded for the date of service",
    checks="The ICD-10-CM release in force on the date of service is loaded.",
    why="Codes are added, split and deleted every October 1 (and some April 1); checking against "
    "another year's release can pass a code the payer rejects.",
    example="A 2026-11-02 visit checked with the FY2026 release (FY2027 starts 2026-10-01).",
    fix="Load the CMS icd10cm_order file for the fiscal year with `--icd10`.",
    source=HIPAA_ICD10,
)
def dx_release(ctx: ClaimContext) -> Iterator[Hit]:
    release, in_force = _release(ctx)
    if not in_force:
        yield Hit(
            f"No ICD-10-CM release in force on {ctx.day} is loaded; checked against "
            f"{release.version}."
        )
