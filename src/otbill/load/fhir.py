"""Visits from a FHIR R4 bundle (the mapping: docs/import-fhir.md).

Each Encounter is a visit, its ChargeItems the service lines; a patient's encounters make one
episode document, which then goes through the same loader and checks as a JSON file. The bundle
is parsed with the fhir.resources R4B models: R4B (4.3) changed none of the resources read here
from R4 (4.0.1), and fhir.resources ships no 4.0.1 models. Errors name the resource
(Type/id) and the element.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from fhir.resources.R4B.address import Address
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.chargeitem import ChargeItem
from fhir.resources.R4B.chargeitemdefinition import ChargeItemDefinition
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.relatedperson import RelatedPerson
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

from otbill.errors import InputError
from otbill.load.json_doc import load_traced
from otbill.model import Credential, Episode

NPI = "http://hl7.org/fhir/sid/us-npi"
CPT = "http://www.ama-assn.org/go/cpt"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
TIN = "urn:oid:2.16.840.1.113883.4.4"
NUCC = "http://nucc.org/provider-taxonomy"
SOPT = "urn:oid:2.16.840.1.113883.3.221.5"
POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
OTBILL = "https://otbill.dev/fhir"
PAYER_KIND = f"{OTBILL}/CodeSystem/payer-kind"
DISCIPLINE = f"{OTBILL}/CodeSystem/discipline"
EXT_MODIFIER = f"{OTBILL}/StructureDefinition/modifier"
EXT_DISTINCT = f"{OTBILL}/StructureDefinition/distinct-reason"
EXT_INJURY = f"{OTBILL}/StructureDefinition/injury"
EXT_LOCALITY = f"{OTBILL}/StructureDefinition/pfs-locality"
EXT_FIRST_TREATMENT = f"{OTBILL}/StructureDefinition/first-treatment"
EXT_MEDICAL_NECESSITY = f"{OTBILL}/StructureDefinition/medical-necessity-documented"

# Source of Payment Typology codes, most specific prefix first.
SOPT_KINDS = (
    ("11", "medicare_advantage"),
    ("1", "medicare"),
    ("2", "medicaid"),
    ("95", "workers_comp"),
    ("96", "auto"),
    ("81", "self_pay"),
    ("5", "commercial"),
    ("6", "commercial"),
    ("7", "commercial"),
)
RELATIONSHIPS = {
    "self": "self",
    "spouse": "spouse",
    "common": "spouse",
    "child": "child",
    "parent": "other",
    "other": "other",
    "injured": "employee",  # the injured worker under workers' compensation
}
ROLES = {
    "PPRF": "rendering_npi",
    "primary": "rendering_npi",
    "SPRF": "assistant_npi",
    "assisting": "assistant_npi",
    "supervisor": "supervising_npi",
}
SKIPPED_CHARGES = ("not-billable", "aborted", "entered-in-error")

# For loader errors: the FHIR element that each JSON field of a document part came from.
ELEMENTS: dict[str, dict[str, str]] = {
    "practice": {"npi": "identifier", "tax_id": "identifier", "taxonomy": "type", "charges": ""},
    "provider": {
        "npi": "identifier",
        "first_name": "name",
        "last_name": "name",
        "credential": "qualification",
        "taxonomy": "qualification",
    },
    "payer": {"id": "identifier"},
    "patient": {
        "id": "identifier",
        "first_name": "name",
        "last_name": "name",
        "birth_date": "birthDate",
        "sex": "gender",
    },
    "coverage": {
        "payer_id": "payor",
        "member_id": "identifier",
        "group": "class",
        "priority": "order",
        "start": "period.start",
        "end": "period.end",
        "relationship": "relationship",
        "subscriber": "subscriber",
        "injury": "extension",
    },
    "plan": {
        "id": "id",
        "discipline": "category",
        "start_date": "period.start",
        "certified_through": "period.end",
        "certifying_npi": "author",
        "signed_date": "created",
        "first_treatment_date": "extension",
        "diagnoses": "addresses",
        "frequency_per_week": "activity.detail.scheduledTiming",
        "duration_weeks": "activity.detail.scheduledTiming",
    },
    "visit": {
        "id": "identifier",
        "date": "period.start",
        "place_of_service": "location",
        "rendering_npi": "participant",
        "assistant_npi": "participant",
        "supervising_npi": "participant",
        "diagnoses": "diagnosis",
        "documentation": "length",
    },
    "service": {
        "therapist_minutes": "quantity",
        "assistant_minutes": "quantity",
        "units": "quantity",
        "modifiers": "extension",
        "distinct_reason": "extension",
        "diagnoses": "reason",
    },
}

R = TypeVar("R", bound=Resource)
Sources = dict[str, tuple[str, Mapping[str, str]]]  # JSON path of a part -> (resource, elements)


def bundle_documents(data: Mapping[str, Any], name: str = "bundle") -> list[dict[str, Any]]:
    """The episode documents (one per patient with encounters), not yet validated."""
    return [doc for doc, _ in _Reader(data, name).documents()]


def load_bundle(data: Mapping[str, Any], name: str = "bundle") -> list[Episode]:
    return load_traced(_Reader(data, name).documents(), lambda src, path: _where(name, src, path))


def _where(name: str, sources: Sources, path: str) -> str:
    """The resource and element a loader error's JSON path came from."""
    p = path
    while p:
        if p in sources:
            label, elements = sources[p]
            key = re.split(r"[.\[]", path[len(p) :].lstrip("."))[0]
            element = elements.get(key, key)
            return f"{name}, {label}" + (f", element {element}" if element else "")
        p = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", p)
    return f"{name} ({path})"


