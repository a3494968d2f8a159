"""The books: every claim balances, and the A/R they leave.

Per claim, charge = paid + adjustments + patient responsibility + open balance, where the open
balance may not be negative; the lines' charges add up to the claim's; what the postings say was
paid is what the lines hold. ``verify`` names every break.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otbill.ledger import schema as t
from otbill.ledger.db import in_chunks
from otbill.ledger.posting import ZERO

OPEN_STATES = frozenset(
    {"submitted", "accepted", "partially_paid", "denied", "appealed", "corrected"}
)
BUCKETS = ((0, 30), (31, 60), (61, 90), (91, 120), (121, None))


def verify(session: Session, practice_id: int | None = None) -> list[str]:
    """Every break in the books, in claim order. Each check reads its figures for all claims in
    one grouped query (a whole database has hundreds of thousands of claims)."""
    scope = [] if practice_id is None else [t.Claim.practice_id == practice_id]
    Line, Adj, Post = t.ClaimLine, t.Adjustment, t.Posting
    lines = _line_sums(session, scope)
    claim_level = _claim_level(session, scope)
    live = [Post.reversed.is_(False), *scope]
    unplaced = _grouped(
        session,
        select(Adj.claim_id, func.sum(Adj.amount))
        .join(Post, Post.id == Adj.posting_id)
        .join(t.Claim, t.Claim.id == Adj.claim_id)
        .where(Adj.group_code == "PD", *live)
        .group_by(Adj.claim_id),
    )
    posted = _grouped(
        session,
        select(Post.claim_id, func.sum(Post.paid))
        .join(t.Claim, t.Claim.id == Post.claim_id)
        .where(*live)
        .group_by(Post.claim_id),
    )
    negative: dict[int, list[int]] = defaultdict(list)
    for cid, line_no in session.execute(
        select(Line.claim_id, Line.line_no)
        .join(t.Claim, t.Claim.id == Line.claim_id)
        .where((Line.paid < 0) | (Line.patient_resp < 0), *scope)
        .order_by(Line.claim_id, Line.line_no)
    ):
        negative[cid].append(line_no)
    breaks = []
    none = (ZERO, ZERO, ZERO, ZERO)
    for cid, number, total in session.execute(
        select(t.Claim.id, t.Claim.number, t.Claim.total_charge)
        .where(*scope)
        .order_by(t.Claim.practice_id, t.Claim.number)
    ):
        charges, paid, adjusted, pr = lines.get(cid, none)
        if charges != total:
            breaks.append(f"claim {number}: lines charge {charges}, claim {total}")
        open_balance = total - paid - adjusted - pr - claim_level.get(cid, (ZERO,))[0]
        if open_balance < ZERO:
            breaks.append(
                f"claim {number}: paid, adjusted and patient responsibility exceed "
                f"the charge by {-open_balance}"
            )
        posted_paid = posted.get(cid, (ZERO,))[0]
        held = paid + unplaced.get(cid, (ZERO,))[0]
        if posted_paid != held:
            breaks.append(f"claim {number}: postings paid {posted_paid}, lines hold {held}")
        for line_no in negative.get(cid, []):
            breaks.append(f"claim {number} line {line_no}: negative amounts")
    return breaks


# The adjustment groups of 5010 (CARC group codes); a claim's totals show each, even at zero.
GROUPS = ("CO", "PR", "OA", "PI")
# What posting keeps on a claim as paid money it could not put on a line: not an adjustment.
UNPLACED = "PD"


@dataclass(frozen=True)
class ClaimTotals:
    """What a biller reads first on a claim: charged, paid, adjusted by group (CO contractual,
    PR patient responsibility, OA other, PI payer initiated), left to the patient, open. Lines
    and claim-level adjustments together, of the postings that stand; the same sums ``verify``
    balances: charge = paid + adjustments + open."""

    charge: Decimal
    paid: Decimal
    adjustments: dict[str, Decimal]
    open: Decimal

    @property
    def patient(self) -> Decimal:
        return self.adjustments["PR"]

    @property
    def adjusted(self) -> Decimal:
        """Everything but the patient's share: what the payer took off the charge."""
        return sum((v for g, v in self.adjustments.items() if g != "PR"), ZERO)

    def as_dict(self) -> dict[str, Any]:
        return {
            "charge": self.charge,
            "paid": self.paid,
            "adjustments": self.adjustments,
            "adjusted": self.adjusted,
            "patient_responsibility": self.patient,
            "balance": self.open,
        }


