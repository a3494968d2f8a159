"""The shared real X12 samples, read as their MANIFEST says: every sample read without a crash
(what is wrong in it reported), every negative test rejected, the claim counts matched."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from otbill.x12.core import Issues, X12Error
from otbill.x12.envelope import transactions
from otbill.x12.t835 import read_835
from otbill.x12.t837p_read import read_837p

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "x12-samples"
ROWS = list(csv.DictReader((SAMPLES / "MANIFEST.tsv").open(), delimiter="\t"))
READERS = {"835": ("835", read_835), "837P": ("837", read_837p)}


def rows(kind: str, intent: str) -> list[dict[str, str]]:
    return [r for r in ROWS if r["transaction"] == kind and r["intent"] == intent]


def read(row: dict[str, str]) -> tuple[int, Issues]:
    set_id, reader = READERS[row["transaction"]]
    issues = Issues()
    count = 0
    for tx in transactions(SAMPLES / row["file"], issues):
        if tx.header.set_id == set_id:
            result = reader(tx)
            count += len(result.claims) if hasattr(result, "claims") else len(result)
    return count, issues


@pytest.mark.parametrize(
    "row", rows("835", "sample") + rows("837P", "sample"), ids=lambda r: r["file"]
)
def test_sample_is_read(row: dict[str, str]) -> None:
    claims, issues = read(row)
    if row["pyx12"] == "OK":
        assert not issues.errors, [str(e) for e in issues.errors[:3]]
    # Claims that cannot be read are reported, so the count can only fall short with issues.
    assert claims == int(row["claims"]) or issues.errors


@pytest.mark.parametrize(
    "row", rows("835", "negative-test") + rows("837P", "negative-test"), ids=lambda r: r["file"]
)
def test_negative_is_rejected(row: dict[str, str]) -> None:
    try:
        _, issues = read(row)
    except X12Error:
        return
    assert issues.errors, "a negative test must be rejected"
