"""KX: the Medicare therapy threshold, OT apart from PT and SLP combined."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from otbill.coding.kx import attested_by, bucket_for, past_threshold, running_amounts
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
    """The year's amounts as the coder counts them when it applies KX (otbill.coding.kx)."""
    if not ctx.profile.kx_applies or ctx.discipline is None:
        return None
    b = bucket_for(ctx.day, ctx.discipline)
    if b is None:
        return None
    before = ctx.history.therapy_ytd.get(b.key, ZERO)
    return _Kx(
        b.threshold,
        b.figures.mr,
        b.label,
        before,
        running_amounts(before, ctx.claim.lines),
        ctx.history.therapy_ytd_upper.get(b.key, ZERO),
    )


def _kx_needed(k: _Kx) -> list[int]:
    """Lines from the one that takes the year past the threshold."""
    return past_threshold(k.threshold, k.running)


@rule(
    "OT-KX-001",
    Category.MODIFIER_KX,
    Severity.ERROR,
    "KX missing past the therapy threshold",
    checks="The patient's allowed therapy amount this year in the claim's bucket (OT, or PT and "
    "SLP combined), this claim's lines included, against the year's KX threshold: the line that "
    "crosses it and every line after carry KX. The coder applies KX itself when the visit's "
    "documentation attests medical necessity, so this finds the lines whose note does not "
    "attest it (the coder leaves KX off), or whose KX was taken off after coding.",
    why="Past the threshold Medicare denies lines without KX, and without a valid ABN the "
    "practice, not the patient, is liable. KX is the clinician's attestation, so the coder "
    "never adds it on a note that does not make it.",
    example="2022, OT: $2,120.00 allowed before today; today's 97530 (2 units, $65.06) takes the "
    "year to $2,185.06, past $2,150: 97530 needs KX.",
    fix="If the therapy is medically necessary, have the clinician document why in the note "
    "(medical_necessity_documented) and build the claim again: the coder applies KX. If not, "
    "stop billing Medicare for it or issue an ABN before further care.",
    source=CPM_5_10_3_3,
    period=KX_ERA,
)
def kx_missing(ctx: ClaimContext) -> Iterator[Hit]:
    k = _state(ctx)
    if k is None:
        return
    who = attested_by(ctx.episode, ctx.visit)
    why = (
        f"visit {ctx.visit.id}'s documentation does not attest medical necessity, so the coder "
        "left KX off"
        if who is None
        else f"visit {ctx.visit.id}'s documentation attests medical necessity, but KX was taken "
        "off the line after coding"
    )
    for i in _kx_needed(k):
        ln = ctx.claim.lines[i]
        if "KX" not in ln.modifiers:
            yield Hit(
                f"{ln.code}: the {k.label} therapy amount reaches ${k.running[i]:,.2f}, past the "
                f"${k.threshold:,.2f} KX threshold, and the line has no KX: {why}.",
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
    checks="A line with KX (asked for in the document or added after coding) whose visit note "
    "does not document the medical necessity of continued therapy. Lines past the threshold "
    "without KX are OT-KX-001's.",
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
    kx = [i for i, ln in enumerate(ctx.claim.lines) if "KX" in ln.modifiers]
    if kx:
        codes = ", ".join(ctx.claim.lines[i].code for i in kx)
        yield Hit(
            f"{codes} carr{'ies' if len(kx) == 1 else 'y'} KX, but visit {ctx.visit.id}'s note "
            "does not document medical necessity: KX attests that it does.",
            kx[0],
        )


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
