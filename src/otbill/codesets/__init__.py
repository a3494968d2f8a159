"""Code sets and reference figures, each with the dates it is in force.

:class:`CodeSets` bundles what the pure stages need, so a practice's own files (a newer ICD-10-CM
release, its year's fee schedule and locality) replace the shipped ones without global state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from otbill.codesets.icd10 import Icd10Registry
from otbill.codesets.ncci import NcciTables
from otbill.codesets.payer_edits import PayerEdits
from otbill.codesets.pfs import FeeSchedule, bundled_fee_schedules, schedule_for


@dataclass
class CodeSets:
    icd10: Icd10Registry = field(default_factory=Icd10Registry)
    # Keyed by the date each release answers from: a practice's file of the same release
    # replaces the shipped one, and another release of the year sits beside it.
    fee_schedules: dict[date, FeeSchedule] = field(
        default_factory=lambda: {fs.effective_from: fs for fs in bundled_fee_schedules()}
    )
    ncci: NcciTables = field(default_factory=NcciTables)
    # The practice's own edits per payer, made from its denials (rule OT-EDIT-001).
    payer_edits: PayerEdits = field(default_factory=PayerEdits)

    def fee_schedule_for(self, day: date) -> FeeSchedule | None:
        return schedule_for(self.fee_schedules.values(), day)

    def add_fee_schedule(self, fs: FeeSchedule) -> None:
        self.fee_schedules[fs.effective_from] = fs

    def fee_schedule_years(self) -> list[int]:
        return sorted({fs.year for fs in self.fee_schedules.values()})


_default: CodeSets | None = None


def default_codesets() -> CodeSets:
    """The shipped code sets, built once per process."""
    global _default
    if _default is None:
        _default = CodeSets()
    return _default
