"""Demographics, providers and workers' compensation facts a payer needs on every claim."""

from __future__ import annotations

import re
from collections.abc import Iterator

from otbill.model import PayerKind, Relationship, npi_problem
from otbill.rules.context import ClaimContext
from otbill.rules.model import Category, Hit, Severity
from otbill.rules.registry import rule
from otbill.sources import (
    MBI_FORMAT,
    MBPM_15_230_4,
    NPI_CHECK_DIGIT,
    WC_BILLING,
    X12_837P_PROVIDERS,
    X12_837P_SUBSCRIBER,
)

# MBI: 11 characters; positions 2, 5, 8, 9 letters, never S L O I B Z; 1 is 1-9.
_L = "AC-HJKMNP-RT-Y"
MBI = re.compile(rf"^[1-9][{_L}][{_L}0-9][0-9][{_L}][{_L}0-9][0-9][{_L}]{{2}}[0-9]{{2}}$")


@rule(
    "OT-DEMO-001",
    Category.DEMOGRAPHICS,
    Severity.ERROR,
    "Medicare member id is not an MBI",
    checks="The member id sent to Medicare has the Medicare Beneficiary Identifier format: 11 "
    "characters, no dashes, letters never S, L, O, I, B or Z.",
    why="Since 2020 Medicare rejects claims with the old SSN-based HICN or a malformed MBI.",
    example="'123-45-6789A' (an old HICN) or '1EG4-TE5-MK73' (dashes).",
    fix="Copy the MBI from the patient's Medicare card (or the MAC's lookup tool), without dashes.",
    source=MBI_FORMAT,
)
def mbi(ctx: ClaimContext) -> Iterator[Hit]:
    if ctx.profile.mbi_member_id and not MBI.match(ctx.claim.member_id):
        yield Hit(f"Member id {ctx.claim.member_id!r} is not in MBI format.")


@rule(
    "OT-DEMO-002",
    Category.DEMOGRAPHICS,
    Severity.ERROR,
    "Patient birth date missing",
    checks="The patient's birth date is on file (and the subscriber's, when another person).",
    why="Payers match the member by birth date (837P DMG02); claims without it are rejected.",
    example="A patient record with no date of birth.",
    fix="Enter the birth date from the insurance card or intake form.",
    source=X12_837P_SUBSCRIBER,
)
def birth_date(ctx: ClaimContext) -> Iterator[Hit]:
    if ctx.episode.patient.birth_date is None:
        yield Hit(f"Patient {ctx.episode.patient.id} has no birth date.")
    for c in ctx.episode.coverages:
        if c.payer_id == ctx.payer.id and c.subscriber and c.subscriber.birth_date is None:
            yield Hit(
                f"Subscriber {c.subscriber.first_name} {c.subscriber.last_name} has no birth date."
            )


@rule(
    "OT-DEMO-003",
    Category.DEMOGRAPHICS,
    Severity.ERROR,
    "Subscriber relationship inconsistent",
    checks="'Self' has no separate subscriber; Medicare beneficiaries are always their own "
    "subscriber; 'employee' is for workers' compensation.",
    why="A relationship that contradicts the subscriber data sends the claim to the wrong member "
    "record and it is rejected.",
    example="Medicare coverage with relationship 'spouse'.",
    fix="Correct the relationship, or the subscriber, from the insurance card.",
    source=X12_837P_SUBSCRIBER,
)
def relationship(ctx: ClaimContext) -> Iterator[Hit]:
    for c in ctx.episode.coverages:
        if c.payer_id != ctx.payer.id:
            continue
        if c.relationship is Relationship.SELF and c.subscriber is not None:
            p = ctx.episode.patient
            if (c.subscriber.first_name, c.subscriber.last_name) != (p.first_name, p.last_name):
                yield Hit(
                    f"Relationship is self but the subscriber is "
                    f"{c.subscriber.first_name} {c.subscriber.last_name}."
                )
        if ctx.payer.kind is PayerKind.MEDICARE and c.relationship is not Relationship.SELF:
            yield Hit(
                f"Medicare coverage with relationship {c.relationship}; a beneficiary is "
                "always the subscriber."
            )
        if c.relationship is Relationship.EMPLOYEE and ctx.payer.kind is not PayerKind.WORKERS_COMP:
            yield Hit(f"Relationship 'employee' on {ctx.payer.kind} coverage.")


