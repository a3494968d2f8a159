"""A biller's work on claims in the ledger (SQLite and PostgreSQL): same-day visits on one claim,
split and merge kept through rebuilds, corrections the way each payer takes them, voids,
appeals refused for unprocessable claims, secondary claims after the primary's 835, and the
KX threshold counting what the 835 allowed."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from builders import x12valid
from otbill.cli import cli
from otbill.demo.remit import remittance
from otbill.ledger import schema as t
from otbill.ledger.accumulators import accumulators
from otbill.ledger.books import accounts_receivable, claim_totals, totals_by_state, verify
from otbill.ledger.claims import as_claims, build_claims, list_claims, submit
from otbill.ledger.db import session_scope
from otbill.ledger.patients import patient_balances
from otbill.ledger.posting import balance, post_835
from otbill.ledger.secondary import build_secondary
from otbill.ledger.store import import_episodes
from otbill.ledger.workflow import (
    ClaimActionError,
    appeal,
    correct,
    find,
    merge_claims,
    split_lines,
    void,
)
from otbill.load.json_doc import load_document
from otbill.model.remittance import Adjustment
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo

ROOT = Path(__file__).resolve().parents[2]
EPISODE = ROOT / "schemas" / "examples" / "episode.json"
AS_OF = date(2026, 6, 1)
WHEN = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
D = Decimal


def doc(**changes: Any) -> dict[str, Any]:
    d: dict[str, Any] = json.loads(EPISODE.read_text())
    d.update(changes)
    return d


COMMERCIAL = {
    "payers": [
        {"id": "BCBS-IL", "name": "Blue Cross Blue Shield of Illinois", "kind": "commercial"}
    ],
    "coverages": [
        {
            "payer_id": "BCBS-IL",
            "member_id": "XOF912345678",
            "relationship": "self",
            "priority": 1,
            "start": "2020-01-01",
        }
    ],
}


def load(engine: Engine, d: dict[str, Any], as_of: date = AS_OF) -> int:
    with session_scope(engine) as s:
        pid = import_episodes(s, [load_document(d)]).practice_id
        build_claims(s, pid, as_of)
    return pid


def send_and_pay(engine: Engine, pid: int, tmp: Path, edit: Any = None, seed: int = 4) -> None:
    with session_scope(engine) as s:
        submit(s, pid, tmp / "out.837")
    with session_scope(engine) as s:
        sent = as_claims(list_claims(s, pid, "submitted"))
    r = remittance(sent, seed=seed)
    if edit is not None:
        r = edit(r)
    text = build_835([r], InterchangeInfo("PAYER", "PRACTICE", 7, WHEN))
    with session_scope(engine) as s:
        post_835(s, pid, text, "era.835")


def claim(engine: Engine, pid: int, number: str) -> t.Claim:
    with session_scope(engine) as s:
        row = find(s, pid, number)
        s.expunge(row)
        return row


def test_same_day_visits_are_one_claim_with_the_days_minutes(engine: Engine) -> None:
    d = doc()
    first = d["visits"][3]  # 2026-03-12: 97530 for 38 minutes
    first["services"] = [{"code": "97110", "therapist_minutes": 10}]
    later = json.loads(json.dumps(first))
    later["id"] = "V-2026-0004B"
    d["visits"].insert(4, later)
    pid = load(engine, d)
    with session_scope(engine) as s:
        rows = [r for r in list_claims(s, pid) if r.date_of_service == date(2026, 3, 12)]
        assert [r.number for r in rows] == [first["id"]]
        (line,) = as_claims(rows)[0].lines
        # 10 + 10 minutes of 97110 in one day: 20 minutes is one unit (CPM ch.5 §20.2), where
        # coding each visit alone would bill two.
        assert (line.code, line.units) == ("97110", 1)
        assert as_claims(rows)[0].visit_ids == (first["id"], "V-2026-0004B")


def test_a_visit_recorded_after_its_days_claim_was_sent_is_told(
    engine: Engine, tmp_path: Path
) -> None:
    d = doc()
    pid = load(engine, d)
    with session_scope(engine) as s:
        submit(s, pid, tmp_path / "a.837", when=WHEN)
    later = json.loads(json.dumps(d["visits"][3]))  # another visit on 2026-03-12
    later["id"] = "V-2026-0004B"
    d["visits"].insert(4, later)
    with session_scope(engine) as s:
        import_episodes(s, [load_document(d)])
        r = build_claims(s, pid, AS_OF)
    assert any(
        "claim V-2026-0004 was sent before visit V-2026-0004B of 2026-03-12 was recorded" in n
        for n in r.notes
    ), r.notes


def test_split_and_merge_survive_a_rebuild(engine: Engine) -> None:
    pid = load(engine, doc())
    number = "V-2026-0003"  # 97112, 97110, 97535
    with session_scope(engine) as s:
        before = find(s, pid, number).total_charge
        out = split_lines(s, pid, number, [3], "ann", "97535 waits for the note addendum", AS_OF)
    assert out.new_claim == f"{number}-S1"
    with session_scope(engine) as s:
        build_claims(s, pid, AS_OF)  # a rebuild keeps the split
    with session_scope(engine) as s:
        a, b = find(s, pid, number), find(s, pid, f"{number}-S1")
        assert [ln["code"] for ln in a.doc["lines"]] == ["97112", "97110"]
        assert [ln["code"] for ln in b.doc["lines"]] == ["97535"]
        assert a.total_charge + b.total_charge == before
        assert b.state in ("ready", "draft")
        events = s.scalars(select(t.ClaimEdit).where(t.ClaimEdit.claim_number == number)).all()
        assert [(e.kind, e.who, e.why) for e in events] == [
            ("split", "ann", "97535 waits for the note addendum")
        ]
    with session_scope(engine) as s:
        merge_claims(s, pid, f"{number}-S1", number, "ann", "addendum signed", AS_OF)
    with session_scope(engine) as s:
        a, b = find(s, pid, number), find(s, pid, f"{number}-S1")
        assert [ln["code"] for ln in a.doc["lines"]] == ["97112", "97110", "97535"]
        assert a.total_charge == before
        assert b.state == "voided"
        why = s.scalars(
            select(t.ClaimEvent.why).where(
                t.ClaimEvent.claim_id == b.id, t.ClaimEvent.to_state == "voided"
            )
        ).one()
        assert why == f"merged into claim {number}"


def test_sent_claims_cannot_be_split(engine: Engine, tmp_path: Path) -> None:
    pid = load(engine, doc())
    with session_scope(engine) as s:
        submit(s, pid, tmp_path / "out.837")
    with session_scope(engine) as s, pytest.raises(ClaimActionError, match="only draft or ready"):
        split_lines(s, pid, "V-2026-0003", [1], "ann", "x", AS_OF)


def test_replacement_claim_for_a_payer_that_takes_them(engine: Engine, tmp_path: Path) -> None:
    pid = load(engine, doc(**COMMERCIAL))
    send_and_pay(engine, pid, tmp_path)
    number = "V-2026-0002"
    paid = claim(engine, pid, number)
    assert paid.payer_claim_number
    with session_scope(engine) as s:
        out = correct(s, pid, number, "ann", "97112 units were wrong", AS_OF)
    assert (out.action, out.state, out.new_claim) == ("replace", "corrected", f"{number}-R1")
    new = claim(engine, pid, f"{number}-R1")
    assert (new.frequency, new.original_number, new.state) == (
        "7",
        paid.payer_claim_number,
        "ready",
    )
    with session_scope(engine) as s:
        sub = submit(s, pid, tmp_path / "fix.837")
        assert sub is not None and sub.claims == 1
    assert f"CLM*{number}-R1*" in sub.text
    assert ":B:7*" in sub.text and f"REF*F8*{paid.payer_claim_number}~" in sub.text
    path = tmp_path / "fix.837"
    path.write_text(sub.text)
    assert f"{path}: OK" in x12valid(path)
    with session_scope(engine) as s:
        ar = accounts_receivable(s, pid, AS_OF)
        short = [r for r in list_claims(s, pid) if r.state == "partially_paid"]
        # The replacement's charge is open; the corrected original's is not counted again.
        assert ar.total == new.total_charge + sum((balance(s, r) for r in short), D("0.00"))


def test_totals_by_state_are_the_claims_totals_summed(engine: Engine, tmp_path: Path) -> None:
    """The dashboard's sums by state, worked in the database, against claim_totals claim by
    claim: paid, partly paid, denied, a correction and a void among them."""
    pid = load(engine, doc(**COMMERCIAL))
    send_and_pay(engine, pid, tmp_path)
    with session_scope(engine) as s:
        correct(s, pid, "V-2026-0002", "ann", "units", AS_OF)
        void(s, pid, "V-2026-0005", "ann", "workers' comp")
    with session_scope(engine) as s:
        rows = list_claims(s, pid)
        each = claim_totals(s, rows)
        expected: dict[str, list[Any]] = {}
        for r in rows:
            e = expected.setdefault(r.state, [0, D(0), D(0), D(0), D(0), D(0)])
            c = each[r.id]
            for k, v in enumerate((1, c.charge, c.paid, c.adjusted, c.patient, c.open)):
                e[k] += v
        got = {
            state: [n, c.charge, c.paid, c.adjusted, c.patient, c.open]
            for state, (n, c) in totals_by_state(s, pid).items()
        }
    assert len(expected) >= 3 and got == expected
    assert sum(e[2] for e in expected.values()) > 0  # money was paid, not only charged


def test_medicare_correction_is_a_reopening(engine: Engine, tmp_path: Path) -> None:
    pid = load(engine, doc())
    send_and_pay(engine, pid, tmp_path)
    with session_scope(engine) as s:
        out = correct(s, pid, "V-2026-0002", "ann", "wrong units", AS_OF)
        with pytest.raises(ClaimActionError, match="no void claims"):
            void(s, pid, "V-2026-0004", "ann", "billed in error")
    assert (out.action, out.state, out.new_claim) == ("reopening", "corrected", None)
    assert "reopen" in out.message
    with session_scope(engine) as s:
        assert [r.number for r in list_claims(s, pid, "ready")] == []


def test_unprocessable_claim_goes_again_as_a_new_claim_not_an_appeal(
    engine: Engine, tmp_path: Path
) -> None:
    pid = load(engine, doc())
    number = "V-2026-0002"

    def unprocessable(r: Any) -> Any:
        cps = []
        for cp in r.claims:
            if cp.patient_control_number == number:
                cp = replace(
                    cp,
                    status="4",
                    paid=D("0.00"),
                    patient_responsibility=D("0.00"),
                    adjustments=(Adjustment("CO", "16", cp.charge),),
                    remarks=("MA130", "M76"),
                    services=(),
                )
            cps.append(cp)
        return replace(r, claims=tuple(cps), amount=sum((c.paid for c in cps), D("0.00")))

    send_and_pay(engine, pid, tmp_path, unprocessable)
    assert claim(engine, pid, number).state == "rejected"
    with session_scope(engine) as s, pytest.raises(ClaimActionError, match="no appeal rights"):
        appeal(s, pid, number, "ann", "we disagree")
    with session_scope(engine) as s:
        out = correct(s, pid, number, "ann", "diagnosis pointer fixed", AS_OF)
    assert (out.action, out.state, out.new_claim) == ("resubmit", "closed", f"{number}-N1")
    new = claim(engine, pid, f"{number}-N1")
    assert (new.frequency, new.original_number, new.state) == ("1", None, "ready")
    with session_scope(engine) as s:
        assert verify(s, pid) == []


def test_void_sends_a_frequency_8_claim_and_only_reversals_post_to_it(
    engine: Engine, tmp_path: Path
) -> None:
    pid = load(engine, doc(**COMMERCIAL))
    send_and_pay(engine, pid, tmp_path)
    number = "V-2026-0005"
    with session_scope(engine) as s:
        out = void(s, pid, number, "ann", "patient was seen under workers' comp")
    assert (out.state, out.new_claim) == ("voided", f"{number}-V1")
    v = claim(engine, pid, f"{number}-V1")
    assert (v.frequency, v.state, v.original_number) == (
        "8",
        "ready",
        claim(engine, pid, number).payer_claim_number,
    )
    with session_scope(engine) as s:
        build_claims(s, pid, AS_OF)  # the visit's claim is not rebuilt over the void
        assert find(s, pid, number).state == "voided"
        sub = submit(s, pid, tmp_path / "void.837")
        assert sub is not None and sub.claims == 1 and ":B:8*" in sub.text


def test_appeal_of_a_denial_is_recorded(engine: Engine, tmp_path: Path) -> None:
    pid = load(engine, doc())
    number = "V-2026-0004"

    def deny(r: Any) -> Any:
        cps = [
            replace(
                cp,
                status="4",
                paid=D("0.00"),
                patient_responsibility=D("0.00"),
                adjustments=(Adjustment("CO", "50", cp.charge),),
                services=(),
            )
            if cp.patient_control_number == number
            else cp
            for cp in r.claims
        ]
        return replace(r, claims=tuple(cps), amount=sum((c.paid for c in cps), D("0.00")))

    send_and_pay(engine, pid, tmp_path, deny)
    with session_scope(engine) as s:
        assert find(s, pid, number).state == "denied"
        appeal(s, pid, number, "ann", "medical necessity documented in the plan of care")
    assert claim(engine, pid, number).state == "appealed"


def with_supplement(d: dict[str, Any]) -> dict[str, Any]:
    """The document with a Medigap plan as the patient's secondary coverage."""
    d["payers"].append({"id": "MEDIGAP", "name": "Prairie Medigap Plan G", "kind": "commercial"})
    d["coverages"].append(
        {
            "payer_id": "MEDIGAP",
            "member_id": "PMG4418820",
            "relationship": "self",
            "priority": 2,
            "start": "2020-01-01",
        }
    )
    return d


