"""An episode: one patient's coverage, plans, authorizations and visits, in date order.

Both input documents (a visit and an episode) load into this one record, so everything
downstream takes an Episode.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from otbill.model.care import Authorization, PlanOfCare
from otbill.model.parties import Coverage, Patient, Payer, Practice, Provider
from otbill.model.silence import Silence
from otbill.model.visit import Visit


@dataclass(frozen=True, slots=True)
class Episode:
    practice: Practice
    providers: Mapping[str, Provider]  # by NPI
    payers: Mapping[str, Payer]  # by id
    patient: Patient
    coverages: tuple[Coverage, ...]
    plans_of_care: tuple[PlanOfCare, ...]
    authorizations: tuple[Authorization, ...]
    visits: tuple[Visit, ...]
    silences: tuple[Silence, ...] = ()  # findings a biller silenced, each with who and why

    def plan(self, plan_id: str | None) -> PlanOfCare | None:
        for p in self.plans_of_care:
            if p.id == plan_id:
                return p
        return None

    def plan_for(self, visit: Visit) -> PlanOfCare | None:
        """The visit's named plan, else the latest plan started on or before the visit."""
        if visit.plan_of_care_id is not None:
            return self.plan(visit.plan_of_care_id)
        started = [p for p in self.plans_of_care if p.start_date <= visit.date]
        return max(started, key=lambda p: p.start_date) if started else None

    def coverage_on(self, day: date, priority: int = 1) -> Coverage | None:
        for c in sorted(self.coverages, key=lambda c: c.priority):
            if c.priority == priority and c.active_on(day):
                return c
        return None
