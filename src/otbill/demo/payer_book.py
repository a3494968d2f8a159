"""What each demo payer knows that the practice does not: its terms, its own files, its records.

A real denial is very often the payer acting on something the practice's scrubber never saw:
its eligibility file (the coverage ended), its count of the patient's therapy this year (another
provider's visits included), its count of authorized visits, its own bundling and filing
rules, the claims it already received. ``Terms`` are a payer's contract and policy; ``Knowledge``
is its files about each patient, drawn from the seed (never from the clock or from call order:
each fact is a hash of the seed and its key, so one patient's facts do not move when another
patient is added); ``Records`` is what it has learnt from the claims received so far.

The rates are the demo's, set so that a year of a 300-patient practice shows every kind of
denial; they are not measured from any payer. Where a term copies a real rule the rule is
named; where it is the demo's own invention it says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType

from otbill.model import Authorization, Episode, PayerKind, UnitMethod

ZERO = Decimal("0.00")


def chance(seed: int, *key: object) -> float:
    """A uniform number in [0, 1) fixed by the seed and the key."""
    digest = hashlib.blake2b(repr((seed, *key)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def pick(seed: int, lo: int, hi: int, *key: object) -> int:
    """A whole number in [lo, hi] fixed by the seed and the key."""
    return lo + int(chance(seed, *key) * (hi - lo + 1))


@dataclass(frozen=True, slots=True)
class Terms:
    """A payer's contract and policy as the simulator applies it."""

    kind: PayerKind
    share: Decimal  # allowed = share x charge (payers other than Medicare)
    filing_days: int  # the payer's own filing limit, from the date of service
    review_rate: float  # share of claims whose records the payer reads
    necessity_rate: float  # share of reviewed claims its reviewer judges not necessary
    lag_days: int  # the earliest it pays after it receives a claim
    lag_extra: int  # up to this many days more
    weekday: int  # its 835s are dated this weekday (Monday 0)
    counts_units: UnitMethod  # how its reviewer counts timed units
    copay: Decimal = ZERO  # per claim (PR-3)
    deductible: Decimal = ZERO  # per calendar year (PR-1)
    coinsurance: Decimal = ZERO  # of the allowed after the deductible (PR-2)
    lapse_rate: float = 0.0  # share of patients whose coverage ended in the payer's file
    short_auth_rate: float = 0.0  # share of authorizations the payer recorded with fewer visits
    bundles: tuple[tuple[str, str], ...] = ()  # its own pairs (column 1, column 2)
    review_units_from: int = 0  # reads every claim with at least this many timed units; 0 no


MEDICARE = Terms(
    PayerKind.MEDICARE,
    share=ZERO,  # priced from the fee schedule, not a share
    filing_days=365,  # one calendar year after the date of service: 42 CFR 424.44(a)(1)
    review_rate=0.12,
    necessity_rate=0.12,
    lag_days=14,  # the payment floor: not before the 14th day (Pub. 100-04 ch.1 §80.2.1.1)
    lag_extra=10,
    weekday=1,
    counts_units=UnitMethod.CMS,
    deductible=Decimal("257.00"),  # Part B deductible, 2025 (other years: PART_B_DEDUCTIBLE)
    coinsurance=Decimal("0.20"),  # CPM ch.5 §10.3
)

# The Part B deductible by calendar year (CMS's yearly Medicare Parts A & B premiums and
# deductibles notices).
PART_B_DEDUCTIBLE: Mapping[int, Decimal] = MappingProxyType(
    {2022: Decimal("233.00"), 2023: Decimal("226.00"), 2024: Decimal("240.00"),
     2025: Decimal("257.00")}
)  # fmt: skip

