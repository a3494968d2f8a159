"""The claim to the next payer, carrying what the earlier payer paid and adjusted.

After the primary's 835, the secondary claim repeats the primary claim's lines and adds the
primary's adjudication: its payment, claim-level adjustments, and each line's payment and
adjustments (837P loops 2320, 2330A/B and 2430). The patient's share left after both follows
from them (the PR adjustments)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from otbill.codesets.payers import FILING
from otbill.model import Claim, Coverage, Episode, OtherPayer, OtherPayerLine
from otbill.model.remittance import ClaimPayment, ServicePayment

RELATIONSHIP = {"self": "18", "spouse": "01", "child": "19", "employee": "20", "other": "G8"}


def _match(line_no: int, claim: Claim, services: list[ServicePayment]) -> ServicePayment | None:
    """The payer's line for claim line ``line_no``: by the code as billed (SVC06 when the payer
    changed it), then by position."""
    ln = claim.lines[line_no - 1]
    for s in services:
        if s.submitted_code == ln.code and tuple(s.submitted_modifiers) == ln.modifiers:
            services.remove(s)
            return s
    return services.pop(0) if services else None


def secondary_claim(
    primary: Claim,
    payment: ClaimPayment,
    episode: Episode,
    secondary: Coverage,
    paid_date: date,
) -> Claim:
    first_cov = next(c for c in episode.coverages if c.payer_id == primary.payer_id)
    first_payer = episode.payers[primary.payer_id]
    sub = first_cov.subscriber
    last, first = (
        (sub.last_name, sub.first_name)
        if sub
        else (episode.patient.last_name, episode.patient.first_name)
    )
    remaining = list(payment.services)
    lines = []
    for n in range(1, len(primary.lines) + 1):
        s = _match(n, primary, remaining)
        if s is None:
            continue
        lines.append(
            OtherPayerLine(
                n,
                s.code,
                s.modifiers,
                int(s.units_paid or 1),
                s.paid,
                s.adjustments,
                s.date or paid_date,
            )
        )
    other = OtherPayer(
        payer_id=first_payer.id,
        payer_name=first_payer.name,
        member_id=first_cov.member_id,
        subscriber_last=last,
        subscriber_first=first,
        relationship=RELATIONSHIP[first_cov.relationship.value],
        filing_indicator=FILING[first_payer.kind],
        paid=payment.paid,
        claim_adjustments=payment.adjustments,
        lines=tuple(lines),
        responsibility="P",
        paid_date=paid_date,
    )
    return replace(
        primary,
        id=f"{primary.id}-2",
        payer_id=secondary.payer_id,
        member_id=secondary.member_id,
        other_payers=(*primary.other_payers, other),
        responsibility="S",
        frequency_code="1",
    )
