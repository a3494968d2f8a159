"""Expected Medicare payment for a day's therapy lines.

0. The fee schedule is the loaded CMS release that prices the date (codesets.pfs.schedule_for);
   the explanation names it, and says when the release of the date's quarter is not loaded and
   an earlier or later release of the year stands in. The conversion factor is the file's own
   for its dates; for a date before the release starts, the one in force on that date
   (data/conversion_factors.csv), since a later release's factor may postdate the service.
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

from otbill.codesets.pfs import FeeSchedule, Release, UnitPrice, conversion_factor_on
from otbill.model.explain import Step
from otbill.sources import CPM_5_10_3, CPM_5_10_7, CPM_5_20_1, PFS_RVU_FILES

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


_CONFIDENCE = {"P": "primary", "S": "secondary only"}


def release_steps(fs: FeeSchedule, day: date) -> list[Step]:
    """What the claim must say when the release pricing it is not the one CMS issued for the
    date's quarter: which release is missing, and which one stands in for it."""
    due = Release.on(day)
    if fs.release is None or fs.release == due:
        return []  # a file naming no release answers for its whole year
    if fs.effective_from > day:
        return [
            Step(
                f"The CMS {due}, for dates of service from {due.starts}, is not loaded: the "
                f"RVUs are from the {fs.release}, which CMS issued for dates from "
                f"{fs.effective_from}, the best otbill has for {day}. Load {due.code} with "
                "--pfs to price by its own RVUs.",
                PFS_RVU_FILES,
            )
        ]
    return [
        Step(
            f"The CMS {due}, for dates of service from {due.starts}, is not loaded: priced by "
            f"the {fs.release}, the latest loaded before {day}. Load {due.code} with --pfs "
            "to price by its own RVUs.",
            PFS_RVU_FILES,
        )
    ]


def conversion_factor(fs: FeeSchedule, day: date) -> tuple[Decimal, list[Step]]:
    """The conversion factor for ``day``, and what to say about it.

    A release's CONV FACTOR is CMS's for the release's own dates. For a date before the release
    starts, the factor may have been another (CY2024: 32.7442 until 2024-03-08, 33.2875 in the
    July file), so the one otbill records in force on the date is used instead."""
    rec = conversion_factor_on(day)
    own = fs.conversion_factor
    if rec is None or rec.matches(own):
        if rec is None and fs.effective_from > day:
            return own, [
                Step(
                    f"otbill records no conversion factor in force on {day}: the {own} of "
                    f"the {fs.release} is used."
                )
            ]
        return own, []
    told = f"Source: {rec.source}; confidence {rec.confidence} ({_CONFIDENCE[rec.confidence]})."
    if fs.effective_from > day:
        # A QP file (CY2026 on) carries the QP figure: keep to the same column.
        at_start = conversion_factor_on(fs.effective_from)
        is_qp = at_start is not None and own == at_start.qp
        cf = rec.qp if is_qp and rec.qp is not None else rec.non_qp
        return cf, [
            Step(
                f"Conversion factor {cf}: the one in force on {day} ({rec.period}), not the "
                f"{own} the {fs.release} carries for its own dates. {told}"
            )
        ]
    return own, [
        Step(
            f"The file's conversion factor {own} is not the {rec.non_qp} otbill records in "
            f"force on {day} ({rec.period}): check that the release loaded is the one for "
            f"this date. {told}"
        )
    ]


def price_day(
    lines: Sequence[PricingLine],
    fs: FeeSchedule,
    day: date,
    locality: str | None = None,
) -> tuple[list[LinePrice | None], list[Step]]:
    """Allowed amount and expected payment per line; None for a line the schedule cannot price
    (bundled, carrier priced, not in the file, or nonpayable)."""
    cf, cf_steps = conversion_factor(fs, day)
    prices: list[UnitPrice | None] = [fs.unit_price(ln.code, locality, cf) for ln in lines]
    where = fs.locality(locality).name
    steps = [
        Step(f"Fee schedule: {fs.describe()}; {where}; conversion factor {cf}.", CPM_5_10_7),
        *release_steps(fs, day),
        *cf_steps,
    ]
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