# The demo practice's payers (demo/practice.py), each with its own terms. Any other payer is
# adjudicated by its kind's terms (DEFAULTS).
DEMO_TERMS: Mapping[str, Terms] = MappingProxyType(
    {
        "MCR-IL": MEDICARE,
        "MA-HSA": Terms(
            PayerKind.MEDICARE_ADVANTAGE,
            share=Decimal("0.55"),
            filing_days=365,
            review_rate=0.10,
            necessity_rate=0.10,
            lag_days=21,
            lag_extra=14,
            weekday=3,
            counts_units=UnitMethod.CMS,
            copay=Decimal("20.00"),
            lapse_rate=0.03,
            short_auth_rate=0.15,
        ),
        # A state's Medicaid may set a limit shorter than the federal 12 months (42 CFR
        # 447.45(d)) that otbill's default Medicaid profile holds; the demo's Illinois Medicaid
        # takes 180 days (secondary: the HFS handbook was not checked), and the practice
        # learns it from the denial.
        "IL-MCD": Terms(
            PayerKind.MEDICAID,
            share=Decimal("0.42"),
            filing_days=180,
            review_rate=0.08,
            necessity_rate=0.08,
            lag_days=30,
            lag_extra=21,
            weekday=4,
            counts_units=UnitMethod.CMS,
            lapse_rate=0.08,  # Medicaid's yearly redeterminations end many coverages mid-year
            short_auth_rate=0.15,
        ),
        # Acme bundles 97140 into 97530 on the same day unless 59 or an X modifier says the
        # services were distinct: a policy of its own, invented for the demo, and so in no
        # NCCI file the scrubber reads.
        "ACME-PPO": Terms(
            PayerKind.COMMERCIAL,
            share=Decimal("0.62"),
            filing_days=90,
            review_rate=0.05,
            necessity_rate=0.08,
            lag_days=18,
            lag_extra=14,
            weekday=2,
            counts_units=UnitMethod.AMA,
            deductible=Decimal("750.00"),
            coinsurance=Decimal("0.20"),
            lapse_rate=0.05,
            bundles=(("97530", "97140"),),
        ),
        # Blue Prairie counts timed units by total time (the CMS 8-minute rule), though its
        # contract lets the practice bill them per code (AMA), and reads the notes of every
        # visit billed at four or more timed units (its utilization policy; the demo's own).
        "BLUE-IL": Terms(
            PayerKind.COMMERCIAL,
            share=Decimal("0.58"),
            filing_days=90,
            review_rate=0.05,
            necessity_rate=0.08,
            lag_days=25,
            lag_extra=14,
            weekday=0,
            counts_units=UnitMethod.CMS,
            copay=Decimal("25.00"),
            lapse_rate=0.05,
            review_units_from=4,
        ),
        # A workers' compensation carrier reads the notes sent with every bill.
        "WC-PCM": Terms(
            PayerKind.WORKERS_COMP,
            share=Decimal("0.78"),
            filing_days=365,
            review_rate=1.0,
            necessity_rate=0.04,
            lag_days=30,
            lag_extra=30,
            weekday=4,
            counts_units=UnitMethod.AMA,
            short_auth_rate=0.15,
        ),
    }
)
DEFAULTS: Mapping[PayerKind, Terms] = MappingProxyType(
    {
        PayerKind.MEDICARE: MEDICARE,
        PayerKind.MEDICARE_ADVANTAGE: DEMO_TERMS["MA-HSA"],
        PayerKind.MEDICAID: replace(DEMO_TERMS["IL-MCD"], filing_days=365),
        PayerKind.COMMERCIAL: replace(DEMO_TERMS["ACME-PPO"], bundles=()),
        PayerKind.WORKERS_COMP: DEMO_TERMS["WC-PCM"],
        PayerKind.AUTO: replace(DEMO_TERMS["WC-PCM"], kind=PayerKind.AUTO, review_rate=0.1),
    }
)


def terms_for(payer_id: str, kind: PayerKind) -> Terms:
    if payer_id in DEMO_TERMS:
        return DEMO_TERMS[payer_id]
    if kind not in DEFAULTS:
        raise ValueError(f"the demo payer simulator does not adjudicate {kind.value} claims")
    return DEFAULTS[kind]


