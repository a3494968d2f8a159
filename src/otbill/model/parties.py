"""Who is involved in a claim: practice, providers, patient, payers and coverage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from otbill.dates import Period
from otbill.model.enums import Credential, PayerKind, Relationship, Sex, UnitMethod
from otbill.model.npi import npi_problem
from otbill.model.profile import PayerProfile


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    city: str
    state: str
    zip: str
    line2: str = ""


@dataclass(frozen=True, slots=True)
class Practice:
    """The billing provider. ``charges`` is its charge master: its own price per unit of a code."""

    name: str
    npi: str
    tax_id: str
    taxonomy: str
    address: Address
    charges: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))
    # Medicare fee schedule locality, as "MAC/locality" (e.g. "01112/05"); None prices nationally.
    pfs_locality: str | None = None


@dataclass(frozen=True, slots=True)
class Provider:
    npi: str
    first_name: str
    last_name: str
    credential: Credential
    taxonomy: str = ""

    def __post_init__(self) -> None:
        # A provider record never holds a bad NPI; claims (from 837 files or edits) still can,
        # and the scrubber checks those (OT-PROV-001).
        if problem := npi_problem(self.npi):
            raise ValueError(f"provider {self.first_name} {self.last_name}: {problem}")

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}, {self.credential}"


@dataclass(frozen=True, slots=True)
class Patient:
    id: str
    first_name: str
    last_name: str
    birth_date: date | None
    sex: Sex
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class Payer:
    """``profile`` None means the defaults for the payer's kind (see codesets.payers)."""

    id: str
    name: str
    kind: PayerKind
    unit_method: UnitMethod
    profile: PayerProfile | None = None

    @property
    def is_medicare(self) -> bool:
        return self.kind is PayerKind.MEDICARE


@dataclass(frozen=True, slots=True)
class Person:
    """A subscriber who is not the patient."""

    first_name: str
    last_name: str
    birth_date: date | None = None
    sex: Sex = Sex.U
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class Injury:
    """Workers' compensation or auto claim facts the payer needs on every claim."""

    claim_number: str
    date_of_injury: date | None
    employer: str = ""


@dataclass(frozen=True, slots=True)
class Coverage:
    payer_id: str
    member_id: str
    relationship: Relationship = Relationship.SELF
    priority: int = 1  # 1 primary, 2 secondary, 3 tertiary
    period: Period | None = None
    group: str = ""
    subscriber: Person | None = None  # None when the patient is the subscriber
    injury: Injury | None = None

    def active_on(self, day: date) -> bool:
        return self.period is None or self.period.contains(day)
