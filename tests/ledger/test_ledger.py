"""The ledger on SQLite and on PostgreSQL: import, claims, lifecycle, posting, books, A/R."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from otbill.demo.practice import generate_practice
from otbill.demo.remit import remittance
from otbill.ledger import schema as t
from otbill.ledger.books import accounts_receivable, verify
from otbill.ledger.claims import as_claims, build_claims, list_claims, move, submit
from otbill.ledger.db import session_scope
from otbill.ledger.lifecycle import TransitionError
from otbill.ledger.posting import PostingError, post_835
from otbill.ledger.store import import_episodes, load_episodes
from otbill.load.json_doc import load_path
from otbill.model.remittance import Adjustment, ClaimPayment, Remittance
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo
from x12samples import sample

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "schemas" / "examples"
D = Decimal
AS_OF = date(2026, 6, 1)
WHEN = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)


def setup_claims(engine: Engine) -> int:
    ep = load_path(EXAMPLES / "episode.json")
    with session_scope(engine) as s:
        pid = import_episodes(s, [ep]).practice_id
        build_claims(s, pid, AS_OF)
    return pid


def era(claims: list, seed: int = 4, **kw: object) -> str:  # type: ignore[type-arg]
    r = remittance(claims, seed=seed)
    r = replace(r, **kw)  # type: ignore[arg-type]
    return build_835([r], InterchangeInfo("MCR", "PRACTICE", 7, WHEN))


def test_import_twice_updates_and_never_duplicates(engine: Engine) -> None:
    ep = load_path(EXAMPLES / "episode.json")
    with session_scope(engine) as s:
        first = import_episodes(s, [ep])
    with session_scope(engine) as s:
        again = import_episodes(s, [ep])
    assert (first.visits_added, again.visits_added, again.visits_updated) == (5, 0, 0)
    changed = replace(ep, visits=(replace(ep.visits[0], place_of_service="12"), *ep.visits[1:]))
    with session_scope(engine) as s:
        r = import_episodes(s, [changed])
        assert (r.visits_added, r.visits_updated) == (0, 1)
        assert s.scalar(select(func.count()).select_from(t.Visit)) == 5
        (back,) = load_episodes(s, r.practice_id).values()
    assert back.visits[0].place_of_service == "12"
    assert back.visits[1:] == ep.visits[1:]


def test_practices_are_kept_apart(engine: Engine) -> None:
    pid = setup_claims(engine)
    other = generate_practice(seed=3, patients=3)
    with session_scope(engine) as s:
        oid = import_episodes(s, list(other.episodes)).practice_id
        assert oid != pid
        assert {c.practice_id for c in list_claims(s, pid)} == {pid}
        assert list_claims(s, oid) == []  # nothing built for the other practice yet
        build_claims(s, oid, date(2026, 12, 31))
        assert len(list_claims(s, pid)) == 5
        assert all(c.practice_id == oid for c in list_claims(s, oid))


def test_build_sets_ready_or_draft_with_history(engine: Engine) -> None:
    doc = json.loads((EXAMPLES / "episode.json").read_text())
    doc["visits"][2]["documentation"]["note_signed"] = False
    from otbill.load.json_doc import load_document

    with session_scope(engine) as s:
        pid = import_episodes(s, [load_document(doc)]).practice_id
        r = build_claims(s, pid, AS_OF)
        assert (r.built, r.ready, r.draft) == (5, 4, 1)
        draft = next(c for c in list_claims(s, pid) if c.state == "draft")
        assert draft.number == "V-2026-0003"
        events = list(s.scalars(select(t.ClaimEvent).where(t.ClaimEvent.claim_id == draft.id)))
        assert [(e.from_state, e.to_state) for e in events] == [(None, "draft")]
        ready = next(c for c in list_claims(s, pid) if c.state == "ready")
        events = list(
            s.scalars(
                select(t.ClaimEvent)
                .where(t.ClaimEvent.claim_id == ready.id)
                .order_by(t.ClaimEvent.id)
            )
        )
        assert [(e.from_state, e.to_state) for e in events] == [(None, "draft"), ("draft", "ready")]
        with pytest.raises(TransitionError, match="cannot go from draft to paid"):
            move(s, draft, "paid", "test", "no")


def test_submit_post_verify_and_post_again(engine: Engine, tmp_path: Path) -> None:
    pid = setup_claims(engine)
    with session_scope(engine) as s:
        sub = submit(s, pid, tmp_path / "a.837", when=WHEN)
        assert sub is not None and sub.claims == 5
        assert {c.state for c in list_claims(s, pid)} == {"submitted"}
        claims = as_claims(list_claims(s, pid))
    text = era(claims)
    with session_scope(engine) as s:
        r = post_835(s, pid, text, name="a.835")
    assert (r.claims_posted, r.unmatched, r.already_posted) == (5, [], False)
    with session_scope(engine) as s:
        # V-2026-0001: 97166 $185 and 97535 $50. The demo payer allows 62% and the patient
        # owes 20% of it: 97166 allowed 114.70, coinsurance 22.94, paid 91.76; 97535 allowed
        # 31.00, coinsurance 6.20, paid 24.80 (hand-checked).
        c1 = s.scalar(select(t.Claim).where(t.Claim.number == "V-2026-0001"))
        assert c1 is not None
        lines = {
            ln.code: ln
            for ln in s.scalars(select(t.ClaimLine).where(t.ClaimLine.claim_id == c1.id))
        }
        assert (lines["97166"].paid, lines["97166"].patient_resp, lines["97166"].adjusted) == (
            D("91.76"),
            D("22.94"),
            D("70.30"),
        )
        assert (lines["97535"].paid, lines["97535"].patient_resp) == (D("24.80"), D("6.20"))
        assert c1.state == "paid"
        assert verify(s, pid) == []
        before = s.scalar(select(func.count()).select_from(t.Adjustment))
    with session_scope(engine) as s:
        again = post_835(s, pid, text, name="a.835")
        assert again.already_posted
        assert s.scalar(select(func.count()).select_from(t.Adjustment)) == before


def test_real_835_sample_hand_checked(engine: Engine) -> None:
    """The X221 ERA sample: claim 7722337, five dental lines, $226 charged, $132 paid, $94
    adjusted CO-131. A claim is set up to match it, then the sample file is posted."""
    pid = setup_claims(engine)
    with session_scope(engine) as s:
        patient = s.scalars(select(t.Patient)).first()
        assert patient is not None
        claim = t.Claim(
            practice_id=pid,
            number="7722337",
            patient_id=patient.id,
            visit_id=None,
            payer_ext="DELTA",
            member_id="SJD11111",
            date_of_service=date(2014, 3, 24),
            state="submitted",
            frequency="1",
            total_charge=D("226"),
            doc={},
            findings={},
        )
        s.add(claim)
        s.flush()
        for n, (code, charge) in enumerate(
            [("D0120", 46), ("D0220", 25), ("D0230", 22), ("D0274", 60), ("D1110", 73)], start=1
        ):
            s.add(
                t.ClaimLine(
                    claim_id=claim.id, line_no=n, code=code, modifiers="", units=1, charge=D(charge)
                )
            )
    with session_scope(engine) as s:
        r = post_835(s, pid, sample("835/albmarin__X221-era-sample.edi"))
        assert r.claims_posted == 1
        assert r.paid == D("132.00")
        c = s.scalar(select(t.Claim).where(t.Claim.number == "7722337"))
        assert c is not None and c.state == "paid"
        assert c.payer_claim_number == "119932404007801"
        lines = list(s.scalars(select(t.ClaimLine).where(t.ClaimLine.claim_id == c.id)))
        assert sum(ln.paid for ln in lines) == D("132")
        assert sum(ln.adjusted for ln in lines) == D("94")
        reasons = {
            a.reason for a in s.scalars(select(t.Adjustment).where(t.Adjustment.claim_id == c.id))
        }
        assert reasons == {"131"}
        assert verify(s, pid) == []


def _paid_then(engine: Engine, tmp_path: Path) -> tuple[int, ClaimPayment, ClaimPayment, str]:
    """A claim paid by one 835, and the reversal of that payment (CLP02 = 22)."""
    pid = setup_claims(engine)
    with session_scope(engine) as s:
        submit(s, pid, tmp_path / "a.837", when=WHEN)
        claims = as_claims(list_claims(s, pid))
    paid = remittance(claims[:1], seed=4)
    with session_scope(engine) as s:
        post_835(s, pid, build_835([paid], InterchangeInfo("MCR", "P", 7, WHEN)), name="p")
        state = s.scalar(select(t.Claim.state).where(t.Claim.number == claims[0].id))
    cp = paid.claims[0]
    undo = ClaimPayment(
        cp.patient_control_number,
        "22",
        -cp.charge,
        -cp.paid,
        -(cp.patient_responsibility or D(0)),
        "MB",
        cp.payer_claim_number,
        patient_last="PATIENT",
        adjustments=(Adjustment("CR", "129", -(cp.charge - cp.paid)),),
    )
    return pid, cp, undo, str(state)


def _remit(amount: Decimal, *payments: ClaimPayment) -> str:
    rev = Remittance(
        "0002",
        "I",
        amount,
        "C",
        "NON",
        date(2026, 4, 20),
        "REV1",
        "1999999999",
        "DEMO PAYER",
        "DEMO",
        "DEMO PRACTICE",
        "1234567893",
        None,
        payments,
        (),
        (),
    )
    return build_835([rev], InterchangeInfo("MCR", "P", 8, WHEN))


def _lines_of(s: Any, number: str) -> tuple[t.Claim, list[t.ClaimLine]]:
    c = s.scalar(select(t.Claim).where(t.Claim.number == number))
    assert c is not None
    return c, list(s.scalars(select(t.ClaimLine).where(t.ClaimLine.claim_id == c.id)))


def test_reversal_undoes_the_payment(engine: Engine, tmp_path: Path) -> None:
    pid, cp, undo, _ = _paid_then(engine, tmp_path)
    with session_scope(engine) as s:
        r = post_835(s, pid, _remit(-cp.paid, undo), name="r")
        assert r.reversals == 1
        c, lines = _lines_of(s, cp.patient_control_number)
        assert c.state == "accepted"
        assert sum(ln.paid for ln in lines) == D("0.00")
        assert sum(ln.patient_resp for ln in lines) == D("0.00")
        assert verify(s, pid) == []


def test_a_reversal_and_the_payment_again_in_one_file(engine: Engine, tmp_path: Path) -> None:
    """How a payer reprocesses a claim: the old payment reversed and the new one sent in the
    same 835. The new one lands on the claim's lines as the first did."""
    pid, cp, undo, state = _paid_then(engine, tmp_path)
    with session_scope(engine) as s:
        _, first = _lines_of(s, cp.patient_control_number)
        before = [(ln.paid, ln.adjusted, ln.patient_resp) for ln in first]
    again = replace(cp, payer_claim_number=f"{cp.payer_claim_number}B")
    with session_scope(engine) as s:
        r = post_835(s, pid, _remit(D("0.00"), undo, again), name="r")
        assert (r.reversals, r.claims_posted) == (1, 1)
        c, lines = _lines_of(s, cp.patient_control_number)
        assert c.state == state
        assert c.payer_claim_number == again.payer_claim_number
        assert [(ln.paid, ln.adjusted, ln.patient_resp) for ln in lines] == before
        assert sum(ln.paid for ln in lines) == cp.paid
        assert verify(s, pid) == []


