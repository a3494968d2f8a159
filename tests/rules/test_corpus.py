"""The scrubber's proof on the corpus: every seeded defect found with the right category on the
right claim, and no clean claim with an error."""

from __future__ import annotations

from collections import Counter

import pytest

from otbill.corpus.defects import Case, category_of, clean_cases, defect_cases
from otbill.rules.engine import check_episode
from otbill.rules.model import Severity
from otbill.rules.registry import all_rules

DEFECTS = list(defect_cases())
CLEAN = list(clean_cases())


def run(case: Case):  # type: ignore[no-untyped-def]
    return check_episode(
        case.episode,
        case.claims,
        as_of=case.as_of,
        codesets=case.codesets,
        history=case.history,
    )


def test_every_rule_has_at_least_three_cases_across_payers_and_dates() -> None:
    counts = Counter(c.rule for c in DEFECTS)
    missing = {r.id: counts.get(r.id, 0) for r in all_rules() if counts.get(r.id, 0) < 3}
    assert not missing, f"rules with fewer than three seeded cases: {missing}"
    for rule_id in counts:
        cases = [c for c in DEFECTS if c.rule == rule_id]
        settings = {
            (next(iter(c.episode.payers.values())).kind, c.claims[0].date_of_service) for c in cases
        }
        assert len(settings) >= 2, f"{rule_id}: all cases share one payer and date"


@pytest.mark.parametrize("case", DEFECTS, ids=lambda c: c.name)
def test_seeded_defect_is_found(case: Case) -> None:
    reports = run(case)
    target = next(r for r in reports if r.claim.id == case.claim_id)
    assert case.rule is not None
    found = [f for f in target.findings if f.rule == case.rule]
    assert found, f"{case.rule} not found; got {[f.rule for f in target.findings]}"
    assert all(f.category.value == category_of(case.rule) for f in found)
    assert all(f.claim_id == case.claim_id for f in found)


@pytest.mark.parametrize("case", CLEAN, ids=lambda c: c.name)
def test_clean_claims_get_no_error(case: Case) -> None:
    for report in run(case):
        errors = [(f.rule, f.message) for f in report.findings if f.severity is Severity.ERROR]
        assert not errors, f"{report.claim.id}: {errors}"
