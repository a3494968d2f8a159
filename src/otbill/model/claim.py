"""What the engine produces: claims and their service lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from otbill.model.explain import Explanation
from otbill.model.remittance import Adjustment


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
class OtherPayerLine:
    """How an earlier payer adjudicated one of this claim's lines (837P loop 2430)."""

    line: int  # 1-based, into Claim.lines
    code: str
    modifiers: tuple[str, ...]
    units: int
    paid: Decimal
    adjustments: tuple[Adjustment, ...]
    paid_date: date


@dataclass(frozen=True, slots=True)
class OtherPayer:
    """An earlier payer's adjudication, carried on a secondary (or tertiary) claim (837P loops
    2320, 2330A, 2330B and 2430), as its 835 reported it."""

    payer_id: str
    payer_name: str
    member_id: str
    subscriber_last: str
    subscriber_first: str
    relationship: str  # SBR02 individual relationship code: 18 self, 01 spouse, 19 child
    filing_indicator: str  # SBR09
    paid: Decimal  # AMT*D
    claim_adjustments: tuple[Adjustment, ...] = ()
    lines: tuple[OtherPayerLine, ...] = ()
    responsibility: str = "P"  # SBR01 of that payer: P primary, S secondary
    paid_date: date | None = None

    @property
    def patient_responsibility(self) -> Decimal:
        adjs = [*self.claim_adjustments, *(a for ln in self.lines for a in ln.adjustments)]
        return sum((a.amount for a in adjs if a.group == "PR"), Decimal("0.00"))


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
    other_payers: tuple[OtherPayer, ...] = ()  # set on secondary and tertiary claims
    responsibility: str = "P"  # SBR01 of the payer billed: P primary, S secondary, T tertiary

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0.00"))

    @property
    def expected_payment(self) -> Decimal | None:
        amounts = [line.expected_payment for line in self.lines]
        if not amounts or any(a is None for a in amounts):
            return None
        return sum((a for a in amounts if a is not None), Decimal("0.00"))
