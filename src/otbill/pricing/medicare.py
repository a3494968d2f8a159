"""Expected Medicare payment for a day's therapy lines.

1. Allowed amount per unit from the fee schedule: (work x GPCI + PE x GPCI + MP x GPCI) x CF.
2. Therapy MPPR (CPM ch.5 §10.7): of all units of codes subject to it on the day (MULT PROC 5),
   the one unit with the highest PE payment keeps its full PE; every other unit, extra units of
   the same code included, gets 50% of its PE (dates of service from 2013-04-01). Equal PE
   payments are ranked by the higher total fee.
3. Medicare pays 80% of the allowed amount (coinsurance 20%, CPM ch.5 §10.3); the deductible is
   taken as met, since only the payer knows how much of it is left.
4. For dates of service from 2022-01-01, units with CO or CQ are paid 85% of that payment; the
   reduction is taken last, before sequestration, which otbill does not model (CPM ch.5 §20.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from otbill.codesets.pfs import FeeSchedule, UnitPrice
from otbill.model.explain import Step
from otbill.sources import CPM_5_10_3, CPM_5_10_7, CPM_5_20_1

CENT = Decimal("0.01")
MPPR_FROM = date(2013, 4, 1)
ASSISTANT_REDUCTION_FROM = date(2022, 1, 1)
COINSURANCE = Decimal("0.20")
ASSISTANT_FACTOR = Decimal("0.85")
MPPR_PE_SHARE = Decimal("0.5")


@dataclass(frozen=True, slots=True)
class PricingLine:
    code: str
    units: int
    assistant: bool  # the line carries CO/CQ (lines are split so that all or none of it does)


@dataclass(frozen=True, slots=True)
class LinePrice:
    allowed: Decimal
    payment: Decimal


def cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def price_day(
    lines: Sequence[PricingLine],
    fs: FeeSchedule,
    day: date,
    locality: str | None = None,
) -> tuple[list[LinePrice | None], list[Step]]:
    """Allowed amount and expected payment per line; None for a line the schedule cannot price
    (bundled, carrier priced, not in the file, or nonpayable)."""
    prices: list[UnitPrice | None] = [fs.unit_price(ln.code, locality) for ln in lines]
    steps: list[Step] = []
    where = fs.locality(locality).name
    steps.append(
        Step(
            f"Fee schedule: CY{fs.year} ({fs.label}), {where}, conversion factor "
            f"{fs.conversion_factor}.",
            CPM_5_10_7,
        )
    )
    # One entry per unit subject to MPPR: (line index, unit price).
    mppr_units = [
        (i, p)
        for i, (ln, p) in enumerate(zip(lines, prices, strict=True))
        if p is not None and fs.rvus[ln.code].therapy_mppr
        for _ in range(ln.units)
    ]
    full_pe_line: int | None = None
    if mppr_units and day >= MPPR_FROM and len(mppr_units) > 1:
        best = max(mppr_units, key=lambda u: (u[1].pe * u[1].cf, u[1].amount()))
        full_pe_line = best[0]
        steps.append(
            Step(
                f"MPPR: {len(mppr_units)} therapy units today; one unit of "
                f"{lines[full_pe_line].code} (highest practice expense) keeps its full PE, the "
                f"other {len(mppr_units) - 1} are paid 50% of their PE.",
                CPM_5_10_7,
            )
        )
    out: list[LinePrice | None] = []
    for i, (ln, p) in enumerate(zip(lines, prices, strict=True)):
        if p is None or ln.units == 0:
            out.append(None if p is None else LinePrice(Decimal("0.00"), Decimal("0.00")))
            continue
        subject = fs.rvus[ln.code].therapy_mppr and full_pe_line is not None
        allowed = sum(
            (
                p.amount(
                    Decimal(1) if not subject or (i == full_pe_line and u == 0) else MPPR_PE_SHARE
                )
                for u in range(ln.units)
            ),
            Decimal(0),
        )
        payment = allowed * (1 - COINSURANCE)
        if ln.assistant and day >= ASSISTANT_REDUCTION_FROM:
            payment *= ASSISTANT_FACTOR
        out.append(LinePrice(cents(allowed), cents(payment)))
    steps.append(
        Step(
            "Expected payment is 80% of the allowed amount (20% coinsurance; deductible "
            "taken as met).",
            CPM_5_10_3,
        )
    )
    if day >= ASSISTANT_REDUCTION_FROM and any(ln.assistant for ln in lines):
        steps.append(
            Step(
                "Units with CO/CQ are paid 85% of that, the reduction taken last "
                "(before sequestration).",
                CPM_5_20_1,
            )
        )
    return out, steps
