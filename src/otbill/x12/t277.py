"""277 claim status response (005010X212) and 277CA claim acknowledgment (005010X214): the
status of each claim, by its patient control number and the payer's claim number."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from otbill.model.acks import ClaimStatus
from otbill.x12.core import Elements, X12Error, decimal, element
from otbill.x12.envelope import Transaction

TX = "277"


def _dates(text: str) -> tuple[date | None, date | None]:
    def one(t: str) -> date | None:
        try:
            return date(int(t[:4]), int(t[4:6]), int(t[6:8])) if len(t) == 8 else None
        except ValueError:
            return None

    first, _, last = text.partition("-")
    return one(first), one(last) if last else one(first)


class _Pending:
    def __init__(self) -> None:
        self.trn = ""
        self.stc: Elements | None = None
        self.stc_pos = 0
        self.ref_1k = ""
        self.dates: tuple[date | None, date | None] = (None, None)
        self.messages: list[str] = []


def read_277(tx: Transaction) -> list[ClaimStatus]:
    comp = tx.delimiters.component
    out: list[ClaimStatus] = []
    claim: _Pending | None = None

    def close() -> None:
        if claim is None or claim.stc is None or not claim.trn:
            return
        stc = claim.stc
        parts = element(stc, 1).split(comp)
        amount: Decimal | None = None
        try:
            amount = decimal(stc, 4, TX, claim.stc_pos, required=False) if element(stc, 4) else None
        except X12Error as e:
            tx.issues.add(e)
        status_day = _dates(element(stc, 2))[0]
        out.append(
            ClaimStatus(
                claim.trn,
                claim.ref_1k,
                parts[0],
                parts[1] if len(parts) > 1 else "",
                parts[2] if len(parts) > 2 else "",
                status_day,
                amount,
                claim.dates[0],
                claim.dates[1],
                tuple(claim.messages),
            )
        )

    for pos, seg in tx:
        sid = seg[0]
        if sid == "HL":
            close()
            claim = _Pending() if element(seg, 3) in ("22", "23", "PT") else None
        elif claim is None:
            continue
        elif sid == "TRN" and element(seg, 1) == "2":
            if claim.trn:  # a second claim under the same HL
                close()
                claim = _Pending()
            claim.trn = element(seg, 2)
        elif sid == "STC" and claim.stc is None:
            claim.stc, claim.stc_pos = seg, pos
            if element(seg, 12):
                claim.messages.append(element(seg, 12))
        elif sid == "REF" and element(seg, 1) == "1K":
            claim.ref_1k = element(seg, 2)
        elif sid == "DTP" and element(seg, 1) == "472":
            claim.dates = _dates(element(seg, 3))
    close()
    return out
