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

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from otbill.export.documents import episode_document
from otbill.ledger import schema as t
from otbill.ledger.db import bulk_work, insert_returning_ids, insert_rows
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


@bulk_work()
def import_episodes(session: Session, episodes: Sequence[Episode]) -> ImportResult:
    """Upsert every part of ``episodes`` (all of one practice) in the caller's transaction.

    A practice imports tens of thousands of visits at once: existing rows are read once per
    table, and new and changed rows are written in bulk statements, not one at a time."""
    if not episodes:
        raise ValueError("nothing to import")
    docs = [episode_document(e) for e in episodes]
    first = docs[0]["practice"]
    for doc in docs:
        if doc["practice"]["npi"] != first["npi"]:
            raise ValueError("one import holds one practice's episodes")
    # A file prices the codes it bills (a CSV export, a FHIR bundle): its charges are added to
    # the charge master on file, never put in place of it.
    practice = session.scalar(select(t.Practice).where(t.Practice.npi == first["npi"]))
    charges = dict(practice.doc.get("charges", {})) if practice is not None else {}
    for d in docs:
        charges.update(d["practice"].get("charges", {}))
    merged = {**first, "charges": charges}
    if practice is None:
        practice = t.Practice(npi=first["npi"], name=first["name"], doc=merged)
        session.add(practice)
        session.flush()
    elif practice.doc != merged:
        practice.doc, practice.name = merged, first["name"]
    pid = practice.id
    result = ImportResult(pid)
    stamp = _now()

    providers = {p["npi"]: p for d in docs for p in d["providers"]}
    _upsert(
        session,
        t.Provider,
        {
            r.npi: r
            for r in session.scalars(select(t.Provider).where(t.Provider.practice_id == pid))
        },
        {k: {"practice_id": pid, "npi": k, "doc": v} for k, v in providers.items()},
    )
    payers = {p["id"]: p for d in docs for p in d["payers"]}
    _upsert(
        session,
        t.Payer,
        {r.ext_id: r for r in session.scalars(select(t.Payer).where(t.Payer.practice_id == pid))},
        {
            k: {"practice_id": pid, "ext_id": k, "name": v["name"], "doc": v}
            for k, v in payers.items()
        },
    )
    patients = {d["patient"]["id"]: d["patient"] for d in docs}
    ids = _upsert(
        session,
        t.Patient,
        {
            r.ext_id: r
            for r in session.scalars(select(t.Patient).where(t.Patient.practice_id == pid))
        },
        {
            k: {
                "practice_id": pid,
                "ext_id": k,
                "last_name": v["last_name"],
                "first_name": v["first_name"],
                "doc": v,
            }
            for k, v in patients.items()
        },
        need_ids=True,
    )
    result.patients = len(patients)
    children: list[tuple[Any, str, Any]] = [
        (t.Coverage, "coverages", lambda c: (c["payer_id"], c["member_id"])),
        (t.PlanOfCare, "plans_of_care", lambda p: p["id"]),
        (t.Authorization, "authorizations", lambda a: a["number"]),
    ]
    for table, part, key in children:
        existing = {
            (r.patient_id, _child_key(table, r)): r
            for r in session.scalars(select(table).where(table.practice_id == pid))
        }
        wanted: dict[Any, dict[str, Any]] = {}
        for d in docs:
            patient_id = ids[d["patient"]["id"]]
            for item in d[part]:
                k = key(item)
                row = {"practice_id": pid, "patient_id": patient_id, "doc": item}
                row.update(_child_columns(table, item))
                wanted[(patient_id, k)] = row
        _upsert(session, table, existing, wanted)
    visits = {
        r.ext_id: r for r in session.scalars(select(t.Visit).where(t.Visit.practice_id == pid))
    }
    wanted_visits: dict[str, dict[str, Any]] = {}
    for d in docs:
        patient_id = ids[d["patient"]["id"]]
        for v in d["visits"]:
            wanted_visits[v["id"]] = {
                "practice_id": pid,
                "patient_id": patient_id,
                "ext_id": v["id"],
                "date_of_service": date.fromisoformat(v["date"]),
                "doc": v,
                "updated_at": stamp,
            }
    added = [k for k in wanted_visits if k not in visits]
    changed = [
        k
        for k, row in wanted_visits.items()
        if k in visits
        and (visits[k].doc != row["doc"] or visits[k].patient_id != row["patient_id"])
    ]
    _upsert(session, t.Visit, visits, {k: wanted_visits[k] for k in [*added, *changed]})
    result.visits_added, result.visits_updated = len(added), len(changed)
    session.flush()
    # Bulk UPDATEs by primary key leave loaded objects as they were: let them be read afresh.
    session.expire_all()
    return result


