"""The denial work queue on SQLite and PostgreSQL: items opened by posting, never twice; settled
by later payments, reversals and appeal decisions; worked by a person to an end through the
claim's lifecycle; rejections and underpayments; deadlines per payer kind."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from otbill.ledger import schema as t
from otbill.ledger.acks import apply_ack
from otbill.ledger.claims import as_claims, build_claims, list_claims, submit
from otbill.ledger.db import session_scope
from otbill.ledger.denials import (
    WorkError,
    act,
    assign,
    list_items,
    note,
    queue_page,
    show_item,
)
from otbill.ledger.posting import post_835
from otbill.ledger.store import import_episodes
from otbill.load.json_doc import load_document
from otbill.model import Claim
from otbill.model.remittance import Adjustment, ClaimPayment, Remittance, ServicePayment
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo

ROOT = Path(__file__).resolve().parents[2]
D = Decimal
WHEN = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
PAID_ON = date(2026, 3, 27)


def sent(
    engine: Engine, kind: str = "medicare", tmp: Path | None = None
) -> tuple[int, list[Claim]]:
    """The example episode's five claims built and sent, billed to a payer of ``kind``."""
    doc = json.loads((ROOT / "schemas/examples/episode.json").read_text())
    doc["payers"][0]["kind"] = kind
    with session_scope(engine) as s:
        pid = import_episodes(s, [load_document(doc)]).practice_id
        build_claims(s, pid, date(2026, 3, 20))
        # Whatever the scrubber says of another payer kind, these go out for the test.
        for row in list_claims(s, pid):
            row.state = "ready"
    with session_scope(engine) as s:
        submit(s, pid, (tmp or Path("/tmp")) / f"claims-{kind}.837", when=WHEN)
        claims = as_claims(list_claims(s, pid))
    return pid, claims


def svc(claim: Claim, n: int, paid: str, *adj: tuple[str, str, str], remarks: tuple[str, ...] = (),
        allowed: str | None = None) -> ServicePayment:  # fmt: skip
    ln = claim.lines[n]
    return ServicePayment(
        ln.code,
        ln.modifiers,
        ln.charge,
        D(paid),
        D(ln.units),
        None,
        (),
        None,
        date=ln.date,
        adjustments=tuple(Adjustment(g, r, D(a)) for g, r, a in adj),
        remarks=remarks,
        allowed=None if allowed is None else D(allowed),
    )


def pay(
    claim: Claim, *services: ServicePayment, status: str = "1", number: str = ""
) -> ClaimPayment:
    paid = sum((s.paid for s in services), D("0.00"))
    pr = sum((a.amount for s in services for a in s.adjustments if a.group == "PR"), D("0.00"))
    charge = sum((s.charge for s in services), D("0.00"))
    return ClaimPayment(
        claim.id, status, charge, paid, pr, "MB", number or f"PCN-{claim.id}", "11", "1",
        "PRICE", "ELEANOR", claim.member_id, services=services,
    )  # fmt: skip


def others_paid(claim: Claim, skip: int) -> list[ServicePayment]:
    """The claim's other lines paid in full of their charge less CO-45 (a plain payment)."""
    out = []
    for n, ln in enumerate(claim.lines):
        if n != skip:
            half = (ln.charge / 2).quantize(D("0.01"))
            out.append(svc(claim, n, str(half), ("CO", "45", str(ln.charge - half))))
    return out


def post(engine: Engine, pid: int, day: date, *payments: ClaimPayment, trace: str = "") -> Any:
    total = sum((p.paid for p in payments), D("0.00"))
    r = Remittance(
        "0001", "I", total, "C", "CHK", day, trace or f"T{day:%Y%m%d}", "1999999999",
        "MEDICARE", "MCR", "PRACTICE", "1234567893", day, payments, (), (),
    )  # fmt: skip
    text = build_835([r], InterchangeInfo("MCR", "P", 1, WHEN))
    with session_scope(engine) as s:
        return post_835(s, pid, text, name=f"{trace or day}.835")


def items(engine: Engine, pid: int, state: str = "all", **kw: Any) -> list[Any]:
    with session_scope(engine) as s:
        return list_items(s, pid, date(2026, 4, 1), state=state, **kw)


