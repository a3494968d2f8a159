"""Claims in the ledger: built from visits (coded and checked), moved through their states with
an append-only history, and submitted in 837P batches."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, defer

from otbill.codesets import CodeSets
from otbill.ledger import schema as t
from otbill.ledger.building import Built, Task, build_all
from otbill.ledger.claimdoc import claim_from_doc
from otbill.ledger.db import bulk_work, insert_rows
from otbill.ledger.edits import Edit
from otbill.ledger.lifecycle import check_transition
from otbill.ledger.prevention import practice_codesets
from otbill.ledger.store import episode_docs, load_episodes
from otbill.model import Claim, Episode
from otbill.x12.t837p import Party, build_837p
from otbill.x12.writer import InterchangeInfo

EDITABLE = frozenset({"draft", "ready"})
ZERO = Decimal("0.00")


def now() -> datetime:
    return datetime.now(UTC)


def move(session: Session, claim: t.Claim, target: str, who: str, why: str) -> None:
    """Change a claim's state, refusing what the lifecycle does not allow, and record it."""
    check_transition(claim.number, claim.state, target)
    session.add(
        t.ClaimEvent(
            claim_id=claim.id, at=now(), who=who, from_state=claim.state, to_state=target, why=why
        )
    )
    claim.state = target


@dataclass
class BuildResult:
    built: int = 0
    rebuilt: int = 0
    ready: int = 0
    draft: int = 0
    kept: int = 0  # already past ready: left as they are
    voided: int = 0  # draft or ready claims their visits no longer make
    numbers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # edits that no longer fit