def test_secondary_claim_after_the_primary_835(engine: Engine, tmp_path: Path) -> None:
    d = with_supplement(doc())
    pid = load(engine, d)
    send_and_pay(engine, pid, tmp_path)
    with session_scope(engine) as s:
        # Within the supplement's 90 days from the first date of service (OT-FILE-001).
        out = build_secondary(s, pid, date(2026, 5, 15))
        again = build_secondary(s, pid, date(2026, 5, 15))
    with session_scope(engine) as s:
        paid = [r for r in list_claims(s, pid) if r.state in ("paid", "partially_paid")]
        assert sorted(out.built) == sorted(f"{r.number}-2" for r in paid) and again.built == []
        primary = paid[0]
        sec = find(s, pid, f"{primary.number}-2")
        assert (sec.payer_ext, sec.state) == ("MEDIGAP", "ready"), sec.findings
        (other,) = sec.doc["other_payers"]
        assert D(other["paid"]) == sum(
            (
                ln.paid
                for ln in s.scalars(select(t.ClaimLine).where(t.ClaimLine.claim_id == primary.id))
            ),
            D("0.00"),
        )
        # A/R: the supplement owes what Medicare left the patient (PR), not the whole charge.
        owed = sum(
            (
                a.amount
                for a in s.scalars(
                    select(t.Adjustment).where(
                        t.Adjustment.claim_id.in_([r.id for r in paid]),
                        t.Adjustment.group_code == "PR",
                    )
                )
            ),
            D("0.00"),
        )
        assert owed > 0
        sub = submit(s, pid, tmp_path / "sec.837", when=WHEN)
        ar = accounts_receivable(s, pid, date(2026, 5, 15))
        assert ar.by_payer_dos["MEDIGAP"].total == owed
        # The patient owes nothing yet: what Medicare left is with the supplement.
        (bal,) = patient_balances(s, pid, WHEN.date())
        assert bal.owed == D("0.00") and bal.pending_claims == len(paid)
    assert sub is not None and sub.claims == len(paid)
    assert "~SBR*S*18" in sub.text and "~AMT*D*" in sub.text


