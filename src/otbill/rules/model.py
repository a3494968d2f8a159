"""Rules and findings. A finding is data, never an exception: ``id``, ``level``, ``msg``,
``hint`` and ``obj`` in Django's words; here ``rule``, ``severity``, ``message``, ``fix`` and the
claim and line it concerns."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from otbill.dates import Period
from otbill.model.silence import Silence
from otbill.sources import Source

if TYPE_CHECKING:
    from otbill.rules.context import ClaimContext


class Severity(StrEnum):
    ERROR = "error"  # the payer will reject or deny
    WARNING = "warning"  # a risk, or revenue left on the table
    INFO = "info"


class Category(StrEnum):
    """A contract: every finding's category is one of these."""

    UNITS = "units"
    MODIFIER_THERAPY = "modifier.therapy"
    MODIFIER_KX = "modifier.kx"
    MODIFIER_ASSISTANT = "modifier.assistant"
    MODIFIER_DISTINCT = "modifier.distinct"
    NCCI_PTP = "ncci.ptp"
    NCCI_MUE = "ncci.mue"
    DIAGNOSIS = "diagnosis"
    PLAN_OF_CARE = "plan_of_care"
    PROGRESS_REPORT = "progress_report"
    AUTHORIZATION = "authorization"
    EVALUATION = "evaluation"
    FUNCTIONAL_REPORTING = "functional_reporting"
    ELIGIBILITY = "eligibility"
    TIMELY_FILING = "timely_filing"
    DUPLICATE = "duplicate"
    DEMOGRAPHICS = "demographics"
    PROVIDER = "provider"
    WORKERS_COMP = "workers_comp"
    DOCUMENTATION = "documentation"
    PAYER_EDIT = "payer_edit"  # a practice's own edit for one payer, from its denials


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule function yields: this claim's facts in words, and the line if one."""

    message: str
    line: int | None = None  # index into claim.lines


RuleFunc = Callable[["ClaimContext"], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: Category
    severity: Severity
    title: str
    checks: str  # what it checks
    why: str  # why it matters
    example: str
    fix: str
    source: Source
    period: Period  # the dates of service it applies to
    func: RuleFunc

    def applies_on(self, day: date) -> bool:
        return self.period.contains(day)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    category: Category
    severity: Severity
    message: str
    fix: str
    source: str
    claim_id: str
    line: int | None = None
    code: str | None = None  # the line's procedure code, for people reading the finding
    silenced: Silence | None = None

    @property
    def active(self) -> bool:
        return self.silenced is None