def _child_key(table: Any, row: Any) -> Any:
    if table is t.Coverage:
        return (row.payer_ext, row.member_id)
    if table is t.PlanOfCare:
        return row.ext_id
    return row.number


def _child_columns(table: Any, item: dict[str, Any]) -> dict[str, Any]:
    if table is t.Coverage:
        return {"payer_ext": item["payer_id"], "member_id": item["member_id"]}
    if table is t.PlanOfCare:
        return {"ext_id": item["id"]}
    return {"number": item["number"]}


def _upsert(
    session: Session,
    table: Any,
    existing: dict[Any, Any],
    wanted: dict[Any, dict[str, Any]],
    need_ids: bool = False,
) -> dict[Any, int]:
    """Insert the rows of ``wanted`` not in ``existing`` and update those whose values differ,
    each in bulk; with ``need_ids``, the row ids by key (RETURNING costs a statement a row on
    SQLite, so only where the ids are used)."""
    ids = {k: r.id for k, r in existing.items()}
    new_keys = [k for k in wanted if k not in existing]
    updates = []
    for k, row in wanted.items():
        old = existing.get(k)
        if old is not None and any(
            getattr(old, c) != v for c, v in row.items() if c != "updated_at"
        ):
            updates.append({"id": old.id, **row})
    if new_keys and not need_ids:
        insert_rows(session, table, [wanted[key] for key in new_keys])
    elif new_keys:
        for k in range(0, len(new_keys), 5000):
            chunk = new_keys[k : k + 5000]
            got = insert_returning_ids(session, table, [wanted[key] for key in chunk])
            ids.update(zip(chunk, got, strict=True))
    if updates:
        session.execute(update(table), updates)
    return ids


def load_episodes(
    session: Session,
    practice_id: int,
    patient_ids: Iterable[int] | None = None,
    with_visits: bool = True,
) -> dict[int, Episode]:
    """Episodes by patient row id, rebuilt through the document loader."""
    return {
        pid: load_document(doc, validate=False)  # validated when it was imported
        for pid, doc in episode_docs(session, practice_id, patient_ids, with_visits).items()
    }


def episode_docs(
    session: Session,
    practice_id: int,
    patient_ids: Iterable[int] | None = None,
    with_visits: bool = True,
) -> dict[int, dict[str, Any]]:
    """Each patient's episode document, as stored (by patient row id). Without visits for
    what needs only the parties (an 837P batch): they are most of the reading."""
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

    def of(table: Any) -> Any:
        # All the practice's rows, or the wanted patients' (an IN list only when it is short).
        if wanted is None or len(wanted) > 5000:
            return table.practice_id == practice_id
        return table.patient_id.in_(ids)

    for name, table in tables:
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for patient_id, doc in session.execute(
            select(table.patient_id, table.doc).where(of(table))
        ):
            grouped[patient_id].append(doc)
        children[name] = grouped
    visits: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if with_visits:
        for patient_id, doc in session.execute(
            select(t.Visit.patient_id, t.Visit.doc)
            .where(of(t.Visit))
            .order_by(t.Visit.date_of_service, t.Visit.id)
        ):
            visits[patient_id].append(doc)
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
        out[p.id] = doc
    return out
