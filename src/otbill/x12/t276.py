"""276 (005010X212) claim status inquiry writer."""

from __future__ import annotations

from datetime import date

from otbill.model.eligibility import Entity
from otbill.model.status import ClaimStatusInquiry, StatusClaim
from otbill.x12.core import Delimiters
from otbill.x12.writer import InterchangeInfo, SetBuilder, interchange

VERSION = "005010X212"


def _d8(day: date) -> str:
    return day.strftime("%Y%m%d")


def _nm1(s: SetBuilder, code: str, e: Entity) -> None:
    s.add(
        "NM1",
        code,
        "1" if e.person else "2",
        e.last_or_org or None,
        e.first or None,
        None,
        None,
        None,
        e.id_qualifier or None,
        e.id or None,
    )


def _claim(s: SetBuilder, c: StatusClaim) -> None:
    s.add("TRN", "1", c.trace)
    if c.payer_claim_number:
        s.add("REF", "1K", c.payer_claim_number)
    if c.bill_type:
        s.add("REF", "BLT", c.bill_type)
    s.add("REF", "EJ", c.patient_account)
    if c.charge is not None:
        s.add("AMT", "T3", f"{c.charge:.2f}")
    for sv in c.services:
        s.add(
            "SVC",
            ("HC", sv.code),
            f"{sv.charge:.2f}",
            None,
            None,
            None,
            None,
            f"{sv.units:.2f}",
        )
        s.add("DTP", "472", "D8", _d8(sv.date))
    if c.service_from is not None:
        if c.service_to is not None and c.service_to != c.service_from:
            s.add("DTP", "472", "RD8", f"{_d8(c.service_from)}-{_d8(c.service_to)}")
        else:
            s.add("DTP", "472", "D8", _d8(c.service_from))


def inquiry_segments(q: ClaimStatusInquiry, delims: Delimiters) -> SetBuilder:
    s = SetBuilder(delims, "276")
    s.add("BHT", "0010", "13", q.reference, _d8(q.created), q.created_time)
    s.add("HL", "1", None, "20", "1")
    _nm1(s, "PR", q.payer)
    s.add("HL", "2", "1", "21", "1")
    _nm1(s, "41", q.receiver)
    hl = 2
    for p in q.providers:
        hl += 1
        provider_hl = hl
        s.add("HL", str(hl), "2", "19", "1")
        _nm1(s, "1P", p.provider)
        for sub in p.subscribers:
            hl += 1
            sub_hl = hl
            has_dependent = sub.dependent is not None
            s.add("HL", str(hl), str(provider_hl), "22", "1" if has_dependent else "0")
            if not has_dependent and sub.birth is not None:
                s.add("DMG", "D8", _d8(sub.birth), sub.sex or None)
            _nm1(s, "IL", sub.subscriber)
            if not has_dependent:
                for c in sub.claims:
                    _claim(s, c)
                continue
            hl += 1
            s.add("HL", str(hl), str(sub_hl), "23")
            if sub.dependent_birth is not None:
                s.add("DMG", "D8", _d8(sub.dependent_birth), sub.dependent_sex or None)
            assert sub.dependent is not None
            _nm1(s, "QC", sub.dependent)
            for c in sub.claims:
                _claim(s, c)
    return s


def build_276(
    inquiries: list[ClaimStatusInquiry], info: InterchangeInfo, delims: Delimiters | None = None
) -> str:
    d = delims or Delimiters()
    return interchange(info, "HR", VERSION, [inquiry_segments(q, d) for q in inquiries], d)
