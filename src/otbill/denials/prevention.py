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


def _bypass(items: Sequence[DenialFact]) -> tuple[str, ...]:
    """The modifiers that would let a bundled code through: 59/XU for an NCCI pair edit
    (CARC 236, which a modifier may bypass where the edit's indicator is 1), unless the
    denied lines already carried one; none for a code paid within another service (CARC 97,
    234, B15: no modifier makes it separately payable)."""
    tried = any(set(DISTINCT) & set(f.modifiers) for f in items)
    return DISTINCT if all(f.reason == "236" for f in items) and not tried else ()


MOST = 0.9  # a partner code on this share of a code's bundling denials is the pair to edit


def _patterns(facts: Sequence[DenialFact]) -> dict[tuple[str, ...], list[DenialFact]]:
    """The edits the denials support: (payer, kind, code, other) and the denied lines behind
    each. A code denied as bundled beside one partner on nearly all its claims is a pair (that
    payer bundles it into the partner); beside many partners, none of them on most, it is the
    code itself the payer does not pay."""
    out: dict[tuple[str, ...], list[DenialFact]] = defaultdict(list)
    bundled: dict[tuple[str, str], list[DenialFact]] = defaultdict(list)
    for f in facts:
        if f.reason in BUNDLING:
            bundled[(f.payer, f.code)].append(f)
        elif f.reason in UNITS and f.units > 1:
            out[(f.payer, "units", f.code, "")].append(f)
        elif f.reason in NOT_COVERED:
            out[(f.payer, "code", f.code, "")].append(f)
    for (payer, code), items in bundled.items():
        claims = {f.claim for f in items}
        partners: dict[str, set[str]] = defaultdict(set)
        for f in items:
            for other in f.others:
                if other != code:
                    partners[other].add(f.claim)
        top = max(partners.items(), key=lambda kv: (len(kv[1]), kv[0]), default=None)
        if top is not None and len(top[1]) >= MOST * len(claims):
            out[(payer, "pair", code, top[0])] = [f for f in items if f.claim in top[1]]
        else:
            out[(payer, "code", code, "")] = items
    return out


def suggest(
    facts: Sequence[DenialFact], existing: Iterable[PayerEdit] = (), min_claims: int = 2
) -> list[Suggestion]:
    """Edits for the denials that recur on ``min_claims`` or more claims of one payer, skipping
    what an existing edit already covers; the most money first."""
    have = {(e.payer, e.kind, e.code, e.other) for e in existing}
    out = []
    for key, items in _patterns(facts).items():
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
        if kind == "pair" or (kind == "code" and all(f.reason in BUNDLING for f in items)):
            edit = PayerEdit(
                "", payer, kind, code, other, _bypass(items), reason=reasons, evidence=evidence
            )
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
