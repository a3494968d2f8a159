"""What a rule sees: the claim, its episode, the payer's profile, and the history before it.

The history is what accumulates over a patient's care: earlier claims (duplicates), therapy
dollars toward the year's KX threshold, treatment days since the last progress report, and
authorization visits and units used. :func:`walk` builds it claim by claim from an episode; the
ledger builds the same record from the database.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from types import MappingProxyType

from otbill.codesets import CodeSets, hcpcs
from otbill.codesets.payers import profile_for
from otbill.codesets.thresholds import bucket
from otbill.coding.coder import visit_units
from otbill.coding.units import UnitResult
from otbill.model import (
    Authorization,
    Claim,
    Discipline,
    Episode,
    Payer,
    PayerProfile,
    PlanOfCare,
    Visit,
)

ZERO = Decimal("0.00")
_EMPTY: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class History:
    """Facts accumulated before the claim being checked (this claim excluded)."""

    billed: Set[tuple[date, str, int]] = frozenset()  # (date, code, units) already billed
    # By "YEAR:BUCKET": allowed amounts incurred toward the KX threshold, and an upper bound that
    # counts the charge where no fee schedule priced a line (CPM ch.5 §10.3: the MPFS amount, or
    # the charge if smaller).
    therapy_ytd: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))
    therapy_ytd_upper: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))
    treatment_days_in_period: int = 0  # treatment days since the last progress report
    treatment_days_total: int = 0  # treatment days in this plan of care so far
    plan_id: str | None = None  # the plan of care the treatment-day counts belong to
    first_treatment: date | None = None  # the first treatment day of the plan in the record
    first_is_evaluation: bool = False  # that day billed the plan's initial evaluation
    period_closed: bool = False  # a progress report or re-evaluation of the plan is in the record
    days_since_functional: int = 0  # treatment days since G-codes were last reported
    auth_visits: Mapping[str, int] = field(default_factory=lambda: _EMPTY)  # by number
    auth_units: Mapping[str, int] = field(default_factory=lambda: _EMPTY)
    auth_units_by_code: Mapping[tuple[str, str], int] = field(
        default_factory=lambda: MappingProxyType({})
    )
    visits_this_year: int = 0  # with this payer


class _BilledBefore(Set[tuple[date, str, int]]):
    """The lines billed before the n-th claim: a view of one shared dict, so building each
    claim's history costs nothing however long the patient's record is."""

    __slots__ = ("_first", "_limit")

    def __init__(self, first: dict[tuple[date, str, int], int], limit: int) -> None:
        self._first, self._limit = first, limit

    def __contains__(self, key: object) -> bool:
        n = self._first.get(key)  # type: ignore[call-overload]
        return n is not None and n < self._limit

    def __iter__(self) -> Iterator[tuple[date, str, int]]:
        return (k for k, n in self._first.items() if n < self._limit)

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass(frozen=True)
class ClaimContext:
    claim: Claim
    episode: Episode
    visit: Visit
    payer: Payer
    profile: PayerProfile
    plan: PlanOfCare | None
    history: History
    as_of: date  # the day the claim would be sent (timely filing)
    codesets: CodeSets

    @property
    def day(self) -> date:
        return self.claim.date_of_service

    @property
    def discipline(self) -> Discipline | None:
        return self.plan.discipline if self.plan else None

    @cached_property
    def first_treatment(self) -> FirstTreatment | None:
        """The first treatment under the claim's plan of care, and why that date (None: no plan).
        The certification and progress-report clocks count from it."""
        if self.plan is None:
            return None
        return first_treatment(self.plan, self.history, self.visit, self.day)

    @cached_property
    def expected_units(self) -> UnitResult:
        """The units the visit's minutes support under the payer's method (several rules ask)."""
        return visit_units(self.visit, self.profile.unit_method)

    def authorization(self) -> Authorization | None:
        """The authorization named on the claim, else one of this payer covering the date."""
        auths = [a for a in self.episode.authorizations if a.payer_id == self.payer.id]
        if self.claim.authorization_number:
            for a in auths:
                if a.number == self.claim.authorization_number:
                    return a
            return None
        covering = [a for a in auths if a.covers(self.day)]
        return covering[0] if covering else None


@dataclass(frozen=True, slots=True)
class FirstTreatment:
    """The day a plan's clocks count from, in words: ``why`` says where the date came from."""

    day: date
    why: str
    in_record: bool  # the record holds that day, so its treatment-day counts are whole
    record_first: date  # the first treatment day of the plan the record holds (this one if none)

    def __str__(self) -> str:
        return f"{self.day}: {self.why}"


def first_treatment(plan: PlanOfCare, history: History, visit: Visit, day: date) -> FirstTreatment:
    """The first treatment under ``plan`` for a claim on ``day`` (MBPM ch.15 §220.1.3.B: "the
    initial treatment includes the evaluation that resulted in the plan").

    The record's own first treatment day counts when it reaches back to the plan's start, or is
    the plan's initial evaluation. When it does not (a visit document, or an episode that starts
    mid-plan) the earliest date the record supports is the plan's start, the evaluation that
    established it: taking the visit itself would let a plan unsigned for weeks pass. A
    first-treatment date recorded on the plan overrides both, unless a visit precedes it.
    """
    if history.first_treatment is not None:
        seen, evaluation = history.first_treatment, history.first_is_evaluation
    else:
        seen, evaluation = day, bills_initial_evaluation(visit)
    stated = plan.first_treatment_date
    if stated is not None:
        if seen < stated:
            why = (
                f"a visit of {seen} precedes the first treatment plan {plan.id} records ({stated})"
            )
            return FirstTreatment(seen, why, True, seen)
        return FirstTreatment(
            stated, f"the first treatment plan {plan.id} records", seen == stated, seen
        )
    if seen <= plan.start_date:
        return FirstTreatment(seen, f"the first treatment under plan {plan.id}", True, seen)
    if evaluation:
        why = f"the initial evaluation that began plan {plan.id}"
        return FirstTreatment(seen, why, True, seen)
    why = (
        f"no visit under plan {plan.id} before {seen} in the document, so counted from the "
        "plan's start, the evaluation that established it"
    )
    return FirstTreatment(plan.start_date, why, False, seen)


