"""Claims and unit results as JSON-ready dicts, and records as JSON text. Money stays exact: it
is written as a string."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import orjson

from otbill.model.explain import render

if TYPE_CHECKING:  # only for annotations: `otbill x12 read` should not import the coder
    from otbill.coding.units import UnitResult
    from otbill.model import Claim, ClaimLine
    from otbill.rules.model import Finding, Rule


def money(x: Decimal | None) -> str | None:
    return None if x is None else f"{x:.2f}"


def unit_result(r: UnitResult) -> dict[str, Any]:
    """The ``otbill units --json`` contract: keys may be added, never renamed."""
    return {
        "method": r.method.value,
        "total_timed_minutes": r.total_timed_minutes,
        "total_units": r.total_units,
        "timed_units": r.timed_units,
        "lines": [
            {
                "code": ln.code,
                "minutes": ln.minutes,
                "units": ln.units,
                "timed": ln.timed,
                "equally_valid_alternatives": list(ln.tie_with),
            }
            for ln in r.lines
        ],
        "explanation": render(r.explanation),
    }


def claim_line(ln: ClaimLine) -> dict[str, Any]:
    return {
        "code": ln.code,
        "modifiers": list(ln.modifiers),
        "units": ln.units,
        "minutes": ln.minutes,
        "timed": ln.timed,
        "charge": money(ln.charge),
        "diagnosis_pointers": list(ln.diagnosis_pointers),
        "date_of_service": ln.date.isoformat(),
        "allowed": money(ln.allowed),
        "expected_payment": money(ln.expected_payment),
        "explanation": render(ln.explanation),
    }


def claim(c: Claim) -> dict[str, Any]:
    return {
        "id": c.id,
        "visit_ids": list(c.visit_ids),
        "patient_id": c.patient_id,
        "payer_id": c.payer_id,
        "member_id": c.member_id,
        "date_of_service": c.date_of_service.isoformat(),
        "place_of_service": c.place_of_service,
        "billing_npi": c.billing_npi,
        "rendering_npi": c.rendering_npi,
        "referring_npi": c.referring_npi,
        "supervising_npi": c.supervising_npi,
        "plan_of_care_id": c.plan_of_care_id,
        "authorization_number": c.authorization_number,
        "frequency_code": c.frequency_code,
        "diagnoses": list(c.diagnoses),
        "total_charge": money(c.total_charge),
        "expected_payment": money(c.expected_payment),
        "lines": [claim_line(ln) for ln in c.lines],
        "explanation": render(c.explanation),
        "responsibility": c.responsibility,
        "original_claim_number": c.original_claim_number,
        "other_payers": plain(list(c.other_payers)),
    }


def finding(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "category": f.category.value,
        "severity": f.severity.value,
        "message": f.message,
        "fix": f.fix,
        "source": f.source,
        "line": f.line,
        "code": f.code,
        "silenced": None if f.silenced is None else {"by": f.silenced.by, "why": f.silenced.why},
    }


def rule_meta(r: Rule) -> dict[str, Any]:
    return {
        "id": r.id,
        "category": r.category.value,
        "severity": r.severity.value,
        "title": r.title,
        "checks": r.checks,
        "why": r.why,
        "example": r.example,
        "fix": r.fix,
        "source": r.source.cite,
        "source_url": r.source.url or None,
        "in_force": {
            "from": r.period.start.isoformat() if r.period.start.year > 1900 else None,
            "to": r.period.end.isoformat() if r.period.end else None,
        },
    }


def plain(value: Any) -> Any:
    """Any record as JSON-ready data: Decimals as exact strings, dates as ISO strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def _default(value: Any) -> Any:
    """What orjson does not write itself: Decimals as exact strings, as ``plain`` does."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Mapping):  # a record's read-only mappingproxy
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any, *, pretty: bool = False) -> bytes:
    """Records, dicts and lists as JSON text, equal to ``json.dumps(plain(value))`` read back,
    written in one pass in C (an 835 of 20,000 claims is tens of megabytes of JSON): compact,
    or indented by two for people."""
    option = _OPTIONS | (orjson.OPT_INDENT_2 if pretty else 0)
    return orjson.dumps(value, default=_default, option=option)
