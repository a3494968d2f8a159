"""The denial work queue as a biller works it: list, show, assign, note, act.

Items are opened and settled by posting and acknowledgments (ledger/queue). A person assigns
them, notes them, and ends each in an action that the claim's existing lifecycle carries out
(ledger/workflow): correct (a replacement claim, or a reopening where the payer takes none),
resubmit as a new claim, appeal (an appeal record at its level, with the deadline), void, write
off with a reason code, bill the patient (only what the payer put on the patient, group PR),
bill the secondary, or close with no action. Every step is an event in the item's append-only
history, with who and why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otbill.codesets._csv import data_rows
from otbill.denials.causes import ACTIONS, CATEGORIES
from otbill.denials.deadlines import MEDICARE_LEVELS
from otbill.errors import OtbillError
from otbill.ledger import schema as t
from otbill.ledger.queue import OPEN, now, payer_facts, unknown_payer
from otbill.ledger.workflow import Outcome, appeal, close, correct, void

# What `act` takes: the queue's actions, plus closing an item that needs none.
ACT = (*ACTIONS, "close")
_CODE = re.compile(r"^[A-Z0-9]{1,10}$")


class WorkError(OtbillError):
    """A work-queue step that cannot be taken, with the reason."""


def write_off_codes() -> dict[str, str]:
    return {r["code"]: r["meaning"] for _, r in data_rows("write_off_codes.csv")}


@dataclass(frozen=True)
class ItemView:
    id: int
    claim: str
    claim_state: str
    patient: str
    payer: str
    date_of_service: date
    kind: str
    line: int | None
    code: str
    reason: str  # "CO-50"
    remarks: str
    category: str
    cause: str  # the category in words
    action: str  # suggested
    amount: Decimal
    opened_on: date
    due_on: date | None
    days_left: int | None
    level: int
    state: str
    assignee: str | None
    outcome: str | None
    write_off_code: str | None
    therapist: str
    age_days: int
    why: str
    deadline: str  # the rule that set due_on, in words
    preventable: str
    appealable: str
    rules: list[str]
    meaning: list[str]  # the CARC and each RARC in words (X12's where a list is loaded)


def _meanings(row: t.WorkItem, codes: _Codes) -> list[str]:
    out = []
    if row.reason:
        e = codes.carc.get(row.reason)
        out.append(f"CARC {row.reason}: {e.description if e else 'not in any loaded list'}")
    for r in row.remarks.split():
        e = codes.rarc.get(r)
        out.append(f"RARC {r}: {e.description if e else 'not in any loaded list'}")
    return out


@dataclass(frozen=True)
class _Codes:
    carc: dict[str, Any]
    rarc: dict[str, Any]

    @classmethod
    def of(
        cls, session: Session, carcs: set[str] | None = None, rarcs: set[str] | None = None
    ) -> _Codes:
        """The CARC and RARC tables, or only the codes named (a page's, not all of X12's)."""
        from otbill.ledger.codes import code_table

        return cls(code_table(session, "CARC", carcs), code_table(session, "RARC", rarcs))

    @classmethod
    def for_items(cls, session: Session, rows: Sequence[t.WorkItem]) -> _Codes:
        carcs = {r.reason for r in rows if r.reason}
        return cls.of(session, carcs, {m for r in rows for m in r.remarks.split()})


def _view(row: t.WorkItem, claim: Any, patient: str, today: date, codes: _Codes) -> ItemView:
    d = row.doc
    return ItemView(
        row.id,
        claim.number,
        claim.state,
        patient,
        row.payer_ext,
        claim.date_of_service,
        row.kind,
        row.line_no,
        row.code,
        f"{row.group_code}-{row.reason}" if row.reason else "",
        row.remarks,
        row.category,
        CATEGORIES.get(row.category, row.category),
        row.action,
        row.amount,
        row.opened_on,
        row.due_on,
        None if row.due_on is None else (row.due_on - today).days,
        row.level,
        row.state,
        row.assignee,
        row.outcome,
        row.write_off_code,
        row.rendering_npi,
        (today - row.opened_on).days,
        d.get("why", ""),
        d.get("deadline_rule", ""),
        d.get("preventable", ""),
        d.get("appealable", ""),
        list(d.get("rules", [])),
        _meanings(row, codes),
    )


# Sort keys of the queue: the column each orders by (age: the oldest first is the earliest
# opened). Every order ends in the item's id, so pages do not overlap or skip.
ITEM_SORTS = {"due": "due", "amount": "amount", "age": "age", "claim": "claim"}


@dataclass(frozen=True)
class Queue:
    """A page of the queue and the whole queue's size and money."""

    items: list[ItemView]
    total: int
    amount: Decimal