def bills_initial_evaluation(visit: Visit) -> bool:
    """The visit has an initial evaluation (97161-97163, 97165-97167), which begins a plan."""
    return any(
        (tc := hcpcs.lookup(s.code)) is not None and tc.family == "evaluation"
        for s in visit.services
    )


def is_treatment_day(visit: Visit) -> bool:
    """Days with an evaluation, re-evaluation or treatment count (MBPM ch.15 §220.3.D); a day
    with only nonpayable G-codes does not."""
    return any(s.code not in hcpcs.functional_gcodes() for s in visit.services)


def closes_progress_period(visit: Visit) -> bool:
    """A therapist's progress report closes the reporting period, and so does a re-evaluation,
    which documents all a progress report must (MBPM ch.15 §220.3.C-D). The initial evaluation
    does not: its day is the first day of the first period."""
    if visit.documentation.progress_report:
        return True
    return any(
        (tc := hcpcs.lookup(s.code)) is not None and tc.family == "reevaluation"
        for s in visit.services
    )


def walk(
    episode: Episode,
    claims: Sequence[Claim],
    codesets: CodeSets,
    as_of: date,
    start: History | None = None,
) -> Iterator[ClaimContext]:
    """Each claim in date order with the history before it. ``start`` carries what happened
    before the episode (for the ledger: earlier claims from the database)."""
    visits = {v.id: v for v in episode.visits}
    h = start or History()
    first_billed: dict[tuple[date, str, int], int] = dict.fromkeys(h.billed, -1)
    ytd: dict[str, Decimal] = dict(h.therapy_ytd)
    upper: dict[str, Decimal] = dict(h.therapy_ytd_upper)
    auth_visits, auth_units = dict(h.auth_visits), dict(h.auth_units)
    auth_code_units = dict(h.auth_units_by_code)
    period_days, total_days = h.treatment_days_in_period, h.treatment_days_total
    fr_days = h.days_since_functional
    first, plan_id = h.first_treatment, h.plan_id
    first_eval, closed = h.first_is_evaluation, h.period_closed
    year_visits: dict[tuple[str, int], int] = {}
    # A visit whose lines were split over two claims is one treatment day and one visit.
    seen: set[str] = set()
    for n, claim in enumerate(sorted(claims, key=lambda c: c.date_of_service)):
        visit = visits[claim.visit_ids[0]]
        again = visit.id in seen
        seen.add(visit.id)
        payer = episode.payers[claim.payer_id]
        plan = episode.plan(claim.plan_of_care_id)
        if plan is not None and plan.id != plan_id:
            plan_id, period_days, total_days, first, fr_days = plan.id, 0, 0, None, 0
            first_eval, closed = False, False
        history = History(
            billed=_BilledBefore(first_billed, n),
            therapy_ytd=MappingProxyType(dict(ytd)),
            therapy_ytd_upper=MappingProxyType(dict(upper)),
            treatment_days_in_period=period_days,
            treatment_days_total=total_days,
            plan_id=plan_id,
            first_treatment=first,
            first_is_evaluation=first_eval,
            period_closed=closed,
            days_since_functional=fr_days,
            auth_visits=MappingProxyType(dict(auth_visits)),
            auth_units=MappingProxyType(dict(auth_units)),
            auth_units_by_code=MappingProxyType(dict(auth_code_units)),
            visits_this_year=year_visits.get((payer.id, claim.date_of_service.year), 0),
        )
        ctx = ClaimContext(
            claim, episode, visit, payer, profile_for(payer), plan, history, as_of, codesets
        )
        yield ctx
        # Fold this claim into the history for the next one.
        for ln in claim.lines:
            first_billed.setdefault((ln.date, ln.code, ln.units), n)
        if plan is not None:
            key = f"{claim.date_of_service.year}:{bucket(plan.discipline)}"
            amount = sum((ln.allowed or ZERO for ln in claim.lines), ZERO)
            ytd[key] = ytd.get(key, ZERO) + amount
            bound = sum(
                (ln.charge if ln.allowed is None else ln.allowed for ln in claim.lines), ZERO
            )
            upper[key] = upper.get(key, ZERO) + bound
        if is_treatment_day(visit) and not again:
            total_days += 1
            if first is None:
                first, first_eval = claim.date_of_service, bills_initial_evaluation(visit)
            if closes_progress_period(visit):
                period_days, closed = 0, True
            else:
                period_days += 1
        if any(ln.code in hcpcs.functional_gcodes() for ln in claim.lines):
            fr_days = 0
        elif is_treatment_day(visit) and not again:
            fr_days += 1
        auth = ctx.authorization()
        if auth is not None:
            auth_visits[auth.number] = auth_visits.get(auth.number, 0) + (0 if again else 1)
            units = sum(ln.units for ln in claim.lines)
            auth_units[auth.number] = auth_units.get(auth.number, 0) + units
            for ln in claim.lines:
                k = (auth.number, ln.code)
                auth_code_units[k] = auth_code_units.get(k, 0) + ln.units
        yk = (payer.id, claim.date_of_service.year)
        year_visits[yk] = year_visits.get(yk, 0) + (0 if again else 1)
