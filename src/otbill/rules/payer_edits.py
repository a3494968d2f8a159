"""The practice's own payer edits: what a payer has been seen to deny, checked before the next
claim to that payer goes out (otbill.codesets.payer_edits)."""

from __future__ import annotations

from collections.abc import Iterator

from otbill.rules.context import ClaimContext
from otbill.rules.model import Category, Hit, Severity
from otbill.rules.registry import rule
from otbill.sources import PRACTICE_EDIT


@rule(
    "OT-EDIT-001",
    Category.PAYER_EDIT,
    Severity.ERROR,
    "The payer has denied this before",
    checks="The claim against the practice's own edits for its payer: a code billed with "
    "another on the same day without the modifier the payer wants, a code the payer denies "
    "without a modifier (or at all), more units of a code than the payer pays.",
    why="A denial that recurs with one payer is a policy of that payer that no national edit "
    "knows; the practice made this edit from its own 835s so the next claim is fixed before "
    "it goes out, not appealed after.",
    example="Edit: payer BLUE-IL denies 97150 with 97530 the same day without 59 (denied CO-236 "
    "on two claims). A third claim with both and no 59 is flagged.",
    fix="Do what the edit says (add the modifier where the record supports a distinct service, "
    "bill the units the payer pays, or do not bill the code to this payer); if the edit is "
    "wrong, disable it (otbill edits disable).",
    source=PRACTICE_EDIT,
)
def payer_edit(ctx: ClaimContext) -> Iterator[Hit]:
    edits = ctx.codesets.payer_edits.for_payer(ctx.claim.payer_id, ctx.day)
    if not edits:
        return
    lines = ctx.claim.lines
    codes = {ln.code for ln in lines}
    for e in edits:
        told = f" ({e.id}: {e.why or e.describe()}; {e.evidence})" if e.evidence else f" ({e.id})"
        for i, ln in enumerate(lines):
            if ln.code != e.code:
                continue
            has_mod = bool(set(e.modifiers) & set(ln.modifiers))
            if e.kind == "pair" and e.other in codes and not has_mod:
                want = f" without {'/'.join(e.modifiers)}" if e.modifiers else ""
                yield Hit(f"{e.describe()}: {ln.code} is billed with {e.other}{want}{told}.", i)
            elif e.kind == "code" and not has_mod:
                yield Hit(f"{e.describe()}{told}.", i)
            elif e.kind == "units" and e.max_units is not None and ln.units > e.max_units:
                yield Hit(f"{e.describe()}: {ln.units} billed{told}.", i)