@dataclass(frozen=True, slots=True)
class Knowledge:
    """The payer's files about the practice's patients, drawn from the seed."""

    seed: int

    def coverage_end(self, payer_id: str, terms: Terms, ep: Episode) -> date | None:
        """The payer's eligibility file ends the coverage here (the patient changed plans or
        jobs, or lost Medicaid at a redetermination, and did not tell the practice)."""
        key = (payer_id, ep.patient.id)
        if not ep.visits or chance(self.seed, "lapse", *key) >= terms.lapse_rate:
            return None
        first, last = ep.visits[0].date, ep.visits[-1].date
        span = max((last - first).days, 14)
        return first + timedelta(days=7 + pick(self.seed, 0, span - 7, "lapse-day", *key))

    def mbi_replaced(self, ep: Episode) -> date | None:
        """Medicare issued the patient a new MBI (the old one compromised): claims that reach
        it after this day with the old number are unprocessable."""
        if not ep.visits or chance(self.seed, "mbi", ep.patient.id) >= 0.02:
            return None
        first, last = ep.visits[0].date, ep.visits[-1].date
        return first + timedelta(
            days=pick(self.seed, 7, max((last - first).days, 8), "mbi-day", ep.patient.id)
        )

    def therapy_elsewhere(self, ep: Episode) -> Decimal:
        """OT the patient had this year from another provider (a hospital outpatient
        department, home health under Part B), which Medicare counts toward the threshold."""
        if chance(self.seed, "elsewhere", ep.patient.id) >= 0.1:
            return ZERO
        return Decimal(pick(self.seed, 600, 1800, "elsewhere-amount", ep.patient.id))

    def deductible_left(self, payer_id: str, terms: Terms, ep: Episode) -> Decimal:
        """What is left of the year's deductible when the patient's care here begins."""
        key = (payer_id, ep.patient.id)
        full = terms.deductible
        if terms.kind is PayerKind.MEDICARE and ep.visits:
            full = PART_B_DEDUCTIBLE.get(ep.visits[0].date.year, full)
        if full == ZERO or chance(self.seed, "deductible", *key) < 0.6:
            return ZERO
        return Decimal(pick(self.seed, 2000, int(full * 100), "deductible-left", *key)) / 100

    def visits_allowed(self, terms: Terms, auth: Authorization) -> int | None:
        """The visits the payer's authorization record allows: now and then fewer than the
        practice recorded (the payer approved less than was asked, the practice keyed the
        request)."""
        if auth.visits_allowed is None:
            return None
        if chance(self.seed, "short-auth", auth.number) >= terms.short_auth_rate:
            return auth.visits_allowed
        return max(1, auth.visits_allowed - pick(self.seed, 2, 4, "short-by", auth.number))

    def signature_rejected(self, ep: Episode, plan_id: str) -> bool:
        """The reviewer does not accept the certifying signature (a rubber stamp, or an
        illegible one without an attestation: Pub. 100-08 ch.3 §3.3.2.4)."""
        return chance(self.seed, "signature", ep.patient.id, plan_id) < 0.06

    def report_rejected(self, visit_id: str) -> bool:
        """The reviewer finds a progress report incomplete (no assessment of progress toward
        each goal, MBPM ch.15 §220.3.D), so it does not count."""
        return chance(self.seed, "report", visit_id) < 0.2


@dataclass
class Records:
    """What the payer has on file from the claims it received (changes as claims arrive)."""

    received: dict[tuple[str, str, date, str], str] = field(default_factory=dict)
    allowed_ytd: dict[tuple[str, str, int], Decimal] = field(default_factory=dict)
    deductible_used: dict[tuple[str, str, int], Decimal] = field(default_factory=dict)
    auth_dates: dict[tuple[str, str], set[date]] = field(default_factory=dict)
