"""Eligibility: what otbill asks a payer (270) and what the payer answers (271)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# Service type codes (X12 code list 1365) a therapy practice asks about.
SERVICE_TYPES = {
    "30": "health benefit plan coverage",
    "AD": "occupational therapy",
    "PT": "physical therapy",
    "AF": "speech therapy",
    "AE": "physical medicine",
}


@dataclass(frozen=True, slots=True)
class Entity:
    """A payer, provider or person as the 270/271 names them."""

    last_or_org: str
    first: str = ""
    person: bool = False
    id_qualifier: str = ""  # PI payer id, XX NPI, SV service provider number, MI member id
    id: str = ""


@dataclass(frozen=True, slots=True)
class EligibilityInquiry:
    payer: Entity
    provider: Entity
    subscriber: Entity  # id_qualifier MI and the member id
    trace: str  # TRN02, echoed in the 271
    trace_originator: str  # TRN03: a 10-character id of the provider
    service_date: date
    reference: str  # BHT03
    created: date
    created_time: str  # HHMM
    subscriber_birth: date | None = None
    dependent: Entity | None = None  # when the patient is not the subscriber
    dependent_birth: date | None = None
    service_types: tuple[str, ...] = ("30",)


@dataclass(frozen=True, slots=True)
class Benefit:
    """One EB segment: what is covered, how much, and how much is left."""

    code: str  # EB01: 1 active, 6 inactive, A co-insurance, B co-payment, C deductible,
    # G out-of-pocket, F limitations, CB coverage basis, ...
    coverage_level: str  # EB02: IND, FAM, ...
    service_types: tuple[str, ...]  # EB03 (repeated)
    plan: str  # EB05
    period: str  # EB06: 23 calendar year, 29 remaining, 27 visit, ...
    amount: Decimal | None  # EB07
    percent: Decimal | None  # EB08
    quantity_qualifier: str  # EB09: VS visits, ...
    quantity: Decimal | None  # EB10
    authorization_required: bool | None  # EB11 Y/N
    in_network: bool | None  # EB12 Y/N
    messages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rejection:
    """AAA: the request was not processed, and why (reject reason, code list 901)."""

    valid: str  # AAA01 Y/N
    reason: str  # AAA03
    follow_up: str  # AAA04


@dataclass(frozen=True, slots=True)
class EligibilityResponse:
    payer: Entity
    provider: Entity
    subscriber: Entity | None
    trace: str
    plan_begin: date | None
    plan_end: date | None
    benefits: tuple[Benefit, ...]
    rejections: tuple[Rejection, ...]

    @property
    def active(self) -> bool | None:
        """Active coverage (EB01 1), inactive (6), or not said."""
        codes = {b.code for b in self.benefits}
        if "1" in codes:
            return True
        if "6" in codes:
            return False
        return None

    def visits(self, service_type: str) -> list[Benefit]:
        return [
            b
            for b in self.benefits
            if b.quantity_qualifier == "VS"
            and (service_type in b.service_types or not b.service_types)
        ]

    def _amounts(self, code: str, service_type: str) -> tuple[Decimal | None, Decimal | None]:
        """(for the period, still remaining): EB06 29 is what remains, other periods the total."""
        total = remaining = None
        wanted = {service_type, "30"}
        for b in self.benefits:
            if b.code != code or b.amount is None:
                continue
            if b.service_types and not wanted.intersection(b.service_types):
                continue
            if b.period == "29":
                remaining = b.amount
            elif total is None:
                total = b.amount
        return total, remaining

    def deductible(self, service_type: str = "30") -> tuple[Decimal | None, Decimal | None]:
        """The deductible (EB01 C) and what remains of it."""
        return self._amounts("C", service_type)

    def out_of_pocket(self, service_type: str = "30") -> tuple[Decimal | None, Decimal | None]:
        """The out-of-pocket maximum (EB01 G) and what remains of it."""
        return self._amounts("G", service_type)

    def visit_limit(self, service_type: str) -> tuple[Decimal | None, Decimal | None]:
        """Visits for the service type in the period, and visits remaining (EB09 VS; EB06 29
        for the remainder); visits used are the difference."""
        total = remaining = None
        for b in self.visits(service_type):
            if b.quantity is None:
                continue
            if b.period == "29":
                remaining = b.quantity
            elif total is None:
                total = b.quantity
        return total, remaining
