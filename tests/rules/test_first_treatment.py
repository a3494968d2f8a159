"""Clocks that count from the first treatment (issue 13). One plan seen three ways: the whole
episode from the evaluation that established it, an episode that starts mid-plan, and a single
visit document. The clocks agree on the day they count from, and every finding says which day
it used and why."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from otbill.cli import main
from otbill.corpus.defects import mid_plan, set_services, with_doc, with_episode, with_plan
from otbill.corpus.scenarios import Scenario, scenario
from otbill.model import PayerKind, Service
from otbill.rules.context import History, first_treatment
from otbill.rules.engine import check_episode

M = PayerKind.MEDICARE
START = date(2022, 1, 17)  # the plan's start: the evaluation 97166 that established it
EXAMPLES = Path(__file__).resolve().parents[2] / "schemas" / "examples"


def from_visit(s: Scenario, n: int) -> Scenario:
    """The record from the plan's ``n``-th visit on (0: the whole episode)."""
    return with_episode(s, visits=s.episode.visits[n:])


def hits(s: Scenario, rule: str) -> dict[str, str]:
    reports = check_episode(s.episode, as_of=s.as_of, codesets=s.codesets, history=s.history)
    return {r.claim.id: f.message for r in reports for f in r.findings if f.rule == rule}


SHAPES = [
    pytest.param(0, "the first treatment under plan POC-1", id="full episode"),
    pytest.param(8, "no visit under plan POC-1 before", id="episode from visit 9"),
    pytest.param(-1, "no visit under plan POC-1 before", id="one visit document"),
]


@pytest.mark.parametrize(("n", "why"), SHAPES)
def test_unsigned_plan_counts_from_its_start_however_much_the_record_holds(
    n: int, why: str
) -> None:
    s = with_plan(scenario(M, START, visits=15), signed_date=None)
    last = s.episode.visits[-1]
    assert (last.date - START).days == 49  # seven weeks into a plan never signed
    found = hits(from_visit(s, n), "OT-POC-003")
    # Sent a week after the last visit: 56 days after the plan's start, whatever the record.
    assert f"not certified, 56 days after the first treatment (2022-01-17: {why}" in found[last.id]
    if n == -1:
        # The visit is not taken as its own first treatment any more (0 days: no finding).
        assert (
            "before 2022-03-07 in the document, so counted from the plan's start"
            in (found[last.id])
        )


@pytest.mark.parametrize(("n", "why"), SHAPES)
def test_late_signature_counts_from_the_plans_start(n: int, why: str) -> None:
    s = with_plan(scenario(M, START, visits=15), signed_date=START + timedelta(days=40))
    found = hits(from_visit(s, n), "OT-POC-003")
    assert (
        f"certified 2022-02-26, 40 days after the first treatment (2022-01-17: {why}"
        in (found[s.episode.visits[-1].id])
    )


@pytest.mark.parametrize(("n", "why"), SHAPES)
def test_recertification_due_90_days_from_the_plans_start(n: int, why: str) -> None:
    s = with_plan(scenario(M, START, visits=27), certified_through=START + timedelta(days=120))
    visits = s.episode.visits
    assert [(v.date - START).days for v in visits[-2:]] == [87, 91]
    found = hits(from_visit(s, n), "OT-POC-004")
    assert visits[-2].id not in found
    assert (
        f"91 days after the first treatment under plan POC-1 (2022-01-17: {why}"
        in (found[visits[-1].id])
    )


def _no_report(visits: int) -> Scenario:
    s = scenario(M, START, visits=visits)
    return with_doc(s, 7, progress_report=False)


def test_progress_period_with_the_full_history_is_counted() -> None:
    s = _no_report(12)
    ids = [v.id for v in s.episode.visits]
    assert list(hits(s, "OT-PR-001")) == ids[10:]  # the 11th and 12th treatment days
    assert hits(s, "OT-PR-003") == {}  # nothing is missing from the count


def test_progress_period_of_an_episode_starting_mid_plan_is_an_estimate() -> None:
    s = from_visit(_no_report(12), 6)
    ids = [v.id for v in s.episode.visits]
    # The record counts 6 treatment days, none past the period: no error can be proved...
    assert hits(s, "OT-PR-001") == {}
    # ...but the 21 days before it hold about 6 at the plan's 2 a week: from the 5th day the
    # period may be over.
    found = hits(s, "OT-PR-003")
    assert list(found) == ids[4:]
    assert "begins 2022-02-07, after the first treatment (2022-01-17" in found[ids[4]]
    assert "counts 5 treatment days since a report" in found[ids[4]]
    assert "about 6 at the plan's 2 a week" in found[ids[4]]