@bulk_work()
def build_claims(
    session: Session,
    practice_id: int,
    as_of: date,
    who: str = "otbill",
    codesets: CodeSets | None = None,
    patient_ids: Iterable[int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> BuildResult:
    """One claim per patient, payer and date of service (a day's visits are coded together),
    with the biller's edits replayed (coding/grouping, ledger/edits), checked with the patient's
    whole history; ``ready`` when no error finding is left, ``draft`` otherwise.

    Draft and ready claims are rebuilt when their visit changed; later states are left alone,
    and in the history they count as stored, with the 835's allowed amounts where one was
    posted (the KX threshold counts what Medicare allowed, not the estimate). A draft or ready
    claim that its visits no longer make (merged away, its visit gone) is voided, with why.
    Rows are written in bulk: a practice builds tens of thousands of claims at a time."""
    result = BuildResult()
    # The practice's own payer edits (made from its denials) are checked with the rules.
    codesets = practice_codesets(session, practice_id, codesets)
    scope = t.Claim.practice_id == practice_id
    wanted = None if patient_ids is None else set(patient_ids)
    if wanted is not None:
        scope = scope & t.Claim.patient_id.in_(wanted)
    existing = {c.number: c for c in session.scalars(select(t.Claim).where(scope))}
    adjudicated = _adjudicated_allowed(
        session, [c for c in existing.values() if c.state not in EDITABLE]
    )
    edits = [
        Edit(e.kind, e.claim_number, e.target_number, e.lines, e.who, e.why)
        for e in session.scalars(
            select(t.ClaimEdit)
            .where(t.ClaimEdit.practice_id == practice_id)
            .order_by(t.ClaimEdit.id)
        )
    ]
    visit_ids = dict(
        session.execute(
            select(t.Visit.ext_id, t.Visit.id).where(t.Visit.practice_id == practice_id)
        ).all()
    )
    stored: dict[int, dict[str, tuple[dict[str, Any], list[Decimal | None]]]] = {}
    for number, allowed in adjudicated.items():
        past = existing[number]
        stored.setdefault(past.patient_id, {})[number] = (past.doc, allowed)
    tasks = [
        Task(pid, doc, stored.get(pid, {}))
        for pid, doc in episode_docs(session, practice_id, wanted).items()
    ]
    stamp = now()
    new_rows: list[dict[str, Any]] = []
    new_claims: dict[str, tuple[Built, str, str]] = {}
    changed: list[tuple[t.Claim, Built, str, str]] = []
    made: set[str] = set()
    for patient_id, built, notes in build_all(
        tasks, edits, as_of, codesets, sum(len(x.episode_doc["visits"]) for x in tasks), progress
    ):
        result.notes.extend(notes)
        for c in built:
            made.add(c.number)
            row = existing.get(c.number)
            if c.stored or (row is not None and row.state not in EDITABLE):
                result.kept += 1
                continue
            state = "ready" if c.clean else "draft"
            why = "no error findings" if c.clean else "errors: " + ", ".join(c.errors)
            doc: dict[str, Any] = {} if row is None else _j(c.doc)
            findings: dict[str, Any] = {} if row is None else _j(c.findings)
            if row is not None and row.doc == doc and row.findings == findings:
                continue
            if row is None:
                new_rows.append(
                    {
                        "practice_id": practice_id,
                        "number": c.number,
                        "patient_id": patient_id,
                        "visit_id": visit_ids[c.first_visit],
                        "payer_ext": c.payer_id,
                        "member_id": c.member_id,
                        "date_of_service": c.date_of_service,
                        "state": state,
                        "frequency": c.frequency,
                        "original_number": c.original_number,
                        "total_charge": c.total_charge,
                        "doc": c.doc,
                        "findings": c.findings,
                    }
                )
                new_claims[c.number] = (c, state, why)
                result.built += 1
            else:
                row.doc, row.findings, row.total_charge = doc, findings, c.total_charge
                row.payer_ext, row.member_id = c.payer_id, c.member_id
                row.date_of_service = c.date_of_service
                changed.append((row, c, state, why))
                result.rebuilt += 1
            if state == "ready":
                result.ready += 1
            else:
                result.draft += 1
            result.numbers.append(c.number)
    for row in existing.values():
        if row.state in EDITABLE and row.number not in made and _coded_here(row):
            move(session, row, "voided", who, _gone_why(session, practice_id, row.number))
            result.voided += 1
    lines: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    if new_rows:
        insert_rows(session, t.Claim, new_rows, json_text=("doc", "findings"))
        ids = dict(
            session.execute(
                select(t.Claim.number, t.Claim.id).where(t.Claim.practice_id == practice_id)
            ).all()
        )
        for number, (c, state, why) in new_claims.items():
            cid = ids[number]
            lines += _line_rows(cid, c)
            events.append(
                {
                    "claim_id": cid,
                    "at": stamp,
                    "who": who,
                    "from_state": None,
                    "to_state": "draft",
                    "why": "built from the visit",
                }
            )
            if state == "ready":
                check_transition(number, "draft", "ready")
                events.append(
                    {
                        "claim_id": cid,
                        "at": stamp,
                        "who": who,
                        "from_state": "draft",
                        "to_state": "ready",
                        "why": why,
                    }
                )
    if changed:
        session.execute(
            delete(t.ClaimLine).where(t.ClaimLine.claim_id.in_([row.id for row, *_ in changed]))
        )
        for row, c, state, why in changed:
            lines += _line_rows(row.id, c)
            if row.state != state:
                move(session, row, state, who, why)
    if lines:
        insert_rows(session, t.ClaimLine, lines)
    if events:
        insert_rows(session, t.ClaimEvent, events)
    session.flush()
    return result


def _adjudicated_allowed(
    session: Session, rows: Sequence[t.Claim]
) -> dict[str, list[Decimal | None]]:
    """For claims past ready: each line's allowed amount as stored (the 835's once posted)."""
    out: dict[str, list[Decimal | None]] = {r.number: [] for r in rows}
    if not rows:
        return out
    numbers = {r.id: r.number for r in rows}
    ids = list(numbers)
    for k in range(0, len(ids), 5000):
        for cid, allowed in session.execute(
            select(t.ClaimLine.claim_id, t.ClaimLine.allowed)
            .where(t.ClaimLine.claim_id.in_(ids[k : k + 5000]))
            .order_by(t.ClaimLine.claim_id, t.ClaimLine.line_no)
        ):
            out[numbers[cid]].append(allowed)
    return out


def _coded_here(row: t.Claim) -> bool:
    """Claims the visits make (not secondary claims, nor void claims, built from claims)."""
    return row.frequency != "8" and not row.doc.get("other_payers")


def _gone_why(session: Session, practice_id: int, number: str) -> str:
    merged = session.scalar(
        select(t.ClaimEdit.target_number).where(
            t.ClaimEdit.practice_id == practice_id,
            t.ClaimEdit.kind == "merge",
            t.ClaimEdit.claim_number == number,
        )
    )
    if merged:
        return f"merged into claim {merged}"
    return "its visits no longer make this claim (changed or removed)"


def _j(text: str) -> Any:
    return json.loads(text)


def _line_rows(claim_id: int, c: Built) -> list[dict[str, Any]]:
    return [
        {
            **ln,
            "claim_id": claim_id,
            "expected_allowed": ln["allowed"],
            "paid": ZERO,
            "adjusted": ZERO,
            "patient_resp": ZERO,
        }
        for ln in c.lines
    ]


SORTS = {
    "date_of_service": t.Claim.date_of_service,
    "number": t.Claim.number,
    "state": t.Claim.state,
    "payer": t.Claim.payer_ext,
    "charge": t.Claim.total_charge,
}


def claims_query(
    practice_id: int,
    state: str | None = None,
    *,
    payer: str | None = None,
    since: date | None = None,
    patient_id: int | None = None,
) -> Any:
    """The practice's claims: in one state, billed to one payer (its id), with dates of service
    from ``since`` on, of one patient, as asked."""
    q = select(t.Claim).where(t.Claim.practice_id == practice_id)
    if state:
        q = q.where(t.Claim.state == state)
    if payer:
        q = q.where(t.Claim.payer_ext == payer)
    if since:
        q = q.where(t.Claim.date_of_service >= since)
    if patient_id is not None:
        q = q.where(t.Claim.patient_id == patient_id)
    return q


def list_claims(
    session: Session,
    practice_id: int,
    state: str | None = None,
    *,
    payer: str | None = None,
    since: date | None = None,
    sort: Sequence[str] = ("date_of_service", "number"),
    limit: int | None = None,
    offset: int = 0,
    with_doc: bool = True,
) -> list[t.Claim]:
    """The claims ``claims_query`` selects, ordered by ``sort`` (keys of SORTS, "-" first for
    descending), a page of them when ``limit`` is given. ``with_doc=False`` leaves the coded
    claim (the largest column) unread until it is asked for: a list does not show it."""
    q = claims_query(practice_id, state, payer=payer, since=since)
    if not with_doc:
        q = q.options(defer(t.Claim.doc))
    order = []
    for key in sort:
        col = SORTS[key.lstrip("-")]
        order.append(col.desc() if key.startswith("-") else col)
    q = q.order_by(*order, t.Claim.id)
    if limit is not None:
        q = q.limit(limit).offset(offset)
    return list(session.scalars(q))


@dataclass
class Submission:
    batch_id: int
    claims: int
    control: int
    path: Path
    text: str


@bulk_work()
def submit(
    session: Session,
    practice_id: int,
    out: Path,
    who: str = "otbill",
    receiver: Party | None = None,
    when: datetime | None = None,
) -> Submission | None:
    """The ready claims in one 837P batch. The file is written beside ``out`` and moved into
    place by the caller after the transaction commits (see ``finish``), so a failed commit
    leaves no file that the ledger does not know about."""
    rows = list(
        session.execute(
            select(t.Claim.id, t.Claim.number, t.Claim.state, t.Claim.patient_id, t.Claim.doc)
            .where(t.Claim.practice_id == practice_id, t.Claim.state == "ready")
            .order_by(t.Claim.date_of_service, t.Claim.number)
        )
    )
    if not rows:
        return None
    # The 837P names the parties; the visits behind the claims are not read again.
    episodes = load_episodes(session, practice_id, {r.patient_id for r in rows}, with_visits=False)
    practice = session.get(t.Practice, practice_id)
    assert practice is not None
    last = session.scalar(
        select(func.max(t.Batch.interchange_control)).where(t.Batch.practice_id == practice_id)
    )
    control = (last or 0) + 1
    stamp = when or now()
    items: list[tuple[Claim, Episode]] = [
        (claim_from_doc(r.doc, explanation=False), episodes[r.patient_id]) for r in rows
    ]
    doc: dict[str, Any] = practice.doc
    sub = Party(doc["name"].upper()[:60], doc["tax_id"])
    rec = receiver or Party("CLEARINGHOUSE", "CLEARINGHOUSE")
    info = InterchangeInfo(doc["tax_id"], rec.id, control, stamp)
    text = build_837p(items, sub, rec, info)
    sha = hashlib.sha256(text.encode()).hexdigest()
    batch = t.Batch(
        practice_id=practice_id,
        interchange_control=control,
        created_at=stamp,
        file_name=str(out),
        sha256=sha,
        claim_count=len(rows),
    )
    session.add(batch)
    session.flush()
    why = f"837P batch {batch.id}, interchange {control:09d}"
    for r in rows:
        check_transition(r.number, r.state, "submitted")
    # Tens of thousands of claims move at once: one UPDATE and one INSERT, not one per claim.
    ids = [r.id for r in rows]
    insert_rows(
        session,
        t.ClaimEvent,
        [
            {
                "claim_id": i,
                "at": stamp,
                "who": who,
                "from_state": "ready",
                "to_state": "submitted",
                "why": why,
            }
            for i in ids
        ],
    )
    for k in range(0, len(ids), 5000):
        session.execute(
            update(t.Claim)
            .where(t.Claim.id.in_(ids[k : k + 5000]))
            .values(state="submitted", batch_id=batch.id, submitted_at=stamp)
            .execution_options(synchronize_session=False)  # expired below instead
        )
    session.expire_all()
    return Submission(batch.id, len(rows), control, out, text)


def write_after_commit(sub: Submission) -> None:
    tmp = sub.path.with_name(sub.path.name + ".partial")
    tmp.write_text(sub.text)
    tmp.replace(sub.path)


def as_claims(rows: Sequence[t.Claim]) -> list[Claim]:
    return [claim_from_doc(r.doc) for r in rows]
