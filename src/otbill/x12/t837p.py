"""837P (005010X222A1) professional claims: many claims, for many patients, in one file.

Loops written: 1000A submitter, 1000B receiver; 2000A/2010AA billing provider (NPI, tax id,
taxonomy, address); 2000B/2010BA subscriber and 2010BB payer; 2000C/2010CA patient when the
patient is not the subscriber; 2300 claim (patient control number, charge, place of service,
frequency 1/7/8 with REF*F8, prior authorization REF*G1, accident date and property-and-casualty
claim number for workers' compensation); HI diagnoses (ABK first, ABF after); 2310A referring
(the plan's certifying physician); 2310B rendering; 2400 service lines (SV1, DTP*472).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from otbill.codesets.payers import FILING
from otbill.model import (
    Address,
    Claim,
    Coverage,
    Episode,
    OtherPayer,
    Relationship,
)
from otbill.model.remittance import Adjustment
from otbill.x12.core import Delimiters
from otbill.x12.writer import InterchangeInfo, SetBuilder, amount, interchange

VERSION = "005010X222A1"

# PAT01 individual relationship code of the patient to the subscriber.
PAT01 = {
    Relationship.SPOUSE: "01",
    Relationship.CHILD: "19",
    Relationship.EMPLOYEE: "20",
    Relationship.OTHER: "G8",
}


@dataclass(frozen=True, slots=True)
class Party:
    """Submitter (1000A) or receiver (1000B): who sends the file and who takes it."""

    name: str
    id: str
    contact: str = ""
    phone: str = ""


def _d8(day: date | None) -> str | None:
    return None if day is None else day.strftime("%Y%m%d")


def _dx(code: str) -> str:
    return code.replace(".", "")


def _address(s: SetBuilder, a: Address) -> None:
    s.add("N3", a.line1, a.line2 or None)
    s.add("N4", a.city, a.state, a.zip)


def build_837p(
    claims: Sequence[tuple[Claim, Episode]],
    submitter: Party,
    receiver: Party,
    info: InterchangeInfo,
    delims: Delimiters | None = None,
    reference: str = "",
) -> str:
    """The 837P interchange for ``claims`` (each with the episode it came from)."""
    delims = delims or Delimiters()
    s = SetBuilder(delims, "837")
    s.add(
        "BHT",
        "0019",
        "00",
        reference or f"{info.control:09d}",
        info.when.strftime("%Y%m%d"),
        info.when.strftime("%H%M"),
        "CH",
    )
    s.add("NM1", "41", "2", submitter.name, None, None, None, None, "46", submitter.id)
    s.add("PER", "IC", submitter.contact or submitter.name, "TE", submitter.phone or "0000000000")
    s.add("NM1", "40", "2", receiver.name, None, None, None, None, "46", receiver.id)
    hl = 0
    by_billing: dict[str, list[tuple[Claim, Episode]]] = {}
    for c, e in claims:
        by_billing.setdefault(c.billing_npi, []).append((c, e))
    for group in by_billing.values():
        hl += 1
        billing_hl = hl
        practice = group[0][1].practice
        s.add("HL", str(billing_hl), None, "20", "1")
        s.add("PRV", "BI", "PXC", practice.taxonomy)
        s.add("NM1", "85", "2", practice.name, None, None, None, None, "XX", practice.npi)
        _address(s, practice.address)
        s.add("REF", "EI", practice.tax_id)
        by_subscriber: dict[tuple[str, str, str], list[tuple[Claim, Episode]]] = {}
        for c, e in group:
            by_subscriber.setdefault((c.payer_id, c.member_id, e.patient.id), []).append((c, e))
        for items in by_subscriber.values():
            claim0, ep = items[0]
            coverage = _coverage(ep, claim0)
            patient_is_subscriber = coverage.relationship is Relationship.SELF
            hl += 1
            sub_hl = hl
            s.add("HL", str(sub_hl), str(billing_hl), "22", "0" if patient_is_subscriber else "1")
            payer = ep.payers[claim0.payer_id]
            s.add(
                "SBR",
                "P" if coverage.priority == 1 else ("S" if coverage.priority == 2 else "T"),
                "18" if patient_is_subscriber else None,
                coverage.group or None,
                None,
                None,
                None,
                None,
                None,
                FILING[payer.kind],
            )
            _subscriber(s, ep, coverage, claim0, patient_is_subscriber)
            s.add("NM1", "PR", "2", payer.name, None, None, None, None, "PI", payer.id)
            if not patient_is_subscriber:
                hl += 1
                s.add("HL", str(hl), str(sub_hl), "23", "0")
                s.add("PAT", PAT01[coverage.relationship])
                p = ep.patient
                s.add("NM1", "QC", "1", p.last_name, p.first_name)
                if p.address is not None:
                    _address(s, p.address)
                s.add("DMG", "D8", _d8(p.birth_date), p.sex.value)
                if coverage.injury is not None:
                    s.add("REF", "Y4", coverage.injury.claim_number)
            for c, e in items:
                _claim(s, c, e, _coverage(e, c))
    return interchange(info, "HC", VERSION, [s], delims)


def _coverage(ep: Episode, claim: Claim) -> Coverage:
    for c in ep.coverages:
        if c.payer_id == claim.payer_id and c.member_id == claim.member_id:
            return c
    return ep.coverages[0]


def _subscriber(s: SetBuilder, ep: Episode, cov: Coverage, claim: Claim, is_patient: bool) -> None:
    p = ep.patient
    if is_patient:
        s.add("NM1", "IL", "1", p.last_name, p.first_name, None, None, None, "MI", claim.member_id)
        if p.address is not None:
            _address(s, p.address)
        s.add("DMG", "D8", _d8(p.birth_date), p.sex.value)
        return
    if cov.relationship is Relationship.EMPLOYEE and cov.injury is not None:
        # Workers' compensation: the insured is the employer (a non-person entity).
        s.add(
            "NM1",
            "IL",
            "2",
            cov.injury.employer or "EMPLOYER",
            None,
            None,
            None,
            None,
            "MI",
            claim.member_id,
        )
        return
    sub = cov.subscriber
    assert sub is not None, "a subscriber who is not the patient is on the coverage"
    s.add("NM1", "IL", "1", sub.last_name, sub.first_name, None, None, None, "MI", claim.member_id)
    if sub.address is not None:
        _address(s, sub.address)
    if sub.birth_date is not None:
        s.add("DMG", "D8", _d8(sub.birth_date), sub.sex.value)


def _claim(s: SetBuilder, c: Claim, ep: Episode, cov: Coverage) -> None:
    related = (
        ("EM",) if cov.injury is not None and cov.relationship is Relationship.EMPLOYEE else None
    )
    s.add(
        "CLM",
        c.id,
        amount(c.total_charge),
        None,
        None,
        (c.place_of_service, "B", c.frequency_code),
        "Y",
        "A",
        "Y",
        "Y",
        None,
        related,
    )
    if cov.injury is not None and cov.injury.date_of_injury is not None:
        s.add("DTP", "439", "D8", _d8(cov.injury.date_of_injury))
    if c.frequency_code in ("7", "8") and c.original_claim_number:
        s.add("REF", "F8", c.original_claim_number)
    if c.authorization_number:
        s.add("REF", "G1", c.authorization_number)
    hi = [("ABK" if i == 0 else "ABF", _dx(d)) for i, d in enumerate(c.diagnoses[:12])]
    s.add("HI", *hi)
    if c.referring_npi and c.referring_npi in ep.providers:
        r = ep.providers[c.referring_npi]
        s.add("NM1", "DN", "1", r.last_name, r.first_name, None, None, None, "XX", r.npi)
    rendering = ep.providers.get(c.rendering_npi)
    if rendering is not None:
        s.add(
            "NM1",
            "82",
            "1",
            rendering.last_name,
            rendering.first_name,
            None,
            None,
            None,
            "XX",
            rendering.npi,
        )
        if rendering.taxonomy:
            s.add("PRV", "PE", "PXC", rendering.taxonomy)
    for op in c.other_payers:
        _other_payer(s, op)
    for n, ln in enumerate(c.lines, start=1):
        s.add("LX", str(n))
        s.add(
            "SV1",
            ("HC", ln.code, *ln.modifiers[:4]),
            amount(ln.charge),
            "UN",
            str(ln.units),
            None,
            None,
            tuple(str(p) for p in ln.diagnosis_pointers[:4]),
        )
        s.add("DTP", "472", "D8", _d8(ln.date))
        for op in c.other_payers:
            for ol in op.lines:
                if ol.line == n:
                    s.add(
                        "SVD",
                        op.payer_id,
                        amount(ol.paid),
                        ("HC", ol.code, *ol.modifiers[:4]),
                        None,
                        str(ol.units),
                    )
                    _cas(s, ol.adjustments)
                    s.add("DTP", "573", "D8", _d8(ol.paid_date))


def _cas(s: SetBuilder, adjustments: Sequence[Adjustment]) -> None:
    by_group: dict[str, list[Adjustment]] = {}
    for a in adjustments:
        by_group.setdefault(a.group, []).append(a)
    for group, items in by_group.items():
        for i in range(0, len(items), 6):
            triples: list[str | None] = []
            for a in items[i : i + 6]:
                triples += [
                    a.reason,
                    amount(a.amount),
                    amount(a.quantity) if a.quantity is not None else None,
                ]
            s.add("CAS", group, *triples)


def _other_payer(s: SetBuilder, op: OtherPayer) -> None:
    """Loops 2320 (the other payer's payment), 2330A (its subscriber), 2330B (the payer)."""
    s.add(
        "SBR",
        op.responsibility,
        op.relationship,
        None,
        None,
        None,
        None,
        None,
        None,
        op.filing_indicator,
    )
    _cas(s, op.claim_adjustments)
    s.add("AMT", "D", amount(op.paid))
    s.add("OI", None, None, "Y", None, None, "Y")
    s.add(
        "NM1",
        "IL",
        "1",
        op.subscriber_last,
        op.subscriber_first,
        None,
        None,
        None,
        "MI",
        op.member_id,
    )
    s.add("NM1", "PR", "2", op.payer_name, None, None, None, None, "PI", op.payer_id)
    if op.paid_date is not None:
        s.add("DTP", "573", "D8", _d8(op.paid_date))
