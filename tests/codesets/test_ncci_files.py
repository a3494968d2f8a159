"""NCCI files in the CMS formats: the practitioner PTP .TXT (tab-separated, a six-line preamble
with a header wrapped over four lines) and the practitioner MUE .csv (a multi-line quoted AMA
notice, a header whose first cell holds a line break). The rows here are test data in those
formats, not CMS values."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from otbill.codesets.ncci import NcciTables, load_mue, load_ptp, read_mue, read_ptp
from otbill.errors import CodeSetError

FIXTURES = Path(__file__).parent / "fixtures"


def test_ptp_file() -> None:
    edits = load_ptp(FIXTURES / "ccipra-test-f1.txt")
    assert len(edits) == 4
    t = NcciTables()
    t.add_ptp(edits, "test")
    (e,) = t.edits("97140", "97530", date(2026, 3, 2))
    assert e.modifier_indicator == "1"
    assert e.period.end is None
    # A deleted edit answers only for its dates.
    assert t.edits("97112", "97116", date(2023, 12, 31))
    assert not t.edits("97112", "97116", date(2024, 1, 1))
    assert not t.edits("97530", "97140", date(2026, 3, 2))  # column order matters


def test_mue_file() -> None:
    mues = {m.code: m for m in load_mue(FIXTURES / "MCR_MUE_PractitionerServices_test.csv")}
    assert mues["97110"].units == 4
    assert mues["97110"].indicator == 1
    assert mues["97535"].indicator == 2
    assert mues["97530"].indicator == 3


def test_bad_rows_name_the_line() -> None:
    with pytest.raises(CodeSetError, match=r"line 2: modifier indicator"):
        read_ptp("97140\t97530\t\t20200101\t*\t1\tok\n97140\t97110\t\t20200101\t*\t7\tbad\n", "x")
    with pytest.raises(CodeSetError, match="not a date"):
        read_ptp("97140\t97530\t\t2020-01-01\t*\t1\tok\n", "x")
    with pytest.raises(CodeSetError, match="no PTP edit rows"):
        read_ptp("just text\n", "x")
    with pytest.raises(CodeSetError, match=r"m.csv record 2: not an MUE row"):
        read_mue('"HCPCS/\nCPT Code",MUE,MAI,Rationale\n97110,four,1 Line Edit,x\n', "m.csv")


def test_check_command_loads_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from otbill.cli import main

    doc = json.loads(
        (Path(__file__).resolve().parents[2] / "schemas/examples/visit.json").read_text()
    )
    doc["practice"]["charges"]["97140"] = "46.00"
    doc["visit"]["services"] += [
        {"code": "97140", "therapist_minutes": 15},
        {"code": "97530", "therapist_minutes": 15},
    ]
    doc["visit"]["documentation"]["total_treatment_minutes"] = 87
    p = tmp_path / "v.json"
    p.write_text(json.dumps(doc))
    args = ["check", "--json", "--as-of", "2026-06-01", str(p)]
    assert main(args) == 0  # no tables loaded: nothing to edit against
    capsys.readouterr()
    rc = main([*args, "--ptp", str(FIXTURES / "ccipra-test-f1.txt")])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1
    rules = [f["rule"] for c in out["claims"] for f in c["findings"]]
    assert "OT-NCCI-002" in rules
