"""Import episodes into the ledger and read them back.

Each part of a document is stored as its JSON document fragment under its natural key (a
provider by NPI, a visit by its id, a coverage by payer and member id), so importing the same
visit again updates it and never duplicates it, and an Episode read back goes through the same
validated loader as a file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otbill.export.documents import episode_document
from otbill.ledger import schema as t
from otbill.load.json_doc import load_document
from otbill.model import Episode


@dataclass
class ImportResult:
    practice_id: int
    visits_added: int = 0
    visits_updated: int = 0
    patients: int = 0


def _now() -> datetime:
    return datetime.now(UTC)


def _by(rows: Iterable[Any], *keys: str) -> dict[Any, Any]:
    out = {}
    for r in rows:
        out[tuple(getattr(r, k) for k in keys) if len(keys) > 1 else getattr(r, keys[0])] = r
    return out


def import_episodes(session: Session, episodes: Sequence[Episode]) -> ImportResult:
    """Upsert every part of ``episodes`` (all of one practice) in the caller's transaction."""
    if not episodes:
        raise ValueError("nothing to import")
    docs = [episode_document(e) for e in episodes]
    first = docs[0]["practice"]
    practice = session.scalar(select(t.Practice).where(t.Practice.npi == first["npi"]))
    if practice is None:
        practice = t.Practice(npi=first["npi"], name=first["name"], doc=first)
        session.add(practice)
        session.flush()
    else:
        practice.doc, practice.name = first, first["name"]
    pid = practice.id
    result = ImportResult(pid)
    providers = _by(session.scalars(select(t.Provider).where(t.Provider.practice_id == pid)), "npi")
    payers = _by(session.scalars(select(t.Payer).where(t.Payer.practice_id == pid)), "ext_id")
    patients = _by(session.scalars(select(t.Patient).where(t.Patient.practice_id == pid)), "ext_id")
    visits = _by(session.scalars(select(t.Visit).where(t.Visit.practice_id == pid)), "ext_id")
    for doc in docs:
        if doc["practice"]["npi"] != practice.npi:
            raise ValueError("one import holds one practice's episodes")
        for p in doc["providers"]:
            row = providers.get(p["npi"])
            if row is None:
                row = providers[p["npi"]] = t.Provider(practice_id=pid, npi=p["npi"], doc=p)
                session.add(row)
            else:
                row.doc = p
        for p in doc["payers"]:
            row = payers.get(p["id"])
            if row is None:
                row = payers[p["id"]] = t.Payer(
                    practice_id=pid, ext_id=p["id"], name=p["name"], doc=p
                )
                session.add(row)
            else:
                row.doc, row.name = p, p["name"]
        pt = doc["patient"]
        patient = patients.get(pt["id"])
        if patient is None:
            patient = patients[pt["id"]] = t.Patient(
                practice_id=pid,
                ext_id=pt["id"],
                last_name=pt["last_name"],
                first_name=pt["first_name"],
                doc=pt,
            )
            session.add(patient)
            session.flush()
        else:
            patient.doc, patient.last_name, patient.first_name = (
                pt,
                pt["last_name"],
                pt["first_name"],
            )
        result.patients += 1
        _upsert_children(session, pid, patient.id, doc)
        for v in doc["visits"]:
            row = visits.get(v["id"])
            day = date.fromisoformat(v["date"])
            if row is None:
                row = visits[v["id"]] = t.Visit(
                    practice_id=pid,
                    patient_id=patient.id,
                    ext_id=v["id"],
                    date_of_service=day,
                    doc=v,
                    updated_at=_now(),
                )
                session.add(row)
                result.visits_added += 1
            elif row.doc != v or row.patient_id != patient.id:
                row.doc, row.patient_id, row.date_of_service = v, patient.id, day
                row.updated_at = _now()
                result.visits_updated += 1
    session.flush()
    return result


def _upsert_children(session: Session, pid: int, patient_id: int, doc: dict[str, Any]) -> None:
    covs = _by(
        session.scalars(select(t.Coverage).where(t.Coverage.patient_id == patient_id)),
        "payer_ext",
        "member_id",
    )
    for c in doc["coverages"]:
        row = covs.get((c["payer_id"], c["member_id"]))
        if row is None:
            session.add(
                t.Coverage(
                    practice_id=pid,
                    patient_id=patient_id,
                    payer_ext=c["payer_id"],
                    member_id=c["member_id"],
                    doc=c,
                )
            )
        else:
            row.doc = c
    plans = _by(
        session.scalars(select(t.PlanOfCare).where(t.PlanOfCare.patient_id == patient_id)), "ext_id"
    )
    for p in doc["plans_of_care"]:
        row = plans.get(p["id"])
        if row is None:
            session.add(t.PlanOfCare(practice_id=pid, patient_id=patient_id, ext_id=p["id"], doc=p))
        else:
            row.doc = p
    auths = _by(
        session.scalars(select(t.Authorization).where(t.Authorization.patient_id == patient_id)),
        "number",
    )
    for a in doc["authorizations"]:
        row = auths.get(a["number"])
        if row is None:
            session.add(
                t.Authorization(practice_id=pid, patient_id=patient_id, number=a["number"], doc=a)
            )
        else:
            row.doc = a


def load_episodes(
    session: Session, practice_id: int, patient_ids: Iterable[int] | None = None
) -> dict[int, Episode]:
    """Episodes by patient row id, rebuilt through the document loader."""
    practice = session.get(t.Practice, practice_id)
    if practice is None:
        raise ValueError(f"no practice {practice_id}")
    providers = [
        r.doc
        for r in session.scalars(select(t.Provider).where(t.Provider.practice_id == practice_id))
    ]
    payers = [
        r.doc for r in session.scalars(select(t.Payer).where(t.Payer.practice_id == practice_id))
    ]
    q = select(t.Patient).where(t.Patient.practice_id == practice_id)
    wanted = None if patient_ids is None else set(patient_ids)
    if wanted is not None:
        q = q.where(t.Patient.id.in_(wanted))
    patients = list(session.scalars(q))
    ids = [p.id for p in patients]
    children: dict[str, dict[int, list[dict[str, Any]]]] = {}
    tables: list[tuple[str, Any]] = [
        ("coverages", t.Coverage),
        ("plans_of_care", t.PlanOfCare),
        ("authorizations", t.Authorization),
    ]
    for name, table in tables:
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in session.scalars(select(table).where(table.patient_id.in_(ids))):
            grouped[row.patient_id].append(row.doc)
        children[name] = grouped
    visits: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in session.scalars(
        select(t.Visit)
        .where(t.Visit.patient_id.in_(ids))
        .order_by(t.Visit.date_of_service, t.Visit.id)
    ):
        visits[row.patient_id].append(row.doc)
    out = {}
    for p in patients:
        doc = {
            "document": "episode",
            "practice": practice.doc,
            "providers": providers,
            "payers": payers,
            "patient": p.doc,
            "coverages": children["coverages"][p.id],
            "plans_of_care": children["plans_of_care"][p.id],
            "authorizations": children["authorizations"][p.id],
            "visits": visits[p.id],
        }
        out[p.id] = load_document(doc, validate=False)  # validated when it was imported
    return out
