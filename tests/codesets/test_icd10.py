"""ICD-10-CM through simple-icd-10-cm, and newer CMS files loaded beside it.

The fixture files hold real lines of the CMS FY2026 order file (their names say 2027 to stand
for a release newer than the bundled one).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from otbill.codesets.icd10 import (
    Icd10Registry,
    PackageCodeSet,
    default_version,
    load_file,
    normalize,
    well_formed,
)
from otbill.errors import CodeSetError

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def package() -> PackageCodeSet:
    return PackageCodeSet()


def test_version_is_visible() -> None:
    v = default_version()
    assert v.startswith("ICD-10-CM FY20")
    assert "simple-icd-10-cm" in v


def test_exists_billable_description(package: PackageCodeSet) -> None:
    leaf = package.get("I69.351")
    assert leaf is not None
    assert leaf.billable
    assert "cerebral infarction" in leaf.description
    header = package.get("M54.5")  # a category with children: exists, not billable
    assert header is not None
    assert not header.billable
    assert package.get("M5450") == package.get("M54.50")
    assert package.get("M54.50").billable  # type: ignore[union-attr]


@pytest.mark.parametrize("code", ["12", "M50-M54", "Q99.99", "cat", "M545X"])
def test_chapters_blocks_and_junk_are_not_codes(package: PackageCodeSet, code: str) -> None:
    assert package.get(code) is None


def test_package_period_is_a_fiscal_year(package: PackageCodeSet) -> None:
    p = package.period
    assert p.end is not None
    assert (p.end.month, p.end.day) == (9, 30)


def test_order_file_loads_with_billable_flags() -> None:
    cs = load_file(FIXTURES / "icd10cm_order_2027.txt")
    assert cs.period.start == date(2026, 10, 1)
    assert cs.period.end == date(2027, 9, 30)
    assert "FY2027" in cs.version
    assert cs.get("M54.5").billable is False  # type: ignore[union-attr]
    assert cs.get("M5451").description == "Vertebrogenic low back pain"  # type: ignore[union-attr]
    assert cs.get("M54.52") is None


def test_codes_file_holds_billable_codes_only() -> None:
    cs = load_file(FIXTURES / "icd10cm_codes_2027.txt")
    assert cs.get("M54.50").billable  # type: ignore[union-attr]
    assert cs.get("M54.5") is None


def test_bad_lines_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "icd10cm_order_2027.txt"
    bad.write_text(
        (FIXTURES / "icd10cm_order_2027.txt")
        .read_text()
        .replace("20088 M5451   1", "20088 M5451   x")
    )
    with pytest.raises(CodeSetError, match=r"icd10cm_order_2027\.txt line 5"):
        load_file(bad)
    with pytest.raises(CodeSetError, match="fiscal year"):
        load_file(FIXTURES / "GPCI2026_excerpt.csv")


def test_registry_answers_with_the_release_in_force() -> None:
    reg = Icd10Registry()
    newer = load_file(FIXTURES / "icd10cm_order_2027.txt")
    reg.add(newer)
    assert reg.for_date(date(2026, 11, 2)) == (newer, True)
    bundled, in_force = reg.for_date(date(2026, 5, 1))
    assert bundled is not newer
    assert in_force
    _, in_force = reg.for_date(date(2031, 1, 1))
    assert not in_force  # nothing loaded for 2031: the caller must say so


def test_normalize_and_shape() -> None:
    assert normalize("m25511") == "M25.511"
    assert normalize("I69.351") == "I69.351"
    assert well_formed("S62.101A")
    assert not well_formed("M25-511")


def test_the_cached_index_answers_as_the_package_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random

    import simple_icd_10_cm as cm

    from otbill.codesets.icd10 import _index_path

    monkeypatch.setenv("OTBILL_CACHE_DIR", str(tmp_path))
    built = PackageCodeSet()
    sample = random.Random(1).sample(cm.get_all_codes(True), 400)
    first = [built.get(c) for c in sample]
    assert _index_path().exists()  # written on first use
    again = PackageCodeSet()  # a later process reads the file, not the package
    assert [again.get(c) for c in sample] == first
    for code, entry in zip(sample, first, strict=True):
        if entry is not None:
            assert entry.billable == bool(cm.is_leaf(code))
            assert entry.description == " ".join(cm.get_description(code).split())
    assert any(e is None for e in first) and any(e is not None for e in first)
    _index_path().write_text("garbage without tabs\n")
    assert PackageCodeSet().get("I69.351") == built.get("I69.351")  # damaged: built again