def _queue_filters(
    practice_id: int,
    today: date,
    state: str,
    payer: str | None,
    reason: str | None,
    category: str | None,
    therapist: str | None,
    assignee: str | None,
    min_age: int | None,
    max_age: int | None,
) -> list[Any]:
    W = t.WorkItem
    where: list[Any] = [W.practice_id == practice_id]
    if state != "all":
        where.append(W.state == state)
    if payer:
        where.append(W.payer_ext == payer)
    if reason:
        group, _, carc = reason.rpartition("-")
        where.append(W.reason == carc)
        if group:
            where.append(W.group_code == group)
    if category:
        where.append(W.category == category)
    if therapist:
        where.append(W.rendering_npi == therapist)
    if assignee:
        where.append(W.assignee == assignee)
    # Age in days since opened: at least n days old is opened on or before today - n.
    if min_age is not None:
        where.append(W.opened_on <= today - timedelta(days=min_age))
    if max_age is not None:
        where.append(W.opened_on >= today - timedelta(days=max_age))
    return where


def _order(keys: Sequence[str]) -> list[Any]:
    W, C = t.WorkItem, t.Claim
    columns = {"due": W.due_on, "amount": W.amount, "age": W.opened_on, "claim": C.number}
    out: list[Any] = []
    for key in keys:
        name, down = key.lstrip("-"), key.startswith("-")
        col = columns[ITEM_SORTS[name]]
        if name == "age":
            down = not down  # the oldest (opened first) is the greatest age
        if name == "due":
            out.append(W.due_on.is_(None))  # no deadline on file: last either way
        out.append(col.desc() if down else col.asc())
    return out


def queue_page(
    session: Session,
    practice_id: int,
    today: date,
    *,
    state: str = "open",
    payer: str | None = None,
    reason: str | None = None,
    category: str | None = None,
    therapist: str | None = None,
    assignee: str | None = None,
    min_age: int | None = None,
    max_age: int | None = None,
    sort: Sequence[str] = (),
    limit: int | None = None,
    offset: int = 0,
) -> Queue:
    """The queue, soonest deadline first and then the most money (items with no deadline on
    file last), or in the order of ``sort`` (keys of ITEM_SORTS, "-" descending); a page of
    it when ``limit`` is given, filtered, ordered and counted in the database (a billing
    company's queue is thousands of items). ``state``: open, waiting, closed or all;
    ``reason`` a CARC ("50") or group and CARC ("CO-50"); ages in days since opened."""
    W, C, P = t.WorkItem, t.Claim, t.Patient
    where = _queue_filters(
        practice_id, today, state, payer, reason, category, therapist, assignee, min_age, max_age
    )
    total, amount = session.execute(
        select(func.count(), func.coalesce(func.sum(W.amount), 0)).where(*where)
    ).one()
    q = (
        select(W, C.number, C.state, C.date_of_service, P.last_name, P.first_name, P.ext_id)
        .join(C, C.id == W.claim_id)
        .join(P, P.id == C.patient_id)
        .where(*where)
        .order_by(*_order(sort or ("due", "-amount")), W.id)
    )
    if limit is not None:
        q = q.limit(limit).offset(offset)
    rows = list(session.execute(q))
    codes = _Codes.for_items(session, [r[0] for r in rows])
    items = [
        _view(row, _ClaimCols(number, claim_state, dos), f"{last}, {first} ({ext})", today, codes)
        for row, number, claim_state, dos, last, first, ext in rows
    ]
    return Queue(items, int(total), Decimal(amount))


def queue_ids(
    session: Session,
    practice_id: int,
    today: date,
    *,
    sort: Sequence[str] = (),
    state: str = "open",
    payer: str | None = None,
    reason: str | None = None,
    category: str | None = None,
    therapist: str | None = None,
    assignee: str | None = None,
    min_age: int | None = None,
    max_age: int | None = None,
) -> list[int]:
    """The queue's item ids in its order (``queue_page``'s filters and sort): one narrow
    query, for the item before and after the one a person is working."""
    W, C = t.WorkItem, t.Claim
    where = _queue_filters(
        practice_id, today, state, payer, reason, category, therapist, assignee, min_age, max_age
    )
    q = (
        select(W.id)
        .join(C, C.id == W.claim_id)
        .where(*where)
        .order_by(*_order(sort or ("due", "-amount")), W.id)
    )
    return list(session.scalars(q))


