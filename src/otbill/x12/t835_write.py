"""835 writer: a remittance as a payer would send it (for tests, demos and benchmarks; otbill
receives 835s, it does not pay claims)."""

from __future__ import annotations

from datetime import date

from otbill.model.remittance import Adjustment, Remittance
from otbill.x12.core import Delimiters
from otbill.x12.writer import InterchangeInfo, SetBuilder, amount, interchange

VERSION = "005010X221A1"


def _d8(day: date) -> str:
    return day.strftime("%Y%m%d")


def _cas(s: SetBuilder, adjustments: tuple[Adjustment, ...]) -> None:
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


def remittance_segments(r: Remittance, delims: Delimiters) -> SetBuilder:
    s = SetBuilder(delims, "835")
    paid_on = r.payment_date or date(1970, 1, 1)
    s.add(
        "BPR",
        r.handling or "I",
        amount(r.amount),
        r.credit_debit or "C",
        r.method or "ACH",
        "CCP" if r.method == "ACH" else None,
        *([None] * 10),
        _d8(paid_on),
    )
    s.add("TRN", "1", r.trace_number, r.payer_trn_id or "1000000000")
    if r.production_date is not None:
        s.add("DTM", "405", _d8(r.production_date))
    s.add("N1", "PR", r.payer_name)
    s.add("N3", "PO BOX 1000")
    s.add("N4", "SPRINGFIELD", "IL", "62701")
    s.add("PER", "BL", "PROVIDER SERVICES", "TE", "8005550100")
    s.add("N1", "PE", r.payee_name, "XX", r.payee_id)
    s.add("LX", "1")
    for c in r.claims:
        s.add(
            "CLP",
            c.patient_control_number,
            c.status,
            amount(c.charge),
            amount(c.paid),
            amount(c.patient_responsibility) if c.patient_responsibility is not None else None,
            c.filing_indicator or "MB",
            c.payer_claim_number,
            c.facility_type or "11",
            c.frequency or "1",
        )
        _cas(s, c.adjustments)
        s.add(
            "NM1",
            "QC",
            "1",
            c.patient_last,
            c.patient_first,
            None,
            None,
            None,
            "MI" if c.patient_id else None,
            c.patient_id or None,
        )
        if c.remarks:
            # MOA03-07: claim-level remark codes on a professional claim (MIA is institutional).
            s.add("MOA", None, None, *c.remarks[:5])
        for sv in c.services:
            s.add(
                "SVC",
                ("HC", sv.code, *sv.modifiers),
                amount(sv.charge),
                amount(sv.paid),
                None,
                amount(sv.units_paid) if sv.units_paid is not None else None,
            )
            if sv.date is not None:
                s.add("DTM", "472", _d8(sv.date))
            _cas(s, sv.adjustments)
            if sv.control_number:
                s.add("REF", "6R", sv.control_number)
            if sv.allowed is not None:
                s.add("AMT", "B6", amount(sv.allowed))
            for rarc in sv.remarks:
                s.add("LQ", "HE", rarc)
    for p in r.provider_adjustments:
        s.add(
            "PLB",
            p.provider_id,
            _d8(p.fiscal_period_end or paid_on),
            (p.reason, p.reference) if p.reference else p.reason,
            amount(p.amount),
        )
    return s


def build_835(
    remittances: list[Remittance], info: InterchangeInfo, delims: Delimiters | None = None
) -> str:
    d = delims or Delimiters()
    sets = [remittance_segments(r, d) for r in remittances]
    return interchange(info, "HP", VERSION, sets, d, st03=False)
