"""Revenue-cycle KPIs as pure formulas: exact Decimals, quantized, never floats.

Each formula names its source. Rates are percentages to two places (12.34 is 12.34%), rounded
half up; a rate with nothing to divide by is None, never 0 or 100. Days are to one place.
References: HFMA MAP Keys (the MAP Key id is given where there is one) and the HFMA Claim
Integrity Task Force's six standard denial metrics (hfm, March 2021), as summarised in
shared/reference/denials-appeals-kpis.md §5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PERCENT = Decimal("0.01")
DAYS = Decimal("0.1")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)

Number = int | Decimal


@dataclass(frozen=True, slots=True)
class Formula:
    """What a KPI divides by what, and who defines it."""

    key: str
    name: str
    formula: str
    source: str
    map_key: str = ""  # the HFMA MAP Key id, where the KPI is one


CLEAN_CLAIM_RATE = Formula(
    "clean_claim_rate",
    "Clean claim rate",
    "claims that passed every edit the first time (ready when built, never sent back to draft, "
    "never rejected by a 999, 277CA or as unprocessable) / claims submitted",
    "HFMA MAP Key CL-1 (claims passing all edits with no manual intervention / claims submitted)",
    "CL-1",
)
FIRST_PASS = Formula(
    "first_pass_resolution_rate",
    "First-pass resolution rate",
    "claims whose first adjudication denied nothing / claims first adjudicated",
    "Industry measure (claims paid or finalised on first adjudication with no rework / claims "
    "adjudicated); see denials-appeals-kpis.md §5.1",
)
INITIAL_DENIAL_RATE = Formula(
    "initial_denial_rate",
    "Initial denial rate",
    "initial denials in the month / the average monthly claims (lines, or gross charges) "
    "submitted in the 3 months before it",
    "HFMA Claim Integrity Task Force, metric 1 (as a percentage of volume and of dollars)",
)
UNPROCESSABLE_RATE = Formula(
    "unprocessable_rate",
    "Unprocessable rate (CO-16/MA130)",
    "claims returned unprocessable in the month / the average monthly claims submitted in "
    "the 3 months before it",
    "Reported apart from denials (denials-appeals-kpis.md §3, §5.1 note): returned claims have "
    "no appeal rights; the denominator follows HFMA's initial denial rate",
)
DENIAL_RATE = Formula(
    "denial_rate",
    "Denial rate",
    "adjudicated claims (or lines) with a denial / claims (or lines) adjudicated",
    "HFMA MAP Key AR-5 style (remittance denial rate), claims first adjudicated in the period",
    "AR-5",
)
OVERTURN_RATE = Formula(
    "denial_overturn_rate",
    "Denial overturn rate",
    "appeals decided overturned (paid in whole or in part) / appeals decided",
    "HFMA Claim Integrity Task Force, metric 6 (percentage of initial denials overturned); "
    "the denominator is the appeals decided in the period",
)
DAYS_TO_APPEAL = Formula(
    "days_denial_to_appeal",
    "Days from denial to appeal",
    "mean of (appeal filed - the remittance date of the denial) over first-level appeals filed",
    "HFMA Claim Integrity Task Force, metric 4 (time from initial denial to appeal)",
)
DAYS_TO_RESOLUTION = Formula(
    "days_denial_to_resolution",
    "Days from denial to resolution",
    "mean of (the day the last work item of a denied line or claim closed - the remittance "
    "date of its initial denial) over denials resolved",
    "HFMA Claim Integrity Task Force, metric 5 (time from initial denial to claim resolution)",
)
DAYS_IN_AR = Formula(
    "days_in_ar",
    "Days in A/R",
    "total A/R / (gross charges of the last 90 days / 90)",
    "HFMA MAP Key definition of days in accounts receivable (average daily charges from the "
    "prior 3 months); the same figure as otbill ar",
)
AR_OVER_90 = Formula(
    "ar_over_90",
    "A/R over 90 days",
    "A/R aged more than 90 days from the date of service / total A/R",
    "HFMA MAP Key AR-1 (aged A/R as a percentage of total billed A/R)",
    "AR-1",
)
AR_OVER_120 = Formula(
    "ar_over_120",
    "A/R over 120 days",
    "A/R aged more than 120 days from the date of service / total A/R",
    "HFMA MAP Key AR-3 (aged A/R over 120 days)",
    "AR-3",
)
NET_COLLECTION_RATE = Formula(
    "net_collection_rate",
    "Net collection rate",
    "(payer payments + patient payments, net of reversals and refunds) / (gross charges - "
    "contractual adjustments)",
    "MGMA adjusted collection rate; denials-appeals-kpis.md §5.1 (payments - credits) / "
    "(charges - contractual adjustments)",
)
DENIAL_WRITE_OFFS = Formula(
    "denial_write_off_rate",
    "Denial write-offs",
    "denials written off / (gross charges - contractual adjustments)",
    "HFMA MAP Key AR-6 (denial write-offs as a percentage of net patient service revenue); "
    "net revenue taken as gross charges less contractual adjustments",
    "AR-6",
)
FUNCTIONAL = Formula(
    "functional_reporting_compliance",
    "Functional reporting compliance",
    "claims that carried the functional G-codes with a severity modifier / claims on which "
    "they were required or reported (2013-2018 dates of service)",
    "CPM ch.5 §10.6 (G-codes at the outset, every 10 treatment days, evaluation, discharge); "
    "required-and-missing is the scrubber's OT-FR-001, a missing severity OT-FR-002",
)
PLAN_OF_CARE = Formula(
    "plan_of_care_compliance",
    "Plan-of-care compliance",
    "claims sent with no plan-of-care error (OT-POC-001..005) / claims sent",
    "MBPM ch.15 §220.1 (plan established before treatment, certified within 30 days, "
    "recertified by 90 days)",
)
PROGRESS = Formula(
    "progress_report_compliance",
    "Progress-report compliance",
    "claims sent with no overdue progress report (OT-PR-001) / claims sent to payers that "
    "require progress reports",
    "MBPM ch.15 §220.3.D (a progress report at least once every 10 treatment days)",
)


def rate(numerator: Number, denominator: Number | None) -> Decimal | None:
    """numerator / denominator as a percentage to two places; None when there is nothing to
    divide by."""
    if denominator is None or denominator == 0:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(
        PERCENT, rounding=ROUND_HALF_UP
    )


def clean_claim_rate(clean: int, submitted: int) -> Decimal | None:
    """MAP Key CL-1: clean claims / claims submitted."""
    return rate(clean, submitted)


def first_pass_resolution_rate(resolved_first: int, adjudicated: int) -> Decimal | None:
    return rate(resolved_first, adjudicated)


def prior_average(prior: Sequence[Number]) -> Decimal | None:
    """HFMA's denominator: the average of the months before the reporting month (the three
    before it; fewer at the start of the practice's history). None with no month to average."""
    if not prior:
        return None
    return Decimal(sum(prior, Decimal(0))) / len(prior)


