"""From a documented visit to claim lines: units, modifiers, pointers, charges, expected payment.

One claim per visit (patient, payer and date of service). The stage is pure: the episode and
the code sets in, a Claim out, with every decision explained.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache

from otbill.codesets import CodeSets, default_codesets, hcpcs
from otbill.codesets.modifiers import (
    ASSISTANT_MODIFIER,
    DISTINCT_MODIFIERS,
    THERAPY_MODIFIER,
)
from otbill.codesets.modifiers import in_force as modifier_in_force
from otbill.codesets.payers import profile_for
from otbill.coding.assistant import AssistantSplit, split_timed, split_untimed
from otbill.coding.kx import apply_kx
from otbill.coding.units import TimedEntry, UnitResult, UntimedEntry, compute_units
from otbill.errors import InputError
from otbill.model import (
    Claim,
    ClaimLine,
    Discipline,
    Episode,
    PayerKind,
    PayerProfile,
    PlanOfCare,
    Service,
    Step,
    UnitMethod,
    Visit,
)
from otbill.pricing.medicare import PricingLine, price_day
from otbill.sources import CPM_5_20_1, X12_837P_POINTERS

MAX_DIAGNOSES = 12
MAX_POINTERS = 4
MAX_MODIFIERS = 4
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class _Draft:
    service: Service
    units: int
    modifiers: tuple[str, ...]
    timed: bool
    assistant: bool
    steps: tuple[Step, ...]


def code_episode(
    episode: Episode,
    codesets: CodeSets | None = None,
    *,
    prior: Mapping[str, Decimal] | None = None,
    kx: bool = True,
) -> tuple[Claim, ...]:
    """A claim per visit, with KX where the year's therapy amount (from ``prior``, the amounts
    before the episode by "YEAR:BUCKET") passes the threshold and the visit's documentation
    attests medical necessity (otbill.coding.kx). ``kx=False`` leaves KX to the caller, for a
    caller that swaps in claims already sent before counting the year (the ledger)."""
    cs = codesets or default_codesets()
    claims = tuple(code_visit(episode, v, cs) for v in episode.visits)
    return apply_kx(episode, claims, prior) if kx else claims


def code_visit(episode: Episode, visit: Visit, codesets: CodeSets | None = None) -> Claim:
    cs = codesets or default_codesets()
    steps: list[Step] = []
    coverage = episode.coverage_on(visit.date) or min(episode.coverages, key=lambda c: c.priority)
    if not coverage.active_on(visit.date):
        steps.append(Step(f"No coverage is active on {visit.date}; billing {coverage.payer_id}."))
    payer = episode.payers[coverage.payer_id]
    plan = episode.plan_for(visit)
    discipline = _discipline(episode, visit, plan, steps)
    profile = profile_for(payer)
    method = profile.unit_method
    steps.append(Step(f"{payer.name} ({payer.kind}) units by the {method.upper()} method."))

    result = visit_units(visit, method)
    steps.extend(result.explanation)

    drafts = _drafts(visit, result, discipline, profile)
    mod = THERAPY_MODIFIER[discipline.value]
    if profile.therapy_modifiers:
        steps.append(
            Step(
                f"{mod} on every line: each service is furnished under the {discipline} plan "
                "of care.",
                CPM_5_20_1,
            )
        )
    else:
        steps.append(Step(f"{payer.name} takes no therapy modifiers (its payer profile)."))
    diagnoses, pointer_steps = _diagnoses(visit, plan.diagnoses if plan else ())
    steps.extend(pointer_steps)

    default_dx = (visit.diagnoses or (plan.diagnoses if plan else ()))[:MAX_POINTERS]
    lines = [_line(d, visit, diagnoses, default_dx, episode) for d in drafts]
    lines, price_steps = _price(lines, drafts, episode, payer.kind, visit.date, cs)
    steps.extend(price_steps)
    return Claim(
        id=visit.id,
        visit_ids=(visit.id,),
        patient_id=episode.patient.id,
        payer_id=payer.id,
        member_id=coverage.member_id,
        date_of_service=visit.date,
        place_of_service=visit.place_of_service,
        billing_npi=episode.practice.npi,
        rendering_npi=visit.rendering_npi,
        diagnoses=diagnoses,
        lines=tuple(lines),
        referring_npi=plan.certifying_npi if plan else None,
        supervising_npi=visit.supervising_npi,
        plan_of_care_id=plan.id if plan else None,
        authorization_number=visit.authorization_number,
        explanation=tuple(steps),
    )


def _discipline(
    episode: Episode, visit: Visit, plan: PlanOfCare | None, steps: list[Step]
) -> Discipline:
    if plan is not None:
        steps.append(Step(f"Plan of care {plan.id} ({plan.discipline}, from {plan.start_date})."))
        return plan.discipline
    provider = episode.providers.get(visit.rendering_npi)
    d = provider.credential.discipline if provider else None
    if d is None:
        raise InputError(
            f"visit {visit.id}", "no plan of care and the rendering provider is not a therapist"
        )
    steps.append(Step(f"No plan of care found; discipline {d} taken from the rendering provider."))
    return d


@lru_cache(maxsize=4096)
def visit_units(visit: Visit, method: UnitMethod) -> UnitResult:
    """The units the visit's documented minutes support under ``method``. Cached: the coder
    and the scrubber's unit rules both ask, and the answer is immutable."""
    timed, untimed = _split_services(visit.services, visit.date)
    return compute_units(method, timed, untimed)


