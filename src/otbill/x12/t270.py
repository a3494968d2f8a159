"""270 (005010X279A1) eligibility inquiry writer and 271 response reader."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from otbill.model import Episode
from otbill.model.eligibility import (
    Benefit,
    EligibilityInquiry,
    EligibilityResponse,
    Entity,
    Rejection,
)
from otbill.x12.core import Delimiters, Elements, element
from otbill.x12.envelope import Transaction
from otbill.x12.writer import InterchangeInfo, SetBuilder, interchange

VERSION = "005010X279A1"


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


def inquiry_segments(q: EligibilityInquiry, delims: Delimiters) -> SetBuilder:
    """The segments between ST and SE for one inquiry."""
    s = SetBuilder(delims, "270")
    s.add("BHT", "0022", "13", q.reference, _d8(q.created), q.created_time)
    s.add("HL", "1", None, "20", "1")
    _nm1(s, "PR", q.payer)
    s.add("HL", "2", "1", "21", "1")
    _nm1(s, "1P", q.provider)
    has_dependent = q.dependent is not None
    s.add("HL", "3", "2", "22", "1" if has_dependent else "0")
    if not has_dependent:
        s.add("TRN", "1", q.trace, q.trace_originator)
    _nm1(s, "IL", q.subscriber)
    if q.subscriber_birth is not None:
        s.add("DMG", "D8", _d8(q.subscriber_birth))
    if q.dependent is not None:
        s.add("HL", "4", "3", "23", "0")
        s.add("TRN", "1", q.trace, q.trace_originator)
        _nm1(s, "03", q.dependent)
        if q.dependent_birth is not None:
            s.add("DMG", "D8", _d8(q.dependent_birth))
    s.add("DTP", "291", "D8", _d8(q.service_date))
    for st in q.service_types:
        s.add("EQ", st)
    return s


def build_270(
    inquiries: list[EligibilityInquiry], info: InterchangeInfo, delims: Delimiters | None = None
) -> str:
    d = delims or Delimiters()
    return interchange(info, "HS", VERSION, [inquiry_segments(q, d) for q in inquiries], d)


def _entity(seg: Elements) -> Entity:
    return Entity(
        element(seg, 3), element(seg, 4), element(seg, 2) == "1", element(seg, 8), element(seg, 9)
    )


def _dec(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _yn(text: str) -> bool | None:
    return True if text == "Y" else False if text == "N" else None


def _dates(text: str) -> tuple[date | None, date | None]:
    def one(t: str) -> date | None:
        try:
            return date(int(t[:4]), int(t[4:6]), int(t[6:8]))
        except ValueError:
            return None

    first, _, last = text.partition("-")
    return one(first), one(last) if last else None


def read_271(tx: Transaction) -> list[EligibilityResponse]:
    """One response per subscriber (or dependent) in the set."""
    rep = tx.delimiters.repetition or "^"
    out: list[EligibilityResponse] = []
    payer = provider = Entity("")
    sub: Entity | None = None
    trace = ""
    begin: date | None = None
    end: date | None = None
    benefits: list[Benefit] = []
    rejections: list[Rejection] = []
    level = ""
    in_ls = False

    def close() -> None:
        if level in ("22", "23") and (sub is not None or benefits or rejections):
            out.append(
                EligibilityResponse(
                    payer, provider, sub, trace, begin, end, tuple(benefits), tuple(rejections)
                )
            )

    for _, seg in tx:
        sid = seg[0]
        if sid == "HL":
            close()
            level = element(seg, 3)
            if level in ("22", "23"):
                sub, trace, begin, end, benefits, rejections = None, "", None, None, [], []
            elif level in ("20", "21"):
                rejections = []
        elif sid == "LS":
            in_ls = True
        elif sid == "LE":
            in_ls = False
        elif in_ls:
            continue  # benefit-related entities (loop 2120) are not the subscriber
        elif sid == "NM1":
            code = element(seg, 1)
            if code == "PR":
                payer = _entity(seg)
            elif code in ("1P", "FA", "80"):
                provider = _entity(seg)
            elif code in ("IL", "03"):
                sub = _entity(seg)
        elif sid == "TRN" and element(seg, 1) == "2":
            trace = element(seg, 2)
        elif sid == "DTP" and element(seg, 1) in ("346", "291", "307", "356"):
            b, e = _dates(element(seg, 3))
            if element(seg, 1) in ("346", "356"):
                begin = b
            else:
                begin, end = b, e
        elif sid == "EB":
            benefits.append(
                Benefit(
                    element(seg, 1),
                    element(seg, 2),
                    tuple(x for x in element(seg, 3).split(rep) if x),
                    element(seg, 5),
                    element(seg, 6),
                    _dec(element(seg, 7)),
                    _dec(element(seg, 8)),
                    element(seg, 9),
                    _dec(element(seg, 10)),
                    _yn(element(seg, 11)),
                    _yn(element(seg, 12)),
                )
            )
        elif sid == "MSG" and benefits:
            last = benefits[-1]
            benefits[-1] = Benefit(
                last.code,
                last.coverage_level,
                last.service_types,
                last.plan,
                last.period,
                last.amount,
                last.percent,
                last.quantity_qualifier,
                last.quantity,
                last.authorization_required,
                last.in_network,
                (*last.messages, element(seg, 1)),
            )
        elif sid == "AAA":
            rejections.append(Rejection(element(seg, 1), element(seg, 3), element(seg, 4)))
            if level in ("20", "21"):
                # A rejection above the subscriber answers for the whole request.
                out.append(
                    EligibilityResponse(
                        payer, provider, None, trace, None, None, (), tuple(rejections)
                    )
                )
                rejections = []
    close()
    return out


def inquiries_for(
    ep: Episode, on: date | None, when: datetime, types: tuple[str, ...] = ("30", "AD")
) -> list[EligibilityInquiry]:
    """An inquiry for each of the episode's coverages: the patient as subscriber, or as the
    subscriber's dependent; for ``on`` (default: the last visit's date)."""
    day = on or (ep.visits[-1].date if ep.visits else when.date())
    pr, p = ep.practice, ep.patient
    out = []
    for n, cov in enumerate(ep.coverages, start=1):
        payer = ep.payers[cov.payer_id]
        sub = cov.subscriber
        dependent = None if sub is None else Entity(p.last_name, p.first_name, True)
        subscriber = (
            Entity(p.last_name, p.first_name, True, "MI", cov.member_id)
            if sub is None
            else Entity(sub.last_name, sub.first_name, True, "MI", cov.member_id)
        )
        out.append(
            EligibilityInquiry(
                payer=Entity(payer.name, id_qualifier="PI", id=payer.id),
                provider=Entity(pr.name, id_qualifier="XX", id=pr.npi),
                subscriber=subscriber,
                trace=f"{p.id}-{n}",
                trace_originator="1" + pr.tax_id,
                service_date=day,
                reference=f"{p.id}-{n}",
                created=when.date(),
                created_time=when.strftime("%H%M"),
                subscriber_birth=p.birth_date if sub is None else sub.birth_date,
                dependent=dependent,
                dependent_birth=p.birth_date if dependent else None,
                service_types=types,
            )
        )
    return out
