"""What a payer says it paid: the 835 remittance as records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A CAS adjustment: group (CO, PR, OA, PI, CR), CARC reason, amount, and quantity."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ServicePayment:
    code: str  # as adjudicated (SVC01-2)
    modifiers: tuple[str, ...]  # as adjudicated (SVC01-3..6)
    charge: Decimal  # SVC02
    paid: Decimal  # SVC03
    units_paid: Decimal | None  # SVC05
    billed_code: str | None  # SVC06-2 when the payer changed the code or modifiers
    billed_modifiers: tuple[str, ...]
    units_billed: Decimal | None  # SVC07
    qualifier: str = "HC"  # SVC01-1
    date: date | None = None
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()  # RARCs (LQ*HE)
    allowed: Decimal | None = None  # AMT*B6
    control_number: str | None = None  # REF*6R, the line's control number as billed

    @property
    def submitted_code(self) -> str:
        return self.billed_code or self.code

    @property
    def submitted_modifiers(self) -> tuple[str, ...]:
        return self.billed_modifiers if self.billed_code else self.modifiers


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    patient_control_number: str  # CLP01
    status: str  # CLP02: 1 primary, 2 secondary, 3 tertiary, 4 denied, 22 reversal, ...
    charge: Decimal  # CLP03
    paid: Decimal  # CLP04
    patient_responsibility: Decimal | None  # CLP05
    filing_indicator: str  # CLP06
    payer_claim_number: str  # CLP07
    facility_type: str = ""  # CLP08
    frequency: str = ""  # CLP09
    patient_last: str = ""
    patient_first: str = ""
    patient_id: str = ""
    statement_from: date | None = None
    statement_to: date | None = None
    adjustments: tuple[Adjustment, ...] = ()
    services: tuple[ServicePayment, ...] = ()
    remarks: tuple[str, ...] = ()  # MOA/MIA remark codes
    position: int = 0  # of the CLP segment, for messages

    @property
    def is_reversal(self) -> bool:
        return self.status == "22"

    @property
    def is_denied(self) -> bool:
        return self.status == "4"


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """A PLB adjustment: not tied to a claim (interest, offsets, withholds)."""

    provider_id: str
    fiscal_period_end: date | None
    reason: str  # e.g. WO, L6, FB
    reference: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class BalanceBreak:
    level: str  # service, claim, payment
    where: str  # e.g. "claim 7722337 line 2"
    expected: Decimal
    actual: Decimal
    message: str


@dataclass(frozen=True, slots=True)
class Remittance:
    control_number: str  # ST02
    handling: str  # BPR01
    amount: Decimal  # BPR02: the total actual provider payment
    credit_debit: str  # BPR03
    method: str  # BPR04: ACH, CHK, NON, ...
    payment_date: date | None  # BPR16
    trace_number: str  # TRN02: check or EFT number
    payer_trn_id: str  # TRN03
    payer_name: str
    payer_id: str
    payee_name: str
    payee_id: str  # N104 (NPI with XX, tax id with FI)
    production_date: date | None
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...]
    breaks: tuple[BalanceBreak, ...]

    @property
    def balanced(self) -> bool:
        return not self.breaks
