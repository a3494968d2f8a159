"""Episodes back to the JSON input documents (the inverse of otbill.load.json_doc)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any

from otbill.codesets.payers import default_profiles
from otbill.model import (
    Address,
    Authorization,
    Coverage,
    Episode,
    Payer,
    PlanOfCare,
    Provider,
    Service,
    Visit,
)


def _d(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _money(x: Decimal) -> str:
    return f"{x:.2f}"


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _address(a: Address | None) -> dict[str, str] | None:
    if a is None:
        return None
    out = {"line1": a.line1, "city": a.city, "state": a.state, "zip": a.zip}
    if a.line2:
        out["line2"] = a.line2
    return out


def _provider(p: Provider) -> dict[str, Any]:
    out = {
        "npi": p.npi,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "credential": p.credential.value,
    }
    if p.taxonomy:
        out["taxonomy"] = p.taxonomy
    return out


def _payer(p: Payer) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": p.id,
        "name": p.name,
        "kind": p.kind.value,
        "unit_method": p.unit_method.value,
    }
    if p.profile is not None:
        default = default_profiles()[p.kind]
        changed = {
            f.name: getattr(p.profile, f.name)
            for f in fields(p.profile)
            if f.name != "unit_method" and getattr(p.profile, f.name) != getattr(default, f.name)
        }
        if changed:
            out["profile"] = changed
    return out


def _coverage(c: Coverage) -> dict[str, Any]:
    out: dict[str, Any] = {
        "payer_id": c.payer_id,
        "member_id": c.member_id,
        "relationship": c.relationship.value,
        "priority": c.priority,
    }
    if c.period is not None:
        out["start"] = _d(c.period.start)
        if c.period.end is not None:
            out["end"] = _d(c.period.end)
    if c.group:
        out["group"] = c.group
    if c.subscriber is not None:
        s = c.subscriber
        out["subscriber"] = _drop_none(
            {
                "first_name": s.first_name,
                "last_name": s.last_name,
                "birth_date": _d(s.birth_date),
                "sex": s.sex.value,
                "address": _address(s.address),
            }
        )
    if c.injury is not None:
        out["injury"] = _drop_none(
            {
                "claim_number": c.injury.claim_number,
                "date_of_injury": _d(c.injury.date_of_injury),
                "employer": c.injury.employer or None,
            }
        )
    return out


def _plan(p: PlanOfCare) -> dict[str, Any]:
    return _drop_none(
        {
            "id": p.id,
            "discipline": p.discipline.value,
            "start_date": _d(p.start_date),
            "certifying_npi": p.certifying_npi,
            "signed_date": _d(p.signed_date),
            "verbal_order_date": _d(p.verbal_order_date),
            "certified_through": _d(p.certified_through),
            "first_treatment_date": _d(p.first_treatment_date),
            "frequency_per_week": p.frequency_per_week,
            "duration_weeks": p.duration_weeks,
            "diagnoses": list(p.diagnoses),
        }
    )


def _authorization(a: Authorization) -> dict[str, Any]:
    assert a.period.end is not None, "an authorization has an end date"
    out = _drop_none(
        {
            "number": a.number,
            "payer_id": a.payer_id,
            "start": _d(a.period.start),
            "end": _d(a.period.end),
            "visits_allowed": a.visits_allowed,
            "units_allowed": a.units_allowed,
            "discipline": a.discipline.value if a.discipline else None,
        }
    )
    if a.units_by_code:
        out["units_by_code"] = dict(a.units_by_code)
    return out


def _service(s: Service) -> dict[str, Any]:
    out: dict[str, Any] = {"code": s.code}
    if s.minutes_therapist:
        out["therapist_minutes"] = s.minutes_therapist
    if s.minutes_assistant:
        out["assistant_minutes"] = s.minutes_assistant
    if s.units is not None:
        out["units"] = s.units
    if s.modifiers:
        out["modifiers"] = list(s.modifiers)
    if s.distinct_reason:
        out["distinct_reason"] = s.distinct_reason
    if s.diagnoses:
        out["diagnoses"] = list(s.diagnoses)
    return out


def _visit(v: Visit) -> dict[str, Any]:
    d = v.documentation
    doc: dict[str, Any] = {
        "note_signed": d.note_signed,
        "timed_minutes_recorded": d.timed_minutes_recorded,
        "progress_report": d.progress_report,
        "medical_necessity_documented": d.medical_necessity_documented,
        "discharge": d.discharge,
    }
    if d.total_treatment_minutes is not None:
        doc["total_treatment_minutes"] = d.total_treatment_minutes
    return _drop_none(
        {
            "id": v.id,
            "date": _d(v.date),
            "place_of_service": v.place_of_service,
            "rendering_npi": v.rendering_npi,
            "supervising_npi": v.supervising_npi,
            "assistant_npi": v.assistant_npi,
            "plan_of_care_id": v.plan_of_care_id,
            "diagnoses": list(v.diagnoses),
            "services": [_service(s) for s in v.services],
            "documentation": doc,
            "authorization_number": v.authorization_number,
        }
    )


def _context(e: Episode) -> dict[str, Any]:
    p = e.practice
    practice: dict[str, Any] = {
        "name": p.name,
        "npi": p.npi,
        "tax_id": p.tax_id,
        "taxonomy": p.taxonomy,
        "address": _address(p.address),
        "charges": {code: _money(v) for code, v in p.charges.items()},
    }
    if p.pfs_locality:
        practice["pfs_locality"] = p.pfs_locality
    pt = e.patient
    out: dict[str, Any] = {
        "practice": practice,
        "providers": [_provider(x) for x in e.providers.values()],
        "payers": [_payer(x) for x in e.payers.values()],
        "patient": _drop_none(
            {
                "id": pt.id,
                "first_name": pt.first_name,
                "last_name": pt.last_name,
                "birth_date": _d(pt.birth_date),
                "sex": pt.sex.value,
                "address": _address(pt.address),
            }
        ),
        "coverages": [_coverage(c) for c in e.coverages],
        "plans_of_care": [_plan(x) for x in e.plans_of_care],
        "authorizations": [_authorization(a) for a in e.authorizations],
    }
    if e.silences:
        out["silences"] = [
            {"rule": s.rule, "claim": s.claim_id, "by": s.by, "why": s.why} for s in e.silences
        ]
    return out


def episode_document(e: Episode) -> dict[str, Any]:
    return {"document": "episode", **_context(e), "visits": [_visit(v) for v in e.visits]}


def visit_document(e: Episode, v: Visit) -> dict[str, Any]:
    return {"document": "visit", **_context(e), "visit": _visit(v)}
