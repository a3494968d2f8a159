"""A simulated year of a small demo practice on a ledger: every root cause the simulator makes
shows in the posted denials, the books balance, the ledger agrees with the simulator's log, and
the denial-risk model beats the payer's rate in the back-test. One year is billed for the whole
module (about 15 s)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from otbill.cli import cli
from otbill.cli.demo_year import YearRun, backtest_year, run_year, summarize
from otbill.demo.payer_rules import RULES
from otbill.ledger import schema as t
from otbill.ledger.books import verify
from otbill.ledger.db import make_engine, session_scope
from otbill.ledger.risk_history import history

# What the simulator is meant to produce: each rule's root cause, and what every payer adjusts.
INTENDED = {r.category for r in RULES}


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> YearRun:
    return run_year(tmp_path_factory.mktemp("year") / "out", seed=7, patients=100)


@pytest.fixture(scope="module")
def summary(year: YearRun) -> dict[str, object]:
    return summarize(year)


def test_the_year_shows_every_root_cause(summary: dict[str, object]) -> None:
    causes = summary["by_root_cause"]
    assert isinstance(causes, dict)
    expected = {
        "eligibility",
        "timely_filing",
        "duplicate",
        "authorization",
        "plan_of_care",
        "documentation",
        "medical_necessity",
        "coding",
        "bundling",
        "kx_threshold",
    }
    assert expected == INTENDED
    missing = INTENDED - set(causes)
    assert not missing, f"no denial for {missing}: {causes}"
    rate = summary["denial_rate"]
    assert isinstance(rate, float) and 0.04 < rate < 0.2  # industry: 5-15% of claims


def test_the_books_balance_and_every_answer_posted(year: YearRun) -> None:
    engine = make_engine(f"sqlite:///{year.database}")
    with session_scope(engine) as s:
        assert verify(s, year.practice_id) == []
        sent = set(s.scalars(select(t.Claim.number).where(t.Claim.submitted_at.is_not(None))))
        posted = set(
            s.scalars(select(t.Claim.number).join(t.Posting, t.Posting.claim_id == t.Claim.id))
        )
    assert year.unmatched == 0
    assert sent == posted == {a.claim for a in year.adjudications}


def test_the_ledger_reads_what_the_simulator_decided(year: YearRun) -> None:
    truth = {a.claim: a for a in year.adjudications}
    engine = make_engine(f"sqlite:///{year.database}")
    with session_scope(engine) as s:
        examples = history(s, year.practice_id)
    assert {e.claim.number for e in examples} == set(truth)
    for e in examples:
        assert e.outcome.denied == truth[e.claim.number].denied, e.claim.number
    # Sequestration, the deductible, coinsurance and copays all appear, none as a denial.
    codes = {
        (a.group, a.reason)
        for adj in year.adjudications
        for sv in adj.payment.services
        for a in sv.adjustments
    }
    assert {("CO", "45"), ("CO", "253"), ("PR", "1"), ("PR", "2"), ("PR", "3")} <= codes


def test_released_claims_are_denied_for_what_the_scrubber_said(year: YearRun) -> None:
    """A claim the biller sent over OT-DUP-001 (already billed) comes back a duplicate."""
    engine = make_engine(f"sqlite:///{year.database}")
    truth = {a.claim: a for a in year.adjudications}
    with session_scope(engine) as s:
        rows = list(s.scalars(select(t.Claim).where(t.Claim.number.in_(year.released))))
    dup = [r for r in rows if any(f["rule"] == "OT-DUP-001" for f in r.findings["items"])]
    assert dup
    assert all("duplicate" in truth[r.number].rules for r in dup)


def test_the_835s_carry_codes_not_the_simulators_rules(year: YearRun) -> None:
    files = sorted((year.folder / "835").glob("*.835"))
    assert len(files) == year.remittance_files > 0
    text = "".join(f.read_text() for f in files)
    assert not any(r.id in text for r in RULES)
    truth = json.loads((year.folder / "truth.json").read_text())
    assert len(truth["claims"]) == len(year.adjudications)


def test_the_risk_model_beats_the_payer_rate_in_the_backtest(year: YearRun) -> None:
    b = backtest_year(year)
    assert b.train_claims > 1000 and b.test_claims > 300 and b.test_denied > 20
    assert b.model.recall > 0.15
    # At the recall the model reaches, the payer's rate flags far more claims for each denial.
    assert b.model.precision > 2 * b.baseline.precision
    assert b.model_ap > b.baseline_ap


def test_claims_risk_lists_the_next_batch(year: YearRun) -> None:
    result = CliRunner().invoke(
        cli, ["claims", "risk", "--db", str(year.database), "--as-of", "2026-02-03", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    scores = [c["score"] for c in data["claims"]]
    assert len(scores) == year.next_batch > 0
    assert scores == sorted(scores, reverse=True)
    assert data["trained_on"]["claims"] == len(year.adjudications)
    top = data["claims"][0]
    assert top["reasons"] and " denied (" in top["reasons"][0]["reason"]
    text = CliRunner().invoke(cli, ["claims", "risk", "--db", str(year.database)]).output
    assert "ready claims; history:" in text


def test_claims_risk_without_history_says_so(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    CliRunner().invoke(cli, ["db", "init", "--db", str(db)])
    from otbill.demo.practice import generate_practice
    from otbill.ledger.store import import_episodes

    engine = make_engine(f"sqlite:///{db}")
    with session_scope(engine) as s:
        import_episodes(s, generate_practice(patients=2, year=2025).episodes)
    result = CliRunner().invoke(cli, ["claims", "risk", "--db", str(db)])
    assert result.exit_code == 0
    assert "no posted claims yet" in result.output


def test_demo_year_ledger_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "two-months"
    args = ["demo", "--year-ledger", "--patients", "20", "--months", "2", "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["year"], data["months"], data["books_balance"]) == (2025, 2, True)
    assert data["sent"] > 0 and (out / "truth.json").exists()
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 2 and "exists" in again.output  # never over a database


def test_demo_year_ledger_refuses_a_year_without_a_fee_schedule() -> None:
    result = CliRunner().invoke(cli, ["demo", "--year-ledger", "--year", "2026"])
    assert result.exit_code == 2
    assert "no Medicare fee schedule ships for 2026" in result.output
