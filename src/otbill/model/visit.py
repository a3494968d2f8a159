"""A treatment visit as documented: what was done, for how long, and by whom."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Service:
    """One procedure code at a visit.

    ``minutes_therapist`` counts the time the therapist furnished, including time an assistant
    helped with; ``minutes_assistant`` counts only the time the assistant furnished on their own,
    which is what the CQ/CO de minimis standard weighs. Untimed codes may record minutes (they
    count toward total treatment time, never toward timed minutes) and ``units`` (default 1).
    """

    code: str
    minutes_therapist: int = 0
    minutes_assistant: int = 0
    units: int | None = None
    modifiers: tuple[str, ...] = ()  # modifiers the clinician asks for, e.g. XU with a reason
    distinct_reason: str | None = None
    diagnoses: tuple[str, ...] = ()  # ICD-10-CM codes this line points at; default: the visit's

    @property
    def minutes(self) -> int:
        return self.minutes_therapist + self.minutes_assistant


@dataclass(frozen=True, slots=True)
class Documentation:
    note_signed: bool = True
    total_treatment_minutes: int | None = None
    timed_minutes_recorded: bool = True
    progress_report: bool = False  # a therapist's progress report was written at this visit
    medical_necessity_documented: bool = False  # supports KX past the threshold
    discharge: bool = False


@dataclass(frozen=True, slots=True)
class Visit:
    id: str
    date: date
    rendering_npi: str
    place_of_service: str = "11"
    supervising_npi: str | None = None
    assistant_npi: str | None = None
    plan_of_care_id: str | None = None
    diagnoses: tuple[str, ...] = ()
    services: tuple[Service, ...] = ()
    documentation: Documentation = field(default_factory=Documentation)
    authorization_number: str | None = None
