"""835 reading: real samples, hand-checked totals, balancing breaks, and error messages."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from otbill.x12.core import Issues, X12Error
from otbill.x12.envelope import transactions
from otbill.x12.t835 import read_835

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "x12-samples"
D = Decimal


def read(source, strict: bool = False):  # type: ignore[no-untyped-def]
    issues = Issues(strict=strict)
    rems = [read_835(tx) for tx in transactions(source, issues) if tx.header.set_id == "835"]
    return rems, issues


def test_era_sample_hand_checked() -> None:
    (rem,), issues = read(SAMPLES / "835/albmarin__X221-era-sample.edi")
    assert not issues.items
    assert rem.amount == D("132")
    assert rem.method == "CHK"
    assert rem.trace_number == "12345"
    assert rem.payer_name == "DELTA DENTAL OF ABC"
    assert rem.payee_id == "999994703"
    (claim,) = rem.claims
    assert (claim.patient_control_number, claim.status) == ("7722337", "1")
    assert (claim.charge, claim.paid) == (D("226"), D("132"))
    assert claim.payer_claim_number == "119932404007801"
    assert [s.code for s in claim.services] == ["D0120", "D0220", "D0230", "D0274", "D1110"]
    first = claim.services[0]
    assert (first.charge, first.paid, first.allowed) == (D("46"), D("25"), D("25"))
    assert [(a.group, a.reason, a.amount) for a in first.adjustments] == [("CO", "131", D("21"))]
    # 226 charged, 94 adjusted at the lines, 132 paid: it balances.
    assert rem.balanced


def test_every_835_sample_balances_or_says_where(tmp_path: Path) -> None:
    for path in sorted((SAMPLES / "835").iterdir()):
        rems, issues = read(path)
        for rem in rems:
            for b in rem.breaks:
                assert b.level in ("service", "claim", "payment")
                assert b.expected != b.actual
            assert len(issues.errors) >= len(rem.breaks)


def test_a_break_is_reported_where_it_is() -> None:
    text = (SAMPLES / "835/albmarin__X221-era-sample.edi").read_text()
    broken = text.replace("SVC*AD:D0120*46*25~", "SVC*AD:D0120*46*26~")
    (rem,), _ = read(broken)
    assert [b.level for b in rem.breaks] == ["service"]
    assert "claim 7722337 line 1 (D0120)" in rem.breaks[0].message
    assert rem.breaks[0].expected == D("25")
    assert rem.breaks[0].actual == D("26")
    with pytest.raises(X12Error, match="line 1"):
        read(broken, strict=True)


def test_errors_name_the_segment_and_element() -> None:
    text = (SAMPLES / "835/albmarin__X221-era-sample.edi").read_text()
    bad = text.replace("CAS*CO*131*21~", "CAS*CO*131*12,0~")
    with pytest.raises(X12Error) as e:
        read(bad, strict=True)
    assert str(e.value) == "835 segment 17 (CAS): CAS03 is not a decimal: '12,0'"


def test_reversal_and_provider_adjustments() -> None:
    (rem,), _ = read(SAMPLES / "835/inteligenz__Example1_GripElements.txt")
    assert any(c.is_reversal for c in rem.claims)
    assert rem.provider_adjustments
    assert all(p.reason for p in rem.provider_adjustments)


def test_envelope_problems_are_issues_and_strict_raises() -> None:
    _, issues = read(SAMPLES / "_negative/835/albmarin__error_validation.edi")
    assert issues.errors
    assert any(e.element == "SE02" for e in issues.errors)
    with pytest.raises(X12Error):
        read(SAMPLES / "_negative/835/albmarin__error_validation.edi", strict=True)
