"""270 writer against the implementation guide's examples (as copied in the samples), and the
271 reader on every 271 sample."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from otbill.model.eligibility import EligibilityInquiry, Entity
from otbill.x12.core import Delimiters, Issues, X12Error
from otbill.x12.envelope import transactions
from otbill.x12.t270 import inquiry_segments, read_271
from x12samples import files, sample

PAYER = Entity("ABC COMPANY", id_qualifier="PI", id="842610001")


def body(path: Path) -> list[str]:
    """The segments between ST and SE of the first set in a sample."""
    segs = [s.strip() for s in path.read_text().split("~") if s.strip()]
    st = next(i for i, s in enumerate(segs) if s.startswith("ST*"))
    se = next(i for i, s in enumerate(segs) if s.startswith("SE*"))
    return segs[st + 1 : se]


def test_270_subscriber_example() -> None:
    q = EligibilityInquiry(
        payer=PAYER,
        provider=Entity("BONE AND JOINT CLINIC", id_qualifier="SV", id="2000035"),
        subscriber=Entity("SMITH", "ROBERT", person=True, id_qualifier="MI", id="11122333301"),
        trace="93175-012547",
        trace_originator="9877281234",
        service_date=date(2006, 5, 1),
        reference="10001234",
        created=date(2006, 5, 1),
        created_time="1319",
        subscriber_birth=date(1943, 5, 19),
    )
    written = inquiry_segments(q, Delimiters()).segments
    name = "270/albmarin__X279-generic-request-by-clinic-for-patient-_subscriber_-eligibility.edi"
    assert written == body(sample(name))


def test_270_dependent_example() -> None:
    q = EligibilityInquiry(
        payer=PAYER,
        provider=Entity("JONES", "MARCUS", person=True, id_qualifier="SV", id="0202034"),
        subscriber=Entity("", person=True, id_qualifier="MI", id="11122333301"),
        trace="93175-012547",
        trace_originator="9877281234",
        service_date=date(2006, 5, 1),
        reference="10001235",
        created=date(2006, 5, 1),
        created_time="1320",
        dependent=Entity("SMITH", "MARY", person=True),
        dependent_birth=date(1978, 10, 14),
    )
    written = inquiry_segments(q, Delimiters()).segments
    name = "270/albmarin__X279-generic-request-by-physician-for-patient-_dependent_-eligibility.edi"
    assert written == body(sample(name))


def test_271_benefits_and_plan() -> None:
    (r,) = [r for tx in transactions(sample("271/linuxforheal__demo.271")) for r in read_271(tx)]
    assert r.active is True
    assert r.subscriber is not None and r.subscriber.id == "123456789"
    assert r.trace == "93175-012547"
    assert r.plan_begin == date(2006, 1, 1)
    copays = [b for b in r.benefits if b.code == "B"]
    assert [b.amount for b in copays] == [Decimal("10.00"), Decimal("30.00")]
    assert [b.in_network for b in copays] == [True, False]
    assert "98" in copays[0].service_types  # repetition separator splits EB03


def test_271_rejection() -> None:
    path = sample(
        "271/albmarin__X279-error-response-from-payer-to-clinic-not-eligible-"
        "for-inquiries-with-payer.edi"
    )
    (r,) = [r for tx in transactions(path) for r in read_271(tx)]
    assert r.subscriber is None
    assert [(x.valid, x.reason, x.follow_up) for x in r.rejections] == [("Y", "50", "N")]


@pytest.mark.parametrize("path", files("271"), ids=lambda p: p.name)
def test_every_271_sample_reads(path: Path) -> None:
    issues = Issues()
    try:
        responses = [
            r
            for tx in transactions(path, issues)
            if tx.header.set_id == "271"
            for r in read_271(tx)
        ]
    except X12Error as e:  # pragma: no cover - a sample must read
        pytest.fail(f"{path.name}: {e}")
    assert responses or issues.errors


def test_276_writer_reproduces_the_claim_level_example() -> None:
    from otbill.model.status import (
        ClaimStatusInquiry,
        StatusClaim,
        StatusProvider,
        StatusService,
        StatusSubscriber,
    )
    from otbill.x12.t276 import inquiry_segments as status_segments

    hospital = Entity("HOME HOSPITAL", id_qualifier="XX", id="1666666661")
    physicians = Entity("HOME HOSPITAL PHYSICANS", id_qualifier="XX", id="166666666")
    q = ClaimStatusInquiry(
        payer=Entity("ABC INSURANCE", id_qualifier="PI", id="12345"),
        receiver=Entity("XYZ SERVICE", id_qualifier="46", id="X67E"),
        reference="ABC276XXX",
        created=date(2005, 9, 15),
        created_time="1425",
        providers=(
            StatusProvider(hospital, (
                StatusSubscriber(
                    Entity("SMITH", "FRED", True, "MI", "123456789A"), date(1930, 12, 10), "M",
                    (StatusClaim("ABCXYZ1", "SM123456", Decimal("8513.88"), date(2005, 8, 31),
                                 date(2005, 9, 6), bill_type="111"),)),
                StatusSubscriber(
                    Entity("JONES", "MARY", True, "MI", "234567890A"), date(1930, 11, 15), "F",
                    (StatusClaim("ABCXYZ2", "J0234567", Decimal("7599.00"), date(2005, 7, 31),
                                 date(2005, 8, 9), bill_type="111"),)),
            )),
            StatusProvider(physicians, (
                StatusSubscriber(
                    Entity("MANN", "JOHN", True, "MI", "345678901"), None, "",
                    (StatusClaim("ABCXYZ3", "MA345678", services=(
                        StatusService("99203", Decimal("150.00"), Decimal("1"),
                                      date(2005, 5, 1)),)),),
                    dependent=Entity("MANN", "JOSEPH", True), dependent_birth=date(1995, 11, 1),
                    dependent_sex="M"),
            )),
        ),
    )  # fmt: skip
    written = status_segments(q, Delimiters()).segments
    assert written == body(sample("276/linuxforheal__claim-level-status.276"))


def test_271_amounts_and_visits_remaining() -> None:
    from otbill.x12.core import Issues
    from otbill.x12.envelope import transactions

    text = (
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *260301*1200*^*"
        "00501*000000001*0*P*:~GS*HB*PAYER*CLINIC*20260301*1200*1*X*005010X279A1~"
        "ST*271*0001*005010X279A1~BHT*0022*11*REF1*20260301*1200~HL*1**20*1~"
        "NM1*PR*2*ACME HEALTH*****PI*ACME~HL*2*1*21*1~NM1*1P*2*RIVERSIDE OT*****XX*1234567893~"
        "HL*3*2*22*0~TRN*2*T1*1861234567~NM1*IL*1*PRICE*ELEANOR****MI*ACM1~"
        "DTP*346*D8*20260101~EB*1**30**PPO GOLD~"
        "EB*C*IND*30***23*1500~EB*C*IND*30***29*1200.50~"
        "EB*G*IND*30***23*6000~EB*G*IND*30***29*5100~"
        "EB*A*IND*AD***27**0.2~EB*B*IND*AD***27*40~"
        "EB*F**AD***23***VS*30~EB*F**AD***29***VS*18~MSG*VISITS COMBINED WITH PT~"
        "EB*CB**AD********Y~SE*22*0001~GE*1*1~IEA*1*000000001~"
    )
    issues = Issues(strict=True)
    (r,) = [r for tx in transactions(text, issues) for r in read_271(tx)]
    assert r.active is True
    assert r.deductible() == (Decimal("1500"), Decimal("1200.50"))
    assert r.out_of_pocket() == (Decimal("6000"), Decimal("5100"))
    assert r.visit_limit("AD") == (Decimal("30"), Decimal("18"))  # 12 used
    assert any(b.percent == Decimal("0.2") for b in r.benefits if b.code == "A")
    assert any(b.amount == Decimal("40") for b in r.benefits if b.code == "B")
    assert any(b.authorization_required for b in r.benefits)
    assert "VISITS COMBINED WITH PT" in [m for b in r.benefits for m in b.messages]
