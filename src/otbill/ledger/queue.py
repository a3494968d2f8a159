"""The work queue kept current by posting and acknowledgments, in their transaction.

Posting hands each claim payment, the lines its services were posted to, and each reversal to a
``QueueBatch``; at the end of the remittance it opens an item for each draft otbill.denials.queue
makes (a key per posting, line and reason: posting a file again, or the same work twice, never
opens one twice) and closes what the remittance settled: a line paid closes its denial
(overturned, if it was under appeal), a line denied again closes the earlier item (upheld, if
appealed) and the new one is the next appeal level, a reversal closes the items of the posting
it undid, any payment closes a rejection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from otbill.codesets.payers import default_profiles
from otbill.denials.deadlines import next_level
from otbill.denials.queue import (
    ItemDraft,
    LineFacts,
    PayerFacts,
    at_level,
    items_for_payment,
    rejection_item,
)
from otbill.ledger import schema as t
from otbill.ledger.contracts import RateBook
from otbill.ledger.db import in_chunks, insert_rows
from otbill.model import PayerKind, UnitMethod
from otbill.model.remittance import ClaimPayment, ServicePayment

OPEN = ("open", "waiting")


class PostedLine(Protocol):
    """What posting knows of a claim line (its _Line)."""

    @property
    def id(self) -> int: ...
    @property
    def line_no(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def modifiers(self) -> str: ...
    @property
    def units(self) -> int: ...
    @property
    def expected_allowed(self) -> Decimal | None: ...


def now() -> datetime:
    return datetime.now(UTC)


def payer_facts(session: Session, practice_id: int) -> dict[str, PayerFacts]:
    """Each payer's kind and profile, from its stored document (the kind's defaults with the
    payer's own changes), by the payer's id."""
    out = {}
    defaults = default_profiles()
    for ext, doc in session.execute(
        select(t.Payer.ext_id, t.Payer.doc).where(t.Payer.practice_id == practice_id)
    ):
        kind = PayerKind(doc["kind"])
        profile = defaults[kind]
        if "unit_method" in doc:
            profile = replace(profile, unit_method=UnitMethod(doc["unit_method"]))
        profile = replace(profile, **doc.get("profile", {}))
        out[ext] = PayerFacts(kind.value, profile)
    return out


def unknown_payer() -> PayerFacts:
    """A payer with no record in the ledger: no kind, and no windows on file (its items say
    so rather than borrow another kind's terms)."""
    base = default_profiles()[PayerKind.COMMERCIAL]
    return PayerFacts(
        "", replace(base, appeal_window=None, corrected_claim_window=None, timely_filing=None)
    )


def _facts(line: PostedLine, payer: str, day: date, rates: RateBook | None) -> LineFacts:
    """A posted line for the queue; what a contract allows where no fee schedule priced it."""
    mods = tuple(m for m in line.modifiers.split(":") if m)
    expected = line.expected_allowed
    if expected is None and rates:
        expected = rates.expected(payer, line.code, mods, line.units, day)
    return LineFacts(line.line_no, line.code, mods, line.units, expected)


@dataclass
class _Payment:
    claim_id: int
    payer_ext: str
    dos: date
    cp: ClaimPayment
    posting_id: int
    matched: list[tuple[PostedLine | None, ServicePayment]]


@dataclass
class _Reversal:
    claim_id: int
    target_posting_id: int


@dataclass
class QueueBatch:
    """One remittance's effect on the queue, written at ``flush``."""

    session: Session
    practice_id: int
    notice: date  # the remittance's date: the initial determination's
    trace: str
    who: str
    events: list[_Payment | _Reversal] = field(default_factory=list)
    _book: RateBook | None = None

    def payment(
        self,
        claim_id: int,
        payer_ext: str,
        dos: date,
        cp: ClaimPayment,
        posting_id: int,
        matched: Sequence[tuple[PostedLine | None, ServicePayment]],
    ) -> None:
        self.events.append(_Payment(claim_id, payer_ext, dos, cp, posting_id, list(matched)))

    def reversal(self, claim_id: int, target_posting_id: int) -> None:
        self.events.append(_Reversal(claim_id, target_posting_id))

    def _rates(self) -> RateBook:
        if self._book is None:
            self._book = RateBook.of(self.session, self.practice_id)
        return self._book

    def flush(self) -> None:
        if not self.events:
            return
        claims = sorted({e.claim_id for e in self.events})
        items = [
            row
            for (row,) in in_chunks(
                self.session,
                select(t.WorkItem).where(
                    t.WorkItem.practice_id == self.practice_id, t.WorkItem.state.in_(OPEN)
                ),
                t.WorkItem.claim_id,
                claims,
            )
        ]
        by_claim: dict[int, list[t.WorkItem]] = {}
        for row in items:
            by_claim.setdefault(row.claim_id, []).append(row)
        payers = payer_facts(self.session, self.practice_id)
        new: list[tuple[_Payment, ItemDraft, int | None]] = []
        closed: list[tuple[t.WorkItem, str, str]] = []
        for e in self.events:
            mine = by_claim.setdefault(e.claim_id, [])
            if isinstance(e, _Reversal):
                for row in [r for r in mine if r.posting_id == e.target_posting_id]:
                    closed.append(
                        (row, "reversed", f"the payment was reversed by 835 {self.trace}")
                    )
                    mine.remove(row)
                continue
            new += self._payment(e, payers.get(e.payer_ext) or unknown_payer(), mine, closed)
        self._write(new, closed)
        self.events.clear()

    def _payment(
        self,
        e: _Payment,
        payer: PayerFacts,
        mine: list[t.WorkItem],
        closed: list[tuple[t.WorkItem, str, str]],
    ) -> list[tuple[_Payment, ItemDraft, int | None]]:
        """Settle the claim's earlier items with this payment; the new drafts it leaves, each
        with its claim line's id."""
        for r in [r for r in mine if r.kind == "rejection"]:
            closed.append((r, "adjudicated", f"the payer adjudicated it: 835 {self.trace}"))
            mine.remove(r)
        earlier: dict[int | None, list[t.WorkItem]] = {}
        for r in mine:
            if r.posting_id != e.posting_id:
                earlier.setdefault(r.claim_line_id, []).append(r)
        by_no = {ln.line_no: ln.id for ln, _ in e.matched if ln is not None}
        paid_lines = {ln.id for ln, s in e.matched if ln is not None and s.paid > 0}
        rates = self._rates()
        facts = [(_facts(ln, e.payer_ext, e.dos, rates) if ln else None, s) for ln, s in e.matched]
        drafts = []
        for d in items_for_payment(e.cp, facts, payer, self.notice, e.dos):
            line_id = by_no.get(d.line_no) if d.line_no is not None else None
            appeals = [r for r in earlier.get(line_id, []) if r.outcome == "appealed"]
            if appeals and d.kind != "underpayment":
                # Denied again after an appeal: the work now is the next level's.
                d = at_level(d, max(r.level for r in appeals) + 1, payer, self.notice, e.dos)
            drafts.append((e, d, line_id))
        denied_again = {line_id for _, d, line_id in drafts if d.kind != "underpayment"}
        for line_id, rows in earlier.items():
            for row in rows:
                appealed = row.state == "waiting" and row.outcome == "appealed"
                if line_id in denied_again:
                    outcome = "upheld" if appealed else "superseded"
                    closed.append((row, outcome, f"denied again by 835 {self.trace}"))
                elif line_id in paid_lines or (line_id is None and e.cp.paid > 0):
                    outcome = "overturned" if appealed else "paid"
                    closed.append((row, outcome, f"paid by 835 {self.trace}"))
                else:
                    continue
                mine.remove(row)
        return drafts

    def _write(
        self,
        new: list[tuple[_Payment, ItemDraft, int | None]],
        closed: list[tuple[t.WorkItem, str, str]],
    ) -> None:
        stamp = now()
        events: list[dict[str, Any]] = []
        for row, outcome, why in closed:
            row.state, row.outcome, row.closed_at = "closed", outcome, stamp
            events.append(_event(row.id, stamp, self.who, "closed", f"{outcome}: {why}"))
            if outcome in ("upheld", "overturned"):
                self._decide(row, outcome)
        self.session.flush()
        if not new:
            insert_rows(self.session, t.WorkItemEvent, events)
            return
        keys = {f"{e.posting_id}:{d.tag}": (e, d, line_id) for e, d, line_id in new}
        taken = set(
            self.session.scalars(
                select(t.WorkItem.key).where(
                    t.WorkItem.practice_id == self.practice_id,
                    t.WorkItem.posting_id.in_({e.posting_id for e, _, _ in new}),
                )
            )
        )
        npi = dict(
            in_chunks(
                self.session,
                select(t.Claim.id, t.Claim.doc["rendering_npi"].as_string()),
                t.Claim.id,
                sorted({e.claim_id for e, _, _ in new}),
            )
        )
        rows = [
            _row(self.practice_id, key, e, d, line_id, self.notice, npi.get(e.claim_id) or "")
            for key, (e, d, line_id) in keys.items()
            if key not in taken
        ]
        insert_rows(self.session, t.WorkItem, rows)
        ids = dict(
            self.session.execute(
                select(t.WorkItem.key, t.WorkItem.id).where(
                    t.WorkItem.practice_id == self.practice_id,
                    t.WorkItem.key.in_([r["key"] for r in rows]),
                )
            ).all()
        )
        for r in rows:
            events.append(_event(ids[r["key"]], stamp, self.who, "opened", r["doc"]["why"]))
        insert_rows(self.session, t.WorkItemEvent, events)

    def _decide(self, row: t.WorkItem, outcome: str) -> None:
        appeal = self.session.scalar(
            select(t.Appeal)
            .where(t.Appeal.item_id == row.id, t.Appeal.decision == "pending")
            .order_by(t.Appeal.id.desc())
        )
        if appeal is None:
            return
        appeal.decision, appeal.decided_on = outcome, self.notice
        nxt = next_level(appeal.level, self.notice) if outcome == "upheld" else None
        appeal.next_due_on = nxt.due if nxt else None


def _event(item_id: int, at: datetime, who: str, kind: str, text: str) -> dict[str, Any]:
    return {"item_id": item_id, "at": at, "who": who, "kind": kind, "text": text}


def _row(
    pid: int,
    key: str,
    e: _Payment | None,
    d: ItemDraft,
    line_id: int | None,
    opened: date,
    npi: str,
    *,
    claim_id: int | None = None,
    payer_ext: str | None = None,
) -> dict[str, Any]:
    return {
        "practice_id": pid,
        "key": key,
        "claim_id": e.claim_id if e else claim_id,
        "claim_line_id": line_id,
        "posting_id": e.posting_id if e else None,
        "kind": d.kind,
        "line_no": d.line_no,
        "code": d.code,
        "group_code": d.group,
        "reason": d.reason,
        "remarks": " ".join(d.remarks)[:200],
        "category": d.cause.category,
        "action": d.action,
        "amount": d.amount,
        "opened_on": opened,
        "due_on": d.deadline.due,
        "level": d.level,
        "payer_ext": e.payer_ext if e else payer_ext,
        "rendering_npi": npi,
        "state": "open",
        "assignee": None,
        "outcome": None,
        "write_off_code": None,
        "closed_at": None,
        "doc": {
            "why": d.why,
            "cause": d.cause.note,
            "matched": d.cause.matched,
            "preventable": d.cause.preventable,
            "appealable": d.cause.appealable,
            "rules": list(d.cause.rules),
            "deadline": d.deadline.what,
            "deadline_rule": d.deadline.rule,
            "deadline_source": d.deadline.source.cite,
        },
    }


def open_rejection(
    session: Session, practice_id: int, claim: t.Claim, why: str, on: date, who: str
) -> bool:
    """A claim a 999 or 277CA rejected: an item, once per acknowledgment. True if opened."""
    key = f"ack:{claim.id}:{on.isoformat()}:{why}"[:120]
    if session.scalar(
        select(t.WorkItem.id).where(t.WorkItem.practice_id == practice_id, t.WorkItem.key == key)
    ):
        return False
    payer = payer_facts(session, practice_id).get(claim.payer_ext) or unknown_payer()
    d = rejection_item(claim.total_charge, why, payer, claim.date_of_service)
    npi = (claim.doc or {}).get("rendering_npi") or ""
    row = t.WorkItem(
        **_row(
            practice_id, key, None, d, None, on, npi, claim_id=claim.id, payer_ext=claim.payer_ext
        )
    )
    session.add(row)
    session.flush()
    session.add(t.WorkItemEvent(**_event(row.id, now(), who, "opened", d.why)))
    return True
