"""Reading the CMS PPRRVU and GPCI file formats."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

import pytest

from otbill.codesets.hcpcs import therapy_codes
from otbill.codesets.pfs import (
    FeeSchedule,
    bundled_fee_schedules,
    load_fee_schedule,
    read_gpci_csv,
    read_rvu_csv,
    schedule_for,
    shipped_text,
)
from otbill.errors import CodeSetError
from otbill.pricing.medicare import release_steps

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


# --- the shipped releases, CY2022 to CY2025 (data/pfs/SOURCES.md) ---------------------------


def shipped(code: str) -> FeeSchedule:
    (fs,) = [f for f in bundled_fee_schedules() if f.release and f.release.code == code]
    return fs


@pytest.mark.parametrize(
    ("name", "code", "starts", "released", "cf", "rows"),
    [
        ("PPRRVU22_JAN_therapy.csv", "RVU22A", date(2022, 1, 1), date(2021, 12, 15), "34.6062", 40),
        ("PPRRVU23_JAN_therapy.csv", "RVU23A", date(2023, 1, 1), date(2023, 1, 30), "33.8872", 67),
        ("PPRRVU24_JUL_therapy.csv", "RVU24C", date(2024, 7, 1), date(2024, 5, 3), "33.2875", 71),
        (
            "PPRRVU25_JAN_therapy_excel-resaved.csv",
            "RVU25A", date(2025, 1, 1), date(2024, 12, 23), "32.3465", 71,
        ),
        (
            "PPRRVU2025_Oct_therapy.csv",
            "RVU25D", date(2025, 10, 1), date(2025, 9, 11), "32.3465", 71,
        ),
    ],
)  # fmt: skip
def test_each_shipped_file_names_its_release_and_dates(
    name: str, code: str, starts: date, released: date, cf: str, rows: int
) -> None:
    fs = read_rvu_csv(shipped_text(name), name)
    assert fs.release is not None and fs.release.code == code
    assert fs.effective_from == starts and fs.released == released
    assert fs.conversion_factor == Decimal(cf)  # read from the file's CONV FACTOR column
    assert len(fs.rvus) == rows
    assert shipped(code).rvus == fs.rvus


@pytest.mark.parametrize(
    "name",
    [
        "PPRRVU23_JAN_therapy.csv",
        "PPRRVU24_JUL_therapy.csv",
        "PPRRVU25_JAN_therapy_excel-resaved.csv",
        "PPRRVU2025_Oct_therapy.csv",
    ],
)
def test_new_files_keep_the_cms_preamble_and_say_where_they_came_from(name: str) -> None:
    rows = list(csv.reader(io.StringIO(shipped_text(name))))
    notes = [r[2] for r in rows[:9] if len(r) > 2 and r[2].strip()]
    assert "National Physician Fee Schedule Relative Value File" in notes[0]  # CMS's title
    assert notes[1].startswith("CPT codes and descriptions only are copyright")
    assert notes[3].startswith("RELEASED ")
    assert any(re.search(r"github\.com/\S+ commit [0-9a-f]{40} ", n) for n in notes)
    assert any(n.startswith("Changed: only the DESCRIPTION") for n in notes)
    # CPT descriptors are AMA copyright: rows carry otbill's words (therapy_codes.csv's).
    ours = {code: tc.description for code, tc in therapy_codes().items()}
    data = [r for r in rows if r and re.fullmatch(r"97\d\d\d", r[0])]
    assert len(data) >= 66
    assert all(r[2] == ours[r[0]] for r in data if r[0] in ours)


def test_the_two_cy2025_copies_agree_row_by_row() -> None:
    """RVU25A reached otbill re-saved by a spreadsheet (0.2 for 0.20, 9 for 09, LF, another
    row order); RVU25D is untouched. Every field but the description must agree in value."""
    jan_text = shipped_text("PPRRVU25_JAN_therapy_excel-resaved.csv")
    oct_text = shipped_text("PPRRVU2025_Oct_therapy.csv")

    def rows(text: str) -> dict[str, list[str]]:
        out = {}
        for r in csv.reader(io.StringIO(text)):
            if r and re.fullmatch(r"97\d\d\d|G0283", r[0]):
                assert r[0] not in out and not r[1], "one row per code, no modifier rows"
                out[r[0]] = r
        return out

    jan, oct_ = rows(jan_text), rows(oct_text)
    assert set(jan) == set(oct_) and len(jan) == 71
    assert list(jan) != list(oct_)  # the row order differs ...
    assert "0.20" in oct_text and ",0.2," in jan_text  # ... and so does the number style

    def value(field: str) -> Decimal | str:
        try:
            return Decimal(field)  # "09" and "9", "0.20" and "0.2" are the same value
        except InvalidOperation:
            return field.strip()  # status, global days, "NA", "+"

    for code in jan:
        a, b = jan[code], oct_[code]
        assert len(a) == len(b) == 31, code
        for col in (c for c in range(31) if c != 2):
            assert value(a[col]) == value(b[col]), (code, col, a[col], b[col])
    # And as the loader reads them: status, work/PE/MP RVUs, PCTC and MULT PROC, and the CF.
    assert shipped("RVU25A").rvus == shipped("RVU25D").rvus
    assert shipped("RVU25A").conversion_factor == shipped("RVU25D").conversion_factor


def test_a_date_is_priced_by_its_years_release_in_force_or_a_stand_in() -> None:
    fss = bundled_fee_schedules()

    def code_for(day: date) -> str | None:
        fs = schedule_for(fss, day)
        return fs.release.code if fs and fs.release else None

    assert code_for(date(2025, 9, 30)) == "RVU25A"
    assert code_for(date(2025, 10, 1)) == "RVU25D"
    assert code_for(date(2024, 6, 30)) == "RVU24C"  # stands in: nothing earlier in CY2024
    assert code_for(date(2023, 12, 31)) == "RVU23A"
    assert code_for(date(2026, 1, 1)) is None  # never across a year
    assert code_for(date(2021, 12, 31)) is None


def test_a_file_naming_no_release_answers_for_its_whole_year() -> None:
    text = shipped_rvu_text().replace(" January Release (therapy excerpt)", " (therapy excerpt)")
    fs = read_rvu_csv(text, "PPRRVU22 renamed")
    assert fs.release is None and fs.effective_from == date(2022, 1, 1)
    assert release_steps(fs, date(2022, 11, 1)) == []  # no quarter to say is missing
    bad = shipped_rvu_text().replace("RELEASED 12/15/2021", "RELEASED 13/45/2021")
    with pytest.raises(CodeSetError, match="PPRRVU22: not a date"):
        read_rvu_csv(bad, "PPRRVU22")
