"""The 175 shared real X12 samples, read as their MANIFEST says: every sample read without a
crash and with what is wrong in it reported; those the independent pyx12 validator passes read
without an error; every negative test rejected; set and claim counts matched."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from otbill.model.remittance import Remittance
from otbill.x12.core import X12Error
from otbill.x12.read import read_x12

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "x12-samples"
ROWS = list(csv.DictReader((SAMPLES / "MANIFEST.tsv").open(), delimiter="\t"))
SAMPLE_ROWS = [r for r in ROWS if r["intent"] != "negative-test"]
NEGATIVE_ROWS = [r for r in ROWS if r["intent"] == "negative-test"]


def claims_in(doc) -> int:  # type: ignore[no-untyped-def]
    n = 0
    for s in doc.sets:
        if isinstance(s.result, Remittance):
            n += len(s.result.claims)
        elif s.header.set_id == "837":
            n += len(s.result)
    return n


def test_manifest_is_complete() -> None:
    assert len(ROWS) == 175
    assert len(NEGATIVE_ROWS) == 23


@pytest.mark.parametrize("row", SAMPLE_ROWS, ids=lambda r: r["file"])
def test_sample_is_read(row: dict[str, str]) -> None:
    doc = read_x12(SAMPLES / row["file"])
    if row["pyx12"] == "OK":
        assert not doc.issues.errors, [str(e) for e in doc.issues.errors[:3]]
    assert len(doc.sets) == int(row["st_count"]) or doc.issues.errors
    if row["transaction"] in ("835", "837P"):
        # Claims that cannot be read are reported, so the count only falls short with issues.
        assert claims_in(doc) == int(row["claims"]) or doc.issues.errors


@pytest.mark.parametrize("row", NEGATIVE_ROWS, ids=lambda r: r["file"])
def test_negative_is_rejected(row: dict[str, str]) -> None:
    try:
        doc = read_x12(SAMPLES / row["file"])
    except X12Error:
        return
    assert doc.issues.errors, "a negative test must be rejected"
