"""Visits from a CSV export, one row per service line (the columns: docs/import-csv.md).

Rows with the same visit id make one visit, and a patient's visits make one episode document,
which then goes through the same loader and checks as a JSON file. The columns that describe
something shared (the practice, a patient, a payer, a coverage, a plan of care, an
authorization, a provider, a visit) may be blank on all but one of its rows: an export that
repeats them on every row and a hand-made sheet that gives them once both load. Where two rows
fill in the same thing they must agree. Errors name the row (the header is row 1) and column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from otbill.codesets import hcpcs
from otbill.errors import InputError
from otbill.load.json_doc import load_traced
from otbill.model import Episode

Parse = Callable[[str], Any]
Cells = dict[str, tuple[Any, int]]  # column -> (value, the row it was given on)
Sources = dict[str, tuple[int, str | None]]  # JSON path -> (row, column)


def _text(s: str) -> str:
    return s


def _upper(s: str) -> str:
    return s.upper()


def _lower(s: str) -> str:
    return s.lower()


def _date(s: str) -> str:
    us = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", s)
    try:
        if us:
            return date(int(us[3]), int(us[1]), int(us[2])).isoformat()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            return date.fromisoformat(s).isoformat()
    except ValueError:
        pass
    raise ValueError(f"{s!r} is not a date (YYYY-MM-DD or MM/DD/YYYY)")


def _whole(s: str) -> int:
    if not re.fullmatch(r"[0-9]+", s):
        raise ValueError(f"{s!r} is not a whole number")
    return int(s)


def _money(s: str) -> Decimal:
    if not re.fullmatch(r"\$?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?", s):
        raise ValueError(f"{s!r} is not an amount in dollars, such as 48.00")
    return Decimal(s.replace("$", "").replace(",", ""))


_FLAGS = {"true": True, "yes": True, "y": True, "1": True}
_FLAGS |= {"false": False, "no": False, "n": False, "0": False}


def _flag(s: str) -> bool:
    if s.lower() not in _FLAGS:
        raise ValueError(f"{s!r} is not true or false (true/false, yes/no, y/n, 1/0)")
    return _FLAGS[s.lower()]


def _codes(s: str) -> list[str]:
    return [c.upper() for c in re.split(r"[;,\s]+", s) if c]


def _zip(s: str) -> str:
    return s.replace("-", "")


def _sex(s: str) -> str:
    return {"FEMALE": "F", "MALE": "M", "UNKNOWN": "U"}.get(s.upper(), s.upper())


@dataclass(frozen=True)
class _Thing:
    """Something the rows describe, as its JSON fields (dotted for nested objects)."""

    cols: tuple[tuple[str, str, Parse], ...]  # (JSON field, column, parser)
    required: tuple[str, ...] = ()
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()  # a nested object's required fields

    def column(self, fld: str) -> str:
        return next(c for f, c, _ in self.cols if f == fld)


def _address(prefix: str, at: str) -> tuple[tuple[str, str, Parse], ...]:
    return (
        (f"{at}.line1", f"{prefix}_address", _text),
        (f"{at}.line2", f"{prefix}_address2", _text),
        (f"{at}.city", f"{prefix}_city", _text),
        (f"{at}.state", f"{prefix}_state", _upper),
        (f"{at}.zip", f"{prefix}_zip", _zip),
    )


_ADDRESS = ("line1", "city", "state", "zip")

PRACTICE = _Thing(
    (
        ("name", "practice_name", _text),
        ("npi", "practice_npi", _text),
        ("tax_id", "practice_tax_id", lambda s: s.replace("-", "")),
        ("taxonomy", "practice_taxonomy", _upper),
        *_address("practice", "address"),
        ("pfs_locality", "practice_pfs_locality", _text),
    ),
    required=("name", "npi", "tax_id", "taxonomy", *(f"address.{f}" for f in _ADDRESS)),
)
PATIENT = _Thing(
    (
        ("id", "patient_id", _text),
        ("first_name", "patient_first_name", _text),
        ("last_name", "patient_last_name", _text),
        ("birth_date", "patient_birth_date", _date),
        ("sex", "patient_sex", _sex),
        *_address("patient", "address"),
    ),
    required=("first_name", "last_name", "sex"),
    groups=(("address", _ADDRESS),),
)
PAYER = _Thing(
    (
        ("id", "payer_id", _text),
        ("name", "payer_name", _text),
        ("kind", "payer_kind", _lower),
        ("unit_method", "payer_unit_method", _lower),
    ),
    required=("name", "kind"),
)
COVERAGE = _Thing(
    (
        ("payer_id", "payer_id", _text),
        ("member_id", "member_id", _text),
        ("group", "coverage_group", _text),
        ("relationship", "coverage_relationship", _lower),
        ("priority", "coverage_priority", _whole),
        ("start", "coverage_start", _date),
        ("end", "coverage_end", _date),
        ("subscriber.first_name", "subscriber_first_name", _text),
        ("subscriber.last_name", "subscriber_last_name", _text),
        ("subscriber.birth_date", "subscriber_birth_date", _date),
        ("subscriber.sex", "subscriber_sex", _sex),
        *_address("subscriber", "subscriber.address"),
        ("injury.claim_number", "injury_claim_number", _text),
        ("injury.date_of_injury", "injury_date", _date),
        ("injury.employer", "injury_employer", _text),
    ),
    groups=(
        ("subscriber", ("first_name", "last_name")),
        ("subscriber.address", _ADDRESS),
        ("injury", ("claim_number",)),
    ),
)
PLAN = _Thing(
    (
        ("id", "poc_id", _text),
        ("discipline", "poc_discipline", _upper),
        ("start_date", "poc_start", _date),
        ("certifying_npi", "certifying_npi", _text),
        ("signed_date", "poc_signed", _date),
        ("verbal_order_date", "poc_verbal_order", _date),
        ("certified_through", "poc_certified_through", _date),
        ("first_treatment_date", "poc_first_treatment", _date),
        ("frequency_per_week", "poc_frequency_per_week", _whole),
        ("duration_weeks", "poc_duration_weeks", _whole),
        ("diagnoses", "poc_diagnoses", _codes),
    ),
    required=("discipline", "start_date"),
)
AUTH = _Thing(
    (
        ("number", "auth_number", _text),
        ("payer_id", "payer_id", _text),
        ("start", "auth_start", _date),
        ("end", "auth_end", _date),
        ("visits_allowed", "auth_visits_allowed", _whole),
        ("units_allowed", "auth_units_allowed", _whole),
        ("discipline", "auth_discipline", _upper),
    ),
    required=("start", "end"),
)
# Fields starting with "_" tie a visit to its patient and coverage; they are not visit fields.
VISIT = _Thing(
    (
        ("id", "visit_id", _text),
        ("date", "visit_date", _date),
        ("_patient", "patient_id", _text),
        ("_payer", "payer_id", _text),
        ("_member", "member_id", _text),
        ("place_of_service", "place_of_service", _text),
        ("diagnoses", "diagnoses", _codes),
        ("rendering_npi", "rendering_npi", _text),
        ("supervising_npi", "supervising_npi", _text),
        ("assistant_npi", "assistant_npi", _text),
        ("plan_of_care_id", "poc_id", _text),
        ("authorization_number", "auth_number", _text),
        ("documentation.note_signed", "note_signed", _flag),
        ("documentation.total_treatment_minutes", "total_treatment_minutes", _whole),
        ("documentation.timed_minutes_recorded", "timed_minutes_recorded", _flag),
        ("documentation.progress_report", "progress_report", _flag),
        ("documentation.medical_necessity_documented", "medical_necessity_documented", _flag),
        ("documentation.discharge", "discharge", _flag),
    ),
    required=("date", "_patient", "_payer", "_member", "rendering_npi"),
)
SERVICE = _Thing(
    (
        ("code", "code", _upper),
        ("therapist_minutes", "minutes", _whole),
        ("assistant_minutes", "assistant_minutes", _whole),
        ("units", "units", _whole),
        ("modifiers", "modifiers", _codes),
        ("distinct_reason", "distinct_reason", _text),
        ("diagnoses", "line_diagnoses", _codes),
    ),
)
CHARGE = _Thing((("charge", "charge", _money),))
ROLES = ("rendering", "supervising", "assistant", "certifying")
PROVIDER = {
    role: _Thing(
        (
            ("npi", f"{role}_npi", _text),
            ("first_name", f"{role}_first_name", _text),
            ("last_name", f"{role}_last_name", _text),
            ("credential", f"{role}_credential", _upper),
            ("taxonomy", f"{role}_taxonomy", _upper),
        ),
        required=("first_name", "last_name", "credential"),
    )
    for role in ROLES
}
_THINGS = (PRACTICE, PATIENT, PAYER, COVERAGE, PLAN, AUTH, VISIT, SERVICE, CHARGE)
PARSERS: dict[str, Parse] = {
    col: parse for t in (*_THINGS, *PROVIDER.values()) for _, col, parse in t.cols
}
EVERY_ROW = ("visit_id", "code")
# A file without these columns cannot describe a visit, so the header is refused at once.
HEADER_REQUIRED = (
    *EVERY_ROW,
    *(t.column(f) for t in (PRACTICE, VISIT) for f in t.required),
    *(PATIENT.column(f) for f in PATIENT.required),
    *(PAYER.column(f) for f in PAYER.required),
    *(PROVIDER["rendering"].column(f) for f in PROVIDER["rendering"].required),
)
# The columns that say which patient, coverage, plan and providers a visit's rows refer to.
_LINKS = (
    "patient_id",
    "payer_id",
    "member_id",
    "poc_id",
    "auth_number",
    "rendering_npi",
    "supervising_npi",
    "assistant_npi",
)


def is_visits_csv(text: str) -> bool:
    first = text.lstrip("\ufeff").partition("\n")[0].rstrip("\r")
    header = next(csv.reader([first]), [])
    return "visit_id" in (h.strip() for h in header)


def csv_documents(text: str, name: str = "CSV") -> list[dict[str, Any]]:
    """The episode documents (one per patient) the CSV describes, not yet validated."""
    return [doc for doc, _ in _Sheet(text, name).documents()]


def load_csv(text: str, name: str = "CSV") -> list[Episode]:
    return load_traced(_Sheet(text, name).documents(), lambda src, path: _where(name, src, path))


def _where(name: str, sources: Sources, path: str) -> str:
    """The row and column a loader error's JSON path came from."""
    p = path
    while p:
        if p in sources:
            row, col = sources[p]
            return f"{name} row {row}, column {col}" if col else f"{name} row {row} ({path})"
        p = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", p)
    return f"{name} ({path})"


