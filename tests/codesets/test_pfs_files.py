"""Reading the CMS PPRRVU and GPCI file formats."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from otbill.codesets.pfs import load_fee_schedule, read_gpci_csv, read_rvu_csv
from otbill.errors import CodeSetError

FIXTURES = Path(__file__).parent / "fixtures"


def shipped_rvu_text() -> str:
    return (
        resources.files("otbill.codesets.data")
        .joinpath("pfs")
        .joinpath("PPRRVU22_JAN_therapy.csv")
        .read_text("utf-8")
    )


def test_stacked_header_and_values() -> None:
    fs = read_rvu_csv(shipped_rvu_text(), "PPRRVU22")
    assert fs.year == 2022
    assert fs.conversion_factor == Decimal("34.6062")
    r = fs.rvus["97530"]
    assert (r.work, r.pe_nonfacility, r.mp, r.mult_proc) == (
        Decimal("0.44"), Decimal("0.64"), Decimal("0.02"), "5",
    )  # fmt: skip
    assert fs.rvus["97010"].status == "B"
    assert fs.unit_price("97010") is None  # bundled: no separate payment


def test_2026_layout_with_a_pricing_indicator_column(tmp_path: Path) -> None:
    # CY2026 files add a PRIC IND column before CONV FACTOR: columns are found by name.
    rows = list(csv.reader(io.StringIO(shipped_rvu_text())))
    head, data = rows[5:10], rows[10:]
    for row in head:
        row.insert(23, "")
    head[-2][23], head[-1][23] = "PRIC", "IND"
    for row in data:
        row.insert(23, "1")
        row[25] = "33.4009"
    rows[0][2] = "2026 National Physician Fee Schedule Relative Value File January Release"
    out = io.StringIO()
    csv.writer(out).writerows(rows[:5] + head + data)
    text = out.getvalue()
    p = tmp_path / "PPRRVU2026_Jan_nonQPP.csv"
    p.write_text(text)
    fs = load_fee_schedule(p)
    assert fs.year == 2026
    assert fs.conversion_factor == Decimal("33.4009")
    assert fs.rvus["97110"].work == Decimal("0.45")


def test_errors_name_the_file_and_line() -> None:
    text = (
        shipped_rvu_text()
        .replace("97112,,Neuromuscular", "97112,,Neuromuscular")
        .replace(",0.50,0.49,", ",0.50,0.4x9,")
    )
    with pytest.raises(CodeSetError, match=r"PPRRVU22 line \d+ NON-FAC PE RVU"):
        read_rvu_csv(text, "PPRRVU22")
    with pytest.raises(CodeSetError, match="no header row"):
        read_rvu_csv("a,b,c\n1,2,3\n", "junk.csv")


def test_gpci_file_with_footnotes() -> None:
    # Real rows of CMS GPCI2026.csv (July release), with its banner and footnotes.
    gpcis = read_gpci_csv((FIXTURES / "GPCI2026_excerpt.csv").read_text(), "GPCI2026")
    assert set(gpcis) == {"05302/01", "05302/99", "09102/04", "13202/01", "01182/18"}
    mia = gpcis["09102/04"]
    assert (mia.work, mia.pe, mia.mp) == (Decimal("1.000"), Decimal("1.041"), Decimal("2.529"))


def test_locality_changes_the_amount() -> None:
    fs = read_rvu_csv(shipped_rvu_text(), "PPRRVU22")
    gpcis = read_gpci_csv((FIXTURES / "GPCI2026_excerpt.csv").read_text(), "GPCI")
    fs = replace(fs, gpcis=gpcis)
    national = fs.unit_price("97110")
    manhattan = fs.unit_price("97110", "13202/01")
    assert national is not None and manhattan is not None
    # (0.45 x 1.064 + 0.40 x 1.162 + 0.02 x 1.586) x 34.6062
    assert manhattan.amount() == (
        Decimal("0.45") * Decimal("1.064")
        + Decimal("0.40") * Decimal("1.162")
        + Decimal("0.02") * Decimal("1.586")
    ) * Decimal("34.6062")
    assert manhattan.amount() > national.amount()
    with pytest.raises(CodeSetError, match="locality"):
        fs.unit_price("97110", "99999/99")