def claim_totals(session: Session, claims: Sequence[Any]) -> dict[int, ClaimTotals]:
    """Each claim's totals, by claim id, in two grouped queries however many claims there are
    (a list of a practice's claims may be tens of thousands). ``claims``: claim rows, or any
    rows with their id, practice_id and total_charge."""
    if not claims:
        return {}
    Adj, Post = t.Adjustment, t.Posting
    ids = [c.id for c in claims]
    # A few claims are read by id; many, by their practices, with the rest left out after.
    scope = (
        [t.Claim.id.in_(ids)]
        if len(ids) <= 500
        else [t.Claim.practice_id.in_({c.practice_id for c in claims})]
    )
    line_paid = {cid: sums[1] for cid, sums in _line_sums(session, scope).items()}
    by_group: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(GROUPS, ZERO))
    for cid, group, amount in session.execute(
        select(Adj.claim_id, Adj.group_code, func.sum(Adj.amount))
        .join(Post, Post.id == Adj.posting_id)
        .join(t.Claim, t.Claim.id == Adj.claim_id)
        .where(Post.reversed.is_(False), *scope)
        .group_by(Adj.claim_id, Adj.group_code)
    ):
        by_group[cid][group] = by_group[cid].get(group, ZERO) + (amount or ZERO)
    out = {}
    for c in claims:
        groups = dict(by_group[c.id])
        paid = line_paid.get(c.id, ZERO) + groups.pop(UNPLACED, ZERO)
        adjusted = sum(groups.values(), ZERO)
        out[c.id] = ClaimTotals(c.total_charge, paid, groups, c.total_charge - paid - adjusted)
    return out


def totals_by_state(session: Session, practice_id: int) -> dict[str, tuple[int, ClaimTotals]]:
    """Per claim state: how many claims, and their totals summed (what summing claim_totals
    over every claim gives, in three grouped queries: the sums are linear, so they are summed
    by state in the database rather than claim by claim in Python)."""
    C, Adj, Post, Line = t.Claim, t.Adjustment, t.Posting, t.ClaimLine
    mine = C.practice_id == practice_id
    counts = {
        state: (n, charge or ZERO)
        for state, n, charge in session.execute(
            select(C.state, func.count(), func.sum(C.total_charge)).where(mine).group_by(C.state)
        )
    }
    line_paid = {
        state: paid or ZERO
        for state, paid in session.execute(
            select(C.state, func.sum(Line.paid))
            .join(C, C.id == Line.claim_id)
            .where(mine)
            .group_by(C.state)
        )
    }
    groups: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(GROUPS, ZERO))
    for state, group, amount in session.execute(
        select(C.state, Adj.group_code, func.sum(Adj.amount))
        .join(Post, Post.id == Adj.posting_id)
        .join(C, C.id == Adj.claim_id)
        .where(Post.reversed.is_(False), mine)
        .group_by(C.state, Adj.group_code)
    ):
        groups[state][group] = groups[state].get(group, ZERO) + (amount or ZERO)
    out = {}
    for state, (n, charge) in counts.items():
        g = dict(groups[state])
        paid = line_paid.get(state, ZERO) + g.pop(UNPLACED, ZERO)
        out[state] = (n, ClaimTotals(charge, paid, g, charge - paid - sum(g.values(), ZERO)))
    return out


def _grouped(session: Session, query: Any) -> dict[int, tuple[Decimal, ...]]:
    """Claim id -> its sums (func.sum keeps the Money type: exact Decimals; None is zero)."""
    return {
        row[0]: tuple(ZERO if v is None else v for v in row[1:]) for row in session.execute(query)
    }


@dataclass
class Aging:
    buckets: dict[str, Decimal] = field(default_factory=lambda: {_label(b): ZERO for b in BUCKETS})

    def add(self, days: int, amount: Decimal) -> None:
        for lo, hi in BUCKETS:
            if days >= lo and (hi is None or days <= hi):
                self.buckets[_label((lo, hi))] += amount
                return

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


def _label(b: tuple[int, int | None]) -> str:
    return f"{b[0]}-{b[1]}" if b[1] is not None else f"over {b[0] - 1}"


@dataclass
class AccountsReceivable:
    as_of: date
    by_payer_dos: dict[str, Aging]
    by_payer_submitted: dict[str, Aging]
    by_patient: dict[str, Aging]
    total: Decimal
    days_in_ar: Decimal | None  # total A/R over the average daily charge of the last 90 days


