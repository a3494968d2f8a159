"""835 reading: real samples, hand-checked totals, balancing breaks, and error messages."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from otbill.x12.core import Issues, X12Error
from otbill.x12.envelope import transactions
from otbill.x12.t835 import read_835
from x12samples import files, sample

D = Decimal


def read(source, strict: bool = False):  # type: ignore[no-untyped-def]
    issues = Issues(strict=strict)
    rems = [read_835(tx) for tx in transactions(source, issues) if tx.header.set_id == "835"]
    return rems, issues


def test_era_sample_hand_checked() -> None:
    (rem,), issues = read(sample("835/albmarin__X221-era-sample.edi"))
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
    for path in [*files("835"), *files("otbill")]:
        rems, issues = read(path)
        for rem in rems:
            for b in rem.breaks:
                assert b.level in ("service", "claim", "payment")
                assert b.expected != b.actual
            assert len(issues.errors) >= len(rem.breaks)


def test_a_break_is_reported_where_it_is() -> None:
    text = sample("835/albmarin__X221-era-sample.edi").read_text()
    broken = text.replace("SVC*AD:D0120*46*25~", "SVC*AD:D0120*46*26~")
    (rem,), _ = read(broken)
    assert [b.level for b in rem.breaks] == ["service"]
    assert "claim 7722337 line 1 (D0120)" in rem.breaks[0].message
    assert rem.breaks[0].expected == D("25")
    assert rem.breaks[0].actual == D("26")
    with pytest.raises(X12Error, match="line 1"):
        read(broken, strict=True)


def test_errors_name_the_segment_and_element() -> None:
    text = sample("835/albmarin__X221-era-sample.edi").read_text()
    bad = text.replace("CAS*CO*131*21~", "CAS*CO*131*12,0~")
    with pytest.raises(X12Error) as e:
        read(bad, strict=True)
    assert str(e.value) == "835 segment 17 (CAS): CAS03 is not a decimal: '12,0'"


def test_reversal_and_provider_adjustments() -> None:
    """A real payer's file (CDDL-licensed, so only in the whole collection)."""
    (rem,), _ = read(sample("835/inteligenz__Example1_GripElements.txt"))
    assert any(c.is_reversal for c in rem.claims)
    assert rem.provider_adjustments
    assert all(p.reason for p in rem.provider_adjustments)


def test_reversal_correction_and_plb_hand_checked() -> None:
    """otbill's own file: a payment reversed and sent again corrected, a denial, interest and a
    recovery, every figure worked by hand."""
    (rem,), issues = read(sample("otbill/835-reversal-correction-plb.edi"))
    assert not issues.items
    reversal, corrected, denied, paid = rem.claims
    assert reversal.is_reversal and not corrected.is_reversal
    assert reversal.patient_control_number == corrected.patient_control_number == "OT1001"
    # The reversal negates the first payment: -150 charged = -80 paid + CO-45 -50 + PR-2 -20.
    assert (reversal.charge, reversal.paid, reversal.patient_responsibility) == (
        D("-150"),
        D("-80"),
        D("-20"),
    )
    assert [(a.group, a.amount) for s in reversal.services for a in s.adjustments] == [
        ("CO", D("-35")),
        ("PR", D("-13")),
        ("CO", D("-15")),
        ("PR", D("-7")),
    ]
    # The correction allows 70 for 97110 (paid 80% = 56, PR 14, CO 30) and 35 for 97530.
    assert [(s.code, s.allowed, s.paid) for s in corrected.services] == [
        ("97110", D("70"), D("56")),
        ("97530", D("35"), D("28")),
    ]
    assert (corrected.paid, corrected.patient_responsibility) == (D("84"), D("21"))
    assert denied.is_denied and denied.services[0].remarks == ("N115",)
    assert [(a.group, a.reason, a.amount) for a in denied.services[0].adjustments] == [
        ("CO", "50", D("75"))
    ]
    assert paid.services[0].modifiers == ("GO", "KX")
    # PLB: interest is paid to the practice (negative), a recovery taken from it (positive).
    assert [(p.reason, p.reference, p.amount) for p in rem.provider_adjustments] == [
        ("L6", "OT1003", D("-1.41")),
        ("WO", "26100000009", D("10")),
    ]
    # BPR02 = claims paid (-80 + 84 + 0 + 100 = 104) less PLB (-1.41 + 10 = 8.59) = 95.41.
    assert rem.amount == D("95.41")
    assert rem.balanced


def test_envelope_problems_are_issues_and_strict_raises() -> None:
    _, issues = read(sample("_negative/835/albmarin__error_validation.edi"))
    assert issues.errors
    assert any(e.element == "SE02" for e in issues.errors)
    with pytest.raises(X12Error):
        read(sample("_negative/835/albmarin__error_validation.edi"), strict=True)
