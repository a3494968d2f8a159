"""Plan of care: service within a certified plan, certified in time by someone who may certify."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from otbill.rules.context import ClaimContext, FirstTreatment
from otbill.rules.model import Category, Hit, Severity
from otbill.rules.registry import rule
from otbill.sources import MBPM_15_220_1_1, MBPM_15_220_1_2, MBPM_15_220_1_3

# The first treatment: the plan's first_treatment_date if the document records one; else the
# first treatment day of the plan the record holds, when it reaches back to the plan's start or
# is its initial evaluation; else (a visit document, an episode starting mid-plan) the plan's
# start. Every finding says which and why (rules.context.first_treatment).
FIRST_TREATMENT = (
    " The first treatment is the plan's recorded first treatment date; else the first the "
    "record holds under the plan when it reaches back to the plan's start or is its initial "
    "evaluation; else (a visit document, an episode that starts mid-plan) the plan's start."
)
CERTIFY_WITHIN = timedelta(days=30)  # of the first treatment (evaluation included)
VERBAL_SIGNED_WITHIN = timedelta(days=14)
MAX_CERT_DAYS = 90  # calendar days from the initial treatment


def _first_treatment(ctx: ClaimContext) -> FirstTreatment:
    ft = ctx.first_treatment
    assert ft is not None, "a claim with a plan of care has a first treatment"
    return ft


@rule(
    "OT-POC-001",
    Category.PLAN_OF_CARE,
    Severity.ERROR,
    "Service before any plan of care",
    checks="The date of service falls on or after the start of a plan of care.",
    why="'The plan ... must be established before treatment is begun'; payment for services "
    "before a plan is established may be denied.",
    example="A treatment visit on 3/1 with the plan of care starting 3/4.",
    fix="Bill only services on or after the plan's start; if the evaluation established the plan, "
    "date the plan on the evaluation day.",
    source=MBPM_15_220_1_2,
)
def before_plan(ctx: ClaimContext) -> Iterator[Hit]:
    if ctx.plan is None:
        yield Hit(f"No plan of care covers {ctx.day}.")
    elif ctx.day < ctx.plan.start_date:
        yield Hit(f"{ctx.day} is before plan {ctx.plan.id} starts ({ctx.plan.start_date}).")


@rule(
    "OT-POC-002",
    Category.PLAN_OF_CARE,
    Severity.ERROR,
    "Service after the certified period",
    checks="The date of service is within the period the certifier signed for (through the "
    "plan's certified-through date).",
    why="Services past the certified period are not covered until the plan is recertified.",
    example="Plan certified through 5/29; visit on 6/2 without a recertification.",
    fix="Get the plan recertified (signed and dated) before billing services past the period.",
    source=MBPM_15_220_1_3,
)
def after_certified(ctx: ClaimContext) -> Iterator[Hit]:
    if not ctx.profile.certification or ctx.plan is None or ctx.plan.certified_through is None:
        return
    if ctx.day > ctx.plan.certified_through:
        yield Hit(
            f"{ctx.day} is after plan {ctx.plan.id}'s certified period, which ends "
            f"{ctx.plan.certified_through}."
        )


@rule(
    "OT-POC-003",
    Category.PLAN_OF_CARE,
    Severity.ERROR,
    "Initial certification late or missing",
    checks="The physician/NPP signed the plan within 30 days of the first treatment (the "
    "evaluation included); a verbal order is signed within 14 days." + FIRST_TREATMENT,
    why="Certification is a condition of payment; it is timely when dated within 30 days of the "
    "first treatment. A delayed certification needs the certifier's reason for the delay.",
    example="First treatment 3/2; plan signed 4/10 (39 days). Or a visit document of 4/20 "
    "under a plan started 3/2 and never signed: 49 days from the plan's start.",
    fix="Obtain the signature; if late, have the certifier sign with a dated reason for the delay "
    "(MBPM ch.15 §220.1.3.D).",
    source=MBPM_15_220_1_3,
)
def certification_late(ctx: ClaimContext) -> Iterator[Hit]:
    if not ctx.profile.certification or ctx.plan is None:
        return
    plan, ft = ctx.plan, _first_treatment(ctx)
    first = ft.day
    if plan.verbal_order_date is not None:
        if plan.signed_date is None and ctx.as_of > plan.verbal_order_date + VERBAL_SIGNED_WITHIN:
            yield Hit(f"Verbal order of {plan.verbal_order_date} not signed within 14 days.")
            return
        if plan.signed_date and plan.signed_date > plan.verbal_order_date + VERBAL_SIGNED_WITHIN:
            yield Hit(
                f"Verbal order of {plan.verbal_order_date} signed {plan.signed_date}, "
                "more than 14 days later."
            )
            return
    if plan.signed_date is None:
        if ctx.as_of > first + CERTIFY_WITHIN and plan.verbal_order_date is None:
            yield Hit(
                f"Plan {plan.id} is not certified, {(ctx.as_of - first).days} days after "
                f"the first treatment ({ft})."
            )
    elif plan.signed_date > first + CERTIFY_WITHIN and plan.verbal_order_date is None:
        yield Hit(
            f"Plan {plan.id} was certified {plan.signed_date}, "
            f"{(plan.signed_date - first).days} days after the first treatment ({ft})."
        )


@rule(
    "OT-POC-004",
    Category.PLAN_OF_CARE,
    Severity.ERROR,
    "Recertification due: 90 days from the first treatment",
    checks="The date of service is within 90 calendar days of the first treatment under the "
    "plan; past that a recertification is required." + FIRST_TREATMENT,
    why="A certification covers the plan's duration or 90 days from the initial treatment, "
    "whichever is less; later services need a recertification.",
    example="First treatment 1/6; visit on 4/8 (92 days) with no new certification.",
    fix="Have the physician/NPP recertify the plan (a new plan of care record) and bill under it.",
    source=MBPM_15_220_1_3,
)
def recert_due(ctx: ClaimContext) -> Iterator[Hit]:
    if not ctx.profile.certification or ctx.plan is None:
        return
    ft = _first_treatment(ctx)
    days = (ctx.day - ft.day).days
    if days >= MAX_CERT_DAYS:
        yield Hit(
            f"{ctx.day} is {days} days after the first treatment under plan "
            f"{ctx.plan.id} ({ft}); a certification covers at most 90."
        )


@rule(
    "OT-POC-005",
    Category.PLAN_OF_CARE,
    Severity.ERROR,
    "Certifier may not certify",
    checks="The plan's certifying provider is a physician or non-physician practitioner (MD, DO, "
    "NP, PA).",
    why="Only a physician/NPP certifies an outpatient therapy plan for Medicare; therapists "
    "establish plans but cannot certify them, and chiropractors may not.",
    example="A plan 'certified' by the treating OT.",
    fix="Send the plan to the referring physician or NPP for a dated signature.",
    source=MBPM_15_220_1_1,
)
def certifier(ctx: ClaimContext) -> Iterator[Hit]:
    if not ctx.profile.certification or ctx.plan is None:
        return
    npi = ctx.plan.certifying_npi
    if npi is None:
        yield Hit(f"Plan {ctx.plan.id} names no certifying physician or NPP.")
        return
    prov = ctx.episode.providers.get(npi)
    if prov is None or not prov.credential.is_physician_or_npp:
        who = f"{prov.name}" if prov else npi
        yield Hit(f"Plan {ctx.plan.id} is certified by {who}, who may not certify.")
