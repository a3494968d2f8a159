"""The patient statement PDF: its text, its pages, the same bytes for the same statement, and the
`otbill patients` commands over a SQLite ledger."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from otbill.cli import main
from otbill.cli.patients import patients_cmd
from otbill.demo.remit import remittance
from otbill.errors import InputError
from otbill.forms.statement import render_statement
from otbill.ledger.claims import as_claims, build_claims, list_claims, submit
from otbill.ledger.db import make_engine, session_scope
from otbill.ledger.migrate import upgrade
from otbill.ledger.patients import (
    ClaimDetail,
    PatientBalance,
    ServiceLine,
    Share,
    Statement,
    why,
)
from otbill.ledger.payments import Received
from otbill.ledger.posting import post_835
from otbill.ledger.store import import_episodes
from otbill.load.json_doc import load_path
from otbill.model.parties import Address
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "schemas" / "examples"
D = Decimal
AS_OF = date(2026, 6, 10)
ZERO = D("0.00")


def share(reason: str, amount: str) -> Share:
    return Share("PR", reason, D(amount), why(reason))


def posted(
    number: str, day: date, *lines: ServiceLine, at_claim: tuple[Share, ...] = ()
) -> ClaimDetail:
    remitted = day + timedelta(days=20)
    return ClaimDetail(number, day, "Acme Health", False, remitted, lines, ZERO, ZERO, at_claim)


def balance(claims: tuple[ClaimDetail, ...], payments: tuple[Received, ...] = ()) -> PatientBalance:
    shares = sum((c.patient_share for c in claims if not c.pending), ZERO)
    paid = sum((p.amount for p in payments), ZERO)
    owed = shares - paid
    pending = [c for c in claims if c.pending]
    return PatientBalance(
        "P-0042",
        "O'Neil",
        "Rosa",
        owed,
        (),
        (("0-30", owed), ("31-60", ZERO), ("61-90", ZERO), ("over 90", ZERO)),
        sum((c.charge for c in pending), ZERO),
        len(pending),
        claims,
        shares,
        paid,
        payments,
    )


def statement(
    claims: tuple[ClaimDetail, ...], as_of: date = AS_OF, payments: tuple[Received, ...] = ()
) -> Statement:
    return Statement(
        as_of,
        "Lakeside Hand & Speech Therapy",
        Address("9 Shore Road", "Duluth", "MN", "55802", "Suite 4"),
        Address("17 Birch Lane", "Duluth", "MN", "55803"),
        balance(claims, payments),
    )


# By hand: 97110 $96 (paid 40.00, adjusted 30.00, deductible 20.00 + coinsurance 6.00 = 26.00);
# 97140 $46 (copay 10.00); on the claim, coinsurance 4.50. Patient owes 40.50 on 04/02/2026.
# 92507 $120 on 04/09/2026 is pending insurance, owed nothing yet.
SMALL = (
    posted(
        "C-1",
        date(2026, 4, 2),
        ServiceLine("97110", "Therapeutic exercise", 2, D("96.00"), D("40.00"), D("30.00"),
                    (share("1", "20.00"), share("2", "6.00"))),
        ServiceLine("97140", "Manual therapy", 1, D("46.00"), D("26.00"), D("10.00"),
                    (share("3", "10.00"),)),
        at_claim=(share("2", "4.50"),),
    ),
    ClaimDetail("C-2", date(2026, 4, 9), "Acme Health", True, None,
                (ServiceLine("92507", "Speech treatment", 1, D("120.00"), ZERO, ZERO, ()),),
                ZERO, ZERO, ()),
)  # fmt: skip


def texts(pdf: bytes) -> list[str]:
    """Each page's text, its runs of white space made one space (table cells wrap)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return [" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))]
    finally:
        doc.close()


def test_the_statement_shows_each_service_the_reasons_and_the_total() -> None:
    st = statement(SMALL)
    assert st.balance.owed == D("40.50")
    (page,) = texts(render_statement(st))
    for text in (
        "Lakeside Hand & Speech Therapy",
        "9 Shore Road",
        "Rosa O'Neil",
        "17 Birch Lane",
        "Duluth, MN 55803",
        "Statement date 06/10/2026",
        "Account P-0042",
        "Page 1 of 1",
        "04/02/2026 97110 Therapeutic exercise",
        "$96.00 $40.00 $30.00 $26.00",
        "$20.00 applied to your deductible (PR-1)",
        "$6.00 coinsurance (PR-2)",
        "04/02/2026 97140 Manual therapy",
        "$46.00 $26.00 $10.00 $10.00 Copay (PR-3)",
        "04/02/2026 Whole visit",
        "$0.00 $0.00 $4.50 Coinsurance (PR-2)",
        "04/09/2026 92507 Speech treatment",
        "$120.00 Pending insurance",
        "Total $262.00 $66.00 $40.00 $40.50",
        "Total due $40.50",
        "Amount due $40.50",
        "Amount enclosed",
    ):
        assert text in page, text