def _codes(cc: CodeableConcept | None, system: str | None = None) -> list[str]:
    if cc is None:
        return []
    return [c.code for c in cc.coding or [] if c.code and (system is None or c.system == system)]


def _ext(exts: Sequence[Extension] | None, url: str) -> list[Extension]:
    return [e for e in exts or [] if e.url == url]


def _typed(idents: Sequence[Identifier] | None, type_code: str) -> str | None:
    for i in idents or []:
        if i.value and type_code in _codes(i.type):
            return i.value
    return None


def _npi_of(idents: Sequence[Identifier] | None) -> str | None:
    return next((i.value for i in idents or [] if i.system == NPI and i.value), None)


def _address(addresses: Sequence[Address] | None) -> dict[str, str] | None:
    if not addresses:
        return None
    a = addresses[0]
    lines = a.line or []
    out = {"line1": lines[0] if lines else None, "line2": lines[1] if len(lines) > 1 else None}
    out |= {"city": a.city, "state": a.state, "zip": (a.postalCode or "").replace("-", "")}
    return {k: v for k, v in out.items() if v}


class _Reader:
    def __init__(self, data: Mapping[str, Any], name: str) -> None:
        self.name = name
        try:
            bundle = Bundle.model_validate(data)
        except ValidationError as e:
            raise _parse_error(name, data, e) from None
        self.by_ref: dict[str, Resource] = {}
        self.labels: dict[int, str] = {}
        self.resources: list[Resource] = []
        self.items: dict[int, list[ChargeItem]] = {}  # by encounter
        self.coverages: dict[int, list[Coverage]] = {}  # by beneficiary
        self.plans: dict[int, list[CarePlan]] = {}  # by subject
        for i, entry in enumerate(bundle.entry or []):
            r = entry.resource
            if r is None or getattr(r, "status", None) == "entered-in-error":
                continue
            kind = r.get_resource_type()
            self.labels[id(r)] = f"{kind}/{r.id}" if r.id else f"{kind} at entry[{i}]"
            self.resources.append(r)
            if entry.fullUrl:
                self.by_ref[entry.fullUrl] = r
                if not entry.fullUrl.startswith("urn:"):  # relative references resolve against it
                    self.by_ref.setdefault("/".join(entry.fullUrl.split("/")[-2:]), r)
            if r.id:
                self.by_ref[f"{kind}/{r.id}"] = r

    def fail(self, r: Resource, element: str, problem: str) -> InputError:
        where = f"{self.name}, {self.labels[id(r)]}"
        return InputError(f"{where}, element {element}" if element else where, problem)

    def all(self, cls: type[R]) -> list[R]:
        return [r for r in self.resources if isinstance(r, cls)]

    def ref(self, owner: Resource, element: str, ref: Reference | None, cls: type[R]) -> R:
        if ref is None or not ref.reference:
            raise self.fail(owner, element, f"names no {cls.__name__}")
        key = ref.reference.split("/_history/")[0]
        target = self.by_ref.get(key) or self.by_ref.get("/".join(key.split("/")[-2:]))
        if target is None:
            raise self.fail(owner, element, f"{ref.reference!r} is not in the bundle")
        if not isinstance(target, cls):
            kind = target.get_resource_type()
            raise self.fail(
                owner, element, f"{ref.reference!r} is a {kind}, expected {cls.__name__}"
            )
        return target

    def day(self, owner: Resource, element: str, value: Any) -> str:
        if isinstance(value, datetime):
            return value.date().isoformat()  # the day where it happened, in its own offset
        if isinstance(value, date):
            return value.isoformat()
        raise self.fail(owner, element, f"needs a full date, got {value!r}")

    def name_of(self, r: Patient | Practitioner | RelatedPerson) -> dict[str, str]:
        names: list[HumanName] = list(r.name or [])
        n = next((n for n in names if n.use == "official"), names[0] if names else None)
        given = [g for g in (n.given or [] if n else []) if g]
        if n is None or not n.family or not given:
            raise self.fail(r, "name", "needs a family name and a given name")
        return {"first_name": given[0], "last_name": n.family}

    def icd10(self, c: Condition) -> str:
        codes = _codes(c.code, ICD10CM)
        if not codes:
            raise self.fail(c, "code", f"no ICD-10-CM coding (system {ICD10CM})")
        return codes[0]

    def documents(self) -> list[tuple[dict[str, Any], Sources]]:
        encounters = [e for e in self.all(Encounter) if e.status not in ("planned", "cancelled")]
        if not encounters:
            raise InputError(self.name, "the bundle has no Encounter (no visit to import)")
        practices = {
            id(self.ref(e, "serviceProvider", e.serviceProvider, Organization)) for e in encounters
        }
        if len(practices) > 1:
            raise self.fail(
                encounters[0], "serviceProvider", "one bundle holds one practice's visits"
            )
        patients: dict[int, tuple[Patient, list[Encounter]]] = {}
        for e in encounters:
            p = self.ref(e, "subject", e.subject, Patient)
            patients.setdefault(id(p), (p, []))[1].append(e)
        # Each resource is looked at once, by what it belongs to: a bundle may hold a practice.
        for c in self.all(ChargeItem):
            if c.status not in SKIPPED_CHARGES:
                encounter = self.ref(c, "context", c.context, Encounter)
                self.items.setdefault(id(encounter), []).append(c)
        for cov in self.all(Coverage):
            beneficiary = self.ref(cov, "beneficiary", cov.beneficiary, Patient)
            self.coverages.setdefault(id(beneficiary), []).append(cov)
        for plan in self.all(CarePlan):
            self.plans.setdefault(id(self.ref(plan, "subject", plan.subject, Patient)), []).append(
                plan
            )
        return [self.episode(p, encs) for p, encs in patients.values()]

    def episode(
        self, patient: Patient, encounters: list[Encounter]
    ) -> tuple[dict[str, Any], Sources]:
        src: Sources = {}
        ep = _Episode(self, src)
        org = self.ref(
            encounters[0], "serviceProvider", encounters[0].serviceProvider, Organization
        )
        doc: dict[str, Any] = {"document": "episode", "practice": ep.practice(org)}
        doc["patient"] = ep.part("patient", patient, "patient", self.patient(patient))
        covs = self.coverages.get(id(patient), [])
        if not covs:
            raise self.fail(patient, "", "no Coverage names this patient as its beneficiary")
        doc["coverages"] = [ep.coverage(c, f"coverages[{i}]") for i, c in enumerate(covs)]
        plans = self.plans.get(id(patient), [])
        doc["plans_of_care"] = [ep.plan(p, f"plans_of_care[{i}]") for i, p in enumerate(plans)]
        doc["authorizations"] = []
        doc["visits"] = [ep.visit(e, f"visits[{i}]") for i, e in enumerate(encounters)]
        doc["providers"] = ep.providers()
        doc["payers"] = ep.payers()
        return doc, src

    def patient(self, p: Patient) -> dict[str, Any]:
        out: dict[str, Any] = {"id": _typed(p.identifier, "MR") or p.id, **self.name_of(p)}
        if out["id"] is None:
            raise self.fail(p, "identifier", "needs an id or an MR identifier")
        if p.birthDate is not None:
            out["birth_date"] = self.day(p, "birthDate", p.birthDate)
        out["sex"] = {"female": "F", "male": "M"}.get(p.gender or "", "U")
        if (address := _address(p.address)) is not None:
            out["address"] = address
        return out


