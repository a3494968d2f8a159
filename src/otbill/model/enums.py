"""Closed vocabularies of the domain. Values are the strings the JSON format uses."""

from __future__ import annotations

from enum import StrEnum


class Discipline(StrEnum):
    OT = "OT"
    PT = "PT"
    SLP = "SLP"


class Credential(StrEnum):
    OT = "OT"
    OTA = "OTA"
    PT = "PT"
    PTA = "PTA"
    SLP = "SLP"
    MD = "MD"
    DO = "DO"
    NP = "NP"
    PA = "PA"

    @property
    def is_assistant(self) -> bool:
        return self in (Credential.OTA, Credential.PTA)

    @property
    def is_therapist(self) -> bool:
        return self in (Credential.OT, Credential.PT, Credential.SLP)

    @property
    def is_physician_or_npp(self) -> bool:
        """May refer and certify a therapy plan of care (Pub. 100-02 ch. 15 §220.1.1)."""
        return self in (Credential.MD, Credential.DO, Credential.NP, Credential.PA)

    @property
    def discipline(self) -> Discipline | None:
        return _DISCIPLINE.get(self)


_DISCIPLINE = {
    Credential.OT: Discipline.OT,
    Credential.OTA: Discipline.OT,
    Credential.PT: Discipline.PT,
    Credential.PTA: Discipline.PT,
    Credential.SLP: Discipline.SLP,
}


class PayerKind(StrEnum):
    MEDICARE = "medicare"
    MEDICARE_ADVANTAGE = "medicare_advantage"
    MEDICAID = "medicaid"
    COMMERCIAL = "commercial"
    WORKERS_COMP = "workers_comp"
    AUTO = "auto"
    SELF_PAY = "self_pay"


class UnitMethod(StrEnum):
    """How timed minutes become units: CMS total-time (8-minute rule) or AMA per-code."""

    CMS = "cms"
    AMA = "ama"


class Sex(StrEnum):
    F = "F"
    M = "M"
    U = "U"


class Relationship(StrEnum):
    """Patient's relationship to the subscriber, as X12 2000B SBR02 / 2000C PAT01 use them."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    OTHER = "other"
    EMPLOYEE = "employee"  # workers' compensation: the patient is the employer's employee
