"""A claim's totals (charged, paid, adjusted by group, the patient's share, open), as `claims list`
and `claims show` give them: equal to the payer's figures on 835s with hand-checked totals, and
to the sums `ledger verify` balances."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine

from otbill.cli import main
from otbill.ledger import schema as t
from otbill.ledger.books import GROUPS, claim_totals, verify
from otbill.ledger.claims import list_claims
from otbill.ledger.db import session_scope
from otbill.ledger.posting import balance, post_835
from x12samples import sample

D = Decimal


def _claims(
    engine: Engine, claims: dict[str, tuple[str, date, list[tuple[str, str, int, int]]]]
) -> int:
    """A practice with these claims sent: number -> (payer, date, lines of code, modifiers,
    units, charge)."""
    with session_scope(engine) as s:
        practice = t.Practice(name="P", npi="1234567893", doc={})
        s.add(practice)
        s.flush()
        patient = t.Patient(
            practice_id=practice.id,
            ext_id="P1",
            last_name="DOE",
            first_name="JANE",
            doc={},
        )
        s.add(patient)
        s.flush()
        for number, (payer, day, lines) in claims.items():
            claim = t.Claim(
                practice_id=practice.id,
                number=number,
                patient_id=patient.id,
                visit_id=None,
                payer_ext=payer,
                member_id="M1",
                date_of_service=day,
                state="submitted",
                frequency="1",
                total_charge=D(sum(ln[3] for ln in lines)),
                doc={},
                findings={},
            )
            s.add(claim)
            s.flush()
            for n, (code, mods, units, charge) in enumerate(lines, start=1):
                s.add(
                    t.ClaimLine(
                        claim_id=claim.id,
                        line_no=n,
                        code=code,
                        modifiers=mods,
                        units=units,
                        charge=D(charge),
                    )
                )
        return practice.id


def _totals(engine: Engine, pid: int) -> dict[str, tuple[Decimal, ...]]:
    with session_scope(engine) as s:
        rows = list_claims(s, pid)
        totals = claim_totals(s, rows)
        for r in rows:
            assert totals[r.id].open == balance(s, r)  # the open balance posting keeps
        assert verify(s, pid) == []
        return {
            r.number: (
                totals[r.id].charge,
                totals[r.id].paid,
                *(totals[r.id].adjustments[g] for g in GROUPS),
                totals[r.id].open,
            )
            for r in rows
        }


def test_reversal_correction_denial_and_payment(engine: Engine) -> None:
    """otbill's two hand-written 835s: OT1001 paid 80 (CO 50, PR 20), then reversed and paid
    again at 84 (CO 45, PR 21); OT1002 denied (CO-50 75); OT1003 paid 100 (CO 75, PR 25)."""
    pid = _claims(
        engine,
        {
            "OT1001": ("MCR", date(2026, 10, 2), [("97110", "GO", 2, 100), ("97530", "GO", 1, 50)]),
            "OT1002": ("MCR", date(2026, 10, 5), [("97535", "GO", 1, 75)]),
            "OT1003": ("MCR", date(2026, 10, 7), [("97110", "GO:KX", 4, 200)]),
        },
    )
    with session_scope(engine) as s:
        post_835(s, pid, sample("otbill/835-first-payment.edi"))
    #                         charge    paid      CO        PR        OA    PI    open
    assert _totals(engine, pid)["OT1001"] == (D(150), D(80), D(50), D(20), D(0), D(0), D(0))
    with session_scope(engine) as s:
        r = post_835(s, pid, sample("otbill/835-reversal-correction-plb.edi"))
        assert (r.claims_posted, r.reversals, r.unmatched) == (3, 1, [])
    assert _totals(engine, pid) == {
        "OT1001": (D(150), D(84), D(45), D(21), D(0), D(0), D(0)),
        "OT1002": (D(75), D(0), D(75), D(0), D(0), D(0), D(0)),
        "OT1003": (D(200), D(100), D(75), D(25), D(0), D(0), D(0)),
    }


def test_the_era_sample_hand_checked(engine: Engine) -> None:
    """The implementation guide's dental ERA sample: 226 charged, 132 paid, CO-131 94."""
    lines = [("D0120", "", 1, 46), ("D0220", "", 1, 25), ("D0230", "", 1, 22)]
    lines += [("D0274", "", 1, 60), ("D1110", "", 1, 73)]
    pid = _claims(engine, {"7722337": ("DELTA", date(2014, 3, 24), lines)})
    with session_scope(engine) as s:
        post_835(s, pid, sample("835/albmarin__X221-era-sample.edi"))
    assert _totals(engine, pid) == {
        "7722337": (D(226), D(132), D(94), D(0), D(0), D(0), D(0)),
    }