def accounts_receivable(session: Session, practice_id: int, as_of: date) -> AccountsReceivable:
    by_dos: dict[str, Aging] = defaultdict(Aging)
    by_sub: dict[str, Aging] = defaultdict(Aging)
    by_patient: dict[str, Aging] = defaultdict(Aging)
    patients = {
        p.id: f"{p.last_name}, {p.first_name} ({p.ext_id})"
        for p in session.scalars(select(t.Patient).where(t.Patient.practice_id == practice_id))
    }
    total = ZERO
    recent = ZERO
    # A replaced claim's balance lives on its replacement: counting both would count it twice.
    replaced = set(
        session.scalars(
            select(t.ClaimEdit.claim_number).where(
                t.ClaimEdit.practice_id == practice_id, t.ClaimEdit.kind == "replace"
            )
        )
    )
    posted = set(session.scalars(select(t.Posting.claim_id).where(t.Posting.reversed.is_(False))))
    done = _settled(session, practice_id)
    c = t.Claim.__table__.c
    # The claims' columns, and of their documents only whom each bills (read in the database):
    # a practice has tens of thousands of claims, and only a secondary's document is needed.
    claims = list(
        session.execute(
            select(
                c.id,
                c.number,
                c.state,
                c.payer_ext,
                c.patient_id,
                c.date_of_service,
                c.submitted_at,
                c.total_charge,
                t.Claim.doc["responsibility"].as_string().label("responsibility"),
            ).where(c.practice_id == practice_id)
        )
    )
    waiting = [
        claim.id
        for claim in claims
        if claim.responsibility in ("S", "T")
        and claim.id not in posted
        and claim.state in OPEN_STATES
        and claim.number not in replaced
    ]
    docs: dict[int, dict[str, object]] = dict(
        in_chunks(session, select(c.id, c.doc), c.id, waiting)
    )
    for claim in claims:
        secondary = claim.responsibility in ("S", "T")
        if 0 <= (as_of - claim.date_of_service).days <= 90 and not secondary:
            recent += claim.total_charge  # a service's charge once, not again on its secondary
        if claim.state not in OPEN_STATES or claim.number in replaced:
            continue
        if claim.date_of_service > as_of:
            continue  # not yet a service on the as-of day: no age, so in no bucket and no total
        if claim.id in docs:
            # Before its 835 a secondary claim is owed what the earlier payers left the patient,
            # not its whole charge, most of which they already paid or adjusted.
            open_balance = _left_by_earlier_payers(docs[claim.id])
        else:
            open_balance = claim.total_charge - done.get(claim.id, ZERO)
        if open_balance <= ZERO:
            continue
        total += open_balance
        by_dos[claim.payer_ext].add((as_of - claim.date_of_service).days, open_balance)
        sent = claim.submitted_at.date() if claim.submitted_at else claim.date_of_service
        by_sub[claim.payer_ext].add((as_of - sent).days, open_balance)
        by_patient[patients[claim.patient_id]].add(
            (as_of - claim.date_of_service).days, open_balance
        )
    days = None if recent == ZERO else (total / (recent / 90)).quantize(Decimal("0.1"))
    return AccountsReceivable(as_of, dict(by_dos), dict(by_sub), dict(by_patient), total, days)


def _left_by_earlier_payers(doc: dict[str, object]) -> Decimal:
    others: list[dict[str, object]] = doc.get("other_payers", [])  # type: ignore[assignment]
    last = others[-1]
    adjustments = [*last["claim_adjustments"]]  # type: ignore[misc]
    for ln in last["lines"]:  # type: ignore[attr-defined]
        adjustments += ln["adjustments"]
    return sum((Decimal(a["amount"]) for a in adjustments if a["group"] == "PR"), ZERO)


def _settled(session: Session, practice_id: int) -> dict[int, Decimal]:
    """Per open claim, what posting.balance subtracts from the charge (lines' paid, adjusted
    and patient share, and claim-level adjustments of postings not reversed), from the grouped
    sums verify reads too: a practice's A/R covers tens of thousands of claims, most of them
    settled (only the open ones are summed)."""
    scope = [t.Claim.practice_id == practice_id, t.Claim.state.in_(sorted(OPEN_STATES))]
    out: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for cid, (_, paid, adjusted, pr) in _line_sums(session, scope).items():
        out[cid] += paid + adjusted + pr
    for cid, (amount,) in _claim_level(session, scope).items():
        out[cid] += amount
    return out


def _line_sums(session: Session, scope: list[Any]) -> dict[int, tuple[Decimal, ...]]:
    """Claim id -> its lines' charge, paid, adjusted and patient share."""
    line = t.ClaimLine
    return _grouped(
        session,
        select(
            line.claim_id,
            func.sum(line.charge),
            func.sum(line.paid),
            func.sum(line.adjusted),
            func.sum(line.patient_resp),
        )
        .join(t.Claim, t.Claim.id == line.claim_id)
        .where(*scope)
        .group_by(line.claim_id),
    )


def _claim_level(session: Session, scope: list[Any]) -> dict[int, tuple[Decimal, ...]]:
    """Claim id -> its claim-level adjustments of postings not reversed."""
    adj, post = t.Adjustment, t.Posting
    return _grouped(
        session,
        select(adj.claim_id, func.sum(adj.amount))
        .join(post, post.id == adj.posting_id)
        .join(t.Claim, t.Claim.id == adj.claim_id)
        .where(adj.claim_line_id.is_(None), post.reversed.is_(False), *scope)
        .group_by(adj.claim_id),
    )
