"""Contract rates: what each payer's contract allows per unit of a code, for the underpayment
check of payers the Medicare fee schedule does not price. Loaded from a CSV the practice keeps:

    payer,code,modifier,rate,effective_from,effective_to,source
    BLUE-IL,97530,,38.50,2026-01-01,,2026 fee schedule exhibit B

``modifier`` blank applies to the code with any modifiers; a row naming one applies only to
lines that carry it (and wins over the blank row). Dates are dates of service.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from otbill.errors import InputError
from otbill.ledger import schema as t
from otbill.ledger.db import insert_rows

COLUMNS = ("payer", "code", "modifier", "rate", "effective_from", "effective_to", "source")
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Rate:
    payer: str
    code: str
    modifier: str
    rate: Decimal
    start: date
    end: date | None
    source: str

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def read_rates(text: str, name: str) -> list[Rate]:
    reader = csv.DictReader(io.StringIO(text))
    heads = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ("payer", "code", "rate", "effective_from") if c not in heads]
    if missing:
        raise InputError(name, f"a contract rate file needs the columns {', '.join(COLUMNS)}")
    out = []
    for n, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        where = f"{name} line {n}"
        try:
            rate = Decimal(row["rate"].replace("$", "").replace(",", ""))
        except InvalidOperation:
            raise InputError(f"{where}: rate", f"not an amount: {row['rate']!r}") from None
        if rate < 0:
            raise InputError(f"{where}: rate", "cannot be negative")
        try:
            start = date.fromisoformat(row["effective_from"])
            end = date.fromisoformat(row["effective_to"]) if row.get("effective_to") else None
        except ValueError as e:
            raise InputError(f"{where}: dates", f"YYYY-MM-DD: {e}") from None
        if not row["payer"] or not row["code"]:
            raise InputError(where, "a rate names its payer and code")
        out.append(
            Rate(
                row["payer"],
                row["code"].upper(),
                row.get("modifier", "").upper(),
                rate.quantize(CENT),
                start,
                end,
                row.get("source", "") or name,
            )
        )
    return out


def load_rates(session: Session, practice_id: int, rates: Sequence[Rate]) -> int:
    """Replace the practice's rates for the payers the file names."""
    payers = {r.payer for r in rates}
    known = set(session.scalars(select(t.Payer.ext_id).where(t.Payer.practice_id == practice_id)))
    unknown = sorted(payers - known)
    if unknown:
        raise InputError("payer", f"not a payer of this practice: {', '.join(unknown)}")
    session.execute(
        delete(t.ContractRate).where(
            t.ContractRate.practice_id == practice_id, t.ContractRate.payer_ext.in_(payers)
        )
    )
    insert_rows(
        session,
        t.ContractRate,
        [
            {
                "practice_id": practice_id,
                "payer_ext": r.payer,
                "code": r.code,
                "modifier": r.modifier,
                "rate": r.rate,
                "effective_from": r.start,
                "effective_to": r.end,
                "source": r.source,
            }
            for r in rates
        ],
    )
    return len(rates)


@dataclass
class RateBook:
    """The practice's rates, read once, asked per line."""

    by: dict[tuple[str, str], list[Rate]]

    @classmethod
    def of(cls, session: Session, practice_id: int) -> RateBook:
        by: dict[tuple[str, str], list[Rate]] = {}
        for r in session.scalars(
            select(t.ContractRate).where(t.ContractRate.practice_id == practice_id)
        ):
            by.setdefault((r.payer_ext, r.code), []).append(
                Rate(
                    r.payer_ext,
                    r.code,
                    r.modifier,
                    r.rate,
                    r.effective_from,
                    r.effective_to,
                    r.source,
                )
            )
        return cls(by)

    def expected(
        self, payer: str, code: str, modifiers: Sequence[str], units: int, day: date
    ) -> Decimal | None:
        found = [r for r in self.by.get((payer, code), []) if r.covers(day)]
        own = [r for r in found if r.modifier and r.modifier in modifiers]
        plain = [r for r in found if not r.modifier]
        pick = own or plain
        return (pick[0].rate * units).quantize(CENT) if pick else None

    def __bool__(self) -> bool:
        return bool(self.by)
