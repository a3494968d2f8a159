"""Prevention: for each root cause the practice's 835s show, which scrubber rules cover it and
whether the denied claims passed them, and the denials that recur with one payer turned into
that payer's edits (otbill.codesets.payer_edits), so the next claim is fixed before it goes out.

A cause whose covering rules fired on the denied claims was caught and sent anyway (a silenced
or forced finding); one whose rules stayed silent is a gap in the rules or in the data they
read; one no rule covers is the payer's own policy: a candidate for a payer edit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from otbill.codesets.payer_edits import PayerEdit
from otbill.denials.causes import CATEGORIES, covering_rules

ZERO = Decimal("0.00")
DISTINCT = ("59", "XU")
BUNDLING = frozenset({"97", "234", "236", "B15"})
UNITS = frozenset({"151"})
NOT_COVERED = frozenset({"96", "204"})


@dataclass(frozen=True, slots=True)
class DenialFact:
    """One denied line as prevention reads it."""

    claim: str
    payer: str
    category: str
    reason: str  # CARC
    group: str
    code: str
    modifiers: tuple[str, ...]
    units: int
    others: tuple[str, ...]  # the claim's other codes (the same day: one claim is one day)
    rules_fired: frozenset[str]  # the scrubber's findings on the claim when it was built
    amount: Decimal
    day: date  # the remittance's


@dataclass(frozen=True, slots=True)
class CauseCoverage:
    category: str
    label: str
    denials: int
    amount: Decimal
    rules: tuple[str, ...]
    caught: int  # denied claims on which a covering rule fired (and were sent anyway)
    verdict: str


def coverage(facts: Iterable[DenialFact]) -> list[CauseCoverage]:
    """Per root cause seen, the most money first."""
    by: dict[str, list[DenialFact]] = defaultdict(list)
    for f in facts:
        by[f.category].append(f)
    covering = covering_rules()
    out = []
    for category, items in by.items():
        rules = covering.get(category, ())
        caught = sum(1 for f in items if f.rules_fired & set(rules))
        if not rules:
            verdict = "no scrubber rule covers it: the payer's own policy; make a payer edit"
        elif caught == len(items):
            verdict = "the rules caught every one: the claims were sent despite the finding"
        elif caught:
            verdict = f"the rules caught {caught} of {len(items)}: the rest passed them"
        else:
            verdict = (
                "the denied claims passed the rules that cover it: a gap in the rules or in "
                "what the visits record, or this payer's stricter policy (a payer edit)"
            )
        out.append(
            CauseCoverage(
                category,
                CATEGORIES.get(category, category),
                len(items),
                sum((f.amount for f in items), ZERO),
                rules,
                caught,
                verdict,
            )
        )
    out.sort(key=lambda c: (-c.amount, c.category))
    return out


@dataclass(frozen=True, slots=True)
class Suggestion:
    edit: PayerEdit  # its id is "" until the practice saves it
    claims: tuple[str, ...]
    amount: Decimal


def _pattern(f: DenialFact) -> list[tuple[str, ...]]:
    """The edit keys a denied line supports: (payer, kind, code, other) for each pattern."""
    if f.reason in BUNDLING:
        return [(f.payer, "pair", f.code, other) for other in f.others if other != f.code]
    if f.reason in UNITS and f.units > 1:
        return [(f.payer, "units", f.code, "")]
    if f.reason in NOT_COVERED:
        return [(f.payer, "code", f.code, "")]
    return []


def suggest(
    facts: Sequence[DenialFact], existing: Iterable[PayerEdit] = (), min_claims: int = 2
) -> list[Suggestion]:
    """Edits for the denials that recur on ``min_claims`` or more claims of one payer, skipping
    what an existing edit already covers; the most money first."""
    have = {(e.payer, e.kind, e.code, e.other) for e in existing}
    groups: dict[tuple[str, ...], list[DenialFact]] = defaultdict(list)
    for f in facts:
        for key in _pattern(f):
            groups[key].append(f)
    out = []
    for key, items in groups.items():
        claims = tuple(sorted({f.claim for f in items}))
        if len(claims) < min_claims or key in have:
            continue
        payer, kind, code, other = key
        reasons = "/".join(sorted({f"{f.group}-{f.reason}" for f in items}))
        evidence = (
            f"denied {reasons} on {len(claims)} claims ({', '.join(claims[:5])}"
            f"{', ...' if len(claims) > 5 else ''}), {min(f.day for f in items)} to "
            f"{max(f.day for f in items)}"
        )
        if kind == "pair":
            # Denied although the line carried 59/XU: the payer pays no modifier past it.
            tried = any(set(DISTINCT) & set(f.modifiers) for f in items)
            edit = PayerEdit(
                "", payer, kind, code, other, () if tried else DISTINCT, reason=reasons,
                evidence=evidence,
            )  # fmt: skip
        elif kind == "units":
            edit = PayerEdit(
                "", payer, kind, code, max_units=min(f.units for f in items) - 1, reason=reasons,
                evidence=evidence,
            )  # fmt: skip
        else:
            edit = PayerEdit("", payer, kind, code, reason=reasons, evidence=evidence)
        out.append(Suggestion(edit, claims, sum((f.amount for f in items), ZERO)))
    out.sort(key=lambda s: (-s.amount, s.edit.describe()))
    return out