def test_no_secondary_claim_where_the_primary_forwarded_it(engine: Engine, tmp_path: Path) -> None:
    """CLP02 19: processed as primary and forwarded to the additional payer (Medicare's
    crossover). A claim of our own to the supplement would be a duplicate."""
    d = with_supplement(doc())
    pid = load(engine, d)

    def crossover(r: Any) -> Any:
        first, *rest = r.claims
        return replace(r, claims=(replace(first, status="19"), *rest))

    send_and_pay(engine, pid, tmp_path, crossover)
    with session_scope(engine) as s:
        out = build_secondary(s, pid, date(2026, 5, 15))
        forwarded = [x for x in out.skipped if "forwarded" in x]
        assert len(forwarded) == 1 and "CLP02 19" in forwarded[0]
        number = forwarded[0].split(":")[0]
        assert f"{number}-2" not in out.built
        assert out.built  # the others are still billed to the supplement


@pytest.mark.parametrize("attested", [False, True])
def test_kx_counts_what_the_835_allowed(engine: Engine, tmp_path: Path, attested: bool) -> None:
    """2022 dates (fee schedule on file, KX threshold $2,150). The fee schedule estimates the
    first four visits far under the threshold; the 835 allows much more, and rebuilding the
    fifth claim then finds it past the threshold: the coder applies KX when its note attests
    medical necessity, and the claim is flagged without KX when it does not."""
    text = EPISODE.read_text().replace("2026-", "2022-")
    d = json.loads(text)
    d["practice"]["charges"] = dict.fromkeys(d["practice"]["charges"], "900.00")
    fifth = d["visits"].pop()
    fifth.setdefault("documentation", {})["medical_necessity_documented"] = attested
    day = date(2022, 6, 1)
    pid = load(engine, d, day)
    with session_scope(engine) as s:
        submit(s, pid, tmp_path / "out.837")
        sent = as_claims(list_claims(s, pid, "submitted"))
    d["visits"].append(fifth)
    with session_scope(engine) as s:
        import_episodes(s, [load_document(d)])
        build_claims(s, pid, day)
        row = find(s, pid, fifth["id"])
        assert row.state == "ready"
        assert "OT-KX-001" not in {f["rule"] for f in row.findings["items"]}
    # The demo payer allows 62% of the charge: $558.00 a unit, past $2,150 within 4 units.
    era = build_835([remittance(sent, seed=4)], InterchangeInfo("MCR", "PRACTICE", 7, WHEN))
    with session_scope(engine) as s:
        post_835(s, pid, era, "era.835")
        build_claims(s, pid, day)
        row = find(s, pid, fifth["id"])
        rules = {f["rule"] for f in row.findings["items"]}
        kx = [ln["modifiers"] for ln in row.doc["lines"]]
        if attested:
            assert "OT-KX-001" not in rules and "OT-KX-003" not in rules, row.findings
            assert all("KX" in m for m in kx), kx
            assert "attests medical necessity" in row.doc["lines"][0]["explanation"][-1]
        else:
            assert "OT-KX-001" in rules, row.findings
            assert row.state == "draft"
            assert not any("KX" in m for m in kx), kx


