"""Load a visit or episode document (JSON) into an Episode.

Two passes: the JSON Schema (``schemas/input.schema.json``) checks the shape and names the first
field that is wrong; then the records are built, which checks what a schema cannot: NPI check
digits, codes that otbill does not know, references between parts, and dates.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from otbill.codesets import hcpcs
from otbill.codesets.icd10 import normalize, well_formed
from otbill.codesets.payers import default_profiles
from otbill.dates import Period
from otbill.errors import InputError
from otbill.model import (
    Address,
    Authorization,
    Coverage,
    Credential,
    Discipline,
    Documentation,
    Episode,
    Injury,
    Patient,
    Payer,
    PayerKind,
    Person,
    PlanOfCare,
    Practice,
    Provider,
    Relationship,
    Service,
    Sex,
    Silence,
    UnitMethod,
    Visit,
    npi_problem,
)

T = TypeVar("T")
S = TypeVar("S")
Json = Mapping[str, Any]


@cache
def schema() -> dict[str, Any]:
    text = resources.files("otbill.schemas").joinpath("input.schema.json").read_text("utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


@cache
def _validator(kind: str) -> Draft202012Validator:
    s = schema()
    return Draft202012Validator({"$defs": s["$defs"], "$ref": f"#/$defs/{kind}Document"})


def load_path(path: Path) -> Episode:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(str(path), f"cannot read: {e.strerror}") from None
    return loads(text, source=str(path))


def loads(text: str, source: str = "<input>") -> Episode:
    try:
        doc = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as e:
        raise InputError(source, f"not JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    return load_document(doc)


def load_document(doc: Any, *, validate: bool = True) -> Episode:
    """``validate=False`` skips the JSON Schema pass (the slow one) for documents otbill wrote
    and validated itself, such as those stored in the ledger; the record checks still run."""
    if not isinstance(doc, dict):
        raise InputError("$", "a document is a JSON object")
    kind = doc.get("document")
    if kind not in ("visit", "episode"):
        raise InputError("document", f'must be "visit" or "episode", got {kind!r}')
    if validate:
        error = best_match(_validator(kind).iter_errors(doc))
        if error is not None:
            raise InputError(_path(error.absolute_path), error.message)
    visits = [doc["visit"]] if kind == "visit" else doc["visits"]
    prefix = "visit" if kind == "visit" else "visits"
    return _Builder(doc, prefix, single=kind == "visit").episode(visits)


def load_traced(
    documents: Iterable[tuple[Json, S]], where: Callable[[S, str], str]
) -> list[Episode]:
    """Load documents converted from another format (CSV, FHIR), naming the place in that
    format (``where(sources, json_path)``) an error came from, not the JSON path."""
    episodes = []
    for doc, sources in documents:
        try:
            episodes.append(load_document(doc))
        except InputError as e:
            raise InputError(where(sources, e.field), e.problem) from None
    return episodes


def _path(parts: Sequence[str | int] | Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "$"


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(field, f"not a real date: {value!r}") from None


def _opt_date(obj: Json, key: str, field: str) -> date | None:
    return _date(obj[key], f"{field}.{key}") if key in obj else None


def _each(items: Sequence[Json], field: str, build: Callable[[Json, str], T]) -> tuple[T, ...]:
    return tuple(build(item, f"{field}[{i}]") for i, item in enumerate(items))


def _npi(value: str, field: str) -> str:
    problem = npi_problem(value)
    if problem:
        raise InputError(field, problem)
    return value


def _address(obj: Json | None) -> Address | None:
    if obj is None:
        return None
    return Address(obj["line1"], obj["city"], obj["state"], obj["zip"], obj.get("line2", ""))


class _Builder:
    def __init__(self, doc: Json, visits_field: str, single: bool) -> None:
        self.doc = doc
        self.visits_field = visits_field
        self.single = single

    def episode(self, visits: Sequence[Json]) -> Episode:
        d = self.doc
        practice = self.practice(d["practice"])
        providers: dict[str, Provider] = {}
        for i, p in enumerate(d["providers"]):
            prov = self.provider(p, f"providers[{i}]")
            if prov.npi in providers:
                raise InputError(f"providers[{i}].npi", f"{prov.npi} is listed twice")
            providers[prov.npi] = prov
        payers = {p.id: p for p in _each(d["payers"], "payers", self.payer)}
        coverages = _each(d["coverages"], "coverages", self.coverage)
        for i, c in enumerate(coverages):
            if c.payer_id not in payers:
                raise InputError(f"coverages[{i}].payer_id", f"no payer with id {c.payer_id!r}")
        plans = _each(d.get("plans_of_care", []), "plans_of_care", self.plan)
        for i, plan in enumerate(plans):
            if plan.certifying_npi and plan.certifying_npi not in providers:
                raise InputError(
                    f"plans_of_care[{i}].certifying_npi",
                    f"{plan.certifying_npi} is not among the providers",
                )
        auths = _each(d.get("authorizations", []), "authorizations", self.authorization)
        for i, a in enumerate(auths):
            if a.payer_id not in payers:
                raise InputError(
                    f"authorizations[{i}].payer_id", f"no payer with id {a.payer_id!r}"
                )
        plan_ids = {p.id for p in plans}
        built = []
        for i, v in enumerate(visits):
            field = self.visits_field if self.single else f"{self.visits_field}[{i}]"
            visit = self.visit(v, field, practice)
            for key in ("rendering_npi", "supervising_npi", "assistant_npi"):
                npi = getattr(visit, key)
                if npi is not None and npi not in providers:
                    raise InputError(f"{field}.{key}", f"{npi} is not among the providers")
            if visit.plan_of_care_id is not None and visit.plan_of_care_id not in plan_ids:
                raise InputError(
                    f"{field}.plan_of_care_id", f"no plan of care {visit.plan_of_care_id!r}"
                )
            built.append(visit)
        ids = [v.id for v in built]
        if len(set(ids)) != len(ids):
            dup = next(x for x in ids if ids.count(x) > 1)
            raise InputError(self.visits_field, f"visit id {dup!r} appears twice")
        return Episode(
            practice=practice,
            providers=MappingProxyType(providers),
            payers=MappingProxyType(payers),
            patient=self.patient(d["patient"]),
            coverages=coverages,
            plans_of_care=plans,
            authorizations=auths,
            visits=tuple(sorted(built, key=lambda v: v.date)),
            silences=tuple(
                Silence(x["rule"], x["claim"], x["by"], x["why"]) for x in d.get("silences", [])
            ),
        )

    def practice(self, p: Json) -> Practice:
        charges = {code: Decimal(str(v)) for code, v in p["charges"].items()}
        for code in charges:
            if not hcpcs.is_known(code):
                raise InputError(f"practice.charges.{code}", f"unknown code {code}")
        return Practice(
            name=p["name"],
            npi=_npi(p["npi"], "practice.npi"),
            tax_id=p["tax_id"],
            taxonomy=p["taxonomy"],
            address=_address(p["address"]) or _missing("practice.address"),
            charges=MappingProxyType(charges),
            pfs_locality=p.get("pfs_locality"),
        )

    def provider(self, p: Json, field: str) -> Provider:
        return Provider(
            npi=_npi(p["npi"], f"{field}.npi"),
            first_name=p["first_name"],
            last_name=p["last_name"],
            credential=Credential(p["credential"]),
            taxonomy=p.get("taxonomy", ""),
        )

    def payer(self, p: Json, field: str) -> Payer:
        kind = PayerKind(p["kind"])
        defaults = default_profiles()[kind]
        method = UnitMethod(p["unit_method"]) if "unit_method" in p else defaults.unit_method
        profile = replace(defaults, unit_method=method, **p.get("profile", {}))
        return Payer(id=p["id"], name=p["name"], kind=kind, unit_method=method, profile=profile)

    def patient(self, p: Json) -> Patient:
        return Patient(
            id=p["id"],
            first_name=p["first_name"],
            last_name=p["last_name"],
            birth_date=_opt_date(p, "birth_date", "patient"),
            sex=Sex(p["sex"]),
            address=_address(p.get("address")),
        )

    def coverage(self, c: Json, field: str) -> Coverage:
        start, end = _opt_date(c, "start", field), _opt_date(c, "end", field)
        period = None
        if start is not None:
            if end is not None and end < start:
                raise InputError(f"{field}.end", f"ends {end} before it starts {start}")
            period = Period(start, end)
        elif end is not None:
            raise InputError(f"{field}.start", "an end date needs a start date")
        sub = c.get("subscriber")
        rel = Relationship(c.get("relationship", "self"))
        if rel is not Relationship.SELF and rel is not Relationship.EMPLOYEE and sub is None:
            raise InputError(f"{field}.subscriber", f"relationship {rel} needs the subscriber")
        inj = c.get("injury")
        return Coverage(
            payer_id=c["payer_id"],
            member_id=c["member_id"],
            relationship=rel,
            priority=c.get("priority", 1),
            period=period,
            group=c.get("group", ""),
            subscriber=None
            if sub is None
            else Person(
                sub["first_name"],
                sub["last_name"],
                _opt_date(sub, "birth_date", f"{field}.subscriber"),
                Sex(sub.get("sex", "U")),
                _address(sub.get("address")),
            ),
            injury=None
            if inj is None
            else Injury(
                inj["claim_number"],
                _opt_date(inj, "date_of_injury", f"{field}.injury"),
                inj.get("employer", ""),
            ),
        )

    def plan(self, p: Json, field: str) -> PlanOfCare:
        return PlanOfCare(
            id=p["id"],
            discipline=Discipline(p["discipline"]),
            start_date=_date(p["start_date"], f"{field}.start_date"),
            certifying_npi=_npi(p["certifying_npi"], f"{field}.certifying_npi")
            if "certifying_npi" in p
            else None,
            signed_date=_opt_date(p, "signed_date", field),
            verbal_order_date=_opt_date(p, "verbal_order_date", field),
            certified_through=_opt_date(p, "certified_through", field),
            first_treatment_date=_opt_date(p, "first_treatment_date", field),
            frequency_per_week=p.get("frequency_per_week"),
            duration_weeks=p.get("duration_weeks"),
            diagnoses=self.diagnoses(p.get("diagnoses", []), f"{field}.diagnoses"),
        )

    def authorization(self, a: Json, field: str) -> Authorization:
        start, end = _date(a["start"], f"{field}.start"), _date(a["end"], f"{field}.end")
        if end < start:
            raise InputError(f"{field}.end", f"ends {end} before it starts {start}")
        return Authorization(
            number=a["number"],
            payer_id=a["payer_id"],
            period=Period(start, end),
            visits_allowed=a.get("visits_allowed"),
            units_allowed=a.get("units_allowed"),
            units_by_code=MappingProxyType(dict(a.get("units_by_code", {}))),
            discipline=Discipline(a["discipline"]) if "discipline" in a else None,
        )

    def diagnoses(self, codes: Sequence[str], field: str) -> tuple[str, ...]:
        out = []
        for i, c in enumerate(codes):
            if not well_formed(c):
                raise InputError(f"{field}[{i}]", f"not an ICD-10-CM code: {c!r}")
            out.append(normalize(c))
        return tuple(out)

    def visit(self, v: Json, field: str, practice: Practice) -> Visit:
        services = _each(v["services"], f"{field}.services", self.service)
        for i, s in enumerate(services):
            if s.code not in practice.charges and s.code not in hcpcs.functional_gcodes():
                raise InputError(
                    f"{field}.services[{i}].code", f"no charge for {s.code} in practice.charges"
                )
        doc = v.get("documentation", {})
        return Visit(
            id=v["id"],
            date=_date(v["date"], f"{field}.date"),
            rendering_npi=_npi(v["rendering_npi"], f"{field}.rendering_npi"),
            place_of_service=v.get("place_of_service", "11"),
            supervising_npi=_npi(v["supervising_npi"], f"{field}.supervising_npi")
            if "supervising_npi" in v
            else None,
            assistant_npi=_npi(v["assistant_npi"], f"{field}.assistant_npi")
            if "assistant_npi" in v
            else None,
            plan_of_care_id=v.get("plan_of_care_id"),
            diagnoses=self.diagnoses(v.get("diagnoses", []), f"{field}.diagnoses"),
            services=services,
            documentation=Documentation(
                note_signed=doc.get("note_signed", True),
                total_treatment_minutes=doc.get("total_treatment_minutes"),
                timed_minutes_recorded=doc.get("timed_minutes_recorded", True),
                progress_report=doc.get("progress_report", False),
                medical_necessity_documented=doc.get("medical_necessity_documented", False),
                discharge=doc.get("discharge", False),
            ),
            authorization_number=v.get("authorization_number"),
        )

    def service(self, s: Json, field: str) -> Service:
        code = s["code"]
        tc = hcpcs.lookup(code)
        if tc is None and code not in hcpcs.functional_gcodes():
            raise InputError(
                f"{field}.code", f"unknown code {code}: not a therapy code otbill knows"
            )
        if tc is not None and tc.timed and "units" in s:
            raise InputError(
                f"{field}.units", f"{code} is timed: its units come from its minutes, not given"
            )
        return Service(
            code=code,
            minutes_therapist=s.get("therapist_minutes", 0),
            minutes_assistant=s.get("assistant_minutes", 0),
            units=s.get("units"),
            modifiers=tuple(s.get("modifiers", ())),
            distinct_reason=s.get("distinct_reason"),
            diagnoses=self.diagnoses(s.get("diagnoses", []), f"{field}.diagnoses"),
        )


def _missing(field: str) -> Address:
    raise InputError(field, "is required")