def test_the_statement_lists_the_patients_payments_and_what_is_left() -> None:
    payments = (
        Received(1, date(2026, 5, 2), D("30.00"), "check", "1042", None, "ann", ""),
        Received(2, date(2026, 5, 9), D("-30.00"), "check", "1042", 1, "ann", "returned NSF"),
        Received(3, date(2026, 5, 20), D("25.00"), "card", "", None, "ann", ""),
    )
    (page,) = texts(render_statement(statement(SMALL, payments=payments)))
    for text in (
        "Total due $15.50",
        "Your share $40.50",
        "Your payments -$25.00",
        "05/02/2026 Check 1042 -$30.00",
        "05/09/2026 Returned to you: Check 1042 (returned NSF) $30.00",
        "05/20/2026 Card -$25.00",
        "Total -$25.00",
        "Amount due $15.50",
        "Your payments are those we received by 06/10/2026",
    ):
        assert text in page, text


def test_a_patient_who_paid_more_than_owed_has_a_credit_not_an_amount_due() -> None:
    paid = (Received(1, date(2026, 5, 2), D("50.00"), "cash", "", None, "ann", ""),)
    (page,) = texts(render_statement(statement(SMALL, payments=paid)))
    assert "Your credit $9.50" in page
    assert "Amount due $0.00" in page
    assert "You have a credit of $9.50 with us" in page
    assert "Total due -$" not in page


def test_the_same_statement_gives_the_same_bytes() -> None:
    pdf = render_statement(statement(SMALL))
    assert pdf.startswith(b"%PDF")
    assert render_statement(statement(SMALL)) == pdf
    assert render_statement(statement(SMALL, date(2026, 6, 11))) != pdf


def test_a_long_statement_runs_over_pages_with_its_header_and_the_stub_last() -> None:
    day = date(2026, 1, 5)
    claims = tuple(
        posted(
            f"C-{n}",
            day + timedelta(days=n),
            ServiceLine(
                "97530",
                "Therapeutic activities",
                2,
                D("110.00"),
                D("54.56"),
                D("41.80"),
                (share("2", "13.64"),),
            ),
        )
        for n in range(60)
    )
    pages = texts(render_statement(statement(claims)))
    assert len(pages) >= 3
    whole = "\n".join(pages)
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in page
        assert "Account P-0042" in page
    for page in pages[:-1]:
        assert "Date Service Charge Insurance paid Adjustments Your share Why" in page
    for n in range(60):
        assert f"{day + timedelta(days=n):%m/%d/%Y} 97530" in whole
    assert "Amount enclosed" in pages[-1]
    assert all("Amount enclosed" not in p for p in pages[:-1])
    assert "Total due $818.40" in pages[0]  # 60 x 13.64
    assert "Amount due $818.40" in pages[-1]


def test_a_patient_with_nothing_owed_gets_an_empty_statement() -> None:
    (page,) = texts(render_statement(statement(())))
    assert "No services to show" in page
    assert "Total due $0.00" in page


# The CLI over a ledger: the example episode's five claims sent, the first three paid by the
# demo payer (20% coinsurance on each line), the other two still with the payer.


@pytest.fixture
def ledger(tmp_path: Path) -> tuple[str, Decimal]:
    """The database file, and the coinsurance the demo 835 put on the patient."""
    db = tmp_path / "ledger.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    when = datetime(2026, 3, 18, 9, 0, tzinfo=UTC)
    with session_scope(engine) as s:
        pid = import_episodes(s, [load_path(EXAMPLES / "episode.json")]).practice_id
        build_claims(s, pid, AS_OF)
        submit(s, pid, tmp_path / "a.837", when=when)
        claims = as_claims(list_claims(s, pid))
    r = replace(remittance(claims[:3], seed=4), payment_date=date(2026, 3, 24))
    with session_scope(engine) as s:
        post_835(s, pid, build_835([r], InterchangeInfo("MCR", "P", 7, when)), name="demo")
    engine.dispose()
    shares = [a for cp in r.claims for sv in cp.services for a in sv.adjustments]
    owed = sum((a.amount for a in shares if a.group == "PR"), ZERO)
    return str(db), owed


