"""Appeal letters and reopening requests, rendered and read back as text: every element 42 CFR
405.944(b) requires, the argument from the claim's record, the checklist for the root cause,
the level and the due date; refused where no appeal rights exist or an element is missing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from sqlalchemy import Engine, select
from test_denials import PAID_ON, items, others_paid, pay, post, sent, svc

from otbill.cli import main
from otbill.errors import InputError
from otbill.forms.appeal import render_letter
from otbill.ledger import schema as t
from otbill.ledger.appeals import letter_for
from otbill.ledger.db import session_scope
from otbill.ledger.denials import WorkError

TODAY = date(2026, 4, 2)


def text_of(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    out = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    return " ".join(out.split())


def denied(
    engine: Engine, tmp: Path, *adj: tuple[str, str, str], remarks: tuple[str, ...] = ()
) -> tuple[int, Any]:
    pid, claims = sent(engine, tmp=tmp)
    c = claims[2]  # 97112 x2, 97110 GO CO, 97535 on 2026-03-10
    post(engine, pid, PAID_ON, pay(c, svc(c, 0, "0.00", *adj, remarks=remarks), *others_paid(c, 0)))
    (item,) = items(engine, pid)
    return pid, item


def test_a_redetermination_argued_from_the_record(engine: Engine, tmp_path: Path) -> None:
    pid, item = denied(engine, tmp_path, ("CO", "50", "104.00"), remarks=("N115",))
    with session_scope(engine) as s:
        letter = letter_for(s, pid, item.id, "Dana Whitfield, OT", TODAY)
    pdf = render_letter(letter)
    assert pdf == render_letter(letter)  # the same letter, the same bytes
    text = text_of(pdf)
    # The elements 405.944(b) requires: beneficiary, Medicare number, services and dates, party.
    for words in (
        "Beneficiary Eleanor Price",
        "Medicare number 1EG4TE5MK73",
        "Services appealed 97112-GO x2 on 2026-03-10 (CO-50 N115, $104.00)",
        "Dana Whitfield, OT for Riverside Hand & Occupational Therapy",
        "Request for redetermination (level 1) - Medicare Part B (Illinois)",
        # The record: the plan, its certification in days from the first treatment, the notes.
        "Plan of care POC-1 (OT) was established on 2026-03-02",
        "signed and dated 2026-03-06: 4 days after the first treatment (2026-03-02), within the "
        "30 days of Pub. 100-02 ch. 15 §220.1.3",
        "On 2026-03-10 Dana Whitfield, OT (NPI 1987654328) furnished: 97112 24 minutes",
        "Total timed minutes: 97112 24 + 97110 23 + 97535 10 = 57",
        "RARC N115: The decision was based on a Local Coverage Determination",
        # The deadline and the documents for a medical-necessity denial.
        "Due 2026-07-30: Medicare redetermination by the MAC",
        "[ ] The plan of care: diagnoses",
        "[ ] The progress reports covering the dates appealed",
    ):
        assert words in text, words
    # A documentation denial asks for other documents.
    assert "[ ] The missing documents the remark names" not in text


def test_filed_with_the_appeal_and_kept_with_it(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    _, item = denied(engine, tmp_path, ("CO", "50", "104.00"), remarks=("N29",))
    monkeypatch.setenv("OTBILL_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    out = tmp_path / "appeal.pdf"
    args = ["--letter", str(out), "--signer", "Dana Whitfield, OT", "--as-of", "2026-04-02"]
    code = main(
        ["denials", "act", str(item.id), "appeal", "--why", "the notes are enclosed", *args]
    )
    assert code == 0, capsys.readouterr().err
    text = text_of(out.read_bytes())
    assert "Why the denial is wrong the notes are enclosed" in text
    assert "[ ] The missing documents the remark names" in text  # documentation (N29)
    with session_scope(engine) as s:
        appeal = s.scalar(select(t.Appeal))
        assert appeal is not None and appeal.doc["letter"]["title"].startswith("Request for")
        assert (appeal.level, appeal.name, appeal.due_on) == (
            1,
            "redetermination",
            date(2026, 7, 30),
        )


def test_a_part_b_correction_is_a_reopening_request(engine: Engine, tmp_path: Path) -> None:
    pid, item = denied(engine, tmp_path, ("CO", "4", "104.00"))  # modifier: correct
    assert item.action == "correct"
    with session_scope(engine) as s:
        letter = letter_for(s, pid, item.id, "Dana Whitfield, OT", TODAY)
    text = text_of(render_letter(letter))
    assert "Request to reopen a claim (clerical error) - Medicare Part B (Illinois)" in text
    assert "correct a clerical error (modifiers)" in text
    assert "Due 2027-03-27: a reopening for a clerical error: within one year" in text


def test_no_letter_without_appeal_rights_or_a_required_element(
    engine: Engine, tmp_path: Path
) -> None:
    pid, item = denied(engine, tmp_path, ("CO", "16", "104.00"), remarks=("MA130", "M51"))
    with session_scope(engine) as s, pytest.raises(WorkError, match="no appeal rights"):
        letter_for(s, pid, item.id, "Dana", TODAY)
    with session_scope(engine) as s:
        row = s.get(t.WorkItem, item.id)
        assert row is not None
        row.kind, row.action = "denial", "appeal"  # as if it had been adjudicated
        claim = s.get(t.Claim, row.claim_id)
        assert claim is not None
        claim.member_id = ""
    with session_scope(engine) as s, pytest.raises(InputError, match="the Medicare number"):
        letter_for(s, pid, item.id, "Dana", TODAY)
    with session_scope(engine) as s, pytest.raises(InputError, match="signature"):
        letter_for(s, pid, item.id, " ", TODAY)
