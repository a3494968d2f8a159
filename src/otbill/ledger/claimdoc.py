"""A stored claim's JSON (otbill.export.json.claim) back into a Claim record."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from otbill.model import Claim, ClaimLine, OtherPayer, OtherPayerLine
from otbill.model.explain import Step
from otbill.model.remittance import Adjustment


def _dec(x: Any) -> Decimal | None:
    return None if x is None else Decimal(str(x))


def _adj(a: dict[str, Any]) -> Adjustment:
    return Adjustment(a["group"], a["reason"], Decimal(a["amount"]), _dec(a.get("quantity")))


def claim_from_doc(d: dict[str, Any], explanation: bool = True) -> Claim:
    """``explanation=False`` skips the reasons (an 837P does not carry them; they are costly
    to rebuild for a large batch)."""
    lines = tuple(
        ClaimLine(
            code=ln["code"],
            units=ln["units"],
            modifiers=tuple(ln["modifiers"]),
            charge=Decimal(ln["charge"]),
            diagnosis_pointers=tuple(ln["diagnosis_pointers"]),
            date=date.fromisoformat(ln["date_of_service"]),
            minutes=ln.get("minutes", 0),
            timed=ln.get("timed", True),
            allowed=_dec(ln.get("allowed")),
            expected_payment=_dec(ln.get("expected_payment")),
            explanation=tuple(Step(s) for s in ln.get("explanation", [])) if explanation else (),
        )
        for ln in d["lines"]
    )
    others = tuple(
        OtherPayer(
            payer_id=o["payer_id"],
            payer_name=o["payer_name"],
            member_id=o["member_id"],
            subscriber_last=o["subscriber_last"],
            subscriber_first=o["subscriber_first"],
            relationship=o["relationship"],
            filing_indicator=o["filing_indicator"],
            paid=Decimal(o["paid"]),
            claim_adjustments=tuple(_adj(a) for a in o["claim_adjustments"]),
            lines=tuple(
                OtherPayerLine(
                    x["line"],
                    x["code"],
                    tuple(x["modifiers"]),
                    x["units"],
                    Decimal(x["paid"]),
                    tuple(_adj(a) for a in x["adjustments"]),
                    date.fromisoformat(x["paid_date"]),
                )
                for x in o["lines"]
            ),
            responsibility=o["responsibility"],
            paid_date=date.fromisoformat(o["paid_date"]) if o.get("paid_date") else None,
        )
        for o in d.get("other_payers", [])
    )
    return Claim(
        id=d["id"],
        visit_ids=tuple(d["visit_ids"]),
        patient_id=d["patient_id"],
        payer_id=d["payer_id"],
        member_id=d["member_id"],
        date_of_service=date.fromisoformat(d["date_of_service"]),
        place_of_service=d["place_of_service"],
        billing_npi=d["billing_npi"],
        rendering_npi=d["rendering_npi"],
        diagnoses=tuple(d["diagnoses"]),
        lines=lines,
        referring_npi=d.get("referring_npi"),
        supervising_npi=d.get("supervising_npi"),
        plan_of_care_id=d.get("plan_of_care_id"),
        authorization_number=d.get("authorization_number"),
        frequency_code=d.get("frequency_code", "1"),
        original_claim_number=d.get("original_claim_number"),
        explanation=tuple(Step(s) for s in d.get("explanation", [])) if explanation else (),
        other_payers=others,
        responsibility=d.get("responsibility", "P"),
    )