def test_a_denial_opens_one_item_and_posting_again_opens_none(
    engine: Engine, tmp_path: Path
) -> None:
    pid, claims = sent(engine, tmp=tmp_path)
    c = claims[2]  # 97112, 97110, 97535
    cp = pay(c, svc(c, 0, "0.00", ("CO", "50", str(c.lines[0].charge)), remarks=("N115",)),
             *others_paid(c, 0))  # fmt: skip
    post(engine, pid, PAID_ON, cp)
    (item,) = items(engine, pid)
    assert (item.kind, item.code, item.reason, item.remarks) == ("denial", "97112", "CO-50", "N115")
    assert (item.category, item.action, item.amount) == ("medical_necessity", "appeal", D("104.00"))
    # Medicare redetermination: the remittance of 03-27 received 04-01, then 120 days.
    assert item.due_on == date(2026, 7, 30)
    assert "405.942" not in item.deadline and "presumed received 5 days later" in item.deadline
    assert item.claim == c.id and item.state == "open"
    # The same file again, and the same payment in another file: nothing new.
    post(engine, pid, PAID_ON, cp)
    assert len(items(engine, pid)) == 1
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(t.WorkItemEvent)) == 1


def test_a_later_payment_closes_it(engine: Engine, tmp_path: Path) -> None:
    pid, claims = sent(engine, tmp=tmp_path)
    c = claims[3]  # 97530 alone
    post(engine, pid, PAID_ON, pay(c, svc(c, 0, "0.00", ("CO", "50", str(c.lines[0].charge)))))
    (item,) = items(engine, pid, "open")
    # The payer reprocesses: the denial reversed and the line paid.
    denied = pay(c, svc(c, 0, "0.00", ("CO", "50", str(c.lines[0].charge))))
    undo = replace(
        denied, status="22", charge=-denied.charge, paid=D("0.00"), patient_responsibility=D(0),
        services=(replace(denied.services[0], charge=-denied.services[0].charge,
                          adjustments=(Adjustment("CO", "50", -c.lines[0].charge),)),),
    )  # fmt: skip
    again = pay(c, svc(c, 0, "40.00", ("CO", "45", str(c.lines[0].charge - 50)), ("PR", "2", "10")))
    post(engine, pid, date(2026, 4, 20), undo, again, trace="REPROCESS")
    assert items(engine, pid, "open") == []
    (closed,) = items(engine, pid, "closed")
    assert closed.id == item.id and closed.outcome == "reversed"


def test_an_appeal_upheld_then_overturned(engine: Engine, tmp_path: Path) -> None:
    pid, claims = sent(engine, tmp=tmp_path)
    c = claims[3]
    charge = str(c.lines[0].charge)
    post(engine, pid, PAID_ON, pay(c, svc(c, 0, "0.00", ("CO", "50", charge))))
    (item,) = items(engine, pid, "open")
    with session_scope(engine) as s:
        r = act(s, pid, item.id, "appeal", "dana", "skilled care documented", date(2026, 4, 2))
    assert (r.state, r.claim_state) == ("waiting", "appealed")
    # The redetermination upholds the denial (a new 835 on 2026-05-20): the next level's item.
    post(
        engine, pid, date(2026, 5, 20), pay(c, svc(c, 0, "0.00", ("CO", "50", charge))), trace="R1"
    )
    first, second = sorted(items(engine, pid), key=lambda v: v.id)
    assert (first.state, first.outcome) == ("closed", "upheld")
    assert (second.state, second.level) == ("open", 2)
    # Reconsideration: 180 days from receipt of the decision (05-25): 2026-11-21.
    assert second.due_on == date(2026, 11, 21)
    with session_scope(engine) as s:
        detail = show_item(s, pid, first.id, date(2026, 6, 1))
    (appeal,) = detail.appeals
    assert (appeal["name"], appeal["decision"], appeal["next_due_on"]) == (
        "redetermination", "upheld", date(2026, 11, 21),
    )  # fmt: skip
    with session_scope(engine) as s:
        act(s, pid, second.id, "appeal", "dana", "to the QIC", date(2026, 6, 1))
        (a2,) = show_item(s, pid, second.id, date(2026, 6, 1)).appeals
        assert (a2["level"], a2["name"]) == (2, "reconsideration")
    post(
        engine,
        pid,
        date(2026, 8, 1),
        pay(c, svc(c, 0, "44.80", ("CO", "45", str(c.lines[0].charge - D("44.80"))))),
        trace="R2",
    )
    last = max(items(engine, pid), key=lambda v: v.id)
    assert (last.state, last.outcome) == ("closed", "overturned")
    assert items(engine, pid, "open") == []


