"""NCCI procedure-to-procedure edits and medically unlikely edits, from the CMS quarterly files.

PTP, practitioner version (``ccipra-vNNNrN-fN.TXT``): tab-separated; a six-line preamble (AMA
notice, title, a header wrapped over four lines); then column 1, column 2, "*" if in existence
before 1996, effective date YYYYMMDD, deletion date YYYYMMDD or "*", modifier indicator (0 not
allowed, 1 allowed, 9 not applicable) and the edit rationale. Deleted edits stay in the file, so
every edit carries its dates and is asked with the date of service.

MUE, practitioner services (``MCR_MUE_PractitionerServices_Eff_MM-DD-YYYY.csv``): a quoted
multi-line AMA notice record, a header record (its first cell is "HCPCS/\\nCPT Code"), then code,
MUE value, adjudication indicator ("1 Line Edit", "2 Date of Service Edit: Policy", "3 Date of
Service Edit: Clinical") and rationale.

otbill ships no rows of either table: the therapy rows of the current files were not at hand,
and edits are not to be written from memory. A practice loads the quarter's files.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from otbill.dates import Period
from otbill.errors import CodeSetError


@dataclass(frozen=True, slots=True)
class PtpEdit:
    column1: str
    column2: str
    period: Period
    modifier_indicator: str  # "0" not allowed, "1" allowed, "9" not applicable
    rationale: str


@dataclass(frozen=True, slots=True)
class Mue:
    code: str
    units: int
    indicator: int  # 1 line edit, 2 date of service (policy), 3 date of service (clinical)
    rationale: str


@dataclass
class NcciTables:
    ptp: dict[tuple[str, str], list[PtpEdit]] = field(default_factory=dict)
    mue: dict[str, Mue] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)  # which files, for explanations

    def edits(self, column1: str, column2: str, day: date) -> list[PtpEdit]:
        return [e for e in self.ptp.get((column1, column2), ()) if e.period.contains(day)]

    def add_ptp(self, edits: Iterable[PtpEdit], label: str) -> None:
        for e in edits:
            self.ptp.setdefault((e.column1, e.column2), []).append(e)
        self.labels.append(label)

    def add_mue(self, mues: Iterable[Mue], label: str) -> None:
        for m in mues:
            self.mue[m.code] = m
        self.labels.append(label)


def _yyyymmdd(text: str, where: str) -> date:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise CodeSetError(f"{where}: not a date YYYYMMDD: {text!r}") from None


_CODE = re.compile(r"^[0-9A-Z]{5}$")


def read_ptp(text: str, label: str) -> list[PtpEdit]:
    out = []
    for n, raw in enumerate(text.splitlines(), start=1):
        cells = raw.rstrip("\r\n").split("\t")
        if len(cells) < 6 or not _CODE.match(cells[0].strip()):
            continue  # preamble and wrapped header lines
        c1, c2, _, eff, dele, mod = (c.strip() for c in cells[:6])
        where = f"{label} line {n}"
        if not _CODE.match(c2):
            raise CodeSetError(f"{where}: column 2 is not a code: {c2!r}")
        if mod not in ("0", "1", "9"):
            raise CodeSetError(f"{where}: modifier indicator must be 0, 1 or 9, got {mod!r}")
        start = _yyyymmdd(eff, where)
        end = None if dele == "*" else _yyyymmdd(dele, where)
        rationale = cells[6].strip() if len(cells) > 6 else ""
        out.append(PtpEdit(c1, c2, Period(start, end), mod, rationale))
    if not out:
        raise CodeSetError(f"{label}: no PTP edit rows (expected tab-separated CMS format)")
    return out


def read_mue(text: str, label: str) -> list[Mue]:
    rows = list(csv.reader(io.StringIO(text)))
    try:
        hi = next(i for i, r in enumerate(rows[:10]) if r and "HCPCS" in r[0].upper())
    except StopIteration:
        raise CodeSetError(f"{label}: no header record naming HCPCS") from None
    out = []
    for i, r in enumerate(rows[hi + 1 :], start=hi + 2):
        if not r or not r[0].strip():
            continue
        where = f"{label} record {i}"
        if len(r) < 3:
            raise CodeSetError(f"{where}: expected code, MUE value and indicator")
        code, value, mai = r[0].strip(), r[1].strip(), r[2].strip()
        if not _CODE.match(code) or not value.isdigit() or mai[:1] not in ("1", "2", "3"):
            raise CodeSetError(f"{where}: not an MUE row: {r[:3]!r}")
        out.append(Mue(code, int(value), int(mai[0]), r[3].strip() if len(r) > 3 else ""))
    return out


def load_ptp(path: Path) -> list[PtpEdit]:
    return read_ptp(path.read_text(encoding="latin-1"), path.name)


def load_mue(path: Path) -> list[Mue]:
    return read_mue(path.read_text(encoding="latin-1"), path.name)
