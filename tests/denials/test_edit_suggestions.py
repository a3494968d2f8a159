"""Suggested payer edits from denial patterns: one partner on nearly every claim is a pair, many
partners is the code itself; an NCCI pair (CARC 236) may be bypassed with 59/XU, a code paid
within another (CARC 97) may not; units edits pay one less than the least denied."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from otbill.codesets.payer_edits import PayerEdit
from otbill.denials.prevention import DenialFact, coverage, suggest


def fact(
    claim: str,
    code: str,
    reason: str,
    others: tuple[str, ...],
    units: int = 1,
    mods: tuple[str, ...] = (),
    payer: str = "P",
    fired: frozenset[str] = frozenset(),
) -> DenialFact:
    category = {"236": "bundling", "97": "bundling", "151": "coding", "96": "medical_necessity"}
    return DenialFact(
        claim,
        payer,
        category[reason],
        reason,
        "CO",
        code,
        mods,
        units,
        others,
        fired,
        Decimal("10.00"),
        date(2026, 3, 1),
    )


def edits(facts: list[DenialFact]) -> list[str]:
    return [s.edit.describe() for s in suggest(facts)]


def test_a_partner_on_every_claim_is_a_pair_and_236_wants_a_modifier() -> None:
    facts = [
        fact(f"C{n}", "97150", "236", ("97530", extra))
        for n, extra in enumerate(("97110", "97112", "97535"))
    ]
    assert edits(facts) == ["P denies 97150 with 97530 on the same day without 59/XU"]


def test_denied_with_59_already_is_denied_whatever_the_modifier() -> None:
    facts = [fact(f"C{n}", "97150", "236", ("97530",), mods=("59",)) for n in range(2)]
    assert edits(facts) == ["P denies 97150 with 97530 on the same day"]


def test_many_partners_none_on_most_is_the_code_itself() -> None:
    facts = [
        fact(f"C{n}", "97010", "97", (other,))
        for n, other in enumerate(("97110", "97530", "97535", "97112"))
    ]
    assert edits(facts) == ["P denies 97010"]


def test_units_and_the_threshold_of_two_claims() -> None:
    two = [fact("C1", "97530", "151", (), units=3), fact("C2", "97530", "151", (), units=2)]
    assert edits(two) == ["P pays at most 1 units of 97530 a day"]
    assert edits(two[:1]) == []  # one claim is no pattern
    have = [PayerEdit("PE-1", "P", "units", "97530", max_units=1)]
    assert suggest(two, have) == []  # already an edit


def test_coverage_says_whether_the_rules_caught_it() -> None:
    facts = [
        fact("C1", "97150", "236", ("97530",), fired=frozenset({"OT-NCCI-002"})),
        fact("C2", "97150", "236", ("97530",)),
        fact("C3", "97039", "96", ()),
    ]
    by = {c.category: c for c in coverage(facts)}
    assert by["bundling"].caught == 1 and "caught 1 of 2" in by["bundling"].verdict
    assert by["medical_necessity"].rules == ("OT-KX-003",)