def test_unprocessable_is_resubmitted_never_appealed(engine: Engine, tmp_path: Path) -> None:
    pid, claims = sent(engine, tmp=tmp_path)
    c = claims[3]
    cp = pay(c, svc(c, 0, "0.00", ("CO", "16", str(c.lines[0].charge)), remarks=("MA130", "M51")))
    post(engine, pid, PAID_ON, cp)
    (item,) = items(engine, pid)
    assert (item.kind, item.category, item.action, item.appealable) == (
        "unprocessable", "coding", "resubmit", "no",
    )  # fmt: skip
    # A new claim within the filing limit: 12 months from the date of service.
    assert item.due_on == date(2027, 3, 12)
    with session_scope(engine) as s, pytest.raises(Exception, match="no appeal"):
        act(s, pid, item.id, "appeal", "dana", "try", date(2026, 4, 2))
    with session_scope(engine) as s:
        r = act(s, pid, item.id, "resubmit", "dana", "procedure code fixed", date(2026, 4, 2))
    assert (r.state, r.new_claim) == ("closed", f"{c.id}-N1")


def test_a_rejection_is_an_item_once(engine: Engine, tmp_path: Path) -> None:
    pid, claims = sent(engine, tmp=tmp_path)
    ack = ROOT / "tests/fixtures/x12/277CA/imsweb__x12_277CA_rejected.txt"
    if not ack.exists():  # pragma: no cover - the fixture ships with the repository
        pytest.skip("no 277CA rejection fixture")
    text = ack.read_text()
    # Point the sample's rejected claim at one of ours.
    with session_scope(engine) as s:
        from otbill.x12.read import read_x12

        (status,) = [cs for st in read_x12(text).sets for cs in st.result if cs.rejected][:1]
        text = text.replace(status.patient_control_number, claims[0].id)
        apply_ack(s, pid, text)
    with session_scope(engine) as s:
        apply_ack(s, pid, text)  # the same acknowledgment twice
    (item,) = items(engine, pid)
    assert (item.kind, item.action, item.claim) == ("rejection", "resubmit", claims[0].id)
    assert item.due_on == date(2027, 3, 2)  # 12 months from the date of service


def test_an_underpayment_is_found(engine: Engine, tmp_path: Path) -> None:
    pid, claims = sent(engine, tmp=tmp_path)
    a, b = claims[3], claims[1]  # 97530 GO CO x3; 97530 GO x2 with 97112 GO
    with session_scope(engine) as s:
        for number in (a.id, b.id):
            line = s.scalar(
                select(t.ClaimLine)
                .join(t.Claim)
                .where(t.Claim.number == number, t.ClaimLine.line_no == 1)
            )
            assert line is not None
            line.expected_allowed = D("80.00")  # what the fee schedule allows for it
    # A CO line is allowed 85% of the fee schedule from 2022 (68.00): 75.00 is not short.
    fine = pay(a, svc(a, 0, "60.00", ("CO", "45", str(a.lines[0].charge - 75)),
                      ("PR", "2", "15.00"), allowed="75.00"))  # fmt: skip
    low = pay(b, svc(b, 0, "56.00", ("CO", "45", str(b.lines[0].charge - 70)),
                     ("PR", "2", "14.00"), allowed="70.00"), *others_paid(b, 0))  # fmt: skip
    post(engine, pid, PAID_ON, fine, low)
    (item,) = items(engine, pid)
    # Medicare corrects a misapplied fee schedule by a reopening, within a year.
    assert (item.claim, item.kind, item.amount, item.action, item.due_on) == (
        b.id, "underpayment", D("10.00"), "correct", date(2027, 3, 27),
    )  # fmt: skip
    assert "allowed 70.00, the fee schedule or contract expects 80.00" in item.why
    # The CO line short of its 85%: allowed 60.00 against 68.00.
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(t.WorkItem)) == 1


@pytest.mark.parametrize(
    ("kind", "due"),
    [
        ("medicare", date(2026, 7, 30)),  # redetermination: 03-27 + 5 + 120
        ("medicare_advantage", date(2026, 5, 31)),  # 65 days
        ("commercial", date(2026, 9, 23)),  # 180 days
        ("medicaid", None),  # no window on file: said so
    ],
)
def test_the_deadline_follows_the_payer_kind(
    engine: Engine, tmp_path: Path, kind: str, due: date | None
) -> None:
    pid, claims = sent(engine, kind, tmp=tmp_path)
    c = claims[3]
    post(engine, pid, PAID_ON, pay(c, svc(c, 0, "0.00", ("CO", "50", str(c.lines[0].charge)))))
    (item,) = items(engine, pid)
    assert item.due_on == due
    if due is None:
        assert "set appeal_window in its profile" in item.deadline