@rule(
    "OT-PROV-001",
    Category.PROVIDER,
    Severity.ERROR,
    "Invalid NPI",
    checks="Billing, rendering, referring and supervising NPIs are 10 digits with a valid Luhn "
    "check digit (prefix 80840).",
    why="An invalid NPI is rejected at the clearinghouse.",
    example="1234567890 (the check digit should be 3).",
    fix="Look the provider up in NPPES and correct the NPI.",
    source=NPI_CHECK_DIGIT,
)
def npis(ctx: ClaimContext) -> Iterator[Hit]:
    c = ctx.claim
    for role, npi in (
        ("billing", c.billing_npi),
        ("rendering", c.rendering_npi),
        ("referring", c.referring_npi),
        ("supervising", c.supervising_npi),
    ):
        if npi is not None and (problem := npi_problem(npi)):
            yield Hit(f"{role.capitalize()} NPI: {problem}.")


@rule(
    "OT-PROV-002",
    Category.PROVIDER,
    Severity.ERROR,
    "Taxonomy missing",
    checks="The billing provider and the rendering provider have a taxonomy code.",
    why="Medicare and most payers need the taxonomy (837P PRV) to price and route the claim; "
    "claims without it are rejected.",
    example="Rendering OT with no taxonomy (225X00000X).",
    fix="Add the provider's NUCC taxonomy as enrolled with the payer.",
    source=X12_837P_PROVIDERS,
)
def taxonomy(ctx: ClaimContext) -> Iterator[Hit]:
    if not ctx.episode.practice.taxonomy:
        yield Hit(f"The billing provider {ctx.episode.practice.name} has no taxonomy.")
    prov = ctx.episode.providers.get(ctx.claim.rendering_npi)
    if prov is not None and not prov.taxonomy:
        yield Hit(f"The rendering provider {prov.name} has no taxonomy.")


@rule(
    "OT-PROV-003",
    Category.PROVIDER,
    Severity.ERROR,
    "An assistant as the rendering provider",
    checks="The rendering provider is a therapist, not an OTA or PTA.",
    why="Assistants are not enrolled to bill Medicare; their services are billed under the "
    "supervising therapist of the private practice with CO/CQ.",
    example="An OTA's NPI as rendering provider.",
    fix="Bill under the supervising OT's NPI, with CO on the assistant's units.",
    source=MBPM_15_230_4,
)
def assistant_rendering(ctx: ClaimContext) -> Iterator[Hit]:
    prov = ctx.episode.providers.get(ctx.claim.rendering_npi)
    if prov is not None and prov.credential.is_assistant:
        yield Hit(f"The rendering provider {prov.name} is an assistant.")


@rule(
    "OT-WC-001",
    Category.WORKERS_COMP,
    Severity.ERROR,
    "Workers' compensation claim facts missing",
    checks="A workers' compensation claim carries the carrier's claim number, the date of injury "
    "and the employer.",
    why="Carriers match bills to the injury claim by these; without them the bill is returned.",
    example="A workers' compensation bill with no date of injury.",
    fix="Get the claim number, date of injury and employer from the adjuster or the first report "
    "of injury.",
    source=WC_BILLING,
)
def workers_comp(ctx: ClaimContext) -> Iterator[Hit]:
    if ctx.payer.kind is not PayerKind.WORKERS_COMP:
        return
    cov = next((c for c in ctx.episode.coverages if c.payer_id == ctx.payer.id), None)
    injury = cov.injury if cov else None
    missing = []
    if injury is None or not injury.claim_number.strip():
        missing.append("claim number")
    if injury is None or injury.date_of_injury is None:
        missing.append("date of injury")
    if injury is None or not injury.employer.strip():
        missing.append("employer")
    if missing:
        yield Hit(f"Workers' compensation claim without {', '.join(missing)}.")