def deadline_counts(session: Session, practice_id: int, today: date, soon: int) -> tuple[int, int]:
    """(open items past their deadline, open items due within ``soon`` days)."""
    W = t.WorkItem
    open_ = (W.practice_id == practice_id, W.state == "open")
    past = session.scalar(select(func.count()).where(*open_, W.due_on < today))
    near = session.scalar(
        select(func.count()).where(
            *open_, W.due_on >= today, W.due_on <= today + timedelta(days=soon)
        )
    )
    return int(past or 0), int(near or 0)


def list_items(session: Session, practice_id: int, today: date, **filters: Any) -> list[ItemView]:
    """The whole queue (see ``queue_page`` for the filters and the order)."""
    return queue_page(session, practice_id, today, **filters).items


@dataclass(frozen=True)
class _ClaimCols:
    number: str
    state: str
    date_of_service: date


def get_item(session: Session, practice_id: int, item_id: int) -> t.WorkItem:
    row = session.get(t.WorkItem, item_id)
    if row is None or row.practice_id != practice_id:
        raise WorkError(f"no work item {item_id} in this practice")
    return row


def _claim_and_patient(session: Session, row: t.WorkItem) -> tuple[t.Claim, str]:
    claim = session.get(t.Claim, row.claim_id)
    assert claim is not None
    p = session.get(t.Patient, claim.patient_id)
    assert p is not None
    return claim, f"{p.last_name}, {p.first_name} ({p.ext_id})"


@dataclass(frozen=True)
class ItemDetail:
    item: ItemView
    history: list[dict[str, Any]]
    appeals: list[dict[str, Any]]
    others: list[int]  # the claim's other items still open or waiting


def show_item(session: Session, practice_id: int, item_id: int, today: date) -> ItemDetail:
    row = get_item(session, practice_id, item_id)
    claim, patient = _claim_and_patient(session, row)
    history = [
        {"at": e.at, "who": e.who, "kind": e.kind, "text": e.text}
        for e in session.scalars(
            select(t.WorkItemEvent)
            .where(t.WorkItemEvent.item_id == row.id)
            .order_by(t.WorkItemEvent.id)
        )
    ]
    appeals = [
        {
            "level": a.level,
            "name": a.name,
            "filed_on": a.filed_on,
            "due_on": a.due_on,
            "decision": a.decision,
            "decided_on": a.decided_on,
            "next_due_on": a.next_due_on,
        }
        for a in session.scalars(
            select(t.Appeal).where(t.Appeal.item_id == row.id).order_by(t.Appeal.id)
        )
    ]
    others = list(
        session.scalars(
            select(t.WorkItem.id).where(
                t.WorkItem.claim_id == row.claim_id,
                t.WorkItem.id != row.id,
                t.WorkItem.state.in_(OPEN),
            )
        )
    )
    view = _view(row, claim, patient, today, _Codes.for_items(session, [row]))
    return ItemDetail(view, history, appeals, others)


def _event(session: Session, row: t.WorkItem, who: str, kind: str, text: str) -> None:
    session.add(t.WorkItemEvent(item_id=row.id, at=now(), who=who, kind=kind, text=text))
    session.flush()


def assign(session: Session, practice_id: int, item_id: int, to: str, who: str) -> ItemView:
    row = get_item(session, practice_id, item_id)
    if not to.strip():
        raise WorkError("assign to whom? give a user name")
    before = row.assignee
    row.assignee = to.strip()
    _event(session, row, who, "assigned", f"from {before or 'nobody'} to {row.assignee}")
    return _reload(session, row)


def note(session: Session, practice_id: int, item_id: int, text: str, who: str) -> ItemView:
    row = get_item(session, practice_id, item_id)
    if not text.strip():
        raise WorkError("a note needs some text")
    _event(session, row, who, "note", text.strip())
    return _reload(session, row)


def _reload(session: Session, row: t.WorkItem) -> ItemView:
    claim, patient = _claim_and_patient(session, row)
    return _view(row, claim, patient, now().date(), _Codes.for_items(session, [row]))


@dataclass(frozen=True)
class ActResult:
    item: int
    action: str
    state: str  # the item's state after
    claim: str
    claim_state: str
    new_claim: str | None
    message: str
    also: list[int]  # the claim's other items the same action settled


def level_name(medicare: bool, level: int) -> str:
    if medicare:
        return MEDICARE_LEVELS[min(level, 5) - 1].name
    return "first-level appeal" if level == 1 else f"level {level} appeal"


