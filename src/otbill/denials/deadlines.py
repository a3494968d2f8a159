"""The deadline that governs each piece of denial work, and the rule it comes from.

Medicare Part A/B (fee for service) has five appeal levels set in regulation, each counted from
the day the party receives the previous notice, presumed to be 5 days after its date (42 CFR
405.942, 405.962, 405.1014, 405.1102, 405.1136). Other payers' windows are contract and plan
terms, kept in the payer's profile (appeal_window, corrected_claim_window); where a window is
not on file the work item says so instead of guessing. A claim sent again as a new claim (after
a rejection or CO-16/MA130) must still meet the payer's filing limit from the date of service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from otbill.dates import filing_deadline
from otbill.model import PayerProfile
from otbill.sources import (
    CFR_405_942,
    CFR_405_962,
    CFR_405_980,
    CFR_405_1014,
    CFR_405_1102,
    CFR_405_1136,
    CFR_424_44,
    PAYER_POLICY,
    Source,
)

RECEIPT_DAYS = 5  # a notice is presumed received 5 days after its date


@dataclass(frozen=True, slots=True)
class Level:
    number: int
    name: str
    decides: str
    days: int  # from the receipt of the notice the level answers
    source: Source


MEDICARE_LEVELS = (
    Level(1, "redetermination", "the MAC", 120, CFR_405_942),
    Level(2, "reconsideration", "the QIC", 180, CFR_405_962),
    Level(3, "ALJ hearing", "OMHA (an administrative law judge)", 60, CFR_405_1014),
    Level(4, "Appeals Council review", "the Medicare Appeals Council", 60, CFR_405_1102),
    Level(5, "judicial review", "a federal district court", 60, CFR_405_1136),
)
# Amount in controversy to reach levels 3 and 5, by the year the request is filed (indexed each
# year; CMS-4209-N, 90 FR 55869 for 2026; NGS's appeals page for 2025). Other years: not on file.
AMOUNT_IN_CONTROVERSY: dict[int, tuple[Decimal, Decimal]] = {
    2025: (Decimal("190"), Decimal("1900")),
    2026: (Decimal("200"), Decimal("1960")),
}


@dataclass(frozen=True, slots=True)
class Deadline:
    due: date | None  # None: no deadline on file (said why in ``rule``)
    what: str  # "redetermination", "appeal", "corrected claim", "reopening", "new claim"
    rule: str  # how the date was reached, in words
    source: Source

    def days_left(self, today: date) -> int | None:
        return None if self.due is None else (self.due - today).days


def _received(notice: date) -> date:
    return notice + timedelta(days=RECEIPT_DAYS)


def medicare_level(level: int, notice: date) -> Deadline:
    """The last day to ask for Medicare appeal level ``level`` (1-5) after a notice dated
    ``notice``: the initial determination (the remittance) for level 1, the previous level's
    decision after that."""
    lv = MEDICARE_LEVELS[level - 1]
    due = _received(notice) + timedelta(days=lv.days)
    after = "the remittance" if level == 1 else f"the level {level - 1} decision"
    return Deadline(
        due,
        lv.name,
        f"Medicare {lv.name} by {lv.decides}: {lv.days} days from receipt of {after} dated "
        f"{notice}, presumed received {RECEIPT_DAYS} days later ({_received(notice)}): {due}",
        lv.source,
    )


def _window(what: str, start: date, window: str | None, label: str) -> Deadline | None:
    if not window:
        return None
    due = filing_deadline(start, window)
    return Deadline(
        due, what, f"{label} of {window} from {start} (the payer's profile): {due}", PAYER_POLICY
    )


def _filing(what: str, dos: date, profile: PayerProfile, why: str) -> Deadline:
    limit = profile.timely_filing
    if not limit:
        return Deadline(None, what, f"{why}; the payer has no filing limit on file", PAYER_POLICY)
    due = filing_deadline(dos, limit)
    return Deadline(
        due,
        what,
        f"{why}: the filing limit of {limit} from the date of service {dos}: {due}",
        CFR_424_44 if limit == "12m" and not profile.replacement_claims else PAYER_POLICY,
    )


def deadline_for(
    action: str, medicare_ffs: bool, profile: PayerProfile, notice: date, dos: date
) -> Deadline:
    """The deadline of a work item's action. ``medicare_ffs``: the payer is Medicare Part A/B,
    whose appeal levels and reopenings are set in regulation; ``notice``: the remittance's date
    (the initial determination); ``dos``: the claim's date of service."""
    if action == "appeal":
        if medicare_ffs:
            return medicare_level(1, notice)
        found = _window("appeal", notice, profile.appeal_window, "the payer's appeal window")
        return found or Deadline(
            None,
            "appeal",
            "no appeal window on file for this payer: set appeal_window in its profile (plans "
            "commonly allow 60 to 180 days from the denial)",
            PAYER_POLICY,
        )
    if action == "correct":
        if not profile.replacement_claims:
            due = notice + timedelta(days=365)
            return Deadline(
                due,
                "reopening",
                f"a reopening for a clerical error: within one year of the initial "
                f"determination ({notice}): {due}; it does not extend the appeal deadline",
                CFR_405_980,
            )
        found = _window(
            "corrected claim",
            notice,
            profile.corrected_claim_window,
            "the payer's corrected-claim window",
        )
        return found or _filing(
            "corrected claim", dos, profile, "no corrected-claim window on file for this payer"
        )
    if action in ("resubmit", "bill_secondary"):
        what = "new claim" if action == "resubmit" else "secondary claim"
        return _filing(what, dos, profile, f"a {what} must still be timely")
    return Deadline(None, action, "no deadline: nothing is sent to the payer", PAYER_POLICY)


def next_level(level: int, decision: date) -> Deadline | None:
    """After a Medicare level's decision, the deadline to ask for the next (None after 5)."""
    if level >= len(MEDICARE_LEVELS):
        return None
    return medicare_level(level + 1, decision)


def amount_in_controversy(level: int, filed: date) -> tuple[Decimal | None, str]:
    """The minimum amount still in dispute to ask for Medicare level 3 or 5 (none for the
    others), and where it comes from."""
    if level not in (3, 5):
        return Decimal("0"), "no minimum amount for this level"
    amounts = AMOUNT_IN_CONTROVERSY.get(filed.year)
    if amounts is None:
        return None, f"the {filed.year} amount in controversy is not on file (indexed yearly)"
    amount = amounts[0] if level == 3 else amounts[1]
    return amount, f"the {filed.year} amount in controversy for level {level}: ${amount:,}"