@dataclass
class _Rec:
    row: int  # the first row that describes it
    values: dict[str, tuple[Any, int, str]] = field(default_factory=dict)  # (value, row, col)

    def get(self, fld: str) -> Any:
        v = self.values.get(fld)
        return None if v is None else v[0]


@dataclass
class _Parts:
    """One patient's visits, coverages, plans and authorizations, each with its key."""

    visits: list[tuple[str, _Rec]] = field(default_factory=list)
    coverages: list[tuple[tuple[str, str, str], _Rec]] = field(default_factory=list)
    plans: list[tuple[tuple[str, str], _Rec]] = field(default_factory=list)
    auths: list[tuple[tuple[str, str], _Rec]] = field(default_factory=list)


class _Sheet:
    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.rows = list(self._read(text))
        if not self.rows:
            raise InputError(name, "the CSV has a header but no rows")
        self.visits: dict[str, _Rec] = {}
        self.practice: dict[tuple[()], _Rec] = {}
        self.patients: dict[str, _Rec] = {}
        self.payers: dict[str, _Rec] = {}
        self.coverages: dict[tuple[str, str, str], _Rec] = {}
        self.plans: dict[tuple[str, str], _Rec] = {}
        self.auths: dict[tuple[str, str], _Rec] = {}
        self.providers: dict[str, _Rec] = {}
        self.roles: dict[str, str] = {}  # NPI -> the role whose columns first described it
        self.charges: dict[str, _Rec] = {}
        self.lines: dict[str, list[tuple[int, Cells]]] = {}  # a visit's rows

    def at(self, row: int, col: str) -> str:
        return f"{self.name} row {row}, column {col}"

    def _read(self, text: str) -> Iterator[tuple[int, Cells]]:
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
        header = [h.strip() for h in next(reader, [])]
        for i, col in enumerate(header):
            if col not in PARSERS:
                raise InputError(self.at(1, col or f"#{i + 1}"), "not a column otbill knows")
            if header.index(col) != i:
                raise InputError(self.at(1, col), "appears twice in the header")
        missing = [c for c in dict.fromkeys(HEADER_REQUIRED) if c not in header]
        if missing:
            raise InputError(f"{self.name} row 1", f"missing column(s): {', '.join(missing)}")
        for n, raw in enumerate(reader, start=2):
            if not any(c.strip() for c in raw):
                continue  # blank lines at the end of an export
            if any(c.strip() for c in raw[len(header) :]):
                raise InputError(
                    f"{self.name} row {n}", f"{len(raw)} cells, but the header has {len(header)}"
                )
            cells: Cells = {}
            for col, value in zip(header, raw, strict=False):
                if value.strip():
                    try:
                        cells[col] = (PARSERS[col](value.strip()), n)
                    except ValueError as e:
                        raise InputError(self.at(n, col), str(e)) from None
            for col in EVERY_ROW:
                if col not in cells:
                    raise InputError(self.at(n, col), "is required on every row")
            yield n, cells

    def merge(
        self, recs: dict[Any, _Rec], thing: _Thing, key: Any, label: str, row: int, cells: Cells
    ) -> _Rec:
        rec = recs.setdefault(key, _Rec(row))
        for fld, col, _ in thing.cols:
            if col not in cells:
                continue
            value, given = cells[col]
            old = rec.values.setdefault(fld, (value, given, col))
            if old[0] != value:
                raise InputError(
                    self.at(given, col),
                    f"{_show(value)} differs from {_show(old[0])} in row {old[1]} for {label}",
                )
        return rec

    def check(self, rec: _Rec, thing: _Thing, label: str) -> None:
        for fld in thing.required:
            if fld not in rec.values:
                raise InputError(
                    self.at(rec.row, thing.column(fld)), f"no value on any row for {label}"
                )
        for group, needed in thing.groups:
            if any(f.startswith(group + ".") for f in rec.values):
                for sub in needed:
                    fld = f"{group}.{sub}"
                    if fld not in rec.values:
                        raise InputError(
                            self.at(rec.row, thing.column(fld)),
                            f"needed with the other {group} columns for {label}",
                        )

    def orphans(self, row: int, cells: Cells, thing: _Thing, key_col: str, vid: str) -> None:
        """Refuse columns about something the row's visit does not name."""
        for _, col, _ in thing.cols:
            if col in cells and col != key_col and col not in _LINKS:
                raise InputError(self.at(row, col), f"visit {vid} gives no {key_col}")

    def documents(self) -> list[tuple[dict[str, Any], Sources]]:
        for row, cells in self.rows:
            vid = cells["visit_id"][0]
            self.merge(self.visits, VISIT, vid, f"visit {vid}", row, cells)
            self.lines.setdefault(vid, []).append((row, cells))
        for vid, v in self.visits.items():
            self.check(v, VISIT, f"visit {vid}")
        for row, cells in self.rows:
            self._link(row, cells)
        parts: dict[str, _Parts] = {pid: _Parts() for pid in self.patients}
        for vid, v in self.visits.items():
            parts[v.get("_patient")].visits.append((vid, v))
        for ckey, cov in self.coverages.items():
            parts[ckey[0]].coverages.append((ckey, cov))
        for pkey, plan in self.plans.items():
            parts[pkey[0]].plans.append((pkey, plan))
        for akey, auth in self.auths.items():
            parts[akey[0]].auths.append((akey, auth))
        practice, src = self._practice()
        return [self._episode(pid, p, practice, dict(src)) for pid, p in parts.items()]

    def _link(self, row: int, cells: Cells) -> None:
        """Fill the row's links in from its visit, then merge what the row describes."""
        vid = cells["visit_id"][0]
        visit = self.visits[vid]
        for value, given, col in visit.values.values():
            if col in _LINKS:
                cells.setdefault(col, (value, given))
        pid = visit.get("_patient")
        payer, member = visit.get("_payer"), visit.get("_member")
        self.merge(self.practice, PRACTICE, (), "the practice", row, cells)
        self.merge(self.patients, PATIENT, pid, f"patient {pid}", row, cells)
        self.merge(self.payers, PAYER, payer, f"payer {payer}", row, cells)
        label = f"coverage {payer} {member} of patient {pid}"
        self.merge(self.coverages, COVERAGE, (pid, payer, member), label, row, cells)
        self.merge(self.charges, CHARGE, cells["code"][0], f"code {cells['code'][0]}", row, cells)
        if "poc_id" in cells:
            poc = cells["poc_id"][0]
            plan = self.merge(self.plans, PLAN, (pid, poc), f"plan of care {poc}", row, cells)
            if "certifying_npi" in plan.values:
                value, given, _ = plan.values["certifying_npi"]
                cells.setdefault("certifying_npi", (value, given))
        else:
            self.orphans(row, cells, PLAN, "poc_id", vid)
        if "auth_number" in cells:
            num = cells["auth_number"][0]
            self.merge(self.auths, AUTH, (pid, num), f"authorization {num}", row, cells)
        else:
            self.orphans(row, cells, AUTH, "auth_number", vid)
        for role in ROLES:
            key_col = f"{role}_npi"
            if key_col in cells:
                npi = cells[key_col][0]
                self.roles.setdefault(npi, role)
                self.merge(self.providers, PROVIDER[role], npi, f"provider {npi}", row, cells)
            else:
                self.orphans(row, cells, PROVIDER[role], key_col, vid)

    def _episode(
        self, pid: str, parts: _Parts, practice: dict[str, Any], src: Sources
    ) -> tuple[dict[str, Any], Sources]:
        visits, covs, plans, auths = parts.visits, parts.coverages, parts.plans, parts.auths
        npis = [v.get(f"{r}_npi") for _, v in visits for r in ROLES if r != "certifying"]
        npis += [p.get("certifying_npi") for _, p in plans]
        payer_ids = [k[1] for k, _ in covs] + [a.get("payer_id") for _, a in auths]
        doc: dict[str, Any] = {
            "document": "episode",
            "practice": practice,
            "providers": [
                self.emit(
                    self.providers[n],
                    PROVIDER[self.roles[n]],
                    f"provider {n}",
                    f"providers[{i}]",
                    src,
                )
                for i, n in enumerate(dict.fromkeys(n for n in npis if n is not None))
            ],
            "payers": [
                self.emit(self.payers[p], PAYER, f"payer {p}", f"payers[{i}]", src)
                for i, p in enumerate(dict.fromkeys(payer_ids))
            ],
            "patient": self.emit(self.patients[pid], PATIENT, f"patient {pid}", "patient", src),
            "coverages": [
                self.emit(c, COVERAGE, f"coverage {k[1]} {k[2]}", f"coverages[{i}]", src)
                for i, (k, c) in enumerate(covs)
            ],
            "plans_of_care": [
                self.emit(p, PLAN, f"plan of care {k[1]}", f"plans_of_care[{i}]", src)
                for i, (k, p) in enumerate(plans)
            ],
            "authorizations": [
                self.emit(a, AUTH, f"authorization {k[1]}", f"authorizations[{i}]", src)
                for i, (k, a) in enumerate(auths)
            ],
            "visits": [
                self._visit(vid, v, f"visits[{i}]", src) for i, (vid, v) in enumerate(visits)
            ],
        }
        return doc, src

    def emit(self, rec: _Rec, thing: _Thing, label: str, base: str, src: Sources) -> dict[str, Any]:
        self.check(rec, thing, label)
        out: dict[str, Any] = {}
        src[base] = (rec.row, None)
        for fld, (value, row, col) in rec.values.items():
            if fld.startswith("_"):
                continue
            *parents, last = fld.split(".")
            node = out
            for p in parents:
                node = node.setdefault(p, {})
            node[last] = value
            src[f"{base}.{fld}"] = (row, col)
        return out

    def _practice(self) -> tuple[dict[str, Any], Sources]:
        src: Sources = {}
        practice = self.emit(self.practice[()], PRACTICE, "the practice", "practice", src)
        practice["charges"] = {}
        for code, rec in self.charges.items():
            if "charge" in rec.values:
                amount, row, _ = rec.values["charge"]
                practice["charges"][code] = str(amount)
                src[f"practice.charges.{code}"] = (
                    row,
                    "code",
                )  # only an unknown code is wrong here
            elif hcpcs.lookup(code) is not None:
                raise InputError(
                    self.at(rec.row, "charge"), f"no charge for {code} on any of its rows"
                )
        return practice, src

    def _visit(self, vid: str, rec: _Rec, base: str, src: Sources) -> dict[str, Any]:
        visit = self.emit(rec, VISIT, f"visit {vid}", base, src)
        visit["services"] = []
        for j, (row, cells) in enumerate(self.lines[vid]):
            line = self.merge({}, SERVICE, None, "the line", row, cells)
            visit["services"].append(
                self.emit(line, SERVICE, "the line", f"{base}.services[{j}]", src)
            )
        return visit


def _show(value: Any) -> str:
    if isinstance(value, list):
        return repr(";".join(value))
    return repr(str(value) if isinstance(value, Decimal) else value)
