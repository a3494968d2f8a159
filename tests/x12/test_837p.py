"""837P writing: the independent pyx12 validator accepts what otbill writes, across every loop
otbill writes, and the writer refuses data that holds a delimiter."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from builders import x12valid
from otbill.coding.coder import code_episode
from otbill.demo.practice import generate_practice
from otbill.model import Claim, Episode, PayerKind, Relationship
from otbill.x12.core import Issues, X12Error
from otbill.x12.envelope import transactions
from otbill.x12.t837p import Party, build_837p
from otbill.x12.writer import InterchangeInfo

INFO = InterchangeInfo("861234567", "CLEARINGHOUSE", 42, datetime(2026, 6, 1, 9, 30, tzinfo=UTC))
SUBMITTER = Party("RIVERBEND OCCUPATIONAL THERAPY", "861234567", "BILLING OFFICE", "2175550100")
RECEIVER = Party("OTBILL CLEARINGHOUSE", "CLEARINGHOUSE")


def every_loop() -> list[tuple[Claim, Episode]]:
    practice = generate_practice(seed=5, patients=80)
    items: list[tuple[Claim, Episode]] = []
    wanted = {
        "medicare": lambda e: next(iter(e.payers.values())).kind is PayerKind.MEDICARE,
        "dependent": lambda e: (
            e.coverages[0].relationship in (Relationship.SPOUSE, Relationship.CHILD)
        ),
        "workers_comp": lambda e: e.coverages[0].injury is not None,
        "authorized": lambda e: bool(e.authorizations),
    }
    for test in wanted.values():
        ep = next(e for e in practice.episodes if test(e))
        items += [(c, ep) for c in code_episode(ep)[:3]]
    claim, ep = items[0]
    corrected = replace(
        claim, id=claim.id + "C", frequency_code="7", original_claim_number="22026123456789"
    )
    items.append((corrected, ep))
    return items


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    text = build_837p(every_loop(), SUBMITTER, RECEIVER, INFO)
    path = tmp_path_factory.mktemp("x12") / "claims.837"
    path.write_text(text)
    return path, text


def test_pyx12_accepts_every_loop(written: tuple[Path, str]) -> None:
    path, text = written
    verdict = x12valid(path)
    assert f"{path}: OK" in verdict, verdict
    segments = text.split("~")
    ids = {s.split("*")[0] + ("*" + s.split("*")[1] if "*" in s else "") for s in segments}
    for needed in (
        "NM1*41",
        "NM1*40",
        "NM1*85",
        "NM1*IL",
        "NM1*PR",
        "NM1*QC",
        "PAT*",
        "NM1*DN",
        "NM1*82",
        "REF*G1",
        "REF*F8",
        "REF*Y4",
        "DTP*439",
        "HI*ABK",
        "SV1*HC",
        "DTP*472",
    ):
        assert any(i.startswith(needed) for i in ids) or needed in text, needed


def test_envelope_counts_read_back_clean(written: tuple[Path, str]) -> None:
    _, text = written
    issues = Issues(strict=True)
    headers = [tx.header for tx in transactions(text, issues)]
    assert [h.version for h in headers] == ["005010X222A1"]
    assert headers[0].interchange_control == "000000042"
    assert not issues.items


def test_many_claims_for_many_patients_in_one_file() -> None:
    practice = generate_practice(seed=9, patients=40)
    items = [(c, e) for e in practice.episodes for c in code_episode(e)]
    text = build_837p(items, SUBMITTER, RECEIVER, INFO)
    assert text.count("~CLM*") == len(items)
    assert len({c.patient_id for c, _ in items}) == 40


def test_deterministic() -> None:
    items = every_loop()
    assert build_837p(items, SUBMITTER, RECEIVER, INFO) == build_837p(
        items, SUBMITTER, RECEIVER, INFO
    )


def test_a_delimiter_in_data_is_refused_not_changed() -> None:
    claim, ep = every_loop()[0]
    bad = replace(ep.patient, last_name="O*BRIEN")
    with pytest.raises(X12Error) as e:
        build_837p([(claim, replace(ep, patient=bad))], SUBMITTER, RECEIVER, INFO)
    assert e.value.segment == "NM1"
    assert e.value.element == "NM103"
    assert "O*BRIEN" in str(e.value)


def test_round_trip_gives_the_same_claims() -> None:
    from otbill.x12.t837p_read import read_837p

    items = every_loop()
    text = build_837p(items, SUBMITTER, RECEIVER, INFO)
    issues = Issues(strict=True)
    back = [rc.claim for tx in transactions(text, issues) for rc in read_837p(tx)]
    assert len(back) == len(items)
    # Claims come back grouped by billing provider and subscriber, as the 837P nests them.
    by_id = {c.id: c for c in back}
    for want, _ in items:
        got = by_id[want.id]
        # Everything the 837P carries of a claim comes back as it was.
        for field in (
            "id",
            "payer_id",
            "member_id",
            "date_of_service",
            "place_of_service",
            "billing_npi",
            "rendering_npi",
            "referring_npi",
            "diagnoses",
            "authorization_number",
            "frequency_code",
            "original_claim_number",
        ):
            assert getattr(got, field) == getattr(want, field), field
        assert [
            (ln.code, ln.modifiers, ln.units, ln.charge, ln.diagnosis_pointers, ln.date)
            for ln in got.lines
        ] == [
            (ln.code, ln.modifiers, ln.units, ln.charge, ln.diagnosis_pointers, ln.date)
            for ln in want.lines
        ]
        assert got.total_charge == want.total_charge


def test_secondary_claim_carries_the_primary_adjudication(tmp_path: Path) -> None:
    from types import MappingProxyType

    from otbill.coding.secondary import secondary_claim
    from otbill.demo.remit import adjudicate
    from otbill.model import Coverage, Payer, UnitMethod

    practice = generate_practice(seed=5, patients=60)
    ep = next(
        e for e in practice.episodes if next(iter(e.payers.values())).kind is PayerKind.MEDICARE
    )
    supplement = Payer("MEDIGAP-1", "Prairie Medigap Plan G", PayerKind.COMMERCIAL, UnitMethod.CMS)
    second = Coverage("MEDIGAP-1", "PMG4418820", priority=2)
    ep = replace(
        ep,
        payers=MappingProxyType({**ep.payers, "MEDIGAP-1": supplement}),
        coverages=(*ep.coverages, second),
    )
    import random

    primary = code_episode(ep)[1]
    payment = adjudicate(primary, random.Random(3), "22026000000001")
    sec = secondary_claim(primary, payment, ep, second, primary.date_of_service)
    (op,) = sec.other_payers
    assert sec.responsibility == "S"
    assert sec.payer_id == "MEDIGAP-1"
    assert op.paid == payment.paid
    assert op.filing_indicator == "MB"
    assert [ln.paid for ln in op.lines] == [s.paid for s in payment.services]
    # What the primary left to the patient is what the secondary is asked to consider.
    assert op.patient_responsibility == payment.patient_responsibility
    text = build_837p([(primary, ep), (sec, ep)], SUBMITTER, RECEIVER, INFO)
    path = tmp_path / "cob.837"
    path.write_text(text)
    assert f"{path}: OK" in x12valid(path)
    assert "~SBR*S*18" in text
    assert "~AMT*D*" in text
    assert "~SVD*MCR-IL*" in text
    assert text.count("~DTP*573*") == len(op.lines) + 1  # each line (2430) and the claim (2330B)
    from otbill.x12.t837p_read import read_837p

    back = {
        rc.claim.id: rc.claim
        for tx in transactions(text, Issues(strict=True))
        for rc in read_837p(tx)
    }
    assert back[sec.id].other_payers == sec.other_payers
    assert back[sec.id].responsibility == "S"
    assert back[primary.id].other_payers == ()
    assert back[sec.id].member_id == "PMG4418820"
