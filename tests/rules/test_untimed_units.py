"""Units of untimed codes past their per-day limit (issue 14): an evaluation entered with 2
units is billed as entered, so the scrubber must say so, with the limit and its source."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from otbill.cli import main
from otbill.codesets import CodeSets
from otbill.codesets.ncci import Mue, NcciTables
from otbill.corpus.defects import add_services, set_services
from otbill.corpus.scenarios import Scenario, scenario
from otbill.model import PayerKind, Service
from otbill.rules.engine import check_episode

EXAMPLES = Path(__file__).resolve().parents[2] / "schemas" / "examples"
DAY = date(2022, 3, 7)


def findings(s: Scenario, rule: str) -> list[tuple[str, str | None, str]]:
    reports = check_episode(s.episode, as_of=s.as_of, codesets=s.codesets)
    return [(r.claim.id, f.code, f.message) for r in reports for f in r.findings if f.rule == rule]


def test_a_new_user_enters_97166_with_two_units(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads((EXAMPLES / "visit.json").read_text())
    doc["practice"]["charges"]["97166"] = "185.00"
    doc["visit"]["date"] = "2026-03-02"
    doc["visit"]["services"] = [{"code": "97166", "therapist_minutes": 45, "units": 2}]
    path = tmp_path / "visit.json"
    path.write_text(json.dumps(doc))
    code = main(["check", str(path), "--as-of", "2026-03-03", "--json"])
    (claim,) = json.loads(capsys.readouterr().out)["claims"]
    assert code == 1  # an error is left: the claim is not clean
    assert [(ln["code"], ln["units"]) for ln in claim["lines"]] == [("97166", 2)]
    (f,) = [f for f in claim["findings"] if f["rule"] == "OT-UNITS-003"]
    assert f["severity"] == "error"
    assert f["message"].startswith("97166: 2 units on 2026-03-02, past the limit of 1 a day (")
    assert "CPM ch.5 §20.2.B" in f["message"] and "NCCI Policy Manual ch.11 §P.1" in f["message"]


@pytest.mark.parametrize("units", [1, None])
def test_one_unit_is_within_the_limit(units: int | None) -> None:
    s = set_services(
        scenario(PayerKind.MEDICARE, DAY, visits=1), 0, Service("97166", 45, units=units)
    )
    assert findings(s, "OT-UNITS-003") == []


def test_same_day_visits_add_their_untimed_units() -> None:
    # Two notes the same day, each with a group session: one claim, 2 units of 97150.
    s = scenario(PayerKind.COMMERCIAL, DAY, visits=2)
    s = add_services(s, 1, Service("97150", 30))
    second = s.episode.visits[1]
    again = replace(second, id=second.id + "-PM", services=(Service("97150", 30),))
    s = replace(s, episode=replace(s.episode, visits=(*s.episode.visits, again)))
    (hit,) = findings(s, "OT-UNITS-004")
    assert hit[0] == second.id and hit[1] == "97150"
    assert "2 units" in hit[2] and "unverified: the payer may allow more" in hit[2]
    assert findings(s, "OT-UNITS-003") == []  # the group figure is not verified: no error


def test_a_loaded_mue_file_answers_for_the_codes_it_lists() -> None:
    s = set_services(scenario(PayerKind.MEDICARE, DAY, visits=1), 0, Service("97166", 45, units=2))
    assert len(findings(s, "OT-UNITS-003")) == 1
    ncci = NcciTables()
    ncci.add_mue([Mue("97166", 1, 2, "test")], "test MUE (not CMS values)")
    cs = CodeSets()
    cs.ncci = ncci
    loaded = Scenario(s.episode, s.as_of, codesets=cs)
    assert findings(loaded, "OT-UNITS-003") == []
    (mue,) = findings(loaded, "OT-MUE-001")
    assert "97166: 2 units on the day, MUE 1" in mue[2]