def test_progress_period_of_one_visit_document() -> None:
    s = from_visit(_no_report(12), -1)
    (msg,) = hits(s, "OT-PR-003").values()
    assert "counts 1 treatment day since a report" in msg
    assert "about 11 at the plan's 2 a week" in msg  # 38 days at 2 a week


def test_a_report_in_the_record_makes_the_count_whole_again() -> None:
    s = from_visit(_no_report(12), 6)
    s = with_doc(s, 0, progress_report=True)
    assert hits(s, "OT-PR-003") == {}


def test_without_a_frequency_the_bound_is_a_day_each_day() -> None:
    s = from_visit(with_plan(_no_report(12), frequency_per_week=None), -1)
    (msg,) = hits(s, "OT-PR-003").values()
    assert "up to 38 (one a day: the plan gives no frequency)" in msg


def test_the_plans_recorded_first_treatment_wins() -> None:
    # A physician set the plan up on 1/17; the therapist first treated on 1/31.
    s = with_plan(
        scenario(M, START, visits=15),
        signed_date=START + timedelta(days=40),
        first_treatment_date=START + timedelta(days=14),
    )
    s = from_visit(s, -1)
    assert hits(s, "OT-POC-003") == {}  # signed 26 days after the first treatment: timely
    assert hits(with_plan(s, first_treatment_date=None), "OT-POC-003")  # 40 from the start
    s = with_plan(s, signed_date=START + timedelta(days=50))
    (msg,) = hits(s, "OT-POC-003").values()
    assert "36 days after the first treatment (2022-01-31: the first treatment plan POC-1 " in msg


def resolve(s: Scenario, n: int = 0, history: History | None = None) -> tuple[date, str, bool]:
    ep = s.episode
    ft = first_treatment(ep.plans_of_care[0], history or History(), ep.visits[n], ep.visits[n].date)
    return ft.day, ft.why, ft.in_record


def test_the_initial_evaluation_begins_the_plan_even_after_its_start() -> None:
    # The plan dated 1/10, its initial evaluation (97166) on 1/17: treatment began on 1/17.
    s = with_plan(scenario(M, START, visits=3), start_date=START - timedelta(days=7))
    assert resolve(s) == (START, "the initial evaluation that began plan POC-1", True)
    # A re-evaluation does not begin a plan: the plan's start is the earliest date supported.
    s = set_services(s, 0, Service("97168", 30), Service("97535", 15))
    assert resolve(s)[0] == START - timedelta(days=7)
    assert resolve(s)[2] is False


def test_a_visit_before_the_plan_or_its_recorded_first_treatment_is_the_first() -> None:
    s = with_plan(scenario(M, START, visits=3), start_date=START + timedelta(days=2))
    assert resolve(s) == (START, "the first treatment under plan POC-1", True)
    s = with_plan(scenario(M, START, visits=3), first_treatment_date=START + timedelta(days=5))
    day, why, in_record = resolve(s)
    assert day == START and "precedes the first treatment plan POC-1 records" in why
    assert in_record


def test_the_history_carries_the_first_treatment_and_whether_it_was_the_evaluation() -> None:
    s = mid_plan(scenario(M, START, visits=3), 20)
    history = History(plan_id="POC-1", first_treatment=START, first_is_evaluation=True)
    assert resolve(s, 2, history) == (START, "the initial evaluation that began plan POC-1", True)
    history = replace(history, first_is_evaluation=False)
    assert resolve(s, 2, history)[0] == START - timedelta(days=20)


def test_a_new_user_checks_one_visit_seven_weeks_into_an_unsigned_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's report: the example visit document, moved to 4/20 and its plan unsigned."""
    doc = json.loads((EXAMPLES / "visit.json").read_text())
    del doc["plans_of_care"][0]["signed_date"]
    doc["visit"]["date"] = "2026-04-20"
    path = tmp_path / "visit.json"
    path.write_text(json.dumps(doc))
    code = main(["check", str(path), "--as-of", "2026-04-21", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    (claim,) = out["claims"]
    poc = [f for f in claim["findings"] if f["rule"] == "OT-POC-003"]
    assert len(poc) == 1
    assert poc[0]["message"] == (
        "Plan POC-1 is not certified, 50 days after the first treatment (2026-03-02: no visit "
        "under plan POC-1 before 2026-04-20 in the document, so counted from the plan's start, "
        "the evaluation that established it)."
    )
