"""The one registry of rules. A rule is registered by decorating a plain function."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache

from otbill.dates import ALWAYS, Period
from otbill.rules.model import Category, Rule, RuleFunc, Severity
from otbill.sources import Source

_RULES: dict[str, Rule] = {}


def rule(
    id: str,
    category: Category,
    severity: Severity,
    title: str,
    *,
    checks: str,
    why: str,
    example: str,
    fix: str,
    source: Source,
    period: Period = ALWAYS,
) -> Callable[[RuleFunc], RuleFunc]:
    def register(func: RuleFunc) -> RuleFunc:
        if id in _RULES:
            raise ValueError(f"rule {id} is registered twice")
        _RULES[id] = Rule(
            id, category, severity, title, checks, why, example, fix, source, period, func
        )
        return func

    return register


def all_rules() -> list[Rule]:
    """Every rule, by id (importing the catalog registers them)."""
    import otbill.rules.catalog  # noqa: F401

    return [_RULES[k] for k in sorted(_RULES)]


def rules_in_force(day: date) -> tuple[Rule, ...]:
    """The registered rules that apply to a date of service (the registry's size is in the
    cache key, so a rule registered later is seen)."""
    return _in_force(day, len(_RULES))


@lru_cache(maxsize=4096)
def _in_force(day: date, _registered: int) -> tuple[Rule, ...]:
    return tuple(r for r in all_rules() if r.applies_on(day))


def get(rule_id: str) -> Rule | None:
    import otbill.rules.catalog  # noqa: F401

    return _RULES.get(rule_id.upper())
