"""What in a remittance needs a person's work: the work queue's items, before they are stored.

Each denied, partly denied, unprocessable or underpaid claim line is an item with its reason,
root cause, suggested action, the amount at stake and the deadline that governs it. A claim a
999 or 277CA rejected is an item too. Pure: the ledger matches the 835's services to the claim's
lines (as posting does) and stores what this returns; a later payment closes an item there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from otbill.denials.causes import Cause, classify
from otbill.denials.deadlines import MEDICARE_LEVELS, Deadline, deadline_for, medicare_level
from otbill.model import PayerProfile
from otbill.model.remittance import Adjustment, ClaimPayment, ServicePayment

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# Medicare pays CO/CQ units at 85% of the fee schedule from 2022-01-01 (CPM ch.5 §20.1): an
# allowed amount of 85% of the coder's figure on such a line is what was expected, not short.
ASSISTANT_SHARE = Decimal("0.85")
ASSISTANT_FROM = date(2022, 1, 1)
# Kinds of item, in the order a biller reads them.
KINDS = ("rejection", "unprocessable", "denial", "partial_denial", "underpayment")


@dataclass(frozen=True, slots=True)
class PayerFacts:
    kind: str  # PayerKind value
    profile: PayerProfile

    @property
    def medicare_ffs(self) -> bool:
        return self.kind == "medicare"


@dataclass(frozen=True, slots=True)
class LineFacts:
    """A claim line as the queue reads it."""

    line_no: int
    code: str
    modifiers: tuple[str, ...]
    units: int
    expected_allowed: Decimal | None  # the fee schedule or contract's amount, when known


@dataclass(frozen=True, slots=True)
class ItemDraft:
    kind: str
    line_no: int | None  # None: the claim as a whole
    code: str
    group: str
    reason: str
    remarks: tuple[str, ...]
    cause: Cause
    action: str
    amount: Decimal  # at stake
    deadline: Deadline
    why: str  # one line a biller reads
    level: int = 1  # the appeal level an appeal of it would be

    @property
    def tag(self) -> str:
        """What tells this item from the claim's others from the same remittance."""
        return f"{self.line_no or 0}:{self.kind}:{self.group}-{self.reason}"


def _expected(line: LineFacts, dos: date) -> Decimal | None:
    if line.expected_allowed is None:
        return None
    if dos >= ASSISTANT_FROM and {"CO", "CQ"} & set(line.modifiers):
        return (line.expected_allowed * ASSISTANT_SHARE).quantize(CENT)
    return line.expected_allowed


def _allowed(s: ServicePayment) -> Decimal:
    """The payer's allowed amount: AMT*B6 when sent, else the charge less what the payer took
    off that was not the patient's (what it paid plus the patient's share)."""
    if s.allowed is not None:
        return s.allowed
    return s.charge - sum((a.amount for a in s.adjustments if a.group != "PR"), ZERO)


def _item(
    kind: str,
    line: LineFacts | None,
    a: Adjustment,
    remarks: tuple[str, ...],
    cause: Cause,
    payer: PayerFacts,
    notice: date,
    dos: date,
) -> ItemDraft:
    action = "resubmit" if kind == "unprocessable" else cause.action
    deadline = deadline_for(action, payer.medicare_ffs, payer.profile, notice, dos)
    where = f"line {line.line_no} ({line.code})" if line else "the claim"
    said = f" with {' '.join(remarks)}" if remarks else ""
    why = f"{a.group}-{a.reason}{said} on {where}: {cause.label}"
    if kind == "unprocessable":
        why += "; unprocessable, no appeal rights: fix it and send a new claim"
    elif cause.appealable == "no":
        why += "; not appealable"
    return ItemDraft(
        kind,
        line.line_no if line else None,
        line.code if line else "",
        a.group,
        a.reason,
        remarks,
        cause,
        action,
        a.amount,
        deadline,
        why,
    )


def _kind(returned: bool, paid: Decimal) -> str:
    return "unprocessable" if returned else "denial" if paid <= ZERO else "partial_denial"


def unprocessable(cp: ClaimPayment) -> bool:
    """CO-16 with MA130 anywhere on the claim: returned, not adjudicated (no appeal rights)."""
    remarks = {r for s in cp.services for r in s.remarks} | set(cp.remarks)
    adjustments = [*cp.adjustments, *(a for s in cp.services for a in s.adjustments)]
    return "MA130" in remarks and any(a.group == "CO" and a.reason == "16" for a in adjustments)