def assistant_units_by_code(
    visit: Visit, result: UnitResult, discipline: Discipline
) -> dict[str, int]:
    """Of each code's units, how many the assistant furnished in part (ignoring payer and date)."""
    mod = ASSISTANT_MODIFIER.get(discipline.value)
    out: dict[str, int] = {}
    if mod is None:
        return out
    for line in result.lines:
        services = [s for s in visit.services if s.code == line.code]
        therapist = sum(s.minutes_therapist for s in services)
        assistant = sum(s.minutes_assistant for s in services)
        fn = split_timed if line.timed else split_untimed
        out[line.code] = (
            out.get(line.code, 0)
            + fn(line.code, line.units, therapist, assistant, mod).assistant_units
        )
    return out


def _split_services(
    services: Sequence[Service], day: date
) -> tuple[list[TimedEntry], list[UntimedEntry]]:
    timed: dict[str, int] = {}
    untimed: list[UntimedEntry] = []
    for s in services:
        tc = hcpcs.lookup(s.code)
        if tc is not None and tc.timed:
            timed[s.code] = timed.get(s.code, 0) + s.minutes
        else:
            untimed.append(UntimedEntry(s.code, s.minutes or None, s.units or 1))
    return [TimedEntry(c, m) for c, m in timed.items()], untimed


def _drafts(
    visit: Visit, result: UnitResult, discipline: Discipline, profile: PayerProfile
) -> list[_Draft]:
    by_code: dict[str, list[Service]] = {}
    for s in visit.services:
        by_code.setdefault(s.code, []).append(s)
    therapy_mod = THERAPY_MODIFIER[discipline.value]
    assistant_mod = ASSISTANT_MODIFIER.get(discipline.value)
    use_assistant_mod = (
        assistant_mod is not None
        and profile.assistant_modifiers
        and modifier_in_force(assistant_mod, visit.date)
    )
    timed_lines = {ln.code: ln for ln in result.lines if ln.timed}
    untimed_lines = iter([ln for ln in result.lines if not ln.timed])
    drafts: list[_Draft] = []
    done: set[str] = set()
    # Lines follow the order the services were documented in; a timed code documented twice
    # is one line with its minutes added (the unit methods count minutes per code).
    for service in visit.services:
        if service.code in timed_lines:
            if service.code in done:
                continue
            done.add(service.code)
            line = timed_lines[service.code]
            services = by_code[service.code]
            therapist = sum(s.minutes_therapist for s in services)
            assistant = sum(s.minutes_assistant for s in services)
        else:
            line = next(untimed_lines)
            therapist, assistant = service.minutes_therapist, service.minutes_assistant
        if line.units == 0:
            continue
        is_gcode = line.code in hcpcs.functional_gcodes()
        split = AssistantSplit(line.units, 0, ())
        if assistant and assistant_mod and use_assistant_mod and not is_gcode:
            fn = split_timed if line.timed else split_untimed
            split = fn(line.code, line.units, therapist, assistant, assistant_mod)
        extra = tuple(m for m in service.modifiers if m not in (therapy_mod, assistant_mod))
        base = (therapy_mod,) if profile.therapy_modifiers else ()
        steps: tuple[Step, ...] = ()
        if assistant and assistant_mod and not use_assistant_mod and not is_gcode:
            steps += (
                Step(
                    f"{line.code}: assistant time recorded, but {assistant_mod} is not used "
                    f"for this payer or date of service."
                ),
            )
        if assistant and assistant_mod is None:
            steps += (Step(f"{line.code}: no assistant modifier exists for {discipline}."),)
        steps += split.steps
        plain = line.units - split.assistant_units
        if plain:
            drafts.append(_Draft(service, plain, base + extra, line.timed, False, steps))
        if split.assistant_units:
            mods = (*base, assistant_mod or "", *extra)
            drafts.append(_Draft(service, split.assistant_units, mods, line.timed, True, steps))
    return drafts


