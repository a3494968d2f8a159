"""835 (005010X221A1) health care claim payment/advice: read into a Remittance and balance it.

Balancing (X221A1 section 1.10.2): per service line, charge less adjustments equals paid; per
claim, charge less claim and service adjustments equals paid, and the service charges add up to
the claim charge; per payment, BPR02 equals the claims' payments less the provider adjustments.
Each break is reported where it is, never fixed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from otbill.model.remittance import (
    Adjustment,
    BalanceBreak,
    ClaimPayment,
    ProviderAdjustment,
    Remittance,
    ServicePayment,
)
from otbill.x12.core import Elements, X12Error, amount_or_error, decimal
from otbill.x12.envelope import Transaction

TX = "835"
ZERO = Decimal(0)


class _Amounts:
    """Amounts by their text: a remittance repeats the same few thousand amounts, and a
    Decimal is immutable, so each distinct text is checked and converted once per file."""

    __slots__ = ("seen",)

    def __init__(self) -> None:
        self.seen: dict[str, Decimal] = {}

    def __call__(self, seg: Elements, n: int, pos: int) -> Decimal:
        text = seg[n] if n < len(seg) else ""
        value = self.seen.get(text)
        if value is None:
            value = amount_or_error(seg, n, TX, pos)
            if len(self.seen) >= 100_000:  # bounded: a long-lived process reads many files
                self.seen.clear()
            self.seen[text] = value
        return value


_amount = _Amounts()


def _date(text: str, pos: int, seg: Elements, n: int) -> date | None:
    if not text:
        return None
    if len(text) != 8 or not text.isdigit():
        raise X12Error(
            f"is not a date CCYYMMDD: {text!r}",
            transaction=TX,
            position=pos,
            segment=seg[0],
            element=f"{seg[0]}{n:02d}",
        )
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise X12Error(
            f"is not a real date: {text!r}",
            transaction=TX,
            position=pos,
            segment=seg[0],
            element=f"{seg[0]}{n:02d}",
        ) from None


def _cas(seg: Elements, pos: int) -> list[Adjustment]:
    """CAS01 group, then up to six (reason, amount, quantity) triples."""
    group = seg[1] if len(seg) > 1 else ""
    if group not in ("CO", "CR", "OA", "PI", "PR"):
        raise X12Error(
            f"is not an adjustment group code: {group!r}",
            transaction=TX,
            position=pos,
            segment="CAS",
            element="CAS01",
        )
    out = []
    for i in range(2, min(len(seg), 20), 3):
        reason = seg[i]
        if not reason:
            continue
        amount = _amount(seg, i + 1, pos)
        qty = (
            decimal(seg, i + 2, TX, pos, required=False)
            if i + 2 < len(seg) and seg[i + 2]
            else None
        )
        out.append(Adjustment(group, reason, amount, qty))
    if not out:
        raise X12Error(
            "has no reason code", transaction=TX, position=pos, segment="CAS", element="CAS02"
        )
    return out


class _Claim:
    __slots__ = ("adjustments", "clp", "dates", "names", "pos", "remarks", "services")

    def __init__(self, clp: Elements, pos: int) -> None:
        self.clp, self.pos = clp, pos
        self.adjustments: list[Adjustment] = []
        self.services: list[_Service] = []
        self.remarks: list[str] = []
        self.names: tuple[str, str, str] = ("", "", "")
        self.dates: dict[str, date | None] = {}


class _Service:
    __slots__ = ("adjustments", "allowed", "day", "pos", "ref", "remarks", "svc")

    def __init__(self, svc: Elements, pos: int) -> None:
        self.svc, self.pos = svc, pos
        self.adjustments: list[Adjustment] = []
        self.remarks: list[str] = []
        self.allowed: Decimal | None = None
        self.day: date | None = None
        self.ref: str | None = None


def read_835(tx: Transaction) -> Remittance:
    comp = tx.delimiters.component
    bpr: Elements = []
    bpr_pos = 0
    trn: Elements = []
    payer = payee = ("", "")
    production: date | None = None
    claims: list[_Claim] = []
    plbs: list[ProviderAdjustment] = []
    claim: _Claim | None = None
    service: _Service | None = None
    party = ""
    for pos, seg in tx:
        try:
            sid = seg[0]
            if sid == "CAS":
                target = service if service is not None else claim
                if target is None:
                    raise X12Error("outside a claim", transaction=TX, position=pos, segment="CAS")
                target.adjustments.extend(_cas(seg, pos))
            elif sid == "SVC":
                if claim is None:
                    raise X12Error("outside a claim", transaction=TX, position=pos, segment="SVC")
                service = _Service(seg, pos)
                claim.services.append(service)
            elif sid == "DTM":
                qual = seg[1] if len(seg) > 1 else ""
                day = _date(seg[2] if len(seg) > 2 else "", pos, seg, 2)
                if service is not None and qual in ("472", "150", "151"):
                    if qual != "151" or service.day is None:
                        service.day = day
                elif claim is not None:
                    claim.dates[qual] = day
                elif qual == "405":
                    production = day
            elif sid == "CLP":
                claim = _Claim(seg, pos)
                service = None
                claims.append(claim)
            elif sid == "AMT":
                if service is not None and len(seg) > 2 and seg[1] == "B6":
                    service.allowed = _amount(seg, 2, pos)
            elif sid == "LQ":
                if service is not None and len(seg) > 2:
                    service.remarks.append(seg[2])
            elif sid == "REF":
                if service is not None and len(seg) > 2 and seg[1] == "6R":
                    service.ref = seg[2]
            elif sid == "NM1":
                if claim is not None and len(seg) > 3 and seg[1] == "QC":
                    ident = seg[9] if len(seg) > 9 else ""
                    claim.names = (seg[3], seg[4] if len(seg) > 4 else "", ident)
            elif sid in ("MOA", "MIA"):
                if claim is not None:
                    first = 3 if sid == "MOA" else 5
                    claim.remarks.extend(c for c in seg[first:] if c and not c[0].isdigit())
            elif sid == "LX" or sid == "TS3" or sid == "TS2":
                service = None
                claim = None
            elif sid == "N1":
                party = seg[1] if len(seg) > 1 else ""
                name, ident = (seg[2] if len(seg) > 2 else ""), (seg[4] if len(seg) > 4 else "")
                if party == "PR":
                    payer = (name, ident)
                elif party == "PE":
                    payee = (name, ident)
            elif sid == "PLB":
                plbs.extend(_plb(seg, pos, comp))
                claim, service = None, None
            elif sid == "BPR":
                bpr, bpr_pos = seg, pos
            elif sid == "TRN":
                trn = seg
        except X12Error as e:  # report the segment and read on
            tx.issues.add(e)
    if not bpr:
        raise X12Error(
            "has no BPR segment", transaction=TX, position=tx.header.start, segment="BPR"
        )
    # A claim or line that cannot be read is reported and left out, never guessed at; the
    # balancing below then shows what it leaves unaccounted for.
    built = []
    for c in claims:
        try:
            built.append(_build_claim(c, comp, tx))
        except X12Error as e:
            tx.issues.add(e)
    amount = decimal(bpr, 2, TX, bpr_pos)
    try:
        paid_on = _date(bpr[16], bpr_pos, bpr, 16) if len(bpr) > 16 else None
    except X12Error as e:
        tx.issues.add(e)
        paid_on = None
    breaks = _balance(built, plbs, amount, bpr[3] if len(bpr) > 3 else "C")
    for b in breaks:
        tx.issues.add(X12Error(b.message, transaction=TX, segment="balance", level="error"))
    return Remittance(
        control_number=tx.header.set_control,
        handling=bpr[1] if len(bpr) > 1 else "",
        amount=amount,
        credit_debit=bpr[3] if len(bpr) > 3 else "",
        method=bpr[4] if len(bpr) > 4 else "",
        payment_date=paid_on,
        trace_number=trn[2] if len(trn) > 2 else "",
        payer_trn_id=trn[3] if len(trn) > 3 else "",
        payer_name=payer[0],
        payer_id=payer[1],
        payee_name=payee[0],
        payee_id=payee[1],
        production_date=production,
        claims=tuple(built),
        provider_adjustments=tuple(plbs),
        breaks=tuple(breaks),
    )


def _plb(seg: Elements, pos: int, comp: str) -> list[ProviderAdjustment]:
    provider = seg[1] if len(seg) > 1 else ""
    period = _date(seg[2] if len(seg) > 2 else "", pos, seg, 2)
    out = []
    for i in range(3, min(len(seg), 15), 2):
        if not seg[i]:
            continue
        reason, _, ref = seg[i].partition(comp)
        out.append(ProviderAdjustment(provider, period, reason, ref, decimal(seg, i + 1, TX, pos)))
    return out


def _split(composite: str, comp: str) -> tuple[str, str, tuple[str, ...]]:
    parts = composite.split(comp)
    return parts[0], parts[1] if len(parts) > 1 else "", tuple(filter(None, parts[2:6]))


def _build_claim(c: _Claim, comp: str, tx: Transaction) -> ClaimPayment:
    clp, pos = c.clp, c.pos
    if len(clp) < 5 or not clp[1]:
        raise X12Error("needs CLP01 to CLP04", transaction=TX, position=pos, segment="CLP")
    services = []
    for s in c.services:
        try:
            services.append(_build_service(s, comp))
        except X12Error as e:
            tx.issues.add(e)
    last, first, ident = c.names
    return ClaimPayment(
        patient_control_number=clp[1],
        status=clp[2],
        charge=_amount(clp, 3, pos),
        paid=_amount(clp, 4, pos),
        patient_responsibility=_amount(clp, 5, pos) if len(clp) > 5 and clp[5] else None,
        filing_indicator=clp[6] if len(clp) > 6 else "",
        payer_claim_number=clp[7] if len(clp) > 7 else "",
        facility_type=clp[8] if len(clp) > 8 else "",
        frequency=clp[9] if len(clp) > 9 else "",
        patient_last=last,
        patient_first=first,
        patient_id=ident,
        statement_from=c.dates.get("232"),
        statement_to=c.dates.get("233"),
        adjustments=tuple(c.adjustments),
        services=tuple(services),
        remarks=tuple(c.remarks),
        position=pos,
    )


def _build_service(s: _Service, comp: str) -> ServicePayment:
    svc, spos = s.svc, s.pos
    qual, code, mods = _split(svc[1] if len(svc) > 1 else "", comp)
    if not code:
        raise X12Error(
            "has no procedure code",
            transaction=TX,
            position=spos,
            segment="SVC",
            element="SVC01",
        )
    billed_code: str | None = None
    billed_mods: tuple[str, ...] = ()
    if len(svc) > 6 and svc[6]:
        _, billed_code, billed_mods = _split(svc[6], comp)
    return ServicePayment(
        code=code,
        modifiers=mods,
        charge=_amount(svc, 2, spos),
        paid=_amount(svc, 3, spos),
        units_paid=_amount(svc, 5, spos) if len(svc) > 5 and svc[5] else None,
        billed_code=billed_code or None,
        billed_modifiers=billed_mods,
        units_billed=_amount(svc, 7, spos) if len(svc) > 7 and svc[7] else None,
        qualifier=qual,
        date=s.day,
        adjustments=tuple(s.adjustments),
        remarks=tuple(s.remarks),
        allowed=s.allowed,
        control_number=s.ref,
    )


def _sum(adjs: Iterable[Adjustment]) -> Decimal:
    return sum((a.amount for a in adjs), ZERO)


def _balance(
    claims: list[ClaimPayment], plbs: list[ProviderAdjustment], amount: Decimal, cd: str
) -> list[BalanceBreak]:
    out = []
    for c in claims:
        service_adj = ZERO
        charges = ZERO
        for n, s in enumerate(c.services, start=1):
            adj = ZERO
            for a in s.adjustments:
                adj += a.amount
            service_adj += adj
            charges += s.charge
            expected = s.charge - adj
            if expected != s.paid:
                out.append(
                    BalanceBreak(
                        "service",
                        f"claim {c.patient_control_number} line {n}",
                        expected,
                        s.paid,
                        f"claim {c.patient_control_number} line {n} ({s.code}): charge {s.charge} "
                        f"less adjustments {_sum(s.adjustments)} is {expected}, paid {s.paid}",
                    )
                )
        all_adj = _sum(c.adjustments) + service_adj
        expected = c.charge - all_adj
        if expected != c.paid:
            out.append(
                BalanceBreak(
                    "claim",
                    f"claim {c.patient_control_number}",
                    expected,
                    c.paid,
                    f"claim {c.patient_control_number} (segment {c.position}): charge "
                    f"{c.charge} less adjustments {all_adj} is {expected}, paid {c.paid}",
                )
            )
        if c.services and charges != c.charge:
            out.append(
                BalanceBreak(
                    "claim",
                    f"claim {c.patient_control_number}",
                    c.charge,
                    charges,
                    f"claim {c.patient_control_number}: service charges add up to {charges}, "
                    f"the claim charge is {c.charge}",
                )
            )
    paid = sum((c.paid for c in claims), ZERO)
    plb = sum((p.amount for p in plbs), ZERO)
    expected = paid - plb
    actual = -amount if cd == "D" else amount
    if expected != actual:
        out.append(
            BalanceBreak(
                "payment",
                "BPR02",
                expected,
                actual,
                f"payment {actual}: claims paid {paid} less provider adjustments {plb} is "
                f"{expected}",
            )
        )
    return out
