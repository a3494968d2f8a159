"""Real X12 samples, read as their MANIFEST says: every sample read without a crash and with what
is wrong in it reported; those the independent pyx12 validator passes read without an error;
every negative test rejected; set and claim counts matched. The repository's own copies always;
the whole shared collection of 175 when it is beside the repository (tests/x12samples.py)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from builders import x12valid
from otbill.model.remittance import Remittance
from otbill.x12.core import X12Error
from otbill.x12.read import read_x12
from x12samples import (
    FIXTURE_ROWS,
    FIXTURES,
    HAVE_SHARED,
    NO_SHARED,
    SHARED,
    SHARED_ROWS,
    path_of,
    rows,
)

SAMPLE_ROWS = [r for r in rows() if r["intent"] != "negative-test"]
NEGATIVE_ROWS = [r for r in rows() if r["intent"] == "negative-test"]
# Licenses under which a copy may sit in the repository with its notice.
PERMISSIVE = {"MIT", "BSD-3-Clause", "Apache-2.0"}


def claims_in(doc) -> int:  # type: ignore[no-untyped-def]
    n = 0
    for s in doc.sets:
        if isinstance(s.result, Remittance):
            n += len(s.result.claims)
        elif s.header.set_id == "837":
            n += len(s.result)
    return n


@pytest.mark.skipif(not HAVE_SHARED, reason=NO_SHARED)
def test_shared_manifest_is_complete() -> None:
    assert len(SHARED_ROWS) == 175
    assert len([r for r in SHARED_ROWS if r["intent"] == "negative-test"]) == 23


def test_repository_copies_are_licensed_and_listed() -> None:
    listed = {r["file"] for r in FIXTURE_ROWS}
    on_disk = {
        str(p.relative_to(FIXTURES))
        for p in FIXTURES.rglob("*")
        if p.is_file() and p.parent != FIXTURES and p.parent.name != "LICENSES"
    }
    assert on_disk == listed
    for r in FIXTURE_ROWS:
        assert r["repo_license"] in PERMISSIVE, r["file"]
        assert (FIXTURES / r["license_file"]).is_file(), r["license_file"]
    # Every sample type has copies a clone reads, negatives among them.
    kinds = {r["transaction"] for r in FIXTURE_ROWS}
    assert kinds == {"270", "271", "276", "277", "277CA", "835", "837P", "999"}
    assert any(r["intent"] == "negative-test" for r in FIXTURE_ROWS)


@pytest.mark.skipif(not HAVE_SHARED, reason=NO_SHARED)
def test_repository_copies_are_unchanged() -> None:
    shared = {r["file"]: r for r in SHARED_ROWS}
    copies = [r for r in FIXTURE_ROWS if r["source_repo"] != "otbill"]
    assert copies
    for r in copies:
        mine = hashlib.sha256((FIXTURES / r["file"]).read_bytes()).hexdigest()
        theirs = hashlib.sha256((SHARED / r["file"]).read_bytes()).hexdigest()
        assert mine == theirs, r["file"]
        assert {k: v for k, v in r.items() if k not in ("base", "license_file")} == {
            k: v for k, v in shared[r["file"]].items() if k != "base"
        }


def test_otbill_own_samples_pass_pyx12(tmp_path: Path) -> None:
    own = [r for r in FIXTURE_ROWS if r["source_repo"] == "otbill" and r["pyx12"] == "OK"]
    assert own
    for r in own:
        # A copy: x12valid writes its 997 beside the file it reads.
        path = tmp_path / Path(r["file"]).name
        shutil.copyfile(FIXTURES / r["file"], path)
        verdict = x12valid(path)
        assert verdict.strip().endswith(f"{path}: OK"), verdict


@pytest.mark.parametrize("row", SAMPLE_ROWS, ids=lambda r: r["file"])
def test_sample_is_read(row: dict[str, str]) -> None:
    doc = read_x12(path_of(row))
    if row["pyx12"] == "OK":
        assert not doc.issues.errors, [str(e) for e in doc.issues.errors[:3]]
    assert len(doc.sets) == int(row["st_count"]) or doc.issues.errors
    if row["transaction"] in ("835", "837P"):
        # Claims that cannot be read are reported, so the count only falls short with issues.
        assert claims_in(doc) == int(row["claims"]) or doc.issues.errors


@pytest.mark.parametrize("row", NEGATIVE_ROWS, ids=lambda r: r["file"])
def test_negative_is_rejected(row: dict[str, str]) -> None:
    try:
        doc = read_x12(path_of(row))
    except X12Error:
        return
    assert doc.issues.errors, "a negative test must be rejected"


def test_paths_resolve() -> None:
    assert all(Path(path_of(r)).is_file() for r in rows())
