"""The command line: the units JSON contract, the code command, and bad input (exit 2)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from otbill.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "schemas" / "examples"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_units_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "units", "--method", "cms", "--json", "97110=24", "97112=23")
    assert code == 0
    data = json.loads(out)
    # The shape other tools rely on: these keys with these types, never renamed.
    assert data["method"] == "cms"
    assert data["total_timed_minutes"] == 47
    assert data["total_units"] == 3
    assert [{k: ln[k] for k in ("code", "minutes", "units")} for ln in data["lines"]] == [
        {"code": "97110", "minutes": 24, "units": 2},
        {"code": "97112", "minutes": 23, "units": 1},
    ]
    assert isinstance(data["explanation"], list)
    assert all(isinstance(s, str) and s for s in data["explanation"])


def test_units_untimed_and_ama(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "units", "--method", "ama", "--json", "97110=33", "97140=7", "97165")
    assert code == 0
    data = json.loads(out)
    assert data["method"] == "ama"
    assert {ln["code"]: ln["units"] for ln in data["lines"]} == {"97110": 2, "97140": 0, "97165": 1}
    assert data["total_units"] == 3
    untimed = next(ln for ln in data["lines"] if ln["code"] == "97165")
    assert untimed["minutes"] is None
    assert untimed["timed"] is False


def test_untimed_code_with_minutes_stays_untimed(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "units", "--json", "97166=45", "97110=7")
    data = json.loads(out)
    assert data["total_timed_minutes"] == 7
    assert {ln["code"]: ln["units"] for ln in data["lines"]} == {"97110": 0, "97166": 1}


def test_units_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "units", "97112=24", "97110=23")
    assert code == 0
    assert "47 timed minutes, 3 units" in out
    assert "§20.2" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["units", "99213=10"], "unknown code 99213"),
        (["units", "97110=-4"], "cannot be negative"),
        (["units", "97110=ten"], "whole number"),
        (["units", "97110"], "give its minutes"),
        (["units", "97110=10", "97110=5"], "given twice"),
        (["code", "/nonexistent.json"], "cannot read"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert words in err
    assert "Traceback" not in err + out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "units", "--method", "xyz", "97110=10")
    assert code == 2
    assert "xyz" in err


def test_code_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "code", "--json", str(EXAMPLES / "visit.json"))
    assert code == 0
    claims = json.loads(out)["claims"]
    assert len(claims) == 1
    lines = [(ln["code"], ln["units"], ln["modifiers"]) for ln in claims[0]["lines"]]
    assert lines == [
        ("97112", 2, ["GO"]),
        ("97110", 1, ["GO", "CO"]),
        ("97535", 1, ["GO"]),
    ]
    assert claims[0]["total_charge"] == "202.00"
    assert claims[0]["lines"][0]["diagnosis_pointers"] == [1, 2]
    assert claims[0]["explanation"]


def test_code_table_episode(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "code", str(EXAMPLES / "episode.json"))
    assert code == 0
    assert out.count("Claim V-2026-") == 5
    assert "97168  GO XU" in out


def test_code_table_total_row_stands_under_its_columns(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "code", str(EXAMPLES / "episode.json"))
    lines = out.splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.startswith("  code "))
    total = next(i for i in range(head, len(lines)) if lines[i].startswith("  total"))
    header, rows, last = lines[head], lines[head + 1 : total], lines[total].split()
    # each figure of the total row ends where its column's heading ends
    for name, figure in (("units", last[1]), ("minutes", last[2]), ("charge", last[3])):
        end = header.index(name) + len(name)
        assert lines[total][:end].endswith(" " + figure)
    assert int(last[1]) == sum(int(r.split()[-5]) for r in rows)
    assert D(last[3]) == sum(D(r.split()[-3]) for r in rows)


def _same_day(tmp_path: Path) -> Path:
    """The example episode with a second visit on 2026-03-12: 10 minutes of 97110 at each."""
    doc = json.loads((EXAMPLES / "episode.json").read_text())
    first = doc["visits"][3]
    first["services"] = [{"code": "97110", "therapist_minutes": 10}]
    first.pop("assistant_npi")
    first["documentation"]["total_treatment_minutes"] = 10
    later = json.loads(json.dumps(first))
    later["id"] = "V-2026-0004B"
    doc["visits"].insert(4, later)
    p = tmp_path / "same-day.json"
    p.write_text(json.dumps(doc))
    return p


@pytest.mark.parametrize("command", ["code", "check"])
def test_a_days_visits_are_coded_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """Two visits of 10 minutes of 97110 on one day bill 1 unit, not 1 each: the day's total
    timed minutes bound its timed units (CPM ch.5 §20.2), as the ledger's claims do."""
    args = ["--as-of", "2026-04-01"] if command == "check" else []
    _, out, _ = run(capsys, command, "--json", *args, str(_same_day(tmp_path)))
    claims = json.loads(out)["claims"]
    assert len(claims) == 5
    (day,) = [c for c in claims if c["date_of_service"] == "2026-03-12"]
    assert day["visit_ids"] == ["V-2026-0004", "V-2026-0004B"]
    assert [(ln["code"], ln["units"]) for ln in day["lines"]] == [("97110", 1)]
    assert "V-2026-0004, V-2026-0004B" in day["explanation"][0]
    assert "§20.2" in day["explanation"][0]


