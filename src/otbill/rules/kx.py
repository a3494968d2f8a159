"""KX: the Medicare therapy threshold, OT apart from PT and SLP combined."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from otbill.codesets.thresholds import Thresholds, bucket, thresholds
from otbill.dates import Period
from otbill.rules.context import ZERO, ClaimContext
from otbill.rules.model import Category, Hit, Severity
from otbill.rules.registry import rule
from otbill.sources import CPM_5_10_3, CPM_5_10_3_3, CPM_5_10_3_4

KX_ERA = Period(date(2018, 1, 1))  # BBA 2018 §50202: a threshold, no longer a cap


@dataclass(frozen=True, slots=True)
class _Kx:
    threshold: Decimal
    mr: Decimal
    label: str  # "2026 OT"
    before: Decimal  # incurred this year before the claim
    running: list[Decimal | None]  # after each line; None where no amount is known
    upper_before: Decimal


def _state(ctx: ClaimContext) -> _Kx | None:
    if not ctx.profile.kx_applies or ctx.discipline is None:
        return None
    t: Thresholds | None = thresholds(ctx.day.year)
    if t is None:
        return None
    key = f"{ctx.day.year}:{bucket(ctx.discipline)}"
    before = ctx.history.therapy_ytd.get(key, ZERO)
    running: list[Decimal | None] = []
    total: Decimal | None = before
    for ln in ctx.claim.lines:
        total = None if total is None or ln.allowed is None else total + ln.allowed
        running.append(total)
    return _Kx(
        t.kx(ctx.discipline),
        t.mr,
        f"{ctx.day.year} {bucket(ctx.discipline)}",
        before,
        running,
        ctx.history.therapy_ytd_upper.get(key, ZERO),
    )


def _kx_needed(k: _Kx) -> list[int]:
    """Lines from the one that takes the year past the threshold."""
    return [i for i, r in enumerate(k.running) if r is not None and r > k.threshold]


@rule(
    "OT-KX-001",
    Category.MODIFIER_KX,
    Severity.ERROR,
    "KX missing past the therapy threshold",
    checks="The patient's allowed therapy amount this year in the claim's bucket (OT, or PT and "
    "SLP combined), this claim's lines included, against the year's KX threshold: the line that "
    "crosses it and every line after carry KX.",
    why="Past the threshold Medicare denies lines without KX, and without a valid ABN the "
    "practice, not the patient, is liable.",
    example="2022, OT: $2,120.00 allowed before today; today's 97530 (2 units, $65.06) takes the "
    "year to $2,185.06, past $2,150: 97530 needs KX.",
    fix="If the therapy is medically necessary and the record shows it, append KX to those lines; "
    "if not, stop billing Medicare for it or issue an ABN before further care.",
    source=CPM_5_10_3_3,
    period=KX_ERA,
)
def kx_missing(ctx: ClaimContext) -> Iterator[Hit]:
    k = _state(ctx)
    if k is None:
        return
    for i in _kx_needed(k):
        ln = ctx.claim.lines[i]
        if "KX" not in ln.modifiers:
            yield Hit(
                f"{ln.code}: the {k.label} therapy amount reaches ${k.running[i]:,.2f}, past the "
                f"${k.threshold:,.2f} KX threshold, and the line has no KX.",
                i,
            )


@rule(
    "OT-KX-002",
    Category.MODIFIER_KX,
    Severity.ERROR,
    "KX with the threshold not in reach",
    checks="KX on a claim whose lines do not take the year's amount in that bucket past the "
    "threshold.",
    why="CMS: 'Use of the KX modifier when there is no indication that the cap is likely to be "
    "exceeded is abusive.'",
    example="2022, OT: $400.00 so far this year and a $90.00 claim, billed with KX.",
    fix="Remove KX until the year's therapy amount crosses the threshold.",
    source=CPM_5_10_3_3,
    period=KX_ERA,
)
def kx_too_early(ctx: ClaimContext) -> Iterator[Hit]:
    k = _state(ctx)
    if k is None or not k.running or k.running[-1] is None or k.running[-1] > k.threshold:
        return
    for i, ln in enumerate(ctx.claim.lines):
        if "KX" in ln.modifiers:
            yield Hit(
                f"{ln.code} carries KX, but the {k.label} amount with this claim is "
                f"${k.running[-1]:,.2f}, under the ${k.threshold:,.2f} threshold.",
                i,
            )


@rule(
    "OT-KX-003",
    Category.MODIFIER_KX,
    Severity.ERROR,
    "KX without documented medical necessity",
    checks="A claim with KX lines, or lines past the threshold, whose visit note does not "
    "document the medical necessity of continued therapy.",
    why="KX attests that services past the threshold are reasonable and necessary and 'justified "
    "by appropriate documentation in the medical record'; review finds KX without it.",
    example="A visit past the threshold billed with KX, but the note has no medical necessity "
    "justification.",
    fix="Document why skilled therapy remains necessary (progress, goals, complexity) before "
    "billing with KX.",
    source=CPM_5_10_3_3,
    period=KX_ERA,
)
def kx_undocumented(ctx: ClaimContext) -> Iterator[Hit]:
    if ctx.visit.documentation.medical_necessity_documented:
        return
    k = _state(ctx)
    if k is None:
        return
    needed = set(_kx_needed(k))
    for i, ln in enumerate(ctx.claim.lines):
        if i in needed or "KX" in ln.modifiers:
            yield Hit(
                f"{ln.code}: past the {k.label} threshold, with no documented medical "
                "necessity in the note.",
                i,
            )
            return


@rule(
    "OT-KX-004",
    Category.MODIFIER_KX,
    Severity.WARNING,
    "May be past the threshold: amounts not priced",
    checks="Where no Medicare fee schedule prices the year's lines, the charges (an upper bound: "
    "the threshold counts the fee schedule amount or the charge if smaller) reach the threshold.",
    why="Without the allowed amounts otbill cannot tell whether KX is due; a missed KX is denied.",
    example="2026 OT: charges to date $2,600 and no CY2026 RVU file loaded.",
    fix="Load the year's CMS PPRRVU file (`--pfs`), or check the patient's therapy amount with the "
    "MAC (the 271 eligibility response), and add KX if past the threshold.",
    source=CPM_5_10_3,
    period=KX_ERA,
)
def kx_unknown(ctx: ClaimContext) -> Iterator[Hit]:
    k = _state(ctx)
    if k is None or all(r is not None for r in k.running):
        return
    upper = k.upper_before + sum(
        (ln.charge if ln.allowed is None else ln.allowed for ln in ctx.claim.lines), ZERO
    )
    if upper > k.threshold and not any("KX" in ln.modifiers for ln in ctx.claim.lines):
        yield Hit(
            f"The {k.label} amount is not priced (no CY{ctx.day.year} fee schedule); counting "
            f"charges it could be ${upper:,.2f}, past the ${k.threshold:,.2f} threshold."
        )


@rule(
    "OT-KX-005",
    Category.MODIFIER_KX,
    Severity.WARNING,
    "Past the $3,000 targeted medical review threshold",
    checks="The year's amount in the bucket, this claim included, past the targeted medical "
    "review threshold ($3,000 for OT, and for PT and SLP combined).",
    why="Claims past $3,000 may be chosen for targeted medical review: the record must stand on "
    "its own.",
    example="2022 OT: this claim takes the year to $3,040.",
    fix="Make sure the plan, progress reports and notes show medical necessity; expect requests "
    "for records.",
    source=CPM_5_10_3_4,
    period=KX_ERA,
)
def past_review_threshold(ctx: ClaimContext) -> Iterator[Hit]:
    k = _state(ctx)
    if k is None or not k.running or k.running[-1] is None:
        return
    if k.running[-1] > k.mr:
        yield Hit(
            f"The {k.label} amount reaches ${k.running[-1]:,.2f} with this claim, past the "
            f"${k.mr:,.2f} targeted review threshold."
        )