def test_work_an_item_to_a_write_off(engine: Engine, tmp_path: Path) -> None:
    pid, claims = sent(engine, tmp=tmp_path)
    c = claims[3]
    post(engine, pid, PAID_ON, pay(c, svc(c, 0, "0.00", ("CO", "236", str(c.lines[0].charge)))))
    (item,) = items(engine, pid)
    with session_scope(engine) as s:
        assign(s, pid, item.id, "dana", "lead")
        note(s, pid, item.id, "NCCI indicator 0 pair: no modifier bypasses it", "dana")
        with pytest.raises(WorkError, match="reason code"):
            act(s, pid, item.id, "write_off", "dana", "not billable", date(2026, 4, 2))
        with pytest.raises(WorkError, match="may not be billed to the patient"):
            act(s, pid, item.id, "bill_patient", "dana", "try", date(2026, 4, 2))
    with session_scope(engine) as s:
        r = act(s, pid, item.id, "write_off", "dana", "indicator 0", date(2026, 4, 2), code="NA")
        detail = show_item(s, pid, item.id, date(2026, 4, 2))
    assert (r.state, r.claim_state) == ("closed", "closed")
    assert detail.item.write_off_code == "NA" and detail.item.assignee == "dana"
    assert [e["kind"] for e in detail.history] == ["opened", "assigned", "note", "action"]
    assert items(engine, pid, assignee="dana")[0].id == item.id
    with session_scope(engine) as s, pytest.raises(WorkError, match="closed"):
        act(s, pid, item.id, "close", "dana", "again", date(2026, 4, 2))


def test_filters(engine: Engine, tmp_path: Path) -> None:
    pid, claims = sent(engine, tmp=tmp_path)
    a, b = claims[3], claims[1]
    denied = pay(a, svc(a, 0, "0.00", ("CO", "50", str(a.lines[0].charge))))
    over = pay(b, svc(b, 0, "0.00", ("CO", "198", str(b.lines[0].charge))), *others_paid(b, 0))
    post(engine, pid, PAID_ON, denied, over)
    assert {v.reason for v in items(engine, pid)} == {"CO-50", "CO-198"}
    assert [v.reason for v in items(engine, pid, reason="198")] == ["CO-198"]
    assert [v.reason for v in items(engine, pid, reason="CO-50")] == ["CO-50"]
    assert [v.category for v in items(engine, pid, category="authorization")] == ["authorization"]
    assert items(engine, pid, payer="NOBODY") == []
    assert len(items(engine, pid, min_age=5)) == 2 and items(engine, pid, min_age=6) == []
    assert {v.therapist for v in items(engine, pid)} == {"1987654328"}


def test_pages_of_the_queue_in_every_order(engine: Engine, tmp_path: Path) -> None:
    """The database pages the queue: for each order, the pages joined are the whole queue in
    that order (no item twice, none skipped), and total and amount are the whole queue's."""
    pid, claims = sent(engine, tmp=tmp_path)
    denied = [
        pay(c, *(svc(c, i, "0.00", ("CO", "50", str(ln.charge))) for i, ln in enumerate(c.lines)))
        for c in claims[:3]
    ]
    post(engine, pid, PAID_ON, *denied)
    everything = items(engine, pid)
    assert len(everything) >= 6
    key = {
        "due": lambda v: (v.due_on is None, v.due_on),
        "amount": lambda v: v.amount,
        "age": lambda v: v.age_days,
        "claim": lambda v: v.claim,
    }
    with session_scope(engine) as s:
        for name, field in key.items():
            for sort in (name, f"-{name}"):
                pages, offset = [], 0
                while True:
                    q = queue_page(s, pid, date(2026, 4, 1), state="all", sort=[sort], limit=4,
                                   offset=offset)  # fmt: skip
                    assert (q.total, q.amount) == (
                        len(everything),
                        sum((v.amount for v in everything), D("0")),
                    )
                    if not q.items:
                        break
                    pages += q.items
                    offset += 4
                assert sorted(v.id for v in pages) == sorted(v.id for v in everything)
                values = [field(v) for v in pages]
                if name == "due":  # no deadline on file: last, in either direction
                    days = [d for none, d in values if not none]
                    assert days == sorted(days, reverse=sort.startswith("-"))
                    assert all(none for none, _ in values[len(days) :])
                else:
                    assert values == sorted(values, reverse=sort.startswith("-"))
    # The default order: soonest deadline, then the most money.
    amounts = [v.amount for v in everything if v.due_on == everything[0].due_on]
    assert amounts == sorted(amounts, reverse=True)