def test_bad_file_names_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads((EXAMPLES / "visit.json").read_text())
    doc["providers"][0]["npi"] = "1987654320"
    p = tmp_path / "v.json"
    p.write_text(json.dumps(doc))
    code, _, err = run(capsys, "code", str(p))
    assert code == 2
    assert "providers[0].npi" in err


def test_console_script_runs() -> None:
    exe = shutil.which("otbill", path=str(Path(sys.executable).parent))
    assert exe is not None, "the otbill console script is installed with the package"
    proc = subprocess.run(
        [exe, "units", "--json", "97530=60"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["total_units"] == 4
    bad = subprocess.run([exe, "units", "97110=x"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr


def test_rules_list_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "--json")
    assert code == 0
    rules = json.loads(out)
    assert {"id", "category", "severity", "title", "checks", "why", "example", "fix", "source",
            "in_force"} <= set(rules[0])  # fmt: skip
    kx = next(r for r in rules if r.get("id") == "OT-FR-001")
    assert kx["in_force"] == {"from": "2013-01-01", "to": "2018-12-31"}
    code, out, _ = run(capsys, "rules")
    assert "OT-KX-001" in out


def test_rules_show_page(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "show", "OT-PR-001")
    assert code == 0
    for heading in ("What it checks", "Why it matters", "Example", "Fix", "Source"):
        assert f"## {heading}" in out
    code, _, err = run(capsys, "rules", "show", "OT-XX-999")
    assert code == 2
    assert "no such rule" in err


def test_check_clean_exits_0_and_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--json", "--as-of", "2026-06-01",
                       str(EXAMPLES / "episode.json"))  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["errors"] == 0
    assert len(data["claims"]) == 5
    assert all("findings" in c and "lines" in c for c in data["claims"])


def test_check_exits_1_on_errors_and_silences_need_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads((EXAMPLES / "visit.json").read_text())
    doc["visit"]["documentation"]["note_signed"] = False
    p = tmp_path / "v.json"
    p.write_text(json.dumps(doc))
    code, out, _ = run(capsys, "check", "--json", "--as-of", "2026-06-01", str(p))
    assert code == 1
    f = next(f for c in json.loads(out)["claims"] for f in c["findings"]
             if f["rule"] == "OT-DOC-001")  # fmt: skip
    assert set(f) >= {"rule", "category", "severity", "message", "fix", "source", "line"}
    assert f["category"] == "documentation"
    doc["silences"] = [{"rule": "OT-DOC-001", "claim": doc["visit"]["id"], "by": "k.lee",
                        "why": "paper note signed 3/10, scanned"}]  # fmt: skip
    p.write_text(json.dumps(doc))
    code, out, _ = run(capsys, "check", "--as-of", "2026-06-01", str(p))
    assert code == 0
    assert "silenced by k.lee" in out
    doc["silences"][0]["why"] = " "
    p.write_text(json.dumps(doc))
    code, _, err = run(capsys, "check", str(p))
    assert code == 2
    assert "silences[0].why" in err


def test_demo_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--patients", "60", "--json")
    assert code == 0
    data = json.loads(out)
    s = data["summary"]
    assert s["patients"] == 60
    assert s["claims"] == len(data["claims"]) > 0
    assert s["week"] == {"start": "2026-03-09", "end": "2026-03-15"}
    assert 0 <= s["clean_claims"] <= s["claims"]
    assert s["icd10"].startswith("ICD-10-CM")


def test_demo_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--patients", "40", "--week", "2026-05-06")
    assert code == 0
    assert "Week 2026-05-04 to 2026-05-10" in out
    assert "Scrubber (" in out


def test_demo_ledger_runs_the_work_flow_on_sqlite(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(
        capsys, "demo", "--patients", "30", "--ledger", "--out", str(tmp_path), "--json"
    )
    assert code == 0
    led = json.loads(out)["summary"]["ledger"]
    assert led["database"] == str(tmp_path / "otbill.db")
    assert led["claims_built"] == led["ready"] + led["draft"] > 0
    # Every claim sent came back in the 835 and posted; nothing is left unmatched.
    assert led["submitted"] == led["posted"] == led["ready"] and led["unmatched"] == 0
    assert led["books_balance"] and led["breaks"] == []
    assert sum(led["states"].values()) == led["claims_built"]
    assert (tmp_path / "claims.837").read_text().startswith("ISA*")
    # The patient who owed most paid part at the front desk and has a statement.
    assert D(led["patients_owe"]) > 0 and led["patients_owing"] > 0
    assert Path(led["statement_file"]).read_bytes().startswith(b"%PDF")
    code, _, err = run(capsys, "demo", "--patients", "30", "--ledger", "--out", str(tmp_path))
    assert code != 0 and "exists" in err  # never over a database already there


# --- --pfs: a practice's own CMS RVU file for a year or quarter otbill does not ship ------


def _shipped_pfs(name: str) -> str:
    return (ROOT / "src/otbill/codesets/data/pfs" / name).read_bytes().decode("utf-8")


def _visit_on(tmp_path: Path, day: str, plan: tuple[str, str, str]) -> Path:
    """The example visit (97112 2 units, 97110 1 unit with CO, 97535 1 unit) moved in time."""
    doc = json.loads((EXAMPLES / "visit.json").read_text())
    poc = doc["plans_of_care"][0]
    poc["start_date"], poc["signed_date"], poc["certified_through"] = plan
    doc["visit"]["date"] = day
    p = tmp_path / f"visit-{day}.json"
    p.write_text(json.dumps(doc))
    return p


def test_pfs_prices_a_year_not_shipped_from_a_spreadsheet_resaved_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    visit = EXAMPLES / "visit.json"  # 2026-03-10: no CY2026 file ships
    _, out, _ = run(capsys, "code", "--json", str(visit))
    (claim,) = json.loads(out)["claims"]
    assert claim["expected_payment"] is None
    assert any("No CY2026 Medicare fee schedule is loaded" in s for s in claim["explanation"])

    # A stand-in for the practice's CY2026 file, in the spreadsheet-resaved style ("0.2",
    # "9", LF): the shipped RVU25A copy retitled 2026 with the CY2026 non-QP CF. Not CMS's
    # CY2026 RVUs; what is tested is that --pfs reads such a file and prices by it.
    text = (
        _shipped_pfs("PPRRVU25_JAN_therapy_excel-resaved.csv")
        .replace("2025 National Physician Fee Schedule", "2026 National Physician Fee Schedule")
        .replace(",32.3465,", ",33.4009,")
    )
    assert ",0.2," in text and "\r" not in text
    pfs = tmp_path / "PPRRVU2026_Jan_nonQPP.csv"
    pfs.write_text(text)
    code, out, _ = run(capsys, "code", "--json", "--pfs", str(pfs), str(visit))
    assert code == 0
    (claim,) = json.loads(out)["claims"]
    got = {ln["code"]: (ln["allowed"], ln["expected_payment"]) for ln in claim["lines"]}
    # RVUs (work, PE, MP): 97112 0.5, 0.48, 0.01; 97110 0.45, 0.43, 0.01; 97535 0.45, 0.53,
    # 0.01. MPPR: one unit of 97535 (highest PE) keeps full PE, the other three units get 50%.
    # 97112: 2 x (0.5 + 0.24 + 0.01) = 1.50 x 33.4009 = 50.10135; x 0.80 = 40.08108
    # 97110: 0.45 + 0.215 + 0.01 = 0.675 x 33.4009 = 22.5456075; x 0.80 x 0.85 (CO) = 15.3310
    # 97535: 0.45 + 0.53 + 0.01 = 0.99 x 33.4009 = 33.066891; x 0.80 = 26.4535128
    assert got == {
        "97112": ("50.10", "40.08"),
        "97110": ("22.55", "15.33"),
        "97535": ("33.07", "26.45"),
    }
    assert claim["expected_payment"] == "81.86"
    said = "\n".join(claim["explanation"])
    assert "CY2026 January release RVU26A (PPRRVU2026_Jan_nonQPP.csv" in said
    assert "conversion factor 33.4009" in said and "not loaded" not in said


def test_pfs_loads_the_cy2024_release_for_a_date_before_july(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    visit = _visit_on(tmp_path, "2024-02-12", ("2024-01-29", "2024-02-01", "2024-04-26"))
    _, out, _ = run(capsys, "code", "--json", str(visit))
    (shipped,) = json.loads(out)["claims"]
    said = "\n".join(shipped["explanation"])
    assert "January release RVU24A, for dates of service from 2024-01-01, is not loaded" in said
    assert "RVUs are from the July release RVU24C" in said
    # The same amount as below: the July RVUs, with the CF in force on the date (32.7442).
    assert shipped["expected_payment"] == "80.41"

    # A stand-in for CMS's January 2024 file: the July file retitled, with the January CF.
    text = (
        _shipped_pfs("PPRRVU24_JUL_therapy.csv")
        .replace("Relative Value File July Release", "Relative Value File January Release")
        .replace(",33.2875,", ",32.7442,")
    )
    pfs = tmp_path / "PPRRVU24_JAN.csv"
    pfs.write_bytes(text.encode("utf-8"))
    code, out, _ = run(capsys, "code", "--json", "--pfs", str(pfs), str(visit))
    assert code == 0
    (claim,) = json.loads(out)["claims"]
    said = "\n".join(claim["explanation"])
    assert "CY2024 January release RVU24A (PPRRVU24_JAN.csv" in said
    assert "not loaded" not in said and "Conversion factor" not in said
    # 97535 keeps full PE (0.52); 97112 2 x (0.50 + 0.25 + 0.01) = 1.52 x 32.7442 = 49.771184;
    # 97110 (0.45 + 0.21 + 0.01) = 0.67 x 32.7442 = 21.938614, x 0.80 x 0.85 = 14.9182575;
    # 97535 (0.45 + 0.52 + 0.01) = 0.98 x 32.7442 = 32.089316, x 0.80 = 25.6714528.
    got = {ln["code"]: (ln["allowed"], ln["expected_payment"]) for ln in claim["lines"]}
    assert got == {
        "97112": ("49.77", "39.82"),
        "97110": ("21.94", "14.92"),
        "97535": ("32.09", "25.67"),
    }
    assert claim["expected_payment"] == "80.41"
