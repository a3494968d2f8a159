"""Patient balances on SQLite and PostgreSQL: the PR amounts posted from 835s, hand-checked, by
reason, line and age; claims still with the payer; reversals; practices kept apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from otbill.demo.practice import generate_practice
from otbill.demo.remit import remittance
from otbill.errors import InputError
from otbill.ledger import schema as t
from otbill.ledger.books import verify
from otbill.ledger.claims import as_claims, build_claims, list_claims, submit
from otbill.ledger.db import session_scope
from otbill.ledger.patients import _apply, patient_balances, statement_for, why
from otbill.ledger.payments import PaymentError, record_payment, return_payment
from otbill.ledger.posting import post_835
from otbill.ledger.store import import_episodes
from otbill.load.json_doc import load_path
from otbill.model import Claim
from otbill.model.remittance import Adjustment, ClaimPayment, ServicePayment
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "schemas" / "examples"
D = Decimal
SENT = datetime(2026, 3, 18, 9, 0, tzinfo=UTC)
AS_OF = date(2026, 6, 1)


def co(amount: str) -> Adjustment:
    return Adjustment("CO", "45", D(amount))


def pr(reason: str, amount: str) -> Adjustment:
    return Adjustment("PR", reason, D(amount))


def clp(
    claim: Claim, per_code: dict[str, tuple[Adjustment, ...]], at_claim: tuple[Adjustment, ...] = ()
) -> ClaimPayment:
    """The payer pays each line its charge less the line's adjustments, less the claim's own."""
    services = tuple(
        ServicePayment(
            ln.code,
            ln.modifiers,
            ln.charge,
            ln.charge - sum((a.amount for a in per_code.get(ln.code, ())), D(0)),
            D(ln.units),
            None,
            (),
            None,
            date=ln.date,
            adjustments=per_code.get(ln.code, ()),
        )
        for ln in claim.lines
    )
    adjustments = [a for s in services for a in s.adjustments] + list(at_claim)
    return ClaimPayment(
        claim.id,
        "1",
        claim.total_charge,
        sum((s.paid for s in services), D(0)) - sum((a.amount for a in at_claim), D(0)),
        sum((a.amount for a in adjustments if a.group == "PR"), D(0)),
        "MB",
        f"PCN{claim.id}",
        patient_last="PRICE",
        services=services,
        adjustments=at_claim,
    )


def era(claims: list[Claim], payments: list[ClaimPayment], paid_on: date, control: int) -> str:
    r = replace(
        remittance(claims),
        claims=tuple(payments),
        amount=sum((p.paid for p in payments), D(0)),
        payment_date=paid_on,
        trace_number=f"TRACE{control}",
    )
    return build_835([r], InterchangeInfo("MCR", "PRACTICE", control, SENT))


def setup(engine: Engine, tmp_path: Path) -> tuple[int, dict[str, Claim]]:
    """The example episode's five claims, sent on 3/18; the first three paid by hand-made 835s.

    Remittance of 3/20 (73 days before 6/1: aged 61-90):
      V-2026-0001  97166 $185: CO-45 35.00, PR-1 100.00, PR-2 10.00, paid 40.00
                   97535  $50: CO-45 10.00, PR-2 8.00, paid 32.00        patient owes 118.00
      V-2026-0002  97530 $110: CO-45 22.00, PR-3 20.00, paid 68.00
                   97112  $52: CO-45 10.40, paid 41.60                    patient owes  20.00
    Remittance of 5/15 (17 days before 6/1: aged 0-30):
      V-2026-0003  97112 $104: CO-45 20.80, PR-2 16.64, paid 66.56
                   97110  $48: CO-45 9.60, PR-2 7.68, paid 30.72
                   97535  $50: CO-45 10.00, PR-2 8.00, paid 32.00
                   and on the claim, PR-1 25.00: CLP04 = 129.28 - 25.00 = 104.28
                                                                          patient owes  57.32
    V-2026-0004 ($165) and V-2026-0005 ($230) are still with the payer: $395.00 pending.
    """
    ep = load_path(EXAMPLES / "episode.json")
    with session_scope(engine) as s:
        pid = import_episodes(s, [ep]).practice_id
        build_claims(s, pid, AS_OF)
        submit(s, pid, tmp_path / "a.837", when=SENT)
        claims = {c.id: c for c in as_claims(list_claims(s, pid))}
    c1, c2, c3 = (claims[f"V-2026-000{n}"] for n in (1, 2, 3))
    first = [
        clp(c1, {"97166": (co("35.00"), pr("1", "100.00"), pr("2", "10.00")),
                 "97535": (co("10.00"), pr("2", "8.00"))}),
        clp(c2, {"97530": (co("22.00"), pr("3", "20.00")), "97112": (co("10.40"),)}),
    ]  # fmt: skip
    second = [
        clp(
            c3,
            {
                "97112": (co("20.80"), pr("2", "16.64")),
                "97110": (co("9.60"), pr("2", "7.68")),
                "97535": (co("10.00"), pr("2", "8.00")),
            },
            at_claim=(pr("1", "25.00"),),
        )
    ]
    assert [p.paid for p in first + second] == [D("72.00"), D("109.60"), D("104.28")]
    with session_scope(engine) as s:
        post_835(s, pid, era([c1, c2], first, date(2026, 3, 20), 11), name="first")
        post_835(s, pid, era([c3], second, date(2026, 5, 15), 12), name="second")
    return pid, claims


def test_balances_are_the_posted_patient_shares(engine: Engine, tmp_path: Path) -> None:
    pid, _ = setup(engine, tmp_path)
    with session_scope(engine) as s:
        # The claim-level PR-1 on V-2026-0003 came out of its lines' payments: the books
        # hold CLP04 as paid, and balance.
        assert verify(s, pid) == []
        (b,) = patient_balances(s, pid, AS_OF)
    assert (b.patient_id, b.last_name, b.first_name) == ("P-0001", "Price", "Eleanor")
    assert b.owed == D("195.32")  # 118.00 + 20.00 + 57.32
    assert [(r.group, r.reason, r.amount, r.why) for r in b.by_reason] == [
        ("PR", "1", D("125.00"), "applied to your deductible"),
        ("PR", "2", D("50.32"), "coinsurance"),
        ("PR", "3", D("20.00"), "copay"),
    ]
    assert dict(b.aging) == {
        "0-30": D("57.32"),
        "31-60": D("0.00"),
        "61-90": D("138.00"),
        "over 90": D("0.00"),
    }
    assert (b.pending_insurance, b.pending_claims) == (D("395.00"), 2)
    by_number = {d.number: d for d in b.claims}
    assert list(by_number) == [f"V-2026-000{n}" for n in range(1, 6)]

    v1 = by_number["V-2026-0001"]
    assert (v1.pending, v1.remitted_on, v1.payer) == (
        False,
        date(2026, 3, 20),
        "Medicare Part B (Illinois)",
    )
    eval_line = v1.lines[0]
    assert (eval_line.code, eval_line.description) == (
        "97166",
        "OT evaluation, moderate complexity",
    )
    assert (eval_line.charge, eval_line.insurance_paid, eval_line.adjusted) == (
        D("185.00"),
        D("40.00"),
        D("35.00"),
    )
    assert [(sh.reason, sh.amount) for sh in eval_line.shares] == [
        ("1", D("100.00")),
        ("2", D("10.00")),
    ]
    assert eval_line.patient_share == D("110.00")
    assert v1.patient_share == D("118.00")

    v3 = by_number["V-2026-0003"]
    assert [(sh.reason, sh.amount) for sh in v3.claim_shares] == [("1", D("25.00"))]
    # The claim-level share is money the payer kept back from what its lines say they paid.
    assert (v3.claim_paid, v3.insurance_paid, v3.patient_share) == (
        D("-25.00"),
        D("104.28"),
        D("57.32"),
    )
    assert v3.charge == v3.insurance_paid + v3.adjusted + v3.patient_share

    v4 = by_number["V-2026-0004"]
    assert v4.pending and v4.patient_share == D("0.00") and v4.charge == D("165.00")
    assert all(ln.insurance_paid == D("0.00") and not ln.shares for ln in v4.lines)


def test_only_what_is_posted_by_the_day_counts(engine: Engine, tmp_path: Path) -> None:
    pid, _ = setup(engine, tmp_path)
    with session_scope(engine) as s:
        (before_second,) = patient_balances(s, pid, date(2026, 5, 1))
        (before_any,) = patient_balances(s, pid, date(2026, 3, 19))
        assert patient_balances(s, pid, date(2026, 3, 17)) == []  # nothing sent yet
    # The 5/15 remittance is not yet in: V-2026-0003 is still with the payer.
    assert before_second.owed == D("138.00")
    assert dict(before_second.aging)["31-60"] == D("138.00")  # 3/20 to 5/1 is 42 days
    assert (before_second.pending_insurance, before_second.pending_claims) == (D("597.00"), 3)
    assert (before_any.owed, before_any.pending_insurance, before_any.pending_claims) == (
        D("0.00"),
        D("994.00"),
        5,
    )


def test_a_reversed_payment_is_owed_no_more(engine: Engine, tmp_path: Path) -> None:
    pid, claims = setup(engine, tmp_path)
    c2 = claims["V-2026-0002"]
    undo = ClaimPayment(
        c2.id,
        "22",
        -c2.total_charge,
        D("-109.60"),
        D("-20.00"),
        "MB",
        f"PCN{c2.id}",
        patient_last="PRICE",
        adjustments=(Adjustment("CR", "129", D("-52.40")),),
    )
    with session_scope(engine) as s:
        post_835(s, pid, era([c2], [undo], date(2026, 5, 20), 13), name="reversal")
        (b,) = patient_balances(s, pid, AS_OF)
        (before,) = patient_balances(s, pid, date(2026, 5, 19))
        st = statement_for(s, pid, "P-0001", date(2026, 5, 19))
    assert b.owed == D("175.32")  # the copay of V-2026-0002 is gone
    assert [r.reason for r in b.by_reason] == ["1", "2"]
    # Back with the payer: pending again, owed nothing on it.
    assert (b.pending_insurance, b.pending_claims) == (D("557.00"), 3)
    # The day before the reversal came, the payment and its copay still stood.
    assert before.owed == D("195.32")
    assert (before.pending_insurance, before.pending_claims) == (D("395.00"), 2)
    v2 = next(d for d in st.balance.claims if d.number == "V-2026-0002")
    assert not v2.pending and v2.patient_share == D("20.00")
    assert [(ln.code, ln.insurance_paid) for ln in v2.lines] == [
        ("97530", D("68.00")),
        ("97112", D("41.60")),
    ]


def test_a_claim_paid_in_two_parts_counts_the_part_paid_by_the_day(
    engine: Engine, tmp_path: Path
) -> None:
    """The payer splits V-2026-0005 in two, each part with its own CLP (charge the part's):
    97530 $110 remitted 5/10 (CO-45 22.00, PR-2 17.60, paid 70.40) and 97168 $120 remitted 6/15
    (CO-45 20.00, PR-1 30.00, paid 70.00). On 6/1 only the first part is in."""
    pid, claims = setup(engine, tmp_path)
    c5 = claims["V-2026-0005"]

    def part(code: str, *adjustments: Adjustment) -> tuple[Claim, ClaimPayment]:
        alone = replace(c5, lines=tuple(ln for ln in c5.lines if ln.code == code))
        return alone, clp(alone, {code: adjustments})

    first = part("97530", co("22.00"), pr("2", "17.60"))
    second = part("97168", co("20.00"), pr("1", "30.00"))
    with session_scope(engine) as s:
        post_835(s, pid, era([first[0]], [first[1]], date(2026, 5, 10), 14), name="part 1")
        post_835(s, pid, era([second[0]], [second[1]], date(2026, 6, 15), 15), name="part 2")
        then = {d.number: d for d in patient_balances(s, pid, AS_OF)[0].claims}
        now = {d.number: d for d in patient_balances(s, pid, date(2026, 6, 20))[0].claims}
    v5 = then["V-2026-0005"]
    assert not v5.pending
    assert [(ln.code, ln.insurance_paid, ln.patient_share) for ln in v5.lines] == [
        ("97530", D("70.40"), D("17.60")),
        ("97168", D("0.00"), D("0.00")),
    ]
    assert (v5.claim_paid, v5.remitted_on) == (D("0.00"), date(2026, 5, 10))
    v5 = now["V-2026-0005"]
    assert [(ln.code, ln.insurance_paid, ln.patient_share) for ln in v5.lines] == [
        ("97530", D("70.40"), D("17.60")),
        ("97168", D("70.00"), D("30.00")),
    ]
    assert (v5.claim_paid, v5.remitted_on) == (D("0.00"), date(2026, 6, 15))


def test_practices_are_kept_apart(engine: Engine, tmp_path: Path) -> None:
    pid, _ = setup(engine, tmp_path)
    other = generate_practice(seed=3, patients=3)
    with session_scope(engine) as s:
        oid = import_episodes(s, list(other.episodes)).practice_id
        build_claims(s, oid, date(2026, 12, 31))
        submit(s, oid, tmp_path / "b.837", when=SENT)
        theirs = as_claims(list_claims(s, oid))
    demo = build_835([remittance(theirs, seed=5)], InterchangeInfo("MCR", "P", 21, SENT))
    with session_scope(engine) as s:
        post_835(s, oid, demo, name="theirs")
        mine = patient_balances(s, pid, date(2027, 6, 1))
        others = patient_balances(s, oid, date(2027, 6, 1))
        with pytest.raises(InputError, match="no patient 'P000001'"):
            statement_for(s, pid, "P000001", AS_OF)
        with pytest.raises(InputError, match="no patient 'P-0001'"):
            statement_for(s, oid, "P-0001", AS_OF)
    assert [b.patient_id for b in mine] == ["P-0001"]
    assert mine[0].owed == D("195.32")
    assert {b.patient_id for b in others} == {"P000001", "P000002", "P000003"}
    assert all(b.owed > 0 for b in others)
    numbers = {c.id for c in theirs}
    assert {d.number for b in others for d in b.claims} <= numbers


def test_statement_names_the_practice_and_the_patient(engine: Engine, tmp_path: Path) -> None:
    pid, _ = setup(engine, tmp_path)
    with session_scope(engine) as s:
        st = statement_for(s, pid, "P-0001", AS_OF)
    assert st.as_of == AS_OF
    assert st.practice_name == "Riverside Hand & Occupational Therapy"
    assert st.practice_address is not None and st.practice_address.zip == "62701"
    assert st.patient_address is not None and st.patient_address.line1 == "22 Oak Avenue"
    assert st.balance.owed == D("195.32")


def test_a_reason_without_plain_words_is_shown_by_its_code() -> None:
    assert why("2") == "coinsurance"
    assert why("A1") == "your share"


def test_payments_come_off_the_oldest_share_first(engine: Engine, tmp_path: Path) -> None:
    """$150 by check on 5/25 against 195.32: the 138.00 remitted 3/20 first, then 12.00 of
    the 57.32 remitted 5/15, leaving 45.32, all of it 0-30 days old on 6/1."""
    pid, _ = setup(engine, tmp_path)
    with session_scope(engine) as s:
        r = record_payment(s, pid, "P-0001", D("150.00"), date(2026, 5, 25), "check", "1042")
        (b,) = patient_balances(s, pid, AS_OF)
        (before,) = patient_balances(s, pid, date(2026, 5, 24))
    assert (b.shares, b.paid, b.owed) == (D("195.32"), D("150.00"), D("45.32"))
    assert dict(b.aging) == {
        "0-30": D("45.32"),
        "31-60": D("0.00"),
        "61-90": D("0.00"),
        "over 90": D("0.00"),
    }
    assert [(p.id, p.amount, p.method, p.reference) for p in b.payments] == [
        (r.id, D("150.00"), "check", "1042")
    ]
    assert (before.owed, before.payments) == (D("195.32"), ())  # not yet received on 5/24


def test_a_returned_check_is_owed_again_from_the_day_it_came_back(
    engine: Engine, tmp_path: Path
) -> None:
    pid, _ = setup(engine, tmp_path)
    with session_scope(engine) as s:
        r = record_payment(s, pid, "P-0001", D("150.00"), date(2026, 5, 25), "check", "1042")
        with pytest.raises(PaymentError, match=f"payment {r.id} already records check 1042"):
            record_payment(s, pid, "P-0001", D("150.00"), date(2026, 5, 25), "check", "1042")
        back = return_payment(s, pid, r.id, date(2026, 6, 1), "ann", "returned NSF")
        assert (back.amount, back.undoes) == (D("-150.00"), r.id)
        (then,) = patient_balances(s, pid, date(2026, 5, 31))
        (now,) = patient_balances(s, pid, AS_OF)
        with pytest.raises(PaymentError, match="already returned on 2026-06-01"):
            return_payment(s, pid, r.id, AS_OF, "ann", "again")
        with pytest.raises(PaymentError, match="is itself the return"):
            return_payment(s, pid, back.id, AS_OF, "ann", "a return of a return")
        # Deposited again once it came back: the same check is taken this time.
        again = record_payment(s, pid, "P-0001", D("150.00"), date(2026, 5, 25), "check", "1042")
    assert then.owed == D("45.32")
    assert (now.paid, now.owed) == (D("0.00"), D("195.32"))
    assert [p.amount for p in now.payments] == [D("150.00"), D("-150.00")]
    assert again.id not in (r.id, back.id)


def test_paying_more_than_owed_leaves_a_credit(engine: Engine, tmp_path: Path) -> None:
    pid, _ = setup(engine, tmp_path)
    with session_scope(engine) as s:
        record_payment(s, pid, "P-0001", D("200.00"), date(2026, 5, 30), "cash")
        (b,) = patient_balances(s, pid, AS_OF)
    assert b.owed == D("-4.68")  # a credit the practice owes back
    assert dict(b.aging) == {
        "0-30": D("-4.68"),
        "31-60": D("0.00"),
        "61-90": D("0.00"),
        "over 90": D("0.00"),
    }


@pytest.mark.parametrize(
    ("amount", "method", "patient", "message"),
    [
        ("0.00", "cash", "P-0001", "more than \\$0.00"),
        ("-5.00", "cash", "P-0001", "more than \\$0.00"),
        ("12.345", "cash", "P-0001", "dollars and cents"),
        ("NaN", "cash", "P-0001", "more than \\$0.00"),
        ("10.00", "bitcoin", "P-0001", "one of cash, check, card, other"),
        ("10.00", "cash", "P-9999", "no patient 'P-9999'"),
    ],
)
def test_a_payment_that_cannot_be_taken_is_refused_and_nothing_is_written(
    engine: Engine, tmp_path: Path, amount: str, method: str, patient: str, message: str
) -> None:
    pid, _ = setup(engine, tmp_path)
    with pytest.raises(PaymentError, match=message), session_scope(engine) as s:
        record_payment(s, pid, patient, D(amount), date(2026, 5, 30), method)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(t.PatientPayment)) == 0
        with pytest.raises(PaymentError, match="no patient payment 99"):
            return_payment(s, pid, 99, AS_OF, "ann", "refund")
        r = record_payment(s, pid, "P-0001", D("10.00"), date(2026, 5, 30), "card")
        with pytest.raises(PaymentError, match="cannot be returned on 2026-05-29"):
            return_payment(s, pid, r.id, date(2026, 5, 29), "ann", "refund")
        with pytest.raises(PaymentError, match="needs a reason"):
            return_payment(s, pid, r.id, AS_OF, "ann", " ")


def test_two_clerks_entering_the_same_check_at_once_record_it_once(
    engine: Engine, tmp_path: Path
) -> None:
    """The second waits on the patient's row until the first commits, then sees the check."""
    import threading

    pid, _ = setup(engine, tmp_path)
    check = ("P-0001", D("40.00"), date(2026, 5, 30), "check", "5555")
    outcome: list[object] = []

    def second() -> None:
        try:
            with session_scope(engine) as s:
                outcome.append(record_payment(s, pid, *check))
        except PaymentError as e:
            outcome.append(e)

    with session_scope(engine) as s:
        record_payment(s, pid, *check)
        clerk = threading.Thread(target=second)
        clerk.start()
        clerk.join(0.5)
        assert clerk.is_alive()  # held at the patient's row while this one is open
    clerk.join(30)
    (e,) = outcome
    assert isinstance(e, PaymentError) and "already records check 5555" in str(e)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(t.PatientPayment)) == 1


def test_a_share_taken_back_comes_off_the_oldest_like_a_payment() -> None:
    """A later 835 took back 10.00 of a share (a bucket below zero): with 45.00 paid against
    the 50.00 still owed from 61-90 days, the patient has a credit of 5.00, and no bucket
    says otherwise."""
    aged = {"0-30": D("-10.00"), "31-60": D("0.00"), "61-90": D("50.00"), "over 90": D("0.00")}
    assert dict(_apply(aged, D("45.00"))) == {
        "0-30": D("-5.00"),
        "31-60": D("0.00"),
        "61-90": D("0.00"),
        "over 90": D("0.00"),
    }
    assert dict(_apply(aged, D("0.00")))["61-90"] == D("40.00")


def test_a_payment_beyond_what_the_ledger_holds_is_refused(engine: Engine, tmp_path: Path) -> None:
    pid, _ = setup(engine, tmp_path)
    with (
        pytest.raises(PaymentError, match="more than a ledger amount holds"),
        session_scope(engine) as s,
    ):
        record_payment(s, pid, "P-0001", D("1000000000000.00"), AS_OF, "check")
