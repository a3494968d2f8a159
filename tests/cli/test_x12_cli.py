"""otbill x12: write 837P, 270 and 276 from documents, and read what it wrote and the samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builders import x12valid
from otbill.cli import main
from x12samples import sample

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "schemas" / "examples"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_837_then_read_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "claims.837"
    code, text, _ = run(
        capsys,
        "x12",
        "837",
        str(EXAMPLES / "episode.json"),
        "-o",
        str(out),
        "--as-of",
        "2026-06-01",
    )
    assert code == 0
    assert "wrote 5 claims" in text
    code, text, _ = run(capsys, "x12", "read", "--json", str(out))
    assert code == 0
    data = json.loads(text)
    (s,) = data["sets"]
    assert s["transaction"] == "837"
    assert [c["claim"]["id"] for c in s["content"]] == [f"V-2026-{n:04d}" for n in range(1, 6)]
    assert data["issues"] == []


def test_837_refuses_claims_with_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads((EXAMPLES / "visit.json").read_text())
    doc["visit"]["documentation"]["note_signed"] = False
    src = tmp_path / "v.json"
    src.write_text(json.dumps(doc))
    out = tmp_path / "v.837"
    code, _, err = run(capsys, "x12", "837", str(src), "-o", str(out), "--as-of", "2026-06-01")
    assert code == 1
    assert "refused V-2026-0310-0001" in err
    assert "OT-DOC-001" in err
    assert not out.exists()
    code, _, _ = run(
        capsys, "x12", "837", str(src), "-o", str(out), "--as-of", "2026-06-01", "--force"
    )
    assert code == 0
    assert out.exists()


def test_270_and_276(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    e270, e276 = tmp_path / "q.270", tmp_path / "q.276"
    assert run(capsys, "x12", "270", str(EXAMPLES / "visit.json"), "-o", str(e270))[0] == 0
    text = e270.read_text()
    assert "~EQ*30~EQ*AD~" in text
    assert "NM1*IL*1*Price*Eleanor****MI*1EG4TE5MK73~" in text
    assert run(capsys, "x12", "276", str(EXAMPLES / "episode.json"), "-o", str(e276))[0] == 0
    assert e276.read_text().count("~TRN*1*V-2026-") == 5
    code, out, _ = run(capsys, "x12", "read", str(e276))
    assert code == 0
    assert "276 claim status inquiry" in out


def test_read_835_prints_claims_and_balance(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "x12", "read", str(sample("835/albmarin__X221-era-sample.edi")))
    assert code == 0
    assert "claim 7722337 status 1: charge 226, paid 132" in out
    assert "CO-131 21" in out
    assert "balanced" in out


def test_read_reports_and_exits_1_on_errors(capsys: pytest.CaptureFixture[str]) -> None:
    path = sample("_negative/835/albmarin__error_validation.edi")
    code, out, _ = run(capsys, "x12", "read", str(path))
    assert code == 1
    assert "ERROR: 835 segment" in out
    code, _, err = run(capsys, "x12", "read", "--strict", str(path))
    assert code == 2
    assert "GS01 'HPO' is not the functional id of a 835" in err


def test_read_not_x12(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "x.txt"
    p.write_text("hello world, not an interchange")
    code, _, err = run(capsys, "x12", "read", str(p))
    assert code == 2
    assert "not X12" in err


# One loader everywhere: every command that reads visits reads what `otbill import` reads.
BUNDLE, CSV = EXAMPLES / "bundle.json", EXAMPLES / "visits.csv"


def test_a_fhir_bundle_through_837_passes_pyx12(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bundle.837"
    code, text, err = run(
        capsys, "x12", "837", str(BUNDLE), "-o", str(out), "--as-of", "2026-06-01"
    )
    assert (code, err) == (0, "")
    assert "wrote 1 claims" in text
    verdict = x12valid(out)
    assert verdict.strip().endswith(f"{out}: OK"), verdict
    # The same claim as the otbill JSON document the bundle was made from.
    same = tmp_path / "visit.837"
    run(
        capsys, "x12", "837", str(EXAMPLES / "visit.json"), "-o", str(same), "--as-of", "2026-06-01"
    )
    assert _claim_segments(out) == _claim_segments(same)


def _claim_segments(path: Path) -> list[str]:
    segs = path.read_text().split("~")
    start = next(i for i, s in enumerate(segs) if s.startswith("CLM*"))
    return [s for s in segs[start:] if not s.startswith(("SE*", "GE*", "IEA*"))]


def test_a_csv_export_with_two_patients_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "code", "--json", str(CSV))
    assert code == 0
    claims = json.loads(out)["claims"]
    assert [c["patient_id"] for c in claims] == ["P-0001", "P-0417"]
    code, out, _ = run(capsys, "check", "--as-of", "2026-04-01", str(CSV))
    assert "2 claims:" in out
    assert "Price, Eleanor" in out and "Greer, Tomas" in out
    e270, e276, pdf = tmp_path / "q.270", tmp_path / "q.276", tmp_path / "c.pdf"
    assert run(capsys, "x12", "270", str(CSV), "-o", str(e270))[0] == 0
    text = e270.read_text()
    assert "NM1*IL*1*Price*Eleanor****MI*1EG4TE5MK73~" in text
    assert "NM1*IL*1*Greer*Tomas****MI*WC-2026-118822~" in text
    assert run(capsys, "x12", "276", str(CSV), "-o", str(e276))[0] == 0
    assert e276.read_text().count("~TRN*1*") == 2
    code, out, _ = run(capsys, "cms1500", str(CSV), "-o", str(pdf))
    assert code == 0 and "wrote 2 claims on 2 pages" in out


def test_a_bundle_through_check_and_cms1500(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "check", "--json", "--as-of", "2026-04-01", str(BUNDLE))
    assert code == 0
    (claim,) = json.loads(out)["claims"]
    assert claim["id"] == "V-2026-0310-0001"
    code, out, _ = run(capsys, "cms1500", str(BUNDLE), "-o", str(tmp_path / "b.pdf"))
    assert code == 0 and "wrote 1 claims" in out


def test_visits_of_two_practices_are_refused_one_interchange(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = json.loads((EXAMPLES / "visit.json").read_text())
    b = json.loads(json.dumps(a))
    b["practice"]["npi"] = "1245319599"
    b["visit"]["id"] = "V-OTHER-1"
    src = tmp_path / "two.json"
    src.write_text(json.dumps([a, b]))
    code, _, err = run(capsys, "x12", "837", str(src), "-o", str(tmp_path / "x.837"))
    assert code == 2
    assert "visits of 2 practices" in err and "write one file per practice" in err


def test_a_file_that_is_no_visits_names_the_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "notes.txt"
    src.write_text("patient came in, did exercises\n")
    for cmd in (["code"], ["check"], ["x12", "837"], ["cms1500"]):
        extra = ["-o", str(tmp_path / "out")] if cmd[0] in ("x12", "cms1500") else []
        code, _, err = run(capsys, *cmd, str(src), *extra)
        assert code == 2, cmd
        assert "a FHIR R4 Bundle, or a visits CSV" in err