@pytest.mark.parametrize("icn", ["same", "new"])
def test_the_payment_again_then_the_reversal_in_one_file(
    engine: Engine, tmp_path: Path, icn: str
) -> None:
    """The other order a payer sends a reprocessing in, under the same payer claim number or a
    new one: the reversal undoes the earlier file's payment, not the one just posted, and the
    claim stays where the new payment leaves it."""
    pid, cp, undo, state = _paid_then(engine, tmp_path)
    with session_scope(engine) as s:
        _, first = _lines_of(s, cp.patient_control_number)
        before = [(ln.paid, ln.adjusted, ln.patient_resp) for ln in first]
    again = cp if icn == "same" else replace(cp, payer_claim_number=f"{cp.payer_claim_number}B")
    with session_scope(engine) as s:
        r = post_835(s, pid, _remit(D("0.00"), again, undo), name="r")
        assert (r.reversals, r.claims_posted) == (1, 1)
        c, lines = _lines_of(s, cp.patient_control_number)
        assert c.state == state
        assert [(ln.paid, ln.adjusted, ln.patient_resp) for ln in lines] == before
        postings = list(s.scalars(select(t.Posting).order_by(t.Posting.id)))
        # The first file's payment is the one reversed; this file's payment stands.
        first_file = postings[0].remittance_id
        got = [(p.remittance_id == first_file, p.status, p.reversed) for p in postings]
        assert got == [(True, cp.status, True), (False, cp.status, False), (False, "22", True)]
        assert verify(s, pid) == []