def test_cli_actions(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTBILL_DATABASE_URL", db_url)
    runner = CliRunner()
    src = tmp_path / "ep.json"
    src.write_text(json.dumps(doc()))
    assert runner.invoke(cli, ["import", str(src)]).exit_code == 0
    assert runner.invoke(cli, ["claims", "build", "--as-of", "2026-06-01"]).exit_code == 0
    r = runner.invoke(
        cli,
        ["claims", "split", "V-2026-0003", "--lines", "2", "--why", "x", "--as-of", "2026-06-01"],
    )
    assert r.exit_code == 0, r.output
    assert "new claim V-2026-0003-S1" in r.output
    r = runner.invoke(cli, ["claims", "show", "V-2026-0003-S1", "--json"])
    data = json.loads(r.output)
    assert [ln["code"] for ln in data["lines"]] == ["97110"]
    assert data["history"][0]["to"] == "draft"
    r = runner.invoke(cli, ["claims", "split", "V-2026-0003", "--lines", "9", "--why", "x"])
    assert r.exit_code != 0
    assert isinstance(r.exception, ClaimActionError)
    r = runner.invoke(cli, ["accumulators", "P-0001", "--as-of", "2026-06-01", "--json"])
    assert r.exit_code == 0, r.output
    (acc,) = json.loads(r.output)
    assert acc["plans"][0]["treatment_days"] == 5 and acc["kx"][0]["bucket"] == "OT"
    r = runner.invoke(cli, ["accumulators", "NOBODY"])
    assert r.exit_code != 0


def test_accumulators_from_the_stored_history(engine: Engine, tmp_path: Path) -> None:
    d = json.loads(EPISODE.read_text().replace("2026-", "2022-"))
    d["authorizations"] = [
        {
            "number": "AUTH-1",
            "payer_id": "MCR-IL",
            "start": "2022-03-01",
            "end": "2022-04-30",
            "visits_allowed": 12,
            "units_allowed": 40,
        }
    ]
    for v in d["visits"]:
        v["authorization_number"] = "AUTH-1"  # else OT-AUTH-003 holds the claims as drafts
    day = date(2022, 6, 1)
    pid = load(engine, d, day)
    with session_scope(engine) as s:
        assert {c.state for c in list_claims(s, pid)} == {"ready"}
        (before,) = accumulators(s, pid, day, "P-0001")
        estimate = sum(
            (ln.allowed for ln in s.scalars(select(t.ClaimLine)) if ln.allowed is not None),
            D("0.00"),
        )
        units = sum(ln.units for ln in s.scalars(select(t.ClaimLine)))
    (kx,) = before.kx
    assert (kx.year, kx.bucket, kx.threshold) == (2022, "OT", D("2150.00"))
    assert (kx.adjudicated, kx.estimated, kx.unknown_lines) == (D("0.00"), estimate, 0)
    assert estimate > 0
    (auth,) = before.authorizations
    assert (auth.visits_used, auth.visits_allowed, auth.units_used) == (5, 12, units)
    (plan,) = before.plans
    # Five treatment days; the re-evaluation on the fifth (97168) closes the period.
    assert (plan.treatment_days, plan.days_since_progress, plan.progress_due) == (5, 0, False)
    send_and_pay(engine, pid, tmp_path)
    with session_scope(engine) as s:
        (after,) = accumulators(s, pid, day, "P-0001")
        allowed_835 = sum(
            (
                D(sv["allowed"])
                for p in s.scalars(select(t.Posting))
                for sv in p.doc["services"]
                if sv["allowed"]
            ),
            D("0.00"),
        )
    (kx,) = after.kx
    # Once adjudicated, the 835's allowed amounts replace the estimates.
    assert (kx.adjudicated, kx.estimated) == (allowed_835, D("0.00"))
    assert allowed_835 != estimate


def test_long_runs_report_progress(engine: Engine, tmp_path: Path) -> None:
    from otbill.demo.practice import practice_with_visits

    practice = practice_with_visits(600)
    with session_scope(engine) as s:
        pid = import_episodes(s, list(practice.episodes)).practice_id
    ticks: list[int] = []
    with session_scope(engine) as s:
        build_claims(s, pid, date(2026, 12, 31), progress=ticks.append)
        s.execute(t.Claim.__table__.update().values(state="ready"))  # type: ignore[attr-defined]
    assert sum(ticks) == len(practice.episodes)
    with session_scope(engine) as s:
        submit(s, pid, tmp_path / "all.837")
        sent = as_claims(list_claims(s, pid, "submitted"))
    seen: list[tuple[int, int]] = []
    era = build_835([remittance(sent, seed=2)], InterchangeInfo("P", "Q", 3, WHEN))
    with session_scope(engine) as s:
        post_835(s, pid, era, "all.835", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(500, 600), (600, 600)]


def test_worker_processes_build_what_one_process_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past PARALLEL_FROM visits the build forks workers; the claims must be the same."""
    from otbill.demo.practice import practice_with_visits
    from otbill.ledger.building import PARALLEL_FROM
    from otbill.ledger.db import make_engine
    from otbill.ledger.migrate import upgrade

    practice = practice_with_visits(PARALLEL_FROM + 100)
    rows = []
    for name, no_fork in (("serial", "1"), ("forked", "")):
        monkeypatch.setenv("OTBILL_NO_FORK", no_fork)
        eng = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade(eng)
        with session_scope(eng) as s:
            pid = import_episodes(s, list(practice.episodes)).practice_id
            build_claims(s, pid, date(2026, 12, 31))
        with session_scope(eng) as s:
            rows.append(
                [
                    (c.number, c.state, c.total_charge, c.doc, c.findings)
                    for c in list_claims(s, pid)
                ]
            )
        eng.dispose()
    assert len(rows[0]) == PARALLEL_FROM + 100
    assert rows[0] == rows[1]