def _diagnoses(visit: Visit, plan_dx: tuple[str, ...]) -> tuple[tuple[str, ...], list[Step]]:
    dx = list(visit.diagnoses or plan_dx)
    steps = []
    if not visit.diagnoses and plan_dx:
        steps.append(Step("The visit lists no diagnoses; the plan of care's are used."))
    for s in visit.services:
        for d in s.diagnoses:
            if d not in dx:
                dx.append(d)
    if len(dx) > MAX_DIAGNOSES:
        steps.append(
            Step(
                f"{len(dx)} diagnoses; a professional claim carries {MAX_DIAGNOSES}: the first "
                f"{MAX_DIAGNOSES} are kept.",
                X12_837P_POINTERS,
            )
        )
        dx = dx[:MAX_DIAGNOSES]
    return tuple(dx), steps


def _line(
    draft: _Draft,
    visit: Visit,
    diagnoses: tuple[str, ...],
    default_dx: tuple[str, ...],
    episode: Episode,
) -> ClaimLine:
    s = draft.service
    wanted = s.diagnoses or default_dx
    pointers = tuple(diagnoses.index(d) + 1 for d in wanted if d in diagnoses)[:MAX_POINTERS]
    mods = draft.modifiers[:MAX_MODIFIERS]
    if draft.service.code in hcpcs.functional_gcodes():
        charge = ZERO  # nonpayable G-codes: a zero charge is accepted on professional claims
    else:
        try:
            charge = (episode.practice.charges[s.code] * draft.units).quantize(Decimal("0.01"))
        except KeyError:
            raise InputError("practice.charges", f"no charge for {s.code}") from None
    steps = draft.steps
    if set(mods) & DISTINCT_MODIFIERS and s.distinct_reason:
        steps += (Step(f"{s.code}: distinct service: {s.distinct_reason}."),)
    return ClaimLine(
        code=s.code,
        units=draft.units,
        modifiers=mods,
        charge=charge,
        diagnosis_pointers=pointers,
        date=visit.date,
        minutes=s.minutes,
        timed=draft.timed,
        explanation=steps,
    )


def _price(
    lines: list[ClaimLine],
    drafts: list[_Draft],
    episode: Episode,
    kind: PayerKind,
    day: date,
    cs: CodeSets,
) -> tuple[list[ClaimLine], list[Step]]:
    if kind is not PayerKind.MEDICARE:
        return lines, []
    fs = cs.fee_schedule_for(day)
    if fs is None:
        years = ", ".join(map(str, cs.fee_schedule_years())) or "none"
        return lines, [
            Step(
                f"No CY{day.year} Medicare fee schedule is loaded (loaded: {years}), so no "
                "expected payment: load the CMS PPRRVU file for the year."
            )
        ]
    priced, steps = price_day(
        [PricingLine(ln.code, ln.units, d.assistant) for ln, d in zip(lines, drafts, strict=True)],
        fs,
        day,
        episode.practice.pfs_locality,
    )
    out = [
        ln if p is None else _replace(ln, p.allowed, p.payment)
        for ln, p in zip(lines, priced, strict=True)
    ]
    return out, steps


def _replace(line: ClaimLine, allowed: Decimal, payment: Decimal) -> ClaimLine:
    return replace(line, allowed=allowed, expected_payment=payment)
