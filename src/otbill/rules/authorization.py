"""Authorizations and visit limits: what the payer agreed to pay for, and how much is left."""

from __future__ import annotations

from collections.abc import Iterator

from otbill.rules.context import ClaimContext
from otbill.rules.model import Category, Hit, Severity
from otbill.rules.registry import rule
from otbill.sources import PAYER_POLICY


@rule(
    "OT-AUTH-001",
    Category.AUTHORIZATION,
    Severity.ERROR,
    "No authorization covers the date",
    checks="For a payer that requires prior authorization, an authorization of that payer covers "
    "the date of service (and the discipline, where it names one).",
    why="Services without authorization are denied (CARC 197) and usually cannot be billed to "
    "the patient.",
    example="Workers' compensation visit on 4/10; the authorization ran 2/9 to 4/6.",
    fix="Request an authorization (or an extension) from the payer before the visit; for past "
    "visits ask for a retro-authorization.",
    source=PAYER_POLICY,
)
def auth_missing(ctx: ClaimContext) -> Iterator[Hit]:
    if not ctx.profile.authorization_required:
        return
    auth = ctx.authorization()
    if auth is None:
        named = ctx.claim.authorization_number
        yield Hit(
            f"Authorization {named} is not on file for {ctx.payer.name}."
            if named
            else f"No {ctx.payer.name} authorization covers {ctx.day}."
        )
    elif not auth.covers(ctx.day):
        yield Hit(f"Authorization {auth.number} runs {auth.period}; {ctx.day} is outside it.")
    elif auth.discipline is not None and ctx.discipline not in (None, auth.discipline):
        yield Hit(f"Authorization {auth.number} is for {auth.discipline}, not {ctx.discipline}.")


@rule(
    "OT-AUTH-002",
    Category.AUTHORIZATION,
    Severity.ERROR,
    "Authorized visits or units used up",
    checks="Visits and units billed under the authorization, this claim included, against the "
    "visits and units it allows (per code where it says so).",
    why="Care beyond the authorized visits or units is denied (CARC 198).",
    example="Authorization for 12 visits; this is the 13th.",
    fix="Ask the payer for more visits before further care; hold this claim until they are "
    "authorized.",
    source=PAYER_POLICY,
)
def auth_exhausted(ctx: ClaimContext) -> Iterator[Hit]:
    auth = ctx.authorization()
    if auth is None or not auth.covers(ctx.day):
        return
    h = ctx.history
    visits = h.auth_visits.get(auth.number, 0) + 1
    if auth.visits_allowed is not None and visits > auth.visits_allowed:
        yield Hit(
            f"Visit {visits} under authorization {auth.number}, which allows {auth.visits_allowed}."
        )
    units = h.auth_units.get(auth.number, 0) + sum(ln.units for ln in ctx.claim.lines)
    if auth.units_allowed is not None and units > auth.units_allowed:
        yield Hit(
            f"{units} units under authorization {auth.number}, which allows {auth.units_allowed}."
        )
    for code, allowed in auth.units_by_code.items():
        used = h.auth_units_by_code.get((auth.number, code), 0)
        here = [(i, ln.units) for i, ln in enumerate(ctx.claim.lines) if ln.code == code]
        if here and used + sum(u for _, u in here) > allowed:
            yield Hit(
                f"{code}: {used + sum(u for _, u in here)} units under authorization "
                f"{auth.number}, which allows {allowed}.",
                here[0][0],
            )


@rule(
    "OT-AUTH-003",
    Category.AUTHORIZATION,
    Severity.ERROR,
    "Authorization number missing from the claim",
    checks="A claim covered by an authorization on file carries its number (837P REF*G1, "
    "CMS-1500 item 23).",
    why="Payers match the claim to the authorization by its number; without it the claim is "
    "denied as unauthorized even when the authorization exists.",
    example="An authorized workers' compensation visit with item 23 blank.",
    fix="Put the authorization number on the claim.",
    source=PAYER_POLICY,
)
def auth_number(ctx: ClaimContext) -> Iterator[Hit]:
    if ctx.claim.authorization_number:
        return
    auth = ctx.authorization()
    if auth is not None:
        yield Hit(f"Authorization {auth.number} covers {ctx.day} but the claim does not carry it.")


@rule(
    "OT-AUTH-004",
    Category.AUTHORIZATION,
    Severity.ERROR,
    "Yearly visit limit reached",
    checks="Visits billed to the payer this calendar year, this one included, against the plan's "
    "visit limit in the payer profile.",
    why="Visits past the plan's benefit limit are denied (CARC 119) and are the patient's to pay "
    "only with notice.",
    example="A commercial plan with 20 therapy visits a year; this is visit 21.",
    fix="Tell the patient before the visit (and get their agreement to pay), or ask the plan for "
    "a medical-necessity exception.",
    source=PAYER_POLICY,
)
def visit_limit(ctx: ClaimContext) -> Iterator[Hit]:
    limit = ctx.profile.visit_limit_per_year
    if limit is not None and ctx.history.visits_this_year + 1 > limit:
        yield Hit(
            f"Visit {ctx.history.visits_this_year + 1} this year; {ctx.payer.name} covers {limit}."
        )
