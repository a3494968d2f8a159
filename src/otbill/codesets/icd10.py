"""ICD-10-CM: does a code exist, is it billable (a leaf), what does it say.

The default code set comes from the ``simple-icd-10-cm`` package (its bundled release is shown
by :func:`default_version`). A practice can load a newer release straight from the CMS files:
``icd10cm_order_YYYY.txt`` (every code, with its billable flag) or ``icd10cm_codes_YYYY.txt``
(billable codes only). ICD-10-CM releases are in force for a federal fiscal year, October 1 to
September 30, with an April 1 update some years; each loaded set carries that period so checks
can ask with the date of service.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from otbill.dates import Period
from otbill.errors import CodeSetError

_CODE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")


def normalize(code: str) -> str:
    """Upper case with the dot after the third character (M25511 -> M25.511)."""
    c = code.strip().upper().replace(".", "")
    return c if len(c) <= 3 else f"{c[:3]}.{c[3:]}"


def well_formed(code: str) -> bool:
    return bool(_CODE.match(code.strip().upper()))


@dataclass(frozen=True, slots=True)
class Icd10Entry:
    code: str  # dotted
    billable: bool
    description: str


class Icd10CodeSet(Protocol):
    @property
    def version(self) -> str: ...

    @property
    def period(self) -> Period: ...

    def get(self, code: str) -> Icd10Entry | None: ...


def fiscal_year_period(fy: int, april: bool = False) -> Period:
    start = date(fy, 4, 1) if april else date(fy - 1, 10, 1)
    return Period(start, date(fy, 9, 30))


class PackageCodeSet:
    """The release bundled with simple-icd-10-cm, loaded on first use (about 2 s)."""

    def __init__(self) -> None:
        self._cm: Any = None
        self._cache: dict[str, Icd10Entry | None] = {}

    def _module(self) -> Any:
        if self._cm is None:
            import simple_icd_10_cm

            self._cm = simple_icd_10_cm
        return self._cm

    @property
    def version(self) -> str:
        return default_version()

    @cached_property
    def period(self) -> Period:
        # An April 1 update only adds codes (deletions happen on October 1), so it answers for
        # the whole fiscal year; a code added on April 1 passes for October-March dates too.
        fy, _ = _package_release()
        return fiscal_year_period(fy)

    def get(self, code: str) -> Icd10Entry | None:
        try:
            return self._cache[code]
        except KeyError:
            pass
        entry = self._lookup(code)
        self._cache[code] = entry
        return entry

    def _lookup(self, code: str) -> Icd10Entry | None:
        if not well_formed(code):
            return None
        cm = self._module()
        c = normalize(code)
        if not cm.is_valid_item(c) or not cm.is_category_or_subcategory(c):
            return None  # chapters and blocks are valid items, but not codes
        return Icd10Entry(c, bool(cm.is_leaf(c)), str(cm.get_description(c)))


@dataclass(frozen=True)
class FileCodeSet:
    """A release read from a CMS code file."""

    version: str
    period: Period
    entries: dict[str, Icd10Entry]

    def get(self, code: str) -> Icd10Entry | None:
        return self.entries.get(normalize(code)) if well_formed(code) else None


def read_order_file(lines: Iterable[str], label: str) -> dict[str, Icd10Entry]:
    """CMS icd10cm_order_YYYY.txt: order number (1-5), code (7-13), billable flag (15),
    short description (17-76), long description (78-)."""
    out: dict[str, Icd10Entry] = {}
    for n, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        code, flag = line[6:13].strip(), line[14:15]
        if not line[:5].isdigit() or flag not in ("0", "1") or not well_formed(code):
            raise CodeSetError(f"{label} line {n}: not an ICD-10-CM order-file line: {line[:40]!r}")
        desc = line[77:].strip() or line[16:76].strip()
        entry = Icd10Entry(normalize(code), flag == "1", desc)
        out[entry.code] = entry
    return out


def read_codes_file(lines: Iterable[str], label: str) -> dict[str, Icd10Entry]:
    """CMS icd10cm_codes_YYYY.txt: billable codes only, code then its long description."""
    out: dict[str, Icd10Entry] = {}
    for n, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        parts = line.split(None, 1)
        if len(parts) != 2 or not well_formed(parts[0]):
            raise CodeSetError(f"{label} line {n}: not an ICD-10-CM codes-file line: {line[:40]!r}")
        entry = Icd10Entry(normalize(parts[0]), True, parts[1].strip())
        out[entry.code] = entry
    return out


_FY_IN_NAME = re.compile(r"(?i)icd10cm[_-](order|codes)[_-](?:(april)[_-])?(20\d\d)")


def load_file(path: Path, fiscal_year: int | None = None, april: bool = False) -> FileCodeSet:
    """Load a CMS order or codes file; the fiscal year comes from the name unless given."""
    m = _FY_IN_NAME.search(path.name)
    if fiscal_year is None:
        if m is None:
            raise CodeSetError(f"{path.name}: cannot tell the fiscal year from the name; give it")
        fiscal_year, april = int(m.group(3)), april or bool(m.group(2))
    text = path.read_text(encoding="latin-1").splitlines()
    first = next((ln for ln in text if ln.strip()), "")
    is_order = first[:5].isdigit() and first[14:15] in ("0", "1")
    entries = read_order_file(text, path.name) if is_order else read_codes_file(text, path.name)
    label = f"ICD-10-CM FY{fiscal_year}{' April 1 update' if april else ''} ({path.name})"
    return FileCodeSet(label, fiscal_year_period(fiscal_year, april), entries)


@cache
def _package_release() -> tuple[int, bool]:
    """(fiscal year, April update?) of the package's bundled data, read from its data file name."""
    try:
        import importlib.resources as r

        names = [p.name for p in r.files("simple_icd_10_cm").joinpath("data").iterdir()]
    except (ModuleNotFoundError, FileNotFoundError) as e:  # pragma: no cover - install problem
        raise CodeSetError("simple-icd-10-cm is not installed") from e
    for name in names:
        m = re.search(r"(?i)tabular-(?:(january|april|october)-(?:\d+-)?)?(20\d\d)", name)
        if m:
            month, year = (m.group(1) or "october").lower(), int(m.group(2))
            if month == "april":
                return year, True
            return (year + 1 if month == "october" else year), False
    raise CodeSetError(f"cannot tell the simple-icd-10-cm release from its files: {names}")


@cache
def default_version() -> str:
    fy, april = _package_release()
    pkg = metadata.version("simple-icd-10-cm")
    return f"ICD-10-CM FY{fy}{' April 1 update' if april else ''} (simple-icd-10-cm {pkg})"


class Icd10Registry:
    """The loaded releases; answers for a date of service with the release in force then."""

    def __init__(self) -> None:
        self._sets: list[Icd10CodeSet] = [PackageCodeSet()]

    def add(self, code_set: Icd10CodeSet) -> None:
        self._sets.insert(0, code_set)

    def for_date(self, day: date) -> tuple[Icd10CodeSet, bool]:
        """The release for ``day`` and whether it really is in force then (False: the nearest
        loaded release stands in, and the caller should say so)."""
        for s in self._sets:
            if s.period.contains(day):
                return s, True
        nearest = min(self._sets, key=lambda s: _distance(s.period, day))
        return nearest, False

    @property
    def versions(self) -> list[str]:
        return [s.version for s in self._sets]


def _distance(p: Period, day: date) -> int:
    if day < p.start:
        return (p.start - day).days
    end = p.end or day
    return max(0, (day - end).days)