def test_a_contract_rate_finds_a_commercial_underpayment(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from otbill.cli import main

    pid, claims = sent(engine, "commercial", tmp=tmp_path)
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "payer,code,modifier,rate,effective_from,effective_to,source\n"
        "MCR-IL,97530,,30.00,2026-01-01,,contract exhibit B\n"
        "MCR-IL,97530,KX,99.00,2026-01-01,,a modifier row applies only where it is\n"
        "MCR-IL,97112,,25.00,2025-01-01,2025-12-31,last year's rate\n"
    )
    monkeypatch.setenv("OTBILL_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["contracts", "load", str(rates)]) == 0
    b = claims[1]  # 97530 x2 (the contract allows 2 x 30.00 = 60.00), 97112 x1 (no 2026 rate)
    first = svc(b, 0, "44.00", ("CO", "45", str(b.lines[0].charge - 55)), ("PR", "3", "11.00"),
                allowed="55.00")  # fmt: skip
    second = svc(b, 1, "20.00", ("CO", "45", str(b.lines[1].charge - 20)), allowed="20.00")
    low = pay(b, first, second)
    post(engine, pid, PAID_ON, low)
    (item,) = items(engine, pid)
    assert (item.code, item.kind, item.amount, item.action) == (
        "97530",
        "underpayment",
        D("5.00"),
        "appeal",
    )
    assert item.due_on == date(2026, 9, 23)  # the commercial appeal window, 180 days
    bad = tmp_path / "bad.csv"
    bad.write_text("payer,code,rate,effective_from\nNOBODY,97530,1.00,2026-01-01\n")
    capsys.readouterr()
    assert main(["contracts", "load", str(bad)]) == 2
    assert "not a payer of this practice: NOBODY" in capsys.readouterr().err


def test_two_reasons_on_one_line_are_two_items_closed_together(
    engine: Engine, tmp_path: Path
) -> None:
    pid, claims = sent(engine, tmp=tmp_path)
    c = claims[3]
    charge = c.lines[0].charge
    both = pay(c, svc(c, 0, "0.00", ("CO", "50", "100.00"), ("CO", "97", str(charge - 100))))
    post(engine, pid, PAID_ON, both)
    assert sorted(v.reason for v in items(engine, pid, "open")) == ["CO-50", "CO-97"]
    paid = pay(c, svc(c, 0, "44.80", ("CO", "45", str(charge - D("44.80")))))
    post(engine, pid, date(2026, 5, 1), paid, trace="LATER")
    assert items(engine, pid, "open") == []
    assert [v.outcome for v in items(engine, pid, "closed")] == ["paid", "paid"]


def test_a_claim_paid_to_the_deductible_is_no_denial(engine: Engine, tmp_path: Path) -> None:
    """Nothing paid, the whole allowed amount the patient's deductible: adjudicated and owed by
    the patient, not denied (nothing for the queue)."""
    pid, claims = sent(engine, tmp=tmp_path)
    c = claims[3]
    charge = c.lines[0].charge
    post(
        engine,
        pid,
        PAID_ON,
        pay(c, svc(c, 0, "0.00", ("CO", "45", str(charge - 80)), ("PR", "1", "80.00"))),
    )
    with session_scope(engine) as s:
        row = s.scalar(select(t.Claim).where(t.Claim.number == c.id))
        assert row is not None and row.state == "paid"
    assert items(engine, pid) == []


def test_the_answer_to_a_claim_sent_twice_is_noted_not_applied(
    engine: Engine, tmp_path: Path
) -> None:
    from otbill.ledger.books import verify

    pid, claims = sent(engine, tmp=tmp_path)
    c = claims[3]
    charge = c.lines[0].charge
    post(engine, pid, PAID_ON, pay(c, svc(c, 0, "44.80", ("CO", "45", str(charge - D("44.80"))))))
    twice = pay(c, svc(c, 0, "0.00", ("OA", "18", str(charge))), number="PCN-SECOND")
    r = post(engine, pid, date(2026, 4, 3), twice, trace="DUP")
    assert r.duplicates == 1 and "1 duplicates' denials noted" in r.message
    with session_scope(engine) as s:
        row = s.scalar(select(t.Claim).where(t.Claim.number == c.id))
        assert row is not None and row.state == "paid"
        assert verify(s, pid) == []
        why = [
            e.why for e in s.scalars(select(t.ClaimEvent).where(t.ClaimEvent.claim_id == row.id))
        ]
    assert any("denied a second copy of this claim as a duplicate" in w for w in why)
    assert items(engine, pid) == []