def act(
    session: Session,
    practice_id: int,
    item_id: int,
    action: str,
    who: str,
    why: str,
    today: date,
    *,
    code: str | None = None,
    letter: dict[str, Any] | None = None,
) -> ActResult:
    """End an item in an action, carried out by the claim's lifecycle (see the module's text)."""
    if action not in ACT:
        raise WorkError(f"unknown action {action!r}: one of {', '.join(ACT)}")
    if not why.strip():
        raise WorkError("say why: the reason is kept in the item's history")
    row = get_item(session, practice_id, item_id)
    if row.state == "closed":
        raise WorkError(f"item {item_id} is closed ({row.outcome}): nothing left to do")
    claim, _ = _claim_and_patient(session, row)
    number = claim.number
    payer = payer_facts(session, practice_id).get(row.payer_ext) or unknown_payer()
    outcome: Outcome | None = None
    new_claim = None
    if action in ("correct", "resubmit"):
        if action == "resubmit" and claim.state not in ("rejected",):
            raise WorkError(
                f"claim {number} is {claim.state}: only a claim returned unprocessable or "
                "rejected goes again as a new claim; a processed one is corrected (act correct)"
            )
        outcome = correct(session, practice_id, number, who, why, today)
        new_claim = outcome.new_claim
        state, done = (
            ("closed", "resubmitted")
            if outcome.action == "resubmit"
            else (
                "waiting",
                "corrected",
            )
        )
    elif action == "appeal":
        outcome = appeal(session, practice_id, number, who, why)
        name = level_name(payer.medicare_ffs, row.level)
        session.add(
            t.Appeal(
                practice_id=practice_id,
                claim_id=claim.id,
                item_id=row.id,
                level=row.level,
                name=name,
                filed_on=today,
                due_on=row.due_on,
                decision="pending",
                at=now(),
                who=who,
                doc={"why": why, "letter": letter},
            )
        )
        state, done = "waiting", "appealed"
    elif action == "void":
        outcome = void(session, practice_id, number, who, why)
        new_claim = outcome.new_claim
        state, done = "closed", "voided"
    elif action == "write_off":
        if not code or not _CODE.match(code.upper()):
            raise WorkError(
                "a write-off needs a reason code (--code), e.g. "
                + ", ".join(f"{k} ({v})" for k, v in list(write_off_codes().items())[:3])
            )
        row.write_off_code = code.upper()
        state, done = "closed", "written_off"
    elif action == "bill_patient":
        if row.group_code != "PR":
            raise WorkError(
                f"item {item_id} is {row.group_code}-{row.reason}: an amount the payer put on "
                "the practice (not group PR) may not be billed to the patient"
            )
        state, done = "closed", "billed_patient"
    elif action == "bill_secondary":
        from otbill.ledger.secondary import build_secondary

        built = build_secondary(session, practice_id, today, who)
        mine = [n for n in built.built if n.startswith(number)] if built.built else []
        new_claim = mine[0] if mine else None
        state, done = "closed", "billed_secondary"
    else:  # none, close
        state, done = "closed", "no_action"
    also = _settle(session, row, action, state, done, who, why)
    if state == "closed" and done in ("written_off", "no_action", "billed_patient"):
        _close_claim_when_done(session, practice_id, claim, who, why)
    return ActResult(
        row.id,
        action,
        state,
        number,
        claim.state,
        new_claim,
        (outcome.message if outcome else f"item {row.id}: {done.replace('_', ' ')}"),
        also,
    )


def _settle(
    session: Session, row: t.WorkItem, action: str, state: str, done: str, who: str, why: str
) -> list[int]:
    """The item, and the claim's other open items that the same claim-wide action settles
    (a corrected, resubmitted, appealed or voided claim answers for all its lines)."""
    rows = [row]
    if action in ("correct", "resubmit", "appeal", "void"):
        rows += list(
            session.scalars(
                select(t.WorkItem).where(
                    t.WorkItem.claim_id == row.claim_id,
                    t.WorkItem.id != row.id,
                    t.WorkItem.state == "open",
                    t.WorkItem.action == row.action,
                )
            )
        )
    stamp = now()
    for r in rows:
        r.state, r.outcome = state, done
        if state == "closed":
            r.closed_at = stamp
        text = f"{ACTIONS.get(action, action)}: {why}"
        if r is not row:
            text += f" (with item {row.id})"
        if r.write_off_code is None and row.write_off_code:
            r.write_off_code = row.write_off_code
        _event(session, r, who, "action", text)
    return [r.id for r in rows[1:]]


def _close_claim_when_done(
    session: Session, practice_id: int, claim: t.Claim, who: str, why: str
) -> None:
    """A denied claim whose every item has ended without going back to the payer is closed."""
    left = session.scalar(
        select(t.WorkItem.id).where(t.WorkItem.claim_id == claim.id, t.WorkItem.state.in_(OPEN))
    )
    if left is None and claim.state in ("denied", "partially_paid", "rejected"):
        close(session, practice_id, claim.number, who, f"denial work done: {why}")
