"""The one registry of rules. A rule is registered by decorating a plain function."""

from __future__ import annotations

from collections.abc import Callable

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


def get(rule_id: str) -> Rule | None:
    import otbill.rules.catalog  # noqa: F401

    return _RULES.get(rule_id.upper())