def items_for_payment(
    cp: ClaimPayment,
    matched: Sequence[tuple[LineFacts | None, ServicePayment]],
    payer: PayerFacts,
    notice: date,
    dos: date,
) -> list[ItemDraft]:
    """The work a claim payment leaves: one item per line and reason that denied money owed,
    one per underpaid line. ``matched`` pairs each of the 835's services with the claim line it
    was posted to (None when it could not be placed); ``notice`` is the remittance's date."""
    if cp.is_reversal:
        return []
    returned = unprocessable(cp)
    out: list[ItemDraft] = []
    claim_remarks = tuple(cp.remarks)
    for line, s in matched:
        remarks = (*s.remarks, *claim_remarks)
        for a in s.adjustments:
            cause = classify(a.group, a.reason, remarks, payer.kind)
            if not cause.denial or a.amount <= ZERO:
                continue
            kind = _kind(returned, s.paid)
            out.append(_item(kind, line, a, remarks, cause, payer, notice, dos))
        if returned or line is None or s.paid <= ZERO:
            continue
        expected = _expected(line, dos)
        allowed = _allowed(s)
        if expected is not None and allowed < expected - CENT:
            out.append(_underpaid(line, allowed, expected, remarks, payer, notice, dos))
    for a in cp.adjustments:
        cause = classify(a.group, a.reason, claim_remarks, payer.kind)
        if cause.denial and a.amount > ZERO:
            kind = _kind(returned, cp.paid)
            out.append(_item(kind, None, a, claim_remarks, cause, payer, notice, dos))
    return out


def at_level(d: ItemDraft, level: int, payer: PayerFacts, notice: date, dos: date) -> ItemDraft:
    """The same denial after an appeal upheld it: the next level's appeal, with its deadline
    (Medicare's levels from the decision's date; another payer's window again)."""
    if d.action != "appeal":
        return replace(d, level=level)
    if payer.medicare_ffs:
        if level > len(MEDICARE_LEVELS):
            return replace(
                d,
                level=level,
                action="write_off",
                deadline=deadline_for("write_off", True, payer.profile, notice, dos),
            )
        deadline = medicare_level(level, notice)
    else:
        deadline = deadline_for("appeal", False, payer.profile, notice, dos)
    return replace(d, level=level, deadline=deadline, why=f"{d.why}; appeal level {level}")


def _underpaid(
    line: LineFacts,
    allowed: Decimal,
    expected: Decimal,
    remarks: tuple[str, ...],
    payer: PayerFacts,
    notice: date,
    dos: date,
) -> ItemDraft:
    """A line paid on less than the fee schedule or contract allows. Medicare Part B corrects
    a misapplied fee schedule by a reopening (a clerical error, Pub. 100-04 ch.34 §10);
    another payer's pricing is disputed by appeal."""
    action = "correct" if not payer.profile.replacement_claims else "appeal"
    cause = Cause(
        "contractual",
        False,
        "no",
        "yes",
        action,
        (),
        "allowed below the fee schedule or the contract's rate",
        "underpayment",
    )
    short = expected - allowed
    return ItemDraft(
        "underpayment",
        line.line_no,
        line.code,
        "CO",
        "45",
        remarks,
        cause,
        action,
        short,
        deadline_for(action, payer.medicare_ffs, payer.profile, notice, dos),
        f"line {line.line_no} ({line.code}) allowed {allowed:.2f}, the fee schedule or "
        f"contract expects {expected:.2f}: short {short:.2f}",
    )


def rejection_item(charge: Decimal, why: str, payer: PayerFacts, dos: date) -> ItemDraft:
    """A claim a 999 or 277CA rejected: never adjudicated, so sent again as a new claim within
    the payer's filing limit."""
    cause = Cause("claim_data", True, "yes", "no", "resubmit", (), why, "")
    return ItemDraft(
        "rejection",
        None,
        "",
        "",
        "",
        (),
        cause,
        "resubmit",
        charge,
        deadline_for("resubmit", payer.medicare_ffs, payer.profile, dos, dos),
        f"rejected before adjudication ({why}): fix it and send it again as a new claim",
    )
