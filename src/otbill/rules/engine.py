"""Run every rule over claims in context; findings are data, silenced only with who and why."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from otbill.codesets import CodeSets, default_codesets
from otbill.coding.grouping import code_by_day
from otbill.model import Claim, Episode, Silence
from otbill.rules.context import ClaimContext, History, walk
from otbill.rules.model import Finding, Rule, Severity
from otbill.rules.registry import rules_in_force


@dataclass(frozen=True, slots=True)
class ClaimReport:
    claim: Claim
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.active and f.severity is Severity.ERROR]

    @property
    def clean(self) -> bool:
        return not self.errors


def check_claim(ctx: ClaimContext, rules: Sequence[Rule]) -> list[Finding]:
    """The findings of ``rules``, the ones in force on the claim's date of service."""
    out = []
    claim = ctx.claim
    for r in rules:
        for hit in r.func(ctx):
            code = claim.lines[hit.line].code if hit.line is not None else None
            out.append(
                Finding(
                    rule=r.id,
                    category=r.category,
                    severity=r.severity,
                    message=hit.message,
                    fix=r.fix,
                    source=r.source.cite,
                    claim_id=claim.id,
                    line=hit.line,
                    code=code,
                )
            )
    return out


def apply_silences(findings: Iterable[Finding], silences: Iterable[Silence]) -> list[Finding]:
    by_key = {(s.rule, s.claim_id): s for s in silences}
    out = []
    for f in findings:
        s = by_key.get((f.rule, f.claim_id))
        out.append(f if s is None else _silenced(f, s))
    return out


def _silenced(f: Finding, s: Silence) -> Finding:
    return replace(f, silenced=s)


def check_episode(
    episode: Episode,
    claims: Sequence[Claim] | None = None,
    *,
    as_of: date,
    codesets: CodeSets | None = None,
    silences: Iterable[Silence] = (),
    history: History | None = None,
    rules: Sequence[Rule] | None = None,
) -> list[ClaimReport]:
    """Code the episode, a claim per day's visits (unless ``claims`` are given, coded from this
    episode as it is; KX counts the year's amounts from ``history`` on), and check every claim
    in date order."""
    cs = codesets or default_codesets()
    if claims is None:
        prior = history.therapy_ytd if history is not None else None
        episode, claims = code_by_day(episode, cs, prior=prior)
    active = None if rules is None else list(rules)
    silence_list = [*episode.silences, *silences]
    reports = []
    by_day: dict[date, Sequence[Rule]] = {}  # the rules in force on each date of service
    for ctx in walk(episode, claims, cs, as_of, history):
        day = ctx.claim.date_of_service
        todays = by_day.get(day)
        if todays is None:
            todays = by_day[day] = (
                rules_in_force(day) if active is None else [r for r in active if r.applies_on(day)]
            )
        findings = apply_silences(check_claim(ctx, todays), silence_list)
        reports.append(ClaimReport(ctx.claim, tuple(findings)))
    return reports
