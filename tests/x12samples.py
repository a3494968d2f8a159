"""Where the tests find real X12 files.

The repository carries the samples whose licenses allow it (tests/fixtures/x12/, each with its
source and license in the MANIFEST there, and otbill's own hand-written files). The whole
collection of 175 lives beside the repository (../shared/x12-samples/), where CI and the
project's sessions have it and a person who clones the project does not: tests of the files
only it holds skip with the reason.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "x12"
SHARED = ROOT.parent / "shared" / "x12-samples"
HAVE_SHARED = (SHARED / "MANIFEST.tsv").exists()
NO_SHARED = (
    f"the whole X12 collection ({SHARED}) is not beside the repository; "
    "the samples in tests/fixtures/x12 were read"
)


def _rows(base: Path) -> list[dict[str, str]]:
    with (base / "MANIFEST.tsv").open(newline="") as f:
        return [{**r, "base": str(base)} for r in csv.DictReader(f, delimiter="\t")]


FIXTURE_ROWS = _rows(FIXTURES)
SHARED_ROWS = _rows(SHARED) if HAVE_SHARED else []


def sample(name: str) -> Path:
    """A sample by its path in the collection: the repository's copy, else the shared one;
    a test of a file only the whole collection holds skips when it is absent."""
    for base in (FIXTURES, SHARED):
        if (base / name).exists():
            return base / name
    if not HAVE_SHARED:
        pytest.skip(f"{name} is not in tests/fixtures/x12 ({NO_SHARED})")
    raise FileNotFoundError(name)


def rows() -> list[dict[str, str]]:
    """Every sample to read: the repository's, then those only the whole collection holds."""
    have = {r["file"] for r in FIXTURE_ROWS}
    return [*FIXTURE_ROWS, *(r for r in SHARED_ROWS if r["file"] not in have)]


def files(folder: str) -> list[Path]:
    """The samples of one transaction folder (e.g. "271"), from both places, once each."""
    found: dict[str, Path] = {}
    for base in (SHARED, FIXTURES):  # the repository's copy wins
        if (base / folder).is_dir():
            found.update({p.name: p for p in (base / folder).iterdir()})
    return [found[k] for k in sorted(found)]


def path_of(row: dict[str, str]) -> Path:
    return Path(row["base"]) / row["file"]
