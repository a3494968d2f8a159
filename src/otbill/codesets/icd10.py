"""ICD-10-CM: does a code exist, is it billable (a leaf), what does it say.

The default code set comes from the ``simple-icd-10-cm`` package (its bundled release is shown
by :func:`default_version`). A practice can load a newer release straight from the CMS files:
``icd10cm_order_YYYY.txt`` (every code, with its billable flag) or ``icd10cm_codes_YYYY.txt``
(billable codes only). ICD-10-CM releases are in force for a federal fiscal year, October 1 to
September 30, with an April 1 update some years; each loaded set carries that period so checks
can ask with the date of service.
"""

from __future__ import annotations

import importlib.util
import os
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
    """The release bundled with simple-icd-10-cm, loaded on first use."""

    def __init__(self) -> None:
        self._cm: Any = None
        self._cache: dict[str, Icd10Entry | None] = {}
        self._entries: dict[str, Icd10Entry] | None = None

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
        entry = self._index().get(normalize(code)) if well_formed(code) else None
        self._cache[code] = entry
        return entry

    def _index(self) -> dict[str, Icd10Entry]:
        """Every code of the release. Importing the package parses its XML (seconds on a slow
        machine, for every command); the codes are kept once per package version in the
        user's cache folder as a tab-separated file, read back in a fraction of that."""
        if self._entries is None:
            path = _index_path()
            self._entries = _read_index(path) if path.exists() else None
            if self._entries is None:
                self._entries = self._build_index()
                _write_index(path, self._entries)
        return self._entries

    def _build_index(self) -> dict[str, Icd10Entry]:
        cm = self._module()
        out = {}
        for raw in cm.get_all_codes(False):
            # Chapters and blocks are valid items, but not codes.
            if well_formed(raw) and cm.is_category_or_subcategory(raw):
                c = normalize(raw)
                desc = " ".join(str(cm.get_description(raw)).split())  # some hold tabs
                out[c] = Icd10Entry(c, bool(cm.is_leaf(raw)), desc)
        return out


def _index_path() -> Path:
    from platformdirs import user_cache_dir

    pkg = metadata.version("simple-icd-10-cm")
    fy, april = _package_release()
    name = f"icd10cm-fy{fy}{'-april' if april else ''}-simple-icd-10-cm-{pkg}.tsv"
    return Path(os.environ.get("OTBILL_CACHE_DIR") or user_cache_dir("otbill")) / name


def _read_index(path: Path) -> dict[str, Icd10Entry] | None:
    try:
        out = {}
        with path.open(encoding="utf-8") as f:
            for line in f:
                code, leaf, desc = line.rstrip("\n").split("\t", 2)
                out[code] = Icd10Entry(code, leaf == "1", desc)
        return out if out else None
    except (OSError, ValueError):
        return None  # damaged or unreadable: built again from the package


def _write_index(path: Path, entries: dict[str, Icd10Entry]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.partial")
        with tmp.open("w", encoding="utf-8") as f:
            for e in entries.values():
                f.write(f"{e.code}\t{int(e.billable)}\t{e.description}\n")
        tmp.replace(path)
    except OSError:
        pass  # a read-only home: the package answers each time instead


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
    # Found without importing the package: its import parses all of its data.
    spec = importlib.util.find_spec("simple_icd_10_cm")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - install problem
        raise CodeSetError("simple-icd-10-cm is not installed")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    try:
        names = [p.name for p in data.iterdir()]
    except FileNotFoundError as e:  # pragma: no cover - install problem
        raise CodeSetError("simple-icd-10-cm's data folder is missing") from e
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
