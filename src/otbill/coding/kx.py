"""KX past the Medicare therapy threshold, applied by the coder on the clinician's attestation.

KX attests that therapy past the year's threshold is medically necessary and "justified by
appropriate documentation in the medical record" (CPM ch.5 §10.3.3). That judgement is the
clinician's and lives in the visit's note (``documentation.medical_necessity_documented``); the
coder only reads it. So the coder adds KX to the lines that take the year's amount past the
threshold, and every line after, when the visit's documentation attests medical necessity, and
says why on each line. Without the attestation it leaves KX off and says so: OT-KX-001 then
flags the lines for the biller (document it, or issue an ABN before further care).

The year's amount is counted as the scrubber counts it (otbill.rules.context.walk): the
allowed amounts of the patient's earlier claims in date order, by year and bucket (OT apart
from PT and SLP), from what came before the episode (``prior``) on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from otbill.codesets.modifiers import ASSISTANT_MODIFIER, THERAPY_MODIFIER
from otbill.codesets.modifiers import in_force as modifier_in_force
from otbill.codesets.payers import profile_for
from otbill.codesets.thresholds import Thresholds, bucket, thresholds
from otbill.model import Claim, ClaimLine, Discipline, Episode, Step, Visit
from otbill.sources import CPM_5_10_3_3

ZERO = Decimal("0.00")
MAX_MODIFIERS = 4
_EMPTY: Mapping[str, Decimal] = MappingProxyType({})
# KX goes after the modifiers that say who furnished the service under which plan.
_LEADING = frozenset(THERAPY_MODIFIER.values()) | frozenset(ASSISTANT_MODIFIER.values())


@dataclass(frozen=True, slots=True)
class Bucket:
    """The threshold a claim's lines count toward: its year and discipline's bucket."""

    key: str  # "2022:OT", as the history counts it
    label: str  # "2022 OT"
    figures: Thresholds
    threshold: Decimal

    @property
    def threshold_note(self) -> str:
        """A word on how sure the year's figure is, where it is not from CMS or a MAC."""
        t = self.figures
        return "" if t.confidence == "P" else f" (the {t.year} figure: {t.source})"


def bucket_for(day: date, discipline: Discipline) -> Bucket | None:
    """None for a year otbill has no threshold for (never a guess)."""
    t = thresholds(day.year)
    if t is None:
        return None
    b = bucket(discipline)
    return Bucket(f"{day.year}:{b}", f"{day.year} {b}", t, t.kx(discipline))


def running_amounts(before: Decimal, lines: Sequence[ClaimLine]) -> list[Decimal | None]:
    """The year's amount after each line; None from the first line no fee schedule priced."""
    out: list[Decimal | None] = []
    total: Decimal | None = before
    for ln in lines:
        total = None if total is None or ln.allowed is None else total + ln.allowed
        out.append(total)
    return out


def past_threshold(threshold: Decimal, running: Sequence[Decimal | None]) -> list[int]:
    """The line that takes the year past the threshold, and every priced line after it."""
    return [i for i, r in enumerate(running) if r is not None and r > threshold]


def attested_by(episode: Episode, visit: Visit) -> str | None:
    """Who attests medical necessity, per the document: the author of the visit's note (its
    rendering provider) when the note documents it; None when it does not."""
    if not visit.documentation.medical_necessity_documented:
        return None
    who = episode.providers.get(visit.rendering_npi)
    return f"in the note of {who.name if who else visit.rendering_npi}, the rendering provider"


def apply_kx(
    episode: Episode,
    claims: Sequence[Claim],
    prior: Mapping[str, Decimal] | None = None,
    keep: Set[str] = frozenset(),
) -> tuple[Claim, ...]:
    """The claims with KX where the threshold and the documentation call for it, each such line
    saying why; in their order. ``prior``: the year's amounts before the episode, by "YEAR:BUCKET"
    (History.therapy_ytd). Claims in ``keep`` (sent already) are left as they are, but count."""
    ytd = dict(prior or _EMPTY)
    visits = {v.id: v for v in episode.visits}
    out = list(claims)
    # Date order, as the scrubber walks them; equal dates keep their order.
    for n in sorted(range(len(out)), key=lambda k: out[k].date_of_service):
        claim = out[n]
        plan = episode.plan(claim.plan_of_care_id)
        if plan is None:
            continue
        b = bucket_for(claim.date_of_service, plan.discipline)
        if b is not None and claim.id not in keep:
            out[n] = _with_kx(claim, b, ytd.get(b.key, ZERO), episode, visits)
        key = f"{claim.date_of_service.year}:{bucket(plan.discipline)}"
        ytd[key] = ytd.get(key, ZERO) + sum((ln.allowed or ZERO for ln in claim.lines), ZERO)
    return tuple(out)


def _with_kx(
    claim: Claim, b: Bucket, before: Decimal, episode: Episode, visits: Mapping[str, Visit]
) -> Claim:
    payer = episode.payers.get(claim.payer_id)
    if payer is None or not profile_for(payer).kx_applies:
        return claim
    if not modifier_in_force("KX", claim.date_of_service):
        return claim
    running = running_amounts(before, claim.lines)
    needed = past_threshold(b.threshold, running)
    if not needed:
        return claim
    visit = visits.get(claim.visit_ids[0])
    who = attested_by(episode, visit) if visit is not None else None
    vid = visit.id if visit is not None else claim.visit_ids[0]
    lines = list(claim.lines)
    for i in needed:
        ln = lines[i]
        if "KX" in ln.modifiers:
            continue  # the document asked for it; the scrubber judges it
        reached = (
            f"the {b.label} amount reaches ${running[i]:,.2f}, past the ${b.threshold:,.2f} "
            f"threshold ({b.figures.year}){b.threshold_note}"
        )
        if who is None:
            text = (
                f"No KX: {reached}, but visit {vid}'s documentation does not attest medical "
                "necessity, so the line goes without it (OT-KX-001): document why skilled "
                "therapy remains necessary, or issue an ABN before further care."
            )
            lines[i] = replace(ln, explanation=(*ln.explanation, Step(text, CPM_5_10_3_3)))
            continue
        if len(ln.modifiers) >= MAX_MODIFIERS:
            text = f"No KX: {reached}, but the line already carries {MAX_MODIFIERS} modifiers."
            lines[i] = replace(ln, explanation=(*ln.explanation, Step(text, CPM_5_10_3_3)))
            continue
        lead = tuple(m for m in ln.modifiers if m in _LEADING)
        rest = tuple(m for m in ln.modifiers if m not in _LEADING)
        text = f"KX: {reached}, and visit {vid}'s documentation attests medical necessity ({who})."
        lines[i] = replace(
            ln,
            modifiers=(*lead, "KX", *rest),
            explanation=(*ln.explanation, Step(text, CPM_5_10_3_3)),
        )
    return replace(claim, lines=tuple(lines))
