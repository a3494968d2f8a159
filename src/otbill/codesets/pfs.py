"""Medicare Physician Fee Schedule: the CMS relative value (PPRRVU) and GPCI files.

A practice loads its own year's files as CMS publishes them; otbill ships only what it can
source. Payment for one unit = (work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x
conversion factor (CPM ch.5 §10.7 formula; national amounts use GPCI 1).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path

from otbill.codesets._csv import data_rows
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


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    year: int
    label: str  # which file it came from, for explanations
    conversion_factor: Decimal
    rvus: Mapping[str, Rvu]
    gpcis: Mapping[str, Gpci]

    def locality(self, key: str | None) -> Gpci:
        if key is None:
            return NATIONAL
        try:
            return self.gpcis[key]
        except KeyError:
            raise CodeSetError(
                f"locality {key!r} is not in the {self.year} GPCI file loaded ({self.label})"
            ) from None

    def unit_price(self, code: str, locality: str | None = None) -> UnitPrice | None:
        rvu = self.rvus.get(code)
        if rvu is None or rvu.status not in ("A", "R", "T"):
            return None  # bundled, invalid or carrier priced: no national amount to compute
        g = self.locality(locality)
        return UnitPrice(
            rvu.work * g.work, rvu.pe_nonfacility * g.pe, rvu.mp * g.mp, self.conversion_factor
        )


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
    if year is None:
        m = re.search(
            r"\b(20\d\d)\b National Physician Fee Schedule", "\n".join(map(",".join, rows[:hi]))
        )
        if m is None:
            raise CodeSetError(f"{label}: cannot tell the year; give it explicitly")
        year = int(m.group(1))
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
    return FeeSchedule(year, label, cfs.pop(), rvus, {})


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
    return FeeSchedule(fs.year, fs.label, fs.conversion_factor, fs.rvus, gpcis)


@cache
def bundled_fee_schedules() -> dict[int, FeeSchedule]:
    """The fee schedules otbill ships: only years whose RVUs it could source (see data/pfs)."""
    out = {}
    for name in ("PPRRVU22_JAN_therapy.csv",):
        text = (
            resources.files("otbill.codesets.data")
            .joinpath("pfs")
            .joinpath(name)
            .read_text("utf-8")
        )
        fs = read_rvu_csv(text, f"{name} (shipped)")
        out[fs.year] = fs
    return out


@dataclass(frozen=True, slots=True)
class ConversionFactor:
    year: int
    non_qp: Decimal
    qp: Decimal | None
    source: str
    confidence: str


@cache
def conversion_factors() -> dict[int, ConversionFactor]:
    return {
        int(r["year"]): ConversionFactor(
            int(r["year"]),
            Decimal(r["non_qp"]),
            Decimal(r["qp"]) if r["qp"] else None,
            r["source"],
            r["confidence"],
        )
        for _, r in data_rows("conversion_factors.csv")
    }
