"""An appeal (or a Part B reopening request) written from the claim's own record.

A Medicare redetermination request must name the beneficiary, the Medicare number, the
services and their dates, and the party or representative, and be signed (42 CFR 405.944(b));
a request missing one is dismissed (405.952), so ``build_letter`` refuses to write one without
them. The argument is the record itself: the plan of care and its certification, the progress
reports, the minutes of each code and the unit rule applied, the KX attestation, what the
scrubber found before the claim went out; then the documents to enclose for the root cause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from otbill.codesets._csv import data_rows
from otbill.denials.causes import CATEGORIES
from otbill.denials.deadlines import Deadline
from otbill.errors import InputError
from otbill.model import Claim, Episode, PlanOfCare, Provider, Visit
from otbill.model.explain import render
from otbill.model.parties import Address
from otbill.sources import CFR_405_944, CFR_405_980, MBPM_15_220_1_3, MBPM_15_220_3_D

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class DeniedLine:
    line_no: int | None
    code: str
    modifiers: tuple[str, ...]
    units: int
    charge: Decimal
    reason: str  # "CO-50"
    remarks: tuple[str, ...]
    meaning: tuple[str, ...]  # the codes in words
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AppealRequest:
    """What the ledger knows of the denial being appealed."""

    kind: str  # appeal, reopening
    level: int
    level_name: str  # redetermination, reconsideration, first-level appeal, reopening
    payer_name: str
    medicare_ffs: bool
    member_id: str
    payer_claim_number: str  # the ICN/CCN
    notice: date  # the remittance's date (the initial determination)
    deadline: Deadline
    category: str
    denied: tuple[DeniedLine, ...]
    findings: tuple[str, ...]  # what the scrubber said when the claim was built, in words
    events: tuple[str, ...]  # the claim's history, in words
    signer: str  # the party's or representative's name (who signs)
    today: date
    reason_text: str = ""  # the biller's own argument, added to the record's


@dataclass(frozen=True)
class Letter:
    title: str
    date: date
    to: tuple[str, ...]
    sender: tuple[str, ...]
    identifiers: tuple[tuple[str, str], ...]  # the 405.944(b) elements and the claim's numbers
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # heading, paragraphs
    enclosures: tuple[str, ...]
    signature: tuple[str, ...]
    due: str
    sources: tuple[str, ...] = field(default_factory=tuple)


def checklist(category: str) -> list[str]:
    """The documents to enclose for a root cause (appeal_checklists.csv), those for every
    appeal first."""
    rows = [(r["category"], r["document"]) for _, r in data_rows("appeal_checklists.csv")]
    return [d for c, d in rows if c == "any"] + [d for c, d in rows if c == category]


def _provider(ep: Episode, npi: str | None) -> Provider | None:
    return ep.providers.get(npi) if npi else None


def _name(p: Provider | None) -> str:
    if p is None:
        return "not on file"
    cred = f", {p.credential.value}" if p.credential else ""
    return f"{p.first_name} {p.last_name}{cred} (NPI {p.npi})"


def _plan_paragraphs(ep: Episode, plan: PlanOfCare | None, visits: Sequence[Visit]) -> list[str]:
    if plan is None:
        return ["No plan of care is on file for the date of service."]
    certifier = _name(_provider(ep, plan.certifying_npi))
    first = min((v.date for v in visits if v.plan_of_care_id == plan.id), default=plan.start_date)
    first = plan.first_treatment_date or first
    out = [
        f"Plan of care {plan.id} ({plan.discipline.value}) was established on {plan.start_date}"
        + (
            f", for {plan.frequency_per_week} visits a week for {plan.duration_weeks} weeks"
            if plan.frequency_per_week and plan.duration_weeks
            else ""
        )
        + (f", treating {', '.join(plan.diagnoses)}" if plan.diagnoses else "")
        + "."
    ]
    if plan.signed_date is not None:
        days = (plan.signed_date - first).days
        timely = "within" if days <= 30 else "after"
        out.append(
            f"It was certified by {certifier}, signed and dated {plan.signed_date}: {days} "
            f"day{'' if days == 1 else 's'} after the first treatment ({first}), {timely} the "
            f"30 days of {MBPM_15_220_1_3}"
            + (f"; certified through {plan.certified_through}." if plan.certified_through else ".")
        )
    elif plan.verbal_order_date is not None:
        out.append(
            f"{certifier} certified it by verbal order on {plan.verbal_order_date} "
            "(the signature follows, MBPM ch.15 §220.1.3)."
        )
    else:
        out.append(f"The plan's certification by {certifier} is not recorded as signed.")
    return out


def _progress(plan: PlanOfCare | None, visits: Sequence[Visit], day: date) -> list[str]:
    mine = sorted(
        (v for v in visits if plan is not None and v.plan_of_care_id == plan.id and v.date <= day),
        key=lambda v: v.date,
    )
    reports = [v.date for v in mine if v.documentation.progress_report]
    since = 0
    for v in reversed(mine):
        if v.documentation.progress_report:
            break
        since += 1
    if not mine:
        return []
    if reports:
        text = (
            f"Progress reports were written on {', '.join(map(str, reports))}; the date of "
            f"service is treatment day {since} since the last"
        )
    else:
        text = f"No progress report yet: the date of service is treatment day {since} of the plan"
    within = f", within the 10 treatment days of {MBPM_15_220_3_D}" if since <= 10 else ""
    return [f"{text}{within}."]


def _visit_paragraphs(ep: Episode, claim: Claim) -> list[str]:
    out = []
    for v in (x for x in ep.visits if x.id in claim.visit_ids):
        services = "; ".join(
            f"{s.code} {s.minutes} minutes"
            + (
                f" ({s.minutes_assistant} by the assistant on their own)"
                if s.minutes_assistant
                else ""
            )
            for s in v.services
        )
        doc = v.documentation
        out.append(
            f"On {v.date} {_name(_provider(ep, v.rendering_npi))} furnished: {services}. Total "
            f"treatment time {doc.total_treatment_minutes or 'not recorded'} minutes; the note "
            f"is {'signed' if doc.note_signed else 'NOT signed'}"
            + ("; it documents medical necessity" if doc.medical_necessity_documented else "")
            + "."
        )
    return out


def _units(claim: Claim, denied: Sequence[DeniedLine]) -> list[str]:
    codes = {d.code for d in denied}
    steps = list(render(claim.explanation))
    for ln in claim.lines:
        if ln.code in codes:
            steps += list(render(ln.explanation))
    return steps


def build_letter(
    req: AppealRequest, claim: Claim, episode: Episode, plan: PlanOfCare | None
) -> Letter:
    """The letter, or an InputError naming each element 405.944(b) requires that is missing."""
    p = episode.patient
    missing = [
        name
        for name, value in (
            ("the beneficiary's name", f"{p.first_name} {p.last_name}".strip()),
            ("the Medicare number (member id)", req.member_id),
            ("the services and dates", "x" if req.denied else ""),
            ("the party's name and signature", req.signer.strip()),
        )
        if not value
    ]
    if missing:
        raise InputError("appeal", "cannot be filed without " + ", ".join(missing))
    pr = episode.practice
    services = "; ".join(
        f"{d.code}{'-' + '-'.join(d.modifiers) if d.modifiers else ''} x{d.units} on "
        f"{claim.date_of_service} ({d.reason}{' ' + ' '.join(d.remarks) if d.remarks else ''}, "
        f"${d.amount:,.2f})"
        for d in req.denied
    )
    at_stake = sum((d.amount for d in req.denied), ZERO)
    identifiers = (
        ("Beneficiary", f"{p.first_name} {p.last_name}"),
        ("Medicare number" if req.medicare_ffs else "Member id", req.member_id),
        ("Date of birth", str(p.birth_date) if p.birth_date else "not on file"),
        ("Claim (ICN)", req.payer_claim_number or "not on file"),
        ("Our claim number", claim.id),
        ("Date of service", str(claim.date_of_service)),
        ("Services appealed", services),
        ("Initial determination", f"remittance dated {req.notice}"),
        ("Amount in dispute", f"${at_stake:,.2f}"),
        ("Provider", f"{pr.name}, NPI {pr.npi}, TIN {pr.tax_id}"),
    )
    cause = CATEGORIES.get(req.category, req.category)
    if req.kind == "reopening":
        title = f"Request to reopen a claim (clerical error) - {req.payer_name}"
        ask = (
            f"We ask {req.payer_name} to reopen claim {req.payer_claim_number or claim.id} and "
            f"correct a clerical error ({cause}): {services}. {CFR_405_980}."
        )
    else:
        title = f"Request for {req.level_name} (level {req.level}) - {req.payer_name}"
        ask = (
            f"We ask for a {req.level_name} of the denial of {services}, and payment of "
            f"${at_stake:,.2f}: the record below shows the services were covered, skilled and "
            "billed as furnished."
        )
    denial = [
        f"{d.reason}{' with ' + ' '.join(d.remarks) if d.remarks else ''} on {d.code}: "
        + "; ".join(d.meaning)
        for d in req.denied
    ]
    visits = [v for v in episode.visits if v.date <= claim.date_of_service]
    record = [
        *_plan_paragraphs(episode, plan, visits),
        *_progress(plan, visits, claim.date_of_service),
        *_visit_paragraphs(episode, claim),
    ]
    sections: list[tuple[str, tuple[str, ...]]] = [
        ("What we ask", (ask,)),
        (f"The denial ({cause})", tuple(denial)),
        ("The record", tuple(record)),
        ("How the services were billed", tuple(_units(claim, req.denied))),
        (
            "Checked before it was sent",
            req.findings
            or ("The claim passed every scrubber rule in force on its date of service.",),
        ),
    ]
    if req.reason_text.strip():
        sections.insert(1, ("Why the denial is wrong", (req.reason_text.strip(),)))
    if req.events:
        sections.append(("The claim's history", req.events))
    due = f"Due {req.deadline.due}: {req.deadline.rule}" if req.deadline.due else req.deadline.rule
    return Letter(
        title,
        req.today,
        (req.payer_name, "Appeals" if req.kind == "appeal" else "Reopenings"),
        (pr.name, *(_lines(pr.address)), f"NPI {pr.npi}  TIN {pr.tax_id}"),
        identifiers,
        tuple(sections),
        tuple(checklist(req.category)),
        (req.signer, f"for {pr.name}", f"Signed {req.today}"),
        due,
        (CFR_405_944.cite, req.deadline.source.cite),
    )


def _lines(a: Address | None) -> list[str]:
    if a is None:
        return []
    return [s for s in (a.line1, a.line2) if s] + [f"{a.city}, {a.state} {a.zip}"]
