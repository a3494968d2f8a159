"""What the engine produces: claims and their service lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from otbill.model.explain import Explanation


@dataclass(frozen=True, slots=True)
class ClaimLine:
    code: str
    units: int
    modifiers: tuple[str, ...]
    charge: Decimal
    diagnosis_pointers: tuple[int, ...]  # 1-based into Claim.diagnoses
    date: date
    minutes: int = 0
    timed: bool = True
    allowed: Decimal | None = None  # fee schedule amount after MPPR, where one is loaded
    expected_payment: Decimal | None = None
    explanation: Explanation = ()


@dataclass(frozen=True, slots=True)
class Claim:
    id: str  # patient control number (CLM01)
    visit_ids: tuple[str, ...]
    patient_id: str
    payer_id: str
    member_id: str
    date_of_service: date
    place_of_service: str
    billing_npi: str
    rendering_npi: str
    diagnoses: tuple[str, ...]
    lines: tuple[ClaimLine, ...]
    referring_npi: str | None = None
    supervising_npi: str | None = None
    plan_of_care_id: str | None = None
    authorization_number: str | None = None
    frequency_code: str = "1"  # 1 original, 7 replacement, 8 void (X12 CLM05-3)
    original_claim_number: str | None = None
    explanation: Explanation = ()

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0.00"))

    @property
    def expected_payment(self) -> Decimal | None:
        amounts = [line.expected_payment for line in self.lines]
        if not amounts or any(a is None for a in amounts):
            return None
        return sum((a for a in amounts if a is not None), Decimal("0.00"))