def test_cli_balance_and_statement(ledger: tuple[str, Decimal], tmp_path: Path) -> None:
    db, owed = ledger
    assert owed == D("74.28")  # 22.94 + 6.20 + 13.64 + 6.45 + 12.90 + 5.95 + 6.20
    run = CliRunner().invoke(
        patients_cmd, ["balance", "--db", db, "--as-of", "2026-06-10", "--json"]
    )
    assert run.exit_code == 0, run.output
    (row,) = json.loads(run.output)["patients"]
    assert (row["patient"], row["owed"], row["pending_claims"]) == ("P-0001", "74.28", 2)
    assert row["pending_insurance"] == "395.00"  # 165 + 230
    assert row["aging"]["61-90"] == "74.28"  # remitted 3/24, 78 days before 6/10

    out = tmp_path / "statement.pdf"
    args = ["statement", "P-0001", "-o", str(out), "--db", db, "--as-of", "2026-06-10"]
    run = CliRunner().invoke(patients_cmd, args)
    assert run.exit_code == 0, run.output
    assert "$74.28 due" in run.output
    pdf = out.read_bytes()
    (page,) = texts(pdf)
    assert "Eleanor Price" in page and "Total due $74.28" in page
    assert "03/02/2026 97166 OT evaluation, moderate complexity" in page
    assert "$185.00 $91.76 $70.30 $22.94 Coinsurance (PR-2)" in page
    assert "03/17/2026 97168" in page and "Pending insurance" in page
    assert not list(tmp_path.glob("*.partial"))
    assert CliRunner().invoke(patients_cmd, args).exit_code == 0
    assert out.read_bytes() == pdf  # the same ledger and day: the same bytes


def test_cli_unknown_patient_is_an_error_and_writes_nothing(
    ledger: tuple[str, Decimal], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = ledger
    out = tmp_path / "nope.pdf"
    args = ["statement", "NOPE", "-o", str(out), "--db", db]
    run = CliRunner().invoke(patients_cmd, args)
    assert isinstance(run.exception, InputError)
    assert not out.exists()
    assert main(["patients", *args]) == 2
    err = capsys.readouterr().err
    assert err == "otbill: error: patient: no patient 'NOPE' at this practice\n"
    assert not out.exists()


def test_cli_pay_and_return(ledger: tuple[str, Decimal], tmp_path: Path) -> None:
    db, owed = ledger

    def run(*args: str) -> Any:
        return CliRunner().invoke(patients_cmd, [*args, "--db", db])

    paid = run("pay", "P-0001", "$50.00", "--on", "2026-06-01", "--ref", "1042", "--who", "ann")
    assert paid.exit_code == 0, paid.output
    assert paid.output.startswith("payment 1: check 1042 $50.00 from P-0001 on 2026-06-01")
    assert run("pay", "P-0001", "50", "--on", "2026-06-01", "--ref", "1042").exit_code != 0
    row = json.loads(run("balance", "--as-of", "2026-06-10", "--json").output)["patients"][0]
    assert (row["shares"], row["paid"], row["owed"]) == ("74.28", "50.00", "24.28")
    assert row["payments"][0]["reference"] == "1042"
    back = run("return", "1", "--on", "2026-06-05", "--why", "returned NSF", "--json")
    assert back.exit_code == 0, back.output
    assert json.loads(back.output)["amount"] == "-50.00"
    row = json.loads(run("balance", "--as-of", "2026-06-10", "--json").output)["patients"][0]
    assert (row["paid"], row["owed"]) == ("0.00", str(owed))
    for typo in ("ten dollars", "12,50", "1,2345.00", "5.001"):
        bad = run("pay", "P-0001", typo)
        assert bad.exit_code == 2 and f"not an amount: {typo!r}" in bad.output, typo
    # $1,250.00 against 74.28 owed: a credit, shown as one and not netted into what is owed.
    assert run("pay", "P-0001", "1,250.00", "--on", "2026-06-02").exit_code == 0
    listing = run("balance", "--as-of", "2026-06-10")
    assert "total owed 0.00" in listing.output
    assert "patients' credits 1,175.72" in listing.output
    out = tmp_path / "credit.pdf"
    st = run("statement", "P-0001", "-o", str(out), "--as-of", "2026-06-10")
    assert "a credit of $1,175.72" in st.output
    whole = " ".join(texts(out.read_bytes()))
    assert "it will go toward your share of the services pending insurance" in whole
