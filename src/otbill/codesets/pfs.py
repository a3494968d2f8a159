"""Medicare Physician Fee Schedule: the CMS relative value (PPRRVU) and GPCI files.

A practice loads its own year's files as CMS publishes them; otbill ships only what it can
source (data/pfs/SOURCES.md). Payment for one unit = (work RVU x work GPCI + PE RVU x PE GPCI +
MP RVU x MP GPCI) x conversion factor (CPM ch.5 §10.7 formula; national amounts use GPCI 1).

CMS issues one RVU file a quarter (RVUyyA January, B April, C July, D October), each for dates
of service from the first day of its quarter until the next replaces it; the file's title line
names its release, and that is the date it answers from.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path

from otbill.codesets._csv import data_rows
from otbill.dates import Period
from otbill.errors import CodeSetError

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Rvu:
    code: str
    status: str
    work: Decimal
    pe_nonfacility: Decimal
    pe_facility: Decimal
    mp: Decimal
    mult_proc: str  # "5": subject to the therapy MPPR on practice expense
    pctc: str

    @property
    def therapy_mppr(self) -> bool:
        return self.mult_proc == "5"


@dataclass(frozen=True, slots=True)
class Gpci:
    mac: str
    locality: str
    name: str
    work: Decimal
    pe: Decimal
    mp: Decimal

    @property
    def key(self) -> str:
        return f"{self.mac}/{self.locality}"


NATIONAL = Gpci("", "", "national (GPCI 1.000)", Decimal(1), Decimal(1), Decimal(1))


@dataclass(frozen=True, slots=True)
class UnitPrice:
    """One unit's allowed amount split by component, after the locality's GPCIs."""

    work: Decimal
    pe: Decimal
    mp: Decimal
    cf: Decimal

    def amount(self, pe_share: Decimal = Decimal(1)) -> Decimal:
        return (self.work + self.pe * pe_share + self.mp) * self.cf


# (first month, name, letter) of CMS's quarterly releases: RVU25A is CY2025's January release.
QUARTERS = ((1, "January", "A"), (4, "April", "B"), (7, "July", "C"), (10, "October", "D"))


@dataclass(frozen=True, slots=True)
class Release:
    """One of CMS's quarterly RVU releases, named as CMS names its zip (RVU24C)."""

    year: int
    month: int

    @classmethod
    def on(cls, day: date) -> Release:
        """The quarterly release CMS issues for dates of service in ``day``'s quarter."""
        return cls(day.year, max(m for m, _, _ in QUARTERS if m <= day.month))

    @property
    def starts(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def code(self) -> str:
        return f"RVU{self.year % 100:02d}{next(q[2] for q in QUARTERS if q[0] == self.month)}"

    def __str__(self) -> str:
        return f"{next(q[1] for q in QUARTERS if q[0] == self.month)} release {self.code}"


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    year: int
    label: str  # which file it came from, for explanations
    release: Release | None  # None: the file names no release, so it answers for its whole year
    released: date | None  # the file's "RELEASED mm/dd/yyyy" line, when it has one
    conversion_factor: Decimal
    rvus: Mapping[str, Rvu]
    gpcis: Mapping[str, Gpci]

    @property
    def effective_from(self) -> date:
        return self.release.starts if self.release else date(self.year, 1, 1)

    def describe(self) -> str:
        """What a biller needs to tell the file apart: its release, file and dates."""
        what = str(self.release) if self.release else "file naming no release"
        issued = f"; released {self.released}" if self.released else ""
        return (
            f"CY{self.year} {what} ({self.label}{issued}), for dates of service from "
            f"{self.effective_from}"
        )

    def locality(self, key: str | None) -> Gpci:
        if key is None:
            return NATIONAL
        try:
            return self.gpcis[key]
        except KeyError:
            raise CodeSetError(
                f"locality {key!r} is not in the {self.year} GPCI file loaded ({self.label})"
            ) from None

    def unit_price(
        self, code: str, locality: str | None = None, cf: Decimal | None = None
    ) -> UnitPrice | None:
        """One unit's amount; ``cf`` replaces the file's conversion factor when the one in force
        on the date of service is another (a later release standing in for an earlier one)."""
        rvu = self.rvus.get(code)
        if rvu is None or rvu.status not in ("A", "R", "T"):
            return None  # bundled, invalid or carrier priced: no national amount to compute
        g = self.locality(locality)
        return UnitPrice(
            rvu.work * g.work,
            rvu.pe_nonfacility * g.pe,
            rvu.mp * g.mp,
            self.conversion_factor if cf is None else cf,
        )


def schedule_for(schedules: Iterable[FeeSchedule], day: date) -> FeeSchedule | None:
    """The loaded release that prices ``day``: of its year's releases, the latest in force on
    it; if every one starts later (only the July file for a February date), the earliest,
    standing in, since a release of the year is better than none (the caller says so)."""
    of_year = sorted(
        (fs for fs in schedules if fs.year == day.year), key=lambda f: f.effective_from
    )
    in_force = [fs for fs in of_year if fs.effective_from <= day]
    if in_force:
        return in_force[-1]
    return of_year[0] if of_year else None


def _dec(text: str, where: str) -> Decimal:
    try:
        return Decimal(text.strip() or "0")
    except InvalidOperation:
        raise CodeSetError(f"{where}: not a number: {text!r}") from None


_NEEDED = {
    "HCPCS": "code",
    "MOD": "mod",
    "STATUS CODE": "status",
    "WORK RVU": "work",
    "NON-FAC PE RVU": "pe_nf",
    "FACILITY PE RVU": "pe_f",
    "MP RVU": "mp",
    "PCTC IND": "pctc",
    "MULT PROC": "mult",
    "CONV FACTOR": "cf",
}


def read_rvu_csv(text: str, label: str, year: int | None = None) -> FeeSchedule:
    """Parse a CMS PPRRVU CSV. Its header is stacked over several rows (e.g. "WORK" above "RVU");
    the last header row starts with HCPCS, and column names are rebuilt from the rows above it."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    try:
        hi = next(i for i, r in enumerate(rows[:40]) if r and r[0].strip() == "HCPCS")
    except StopIteration:
        raise CodeSetError(
            f"{label}: no header row starting with HCPCS in the first 40 lines"
        ) from None
    width = len(rows[hi])
    names = []
    for col in range(width):
        parts = [rows[j][col].strip() for j in range(max(0, hi - 4), hi + 1) if col < len(rows[j])]
        names.append(" ".join(p for p in parts if p))
    index: dict[str, int] = {}
    for want, key in _NEEDED.items():
        matches = [i for i, n in enumerate(names) if n == want or n.endswith(want)]
        if not matches:
            raise CodeSetError(f"{label}: no column named {want!r} in the header")
        index[key] = matches[0]
    preamble = "\n".join(map(",".join, rows[:hi]))
    if year is None:
        m = re.search(r"\b(20\d\d)\b National Physician Fee Schedule", preamble)
        if m is None:
            raise CodeSetError(f"{label}: cannot tell the year; give it explicitly")
        year = int(m.group(1))
    release, released = _release(preamble, year, label)
    rvus: dict[str, Rvu] = {}
    cfs: set[Decimal] = set()
    for n, r in enumerate(rows[hi + 1 :], start=hi + 2):
        if not r or not r[0].strip():
            continue
        if len(r) < width:
            raise CodeSetError(f"{label} line {n}: {len(r)} columns, expected {width}")
        if r[index["mod"]].strip():
            continue  # professional/technical component rows; therapy codes have none
        where = f"{label} line {n}"
        code = r[index["code"]].strip()
        rvus[code] = Rvu(
            code=code,
            status=r[index["status"]].strip(),
            work=_dec(r[index["work"]], where + " WORK RVU"),
            pe_nonfacility=_dec(r[index["pe_nf"]], where + " NON-FAC PE RVU"),
            pe_facility=_dec(r[index["pe_f"]], where + " FACILITY PE RVU"),
            mp=_dec(r[index["mp"]], where + " MP RVU"),
            mult_proc=r[index["mult"]].strip(),
            pctc=r[index["pctc"]].strip(),
        )
        if r[index["status"]].strip() in ("A", "R", "T"):
            cfs.add(_dec(r[index["cf"]], where + " CONV FACTOR"))
    if len(cfs) != 1:
        raise CodeSetError(f"{label}: expected one conversion factor on payable rows, got {cfs}")
    return FeeSchedule(year, label, release, released, cfs.pop(), rvus, {})


_MONTHS = {name: month for month, name, _ in QUARTERS}


def _release(preamble: str, year: int, label: str) -> tuple[Release | None, date | None]:
    """The release named in the title line ("... Relative Value File July Release") and the
    "RELEASED mm/dd/yyyy" line, as CMS writes them."""
    m = re.search(r"Relative Value File (January|April|July|October) Release", preamble, re.I)
    release = Release(year, _MONTHS[m.group(1).capitalize()]) if m else None
    d = re.search(r"RELEASED (\d\d?)/(\d\d?)/(\d{4})", preamble)
    if d is None:
        return release, None
    try:
        return release, date(int(d.group(3)), int(d.group(1)), int(d.group(2)))
    except ValueError:
        raise CodeSetError(f"{label}: not a date: {d.group(0)!r}") from None


def read_gpci_csv(text: str, label: str) -> dict[str, Gpci]:
    """Parse a CMS GPCIyyyy.csv: banner rows, a header naming the PW/PE/MP GPCI columns
    (with the year in their names), locality rows, then footnotes. CY2026 January carries the
    work GPCI twice (with and without the 1.0 floor); payment uses the floored one."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    try:
        hi = next(i for i, r in enumerate(rows[:20]) if any("PE GPCI" in c for c in r))
    except StopIteration:
        raise CodeSetError(f"{label}: no header with a 'PE GPCI' column") from None
    head = [c.strip() for c in rows[hi]]

    def col(*wanted: str) -> int:
        for i, c in enumerate(head):
            if all(w in c for w in wanted) and "without" not in c:
                return i
        raise CodeSetError(f"{label}: no column {' '.join(wanted)!r}")

    pw, pe, mp = col("PW GPCI"), col("PE GPCI"), col("MP GPCI")
    out = {}
    for n, r in enumerate(rows[hi + 1 :], start=hi + 2):
        if len(r) <= mp or not r[0].strip().isdigit() or len(r[1].strip()) != 2:
            continue  # footnotes and blank rows
        mac = r[0].strip().zfill(5)
        loc = r[2].strip().zfill(2)
        where = f"{label} line {n}"
        g = Gpci(mac, loc, r[3].strip(), _dec(r[pw], where), _dec(r[pe], where), _dec(r[mp], where))
        out[g.key] = g
    if not out:
        raise CodeSetError(f"{label}: no locality rows")
    return out


def load_fee_schedule(rvu_path: Path, gpci_path: Path | None = None) -> FeeSchedule:
    fs = read_rvu_csv(rvu_path.read_text(encoding="utf-8-sig"), rvu_path.name)
    if gpci_path is None:
        return fs
    gpcis = read_gpci_csv(gpci_path.read_text(encoding="utf-8-sig"), gpci_path.name)
    return replace(fs, gpcis=gpcis)


# The releases otbill ships, each for its own dates (data/pfs/SOURCES.md says where each came
# from, what was changed and what is missing).
SHIPPED = (
    "PPRRVU22_JAN_therapy.csv",
    "PPRRVU23_JAN_therapy.csv",
    "PPRRVU24_JUL_therapy.csv",
    "PPRRVU25_JAN_therapy_excel-resaved.csv",
    "PPRRVU2025_Oct_therapy.csv",
)


def shipped_text(name: str) -> str:
    return resources.files("otbill.codesets.data").joinpath("pfs").joinpath(name).read_text("utf-8")


@cache
def bundled_fee_schedules() -> tuple[FeeSchedule, ...]:
    """The fee schedules otbill ships: only releases whose RVUs it could source."""
    return tuple(read_rvu_csv(shipped_text(name), f"{name}, shipped") for name in SHIPPED)


@dataclass(frozen=True, slots=True)
class ConversionFactor:
    period: Period  # the dates of service it is in force
    non_qp: Decimal
    qp: Decimal | None
    source: str
    confidence: str  # P primary (a CMS file or rule), S secondary

    def matches(self, cf: Decimal) -> bool:
        return cf in (self.non_qp, self.qp)


@cache
def conversion_factors() -> tuple[ConversionFactor, ...]:
    out: list[ConversionFactor] = []
    last_end: date | None = None
    for n, r in data_rows("conversion_factors.csv"):
        where = f"conversion_factors.csv line {n}"
        try:
            start, end = (date.fromisoformat(r[k]) for k in ("effective_from", "effective_to"))
            period = Period(start, end)
        except ValueError as e:
            raise CodeSetError(f"{where}: {e}") from None
        if last_end is not None and start <= last_end:
            raise CodeSetError(f"{where}: starts before the row above it ends")
        last_end = end
        out.append(
            ConversionFactor(
                period,
                _dec(r["non_qp"], where),
                _dec(r["qp"], where) if r["qp"] else None,
                r["source"],
                r["confidence"],
            )
        )
    return tuple(out)


def conversion_factor_on(day: date) -> ConversionFactor | None:
    """The conversion factor otbill records in force on a date of service, if any."""
    return next((c for c in conversion_factors() if c.period.contains(day)), None)