class _Episode:
    """One patient's document parts, noting which resource each came from."""

    def __init__(self, reader: _Reader, src: Sources) -> None:
        self.r = reader
        self.src = src
        self.practitioners: dict[str, Practitioner] = {}
        self.payer_orgs: dict[str, tuple[Organization, str, Coverage]] = {}
        self.plan_of: dict[int, str] = {}  # encounter -> the CarePlan that lists it as an outcome

    def part(self, kind: str, res: Resource, path: str, value: dict[str, Any]) -> dict[str, Any]:
        self.src[path] = (self.r.labels[id(res)], ELEMENTS[kind])
        return value

    def practitioner(self, owner: Resource, element: str, ref: Reference | None) -> str:
        pr = self.r.ref(owner, element, ref, Practitioner)
        npi = _npi_of(pr.identifier)
        if npi is None:
            raise self.r.fail(pr, "identifier", f"no NPI (system {NPI})")
        self.practitioners.setdefault(npi, pr)
        return npi

    def providers(self) -> list[dict[str, Any]]:
        out = []
        for i, (npi, pr) in enumerate(self.practitioners.items()):
            quals = [q.code for q in pr.qualification or []]
            codes = [c for q in quals for c in [*_codes(q), q.text or ""]]
            credential = next(
                (c.upper() for c in codes if c.upper() in Credential.__members__), None
            )
            if credential is None:
                known = ", ".join(Credential.__members__)
                raise self.r.fail(pr, "qualification", f"no credential otbill knows ({known})")
            doc = {"npi": npi, **self.r.name_of(pr), "credential": credential}
            taxonomy = [c for q in quals for c in _codes(q, NUCC)]
            if taxonomy:
                doc["taxonomy"] = taxonomy[0]
            out.append(self.part("provider", pr, f"providers[{i}]", doc))
        return out

    def payers(self) -> list[dict[str, Any]]:
        out = []
        for i, (payer_id, (org, kind, cov)) in enumerate(self.payer_orgs.items()):
            if not org.name:
                raise self.r.fail(org, "name", "the payer needs a name")
            doc = {"id": payer_id, "name": org.name, "kind": kind}
            out.append(self.part("payer", org, f"payers[{i}]", doc))
            self.src[f"payers[{i}].kind"] = (self.r.labels[id(cov)], {"": "type"})
        return out

    def practice(self, org: Organization) -> dict[str, Any]:
        r = self.r
        npi, tin = (
            _npi_of(org.identifier),
            next((i.value for i in org.identifier or [] if i.system == TIN and i.value), None),
        )
        taxonomy = [c for t in org.type or [] for c in _codes(t, NUCC)]
        if npi is None or tin is None:
            raise r.fail(
                org, "identifier", f"the practice needs an NPI ({NPI}) and a tax id ({TIN})"
            )
        if not taxonomy:
            raise r.fail(org, "type", f"the practice needs a taxonomy code (system {NUCC})")
        doc: dict[str, Any] = {"name": org.name, "npi": npi, "tax_id": tin.replace("-", "")}
        doc |= {"taxonomy": taxonomy[0], "address": _address(org.address) or {}}
        if locality := _ext(org.extension, EXT_LOCALITY):
            doc["pfs_locality"] = locality[0].valueString
        doc["charges"] = self.charges()
        return self.part("practice", org, "practice", doc)

    def charges(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for d in self.r.all(ChargeItemDefinition):
            prices = [
                c.amount
                for g in d.propertyGroup or []
                for c in g.priceComponent or []
                if c.type == "base" and c.amount is not None and c.amount.value is not None
            ]
            if not prices:
                raise self.r.fail(d, "propertyGroup.priceComponent", "no base price (amount)")
            if prices[0].currency not in (None, "USD"):
                raise self.r.fail(d, "propertyGroup.priceComponent.amount", "not in USD")
            amount = Decimal(str(prices[0].value))
            for code in _codes(d.code, CPT):
                if code in out and Decimal(out[code]) != amount:
                    raise self.r.fail(d, "propertyGroup", f"a second, different price for {code}")
                out[code] = str(amount)
                self.src[f"practice.charges.{code}"] = (self.r.labels[id(d)], {"": "code"})
        return out

    def coverage(self, c: Coverage, path: str) -> dict[str, Any]:
        r = self.r
        if not c.payor:
            raise r.fail(c, "payor", "names no payer Organization")
        org = r.ref(c, "payor[0]", c.payor[0], Organization)
        payer_id = _typed(org.identifier, "NIIP") or org.id
        if payer_id is None:
            raise r.fail(org, "identifier", "needs an id or a NIIP identifier (the payer id)")
        kind = self.kind(c)
        seen = self.payer_orgs.setdefault(payer_id, (org, kind, c))
        if seen[1] != kind:
            raise r.fail(c, "type", f"payer {payer_id} is {seen[1]} in {r.labels[id(seen[2])]}")
        member = _typed(c.identifier, "MB") or c.subscriberId
        if not member:
            raise r.fail(c, "identifier", "no member id (an MB identifier or subscriberId)")
        doc: dict[str, Any] = {"payer_id": payer_id, "member_id": member}
        groups = [k.value for k in c.class_fhir or [] if "group" in _codes(k.type)]
        if groups:
            doc["group"] = groups[0]
        rel = _codes(c.relationship)
        doc["relationship"] = RELATIONSHIPS.get(rel[0], rel[0]) if rel else "self"
        if c.order is not None:
            doc["priority"] = c.order
        if c.period and c.period.start:
            doc["start"] = r.day(c, "period.start", c.period.start)
        if c.period and c.period.end:
            doc["end"] = r.day(c, "period.end", c.period.end)
        if doc["relationship"] not in ("self", "employee") and c.subscriber is not None:
            doc["subscriber"] = self.subscriber(c)
        if injury := _ext(c.extension, EXT_INJURY):
            doc["injury"] = self.injury(c, injury[0])
        return self.part("coverage", c, path, doc)

    def kind(self, c: Coverage) -> str:
        if own := _codes(c.type, PAYER_KIND):
            return own[0]
        for code in _codes(c.type, SOPT):
            for prefix, kind in SOPT_KINDS:
                if code.startswith(prefix):
                    return kind
            raise self.r.fail(
                c, "type", f"payment typology {code} is not a payer kind otbill bills"
            )
        raise self.r.fail(c, "type", f"no payer kind (system {SOPT} or {PAYER_KIND})")

    def subscriber(self, c: Coverage) -> dict[str, Any]:
        sub = self.r.ref(c, "subscriber", c.subscriber, Resource)
        if not isinstance(sub, Patient | RelatedPerson):
            raise self.r.fail(c, "subscriber", "is neither a Patient nor a RelatedPerson")
        out: dict[str, Any] = dict(self.r.name_of(sub))
        if sub.birthDate is not None:
            out["birth_date"] = self.r.day(sub, "birthDate", sub.birthDate)
        out["sex"] = {"female": "F", "male": "M"}.get(sub.gender or "", "U")
        if (address := _address(sub.address)) is not None:
            out["address"] = address
        return out

    def injury(self, c: Coverage, ext: Extension) -> dict[str, Any]:
        parts = {e.url: e for e in ext.extension or []}
        out: dict[str, Any] = {}
        if "claimNumber" in parts:
            out["claim_number"] = parts["claimNumber"].valueString
        if "date" in parts:
            out["date_of_injury"] = self.r.day(c, "extension", parts["date"].valueDate)
        if "employer" in parts:
            out["employer"] = parts["employer"].valueString
        return out

    def plan(self, p: CarePlan, path: str) -> dict[str, Any]:
        r = self.r
        disciplines = [c for cat in p.category or [] for c in _codes(cat, DISCIPLINE)]
        if not disciplines:
            raise r.fail(p, "category", f"no discipline (OT, PT or SLP in system {DISCIPLINE})")
        if p.period is None or p.period.start is None:
            raise r.fail(p, "period.start", "a plan of care needs its start date")
        doc: dict[str, Any] = {"id": p.id, "discipline": disciplines[0]}
        doc["start_date"] = r.day(p, "period.start", p.period.start)
        if p.period.end is not None:
            doc["certified_through"] = r.day(p, "period.end", p.period.end)
        if p.author is not None:
            doc["certifying_npi"] = self.practitioner(p, "author", p.author)
        if p.created is not None:
            doc["signed_date"] = r.day(p, "created", p.created)
        if first := _ext(p.extension, EXT_FIRST_TREATMENT):
            doc["first_treatment_date"] = r.day(p, "extension", first[0].valueDate)
        for a in p.activity or []:
            timing = a.detail.scheduledTiming if a.detail else None
            rep = timing.repeat if timing else None
            if rep is None:
                continue
            if rep.frequency and rep.periodUnit == "wk" and rep.period == 1:
                doc["frequency_per_week"] = rep.frequency
            bounds = rep.boundsDuration
            if bounds and bounds.value is not None and bounds.code == "wk":
                doc["duration_weeks"] = int(bounds.value)
            break
        for a in p.activity or []:
            for i, out in enumerate(a.outcomeReference or []):
                done = r.ref(p, f"activity.outcomeReference[{i}]", out, Resource)
                self.plan_of[id(done)] = str(p.id)
        doc["diagnoses"] = [
            r.icd10(r.ref(p, f"addresses[{i}]", a, Condition))
            for i, a in enumerate(p.addresses or [])
        ]
        return self.part("plan", p, path, doc)

    def visit(self, e: Encounter, path: str) -> dict[str, Any]:
        r = self.r
        if e.period is None or e.period.start is None:
            raise r.fail(e, "period.start", "the visit needs its date of service")
        doc: dict[str, Any] = {"id": _typed(e.identifier, "VN") or e.id}
        if doc["id"] is None:
            raise r.fail(e, "identifier", "needs an id or a VN identifier (the visit id)")
        doc["date"] = r.day(e, "period.start", e.period.start)
        if e.location:
            loc = r.ref(e, "location[0].location", e.location[0].location, Location)
            pos = [c for t in loc.type or [] for c in _codes(t, POS)]
            if pos:
                doc["place_of_service"] = pos[0]
        self.participants(e, doc)
        if id(e) in self.plan_of:
            doc["plan_of_care_id"] = self.plan_of[id(e)]
        ranked = sorted(e.diagnosis or [], key=lambda d: d.rank or 10**6)
        doc["diagnoses"] = [
            r.icd10(r.ref(e, "diagnosis.condition", d.condition, Condition)) for d in ranked
        ]
        doc["services"] = self.services(e, doc, f"{path}.services")
        documentation: dict[str, Any] = {}
        if e.length is not None:
            if e.length.code != "min" or e.length.value is None:
                raise r.fail(e, "length", "give the treatment time in minutes (code min)")
            documentation["total_treatment_minutes"] = self.whole(e, "length", e.length.value)
        # The clinician's attestation the coder's KX rests on (otbill.coding.kx).
        if necessity := _ext(e.extension, EXT_MEDICAL_NECESSITY):
            if not isinstance(necessity[0].valueBoolean, bool):
                raise r.fail(e, "extension", "medical-necessity-documented needs a valueBoolean")
            documentation["medical_necessity_documented"] = necessity[0].valueBoolean
        if documentation:
            doc["documentation"] = documentation
        return self.part("visit", e, path, doc)

    def participants(self, e: Encounter, doc: dict[str, Any]) -> None:
        parts = e.participant or []
        for i, p in enumerate(parts):
            roles = {ROLES[c] for t in p.type or [] for c in _codes(t) if c in ROLES}
            if not roles and len(parts) == 1:
                roles = {"rendering_npi"}
            for role in roles:
                if role in doc:
                    raise self.r.fail(
                        e, f"participant[{i}]", f"a second {role.split('_')[0]} provider"
                    )
                doc[role] = self.practitioner(e, f"participant[{i}].individual", p.individual)
        if "rendering_npi" not in doc:
            raise self.r.fail(e, "participant", "no primary performer (type PPRF)")

    def whole(self, res: Resource, element: str, value: Decimal | float | int) -> int:
        if Decimal(str(value)) != int(value) or value < 0:
            raise self.r.fail(res, element, f"{value} is not a whole number")
        return int(value)

    def services(self, e: Encounter, visit: dict[str, Any], path: str) -> list[dict[str, Any]]:
        r = self.r
        lines: dict[str, dict[str, Any]] = {}
        for c in r.items.get(id(e), []):
            codes = _codes(c.code, CPT)
            if not codes:
                raise r.fail(c, "code", f"no CPT coding (system {CPT})")
            if codes[0] not in lines:
                self.src[f"{path}[{len(lines)}]"] = (r.labels[id(c)], ELEMENTS["service"])
            line = lines.setdefault(codes[0], {"code": codes[0]})
            self.charge_line(c, visit, line)
        if not lines:
            raise r.fail(e, "", "no billable ChargeItem has this Encounter as its context")
        return list(lines.values())

    def charge_line(self, c: ChargeItem, visit: dict[str, Any], line: dict[str, Any]) -> None:
        """Add one ChargeItem to the line for its code: the minutes of the same code add up."""
        q = c.quantity
        if q is not None and q.value is not None:
            n = self.whole(c, "quantity", q.value)
            if q.code == "min" or q.unit == "min":
                performers = [
                    self.practitioner(c, f"performer[{i}].actor", p.actor)
                    for i, p in enumerate(c.performer or [])
                ]
                by_assistant = bool(performers) and performers[0] == visit.get("assistant_npi")
                key = "assistant_minutes" if by_assistant else "therapist_minutes"
            else:
                key = "units"
            line[key] = line.get(key, 0) + n
        dx = [code for reason in c.reason or [] for code in _codes(reason, ICD10CM)]
        mods = [x.valueCode for x in _ext(c.extension, EXT_MODIFIER) if x.valueCode]
        for key, new in (("diagnoses", dx), ("modifiers", mods)):
            if new:
                line[key] = list(dict.fromkeys([*line.get(key, []), *new]))
        for x in _ext(c.extension, EXT_DISTINCT):
            if line.setdefault("distinct_reason", x.valueString) != x.valueString:
                raise self.r.fail(c, "extension", "a second, different distinct reason")


def _parse_error(name: str, data: Mapping[str, Any], e: ValidationError) -> InputError:
    err = e.errors()[0]
    loc = list(err["loc"])
    label = "Bundle"
    if loc[:1] == ["entry"] and len(loc) > 2 and loc[2] == "resource":
        raw = data["entry"][loc[1]].get("resource", {})
        kind = raw.get("resourceType", "resource")
        label = f"{kind}/{raw['id']}" if "id" in raw else f"{kind} at entry[{loc[1]}]"
        loc = loc[3:]
    element = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    problem = str(err["msg"]).removeprefix("Value error, ")
    return InputError(f"{name}, {label}" + (f", element {element}" if element else ""), problem)