def test_unmatched_claims_are_queued_with_the_reason(engine: Engine, tmp_path: Path) -> None:
    pid = setup_claims(engine)
    with session_scope(engine) as s:
        submit(s, pid, tmp_path / "a.837", when=WHEN)
        claims = as_claims(list_claims(s, pid))
    stranger = replace(claims[0], id="NOT-OURS-1", patient_id="x")
    with session_scope(engine) as s:
        r = post_835(s, pid, era([*claims[1:], stranger]), name="u")
        assert r.claims_posted == 4
        assert len(r.unmatched) == 1
        (u,) = s.scalars(select(t.Unmatched))
        assert u.patient_control_number == "NOT-OURS-1"
        assert "no claim" in u.reason


def test_an_835_with_errors_is_refused_whole(engine: Engine, tmp_path: Path) -> None:
    pid = setup_claims(engine)
    with session_scope(engine) as s:
        submit(s, pid, tmp_path / "a.837", when=WHEN)
        claims = as_claims(list_claims(s, pid))
    text = era(claims).replace("~CLP*V-2026-0005*1*230*", "~CLP*V-2026-0005*1*231*")
    with pytest.raises(PostingError, match="not posted"), session_scope(engine) as s:
        post_835(s, pid, text, name="bad")
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(t.Remittance)) == 0
        assert s.scalar(select(func.count()).select_from(t.Posting)) == 0
        assert {c.state for c in list_claims(s, pid)} == {"submitted"}


