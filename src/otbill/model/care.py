"""Plans of care and payer authorizations: what permits a visit to be billed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from otbill.dates import Period
from otbill.model.enums import Discipline


@dataclass(frozen=True, slots=True)
class PlanOfCare:
    """A certified plan (Pub. 100-02 ch. 15 §220.1); ``signed_date`` is the certifier's.

    ``first_treatment_date`` is the first day of treatment under the plan (the evaluation
    included, §220.1.3.B) when the document records it: the certification clocks count from it.
    Without it they count from the first treatment the record holds, or the plan's start.
    """

    id: str
    discipline: Discipline
    start_date: date
    certifying_npi: str | None = None
    signed_date: date | None = None
    verbal_order_date: date | None = None
    certified_through: date | None = None
    frequency_per_week: int | None = None
    duration_weeks: int | None = None
    diagnoses: tuple[str, ...] = ()
    first_treatment_date: date | None = None

    @property
    def certified_period(self) -> Period | None:
        if self.certified_through is None:
            return None
        return Period(self.start_date, self.certified_through)


@dataclass(frozen=True, slots=True)
class Authorization:
    number: str
    payer_id: str
    period: Period
    visits_allowed: int | None = None
    units_allowed: int | None = None
    units_by_code: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    discipline: Discipline | None = None

    def covers(self, day: date) -> bool:
        return self.period.contains(day)