@pytest.fixture
def cli(engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """`otbill ARGS` on the test database, after posting the two hand-written 835s; the output."""
    pid = _claims(
        engine,
        {
            "OT1001": ("MCR", date(2026, 10, 2), [("97110", "GO", 2, 100), ("97530", "GO", 1, 50)]),
            "OT1002": ("MCR", date(2026, 10, 5), [("97535", "GO", 1, 75)]),
            "OT1003": ("MCR", date(2026, 10, 7), [("97110", "GO:KX", 4, 200)]),
            "OT2001": ("BLUE", date(2026, 10, 9), [("97530", "GO", 2, 120)]),
        },
    )
    for name in ("otbill/835-first-payment.edi", "otbill/835-reversal-correction-plb.edi"):
        with session_scope(engine) as s:
            post_835(s, pid, sample(name))
    monkeypatch.setenv("OTBILL_DATABASE_URL", engine.url.render_as_string(hide_password=False))

    def run(*args: str) -> str:
        assert main(list(args)) == 0
        return capsys.readouterr().out

    return run


def test_claims_list_gives_totals_and_filters(cli: Any) -> None:
    data = json.loads(cli("claims", "list", "--json"))
    assert [d["number"] for d in data] == ["OT1001", "OT1002", "OT1003", "OT2001"]
    first = data[0]
    assert (first["charge"], first["paid"], first["adjusted"]) == ("150.00", "84.00", "45.00")
    assert first["adjustments"] == {"CO": "45.00", "PR": "21.00", "OA": "0.00", "PI": "0.00"}
    assert (first["patient_responsibility"], first["balance"]) == ("21.00", "0.00")
    assert data[3]["balance"] == "120.00"  # sent, nothing back yet

    def pick(*filters: str) -> list[str]:
        return [d["number"] for d in json.loads(cli("claims", "list", "--json", *filters))]

    assert pick("--state", "denied") == ["OT1002"]
    assert pick("--payer", "BLUE") == ["OT2001"]
    assert pick("--since", "2026-10-06") == ["OT1003", "OT2001"]
    assert pick("--payer", "MCR", "--since", "2026-10-03", "--state", "paid") == ["OT1003"]
    text = cli("claims", "list")
    assert "OT1001              paid            MCR           2026-10-02" in text
    # The sums under the table: 545 charged, 184 paid, 195 adjusted, 46 patient, 120 open.
    assert text.splitlines()[-1].split()[-5:] == ["545.00", "184.00", "195.00", "46.00", "120.00"]


def test_claims_show_gives_totals(cli: Any) -> None:
    shown = json.loads(cli("claims", "show", "OT1003", "--json"))
    assert (shown["paid"], shown["adjustments"]["CO"], shown["patient_responsibility"]) == (
        "100.00",
        "75.00",
        "25.00",
    )
    text = cli("claims", "show", "OT1003")
    assert text.splitlines()[0] == (
        "claim OT1003 (paid) MCR 2026-10-07: charge 200.00, paid 100.00, adjusted 75.00, "
        "patient 25.00, open 0.00 (CO 75.00, PR 25.00)"
    )