def initial_denial_rate(denied: Number, prior: Sequence[Number]) -> Decimal | None:
    """HFMA Claim Integrity Task Force metric 1: this month's initial denials (claims, lines or
    their gross charges) over the average of the three months before it."""
    return rate(denied, prior_average(prior))


def overturn_rate(overturned: int, decided: int) -> Decimal | None:
    return rate(overturned, decided)


def mean_days(days: Sequence[int]) -> Decimal | None:
    """The mean of whole-day intervals, to one place; None for none."""
    if not days:
        return None
    return (Decimal(sum(days)) / len(days)).quantize(DAYS, rounding=ROUND_HALF_UP)


def days_in_ar(total_ar: Decimal, charges: Decimal, days: int = 90) -> Decimal | None:
    """Total A/R over the average daily charge of the last ``days`` days."""
    if charges == 0:
        return None
    return (total_ar / (charges / days)).quantize(DAYS, rounding=ROUND_HALF_UP)


def aged_share(aged: Decimal, total: Decimal) -> Decimal | None:
    """MAP Keys AR-1/AR-3: A/R past an age over all A/R."""
    return rate(aged, total)


def net_collection_rate(
    payments: Decimal, charges: Decimal, contractual: Decimal
) -> Decimal | None:
    """(payments, net of reversals and refunds) / (charges - contractual adjustments)."""
    return rate(payments, charges - contractual)


def kx_status(total: Decimal, threshold: Decimal | None, review: Decimal | None,
              near_share: Decimal) -> str:  # fmt: skip
    """Where a patient's year stands against the KX threshold (CPM ch.5 §10.3): "review" past
    the targeted medical review amount, "over" past the threshold (KX needed on every line),
    "near" at ``near_share`` of it or more, else "under". No threshold on file: "unknown"."""
    if threshold is None:
        return "unknown"
    if review is not None and total > review:
        return "review"
    if total > threshold:
        return "over"
    if total >= (threshold * near_share).quantize(CENT, rounding=ROUND_HALF_UP):
        return "near"
    return "under"
