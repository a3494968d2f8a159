"""Typed, immutable domain records. Nothing here does I/O."""

from otbill.model.care import Authorization, PlanOfCare
from otbill.model.claim import Claim, ClaimLine, OtherPayer, OtherPayerLine
from otbill.model.enums import (
    Credential,
    Discipline,
    PayerKind,
    Relationship,
    Sex,
    UnitMethod,
)
from otbill.model.episode import Episode
from otbill.model.explain import Explanation, Step
from otbill.model.npi import is_valid_npi, make_npi, npi_problem
from otbill.model.parties import (
    Address,
    Coverage,
    Injury,
    Patient,
    Payer,
    Person,
    Practice,
    Provider,
)
from otbill.model.profile import PayerProfile
from otbill.model.silence import Silence
from otbill.model.visit import Documentation, Service, Visit

__all__ = [
    "Address",
    "Authorization",
    "Claim",
    "ClaimLine",
    "Coverage",
    "Credential",
    "Discipline",
    "Documentation",
    "Episode",
    "Explanation",
    "Injury",
    "OtherPayer",
    "OtherPayerLine",
    "Patient",
    "Payer",
    "PayerKind",
    "PayerProfile",
    "Person",
    "PlanOfCare",
    "Practice",
    "Provider",
    "Relationship",
    "Service",
    "Sex",
    "Silence",
    "Step",
    "UnitMethod",
    "Visit",
    "is_valid_npi",
    "make_npi",
    "npi_problem",
]
