"""Code sets and reference figures, each with the dates it is in force.

:class:`CodeSets` bundles what the pure stages need, so a practice's own files (a newer ICD-10-CM
release, its year's fee schedule and locality) replace the shipped ones without global state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from otbill.codesets.icd10 import Icd10Registry
from otbill.codesets.ncci import NcciTables
from otbill.codesets.pfs import FeeSchedule, bundled_fee_schedules


@dataclass
class CodeSets:
    icd10: Icd10Registry = field(default_factory=Icd10Registry)
    fee_schedules: dict[int, FeeSchedule] = field(
        default_factory=lambda: dict(bundled_fee_schedules())
    )
    ncci: NcciTables = field(default_factory=NcciTables)

    def fee_schedule_for(self, day: date) -> FeeSchedule | None:
        return self.fee_schedules.get(day.year)

    def add_fee_schedule(self, fs: FeeSchedule) -> None:
        self.fee_schedules[fs.year] = fs


_default: CodeSets | None = None


def default_codesets() -> CodeSets:
    """The shipped code sets, built once per process."""
    global _default
    if _default is None:
        _default = CodeSets()
    return _default
