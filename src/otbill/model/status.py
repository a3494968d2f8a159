"""A claim status inquiry (276): which claims a provider asks a payer about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from otbill.model.eligibility import Entity


@dataclass(frozen=True, slots=True)
class StatusService:
    """A service line asked about (SVC and its date)."""

    code: str  # e.g. HC:99203 is written from qualifier HC and this code
    charge: Decimal
    units: Decimal
    date: date


@dataclass(frozen=True, slots=True)
class StatusClaim:
    trace: str  # TRN02, echoed in the 277
    patient_account: str  # REF*EJ: the patient control number as billed
    charge: Decimal | None = None  # AMT*T3
    service_from: date | None = None
    service_to: date | None = None
    bill_type: str = ""  # REF*BLT (institutional)
    payer_claim_number: str = ""  # REF*1K
    services: tuple[StatusService, ...] = ()


@dataclass(frozen=True, slots=True)
class StatusSubscriber:
    subscriber: Entity
    birth: date | None
    sex: str
    claims: tuple[StatusClaim, ...] = ()
    dependent: Entity | None = None  # the patient, when not the subscriber
    dependent_birth: date | None = None
    dependent_sex: str = ""


@dataclass(frozen=True, slots=True)
class StatusProvider:
    provider: Entity
    subscribers: tuple[StatusSubscriber, ...]


@dataclass(frozen=True, slots=True)
class ClaimStatusInquiry:
    payer: Entity
    receiver: Entity  # the information receiver (NM1*41)
    providers: tuple[StatusProvider, ...]
    reference: str
    created: date
    created_time: str