def test_ar_ages_open_balances(engine: Engine, tmp_path: Path) -> None:
    pid = setup_claims(engine)
    with session_scope(engine) as s:
        submit(s, pid, tmp_path / "a.837", when=WHEN)
        ar = accounts_receivable(s, pid, date(2026, 4, 20))
    assert ar.total == D("994.00")  # 235 + 162 + 202 + 165 + 230, nothing paid yet
    aging = ar.by_payer_dos["MCR-IL"]
    # Dates of service 3/2, 3/5, 3/10, 3/12 (31-60 days before 4/20) and 3/17 (34 days).
    assert aging.buckets["31-60"] == D("994.00")
    assert ar.by_payer_submitted["MCR-IL"].buckets["0-30"] == D("0.00")  # submitted 6/2
    assert len(ar.by_patient) == 1


def test_ar_as_of_a_past_day_leaves_out_later_services(engine: Engine, tmp_path: Path) -> None:
    """As of 3/11 the services of 3/12 and 3/17 had not happened: A/R is 3/2, 3/5 and 3/10
    (235 + 162 + 202 = 599.00), and every dollar of the total is in an age bucket."""
    pid = setup_claims(engine)
    with session_scope(engine) as s:
        submit(s, pid, tmp_path / "a.837", when=WHEN)
        ar = accounts_receivable(s, pid, date(2026, 3, 11))
    aging = ar.by_payer_dos["MCR-IL"]
    assert (ar.total, aging.total) == (D("599.00"), D("599.00"))


def test_days_in_ar_over_the_last_90_days_charges(engine: Engine, tmp_path: Path) -> None:
    """By hand, as of 6/1: A/R is all five claims, 994.00. The charges of the last 90 days
    leave out 3/2 (91 days back): 162 + 202 + 165 + 230 = 759.00, 8.4333 a day, so days in A/R
    = 994.00 / (759.00 / 90) = 117.87, shown as 117.9. Aged from the date of service, 3/2 is
    91-120 days old and the rest 61-90."""
    pid = setup_claims(engine)
    with session_scope(engine) as s:
        submit(s, pid, tmp_path / "a.837", when=WHEN)
        ar = accounts_receivable(s, pid, date(2026, 6, 1))
    assert (ar.total, ar.days_in_ar) == (D("994.00"), D("117.9"))
    aging = ar.by_payer_dos["MCR-IL"].buckets
    assert (aging["91-120"], aging["61-90"]) == (D("235.00"), D("759.00"))
    (patient,) = ar.by_patient.values()
    assert patient.total == D("994.00")


def test_import_adds_to_the_charge_master_never_replaces_it(engine: Engine) -> None:
    wc = load_path(EXAMPLES / "visit-workers-comp.json")
    plain = load_path(EXAMPLES / "visit.json")
    with session_scope(engine) as s:
        pid = import_episodes(s, [wc]).practice_id
        import_episodes(s, [plain])
    with session_scope(engine) as s:
        charges = s.get(t.Practice, pid).doc["charges"]  # type: ignore[union-attr]
        assert set(wc.practice.charges) | set(plain.practice.charges) == set(charges)
        build_claims(s, pid, AS_OF)  # the workers' comp visit's codes are still priced
        assert len(list_claims(s, pid)) == 2


def test_verify_names_every_break(engine: Engine, tmp_path: Path) -> None:
    pid = setup_claims(engine)
    with session_scope(engine) as s:
        submit(s, pid, tmp_path / "a.837", when=WHEN)
        claims = as_claims(list_claims(s, pid))
    with session_scope(engine) as s:
        post_835(s, pid, era(claims), name="a.835")
    with session_scope(engine) as s:
        assert verify(s, pid) == []

        def line(number: str, code: str) -> t.ClaimLine:
            return s.scalars(
                select(t.ClaimLine)
                .join(t.Claim)
                .where(t.Claim.number == number, t.ClaimLine.code == code)
            ).one()

        # Someone edits the books by hand, four ways.
        s.scalar(select(t.Claim).where(t.Claim.number == "V-2026-0002")).total_charge += 1  # type: ignore[union-attr]
        line("V-2026-0003", "97110").paid += D("1000.00")
        line("V-2026-0004", "97530").patient_resp = D("-5.00")
        s.flush()
        found = verify(s, pid)
    assert "claim V-2026-0002: lines charge 162.00, claim 163.00" in found
    assert any(b.startswith("claim V-2026-0003: paid, adjusted and patient") for b in found)
    assert any(b.startswith("claim V-2026-0003: postings paid") for b in found)
    assert "claim V-2026-0004 line 1: negative amounts" in found
    assert not any("V-2026-0001" in b or "V-2026-0005" in b for b in found)
