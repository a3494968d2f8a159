"""The demo payers' denial rules: each a plain function over the claim and what the payer knows.

A rule sees the claim as sent, the patient's record as the payer's reviewer would read it (the
episode: plan of care, visits, notes), the payer's terms and files (payer_book) and its records
of claims already received, and the day the claim reached it. It returns the denial it makes,
or None. Most rules act on what the claim alone or the payer's own files show; the ``review``
rules act only on the claims whose records the payer reads (a share per payer, every claim for
a workers' compensation carrier, and more past Medicare's $3,000 review threshold).

The codes are those otbill's root-cause map (codesets/data/denial_causes.csv) classifies into
the cause each rule stands for; tests hold each rule to its category.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType

from otbill.codesets import CodeSets
from otbill.codesets.modifiers import DISTINCT_MODIFIERS
from otbill.codesets.thresholds import thresholds
from otbill.coding.units import TimedEntry, compute_units
from otbill.demo.payer_book import ZERO, Knowledge, Records, Terms, chance
from otbill.model import Claim, Discipline, Episode, PayerKind

MEDICARE_KINDS = frozenset({PayerKind.MEDICARE, PayerKind.MEDICARE_ADVANTAGE})
NCCI_KINDS = frozenset({PayerKind.MEDICARE, PayerKind.MEDICARE_ADVANTAGE, PayerKind.MEDICAID})
TMR_REVIEW_RATE = 0.5  # share of claims past the $3,000 threshold Medicare reviews (demo's)


@dataclass(frozen=True, slots=True)
class Denial:
    """What one rule denied: the lines (0-based), the 835's codes, and why."""

    rule: str
    group: str
    reason: str
    remarks: tuple[str, ...]
    lines: tuple[int, ...]
    why: str
    # Lines of which only some units are denied: line -> units denied.
    units: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Ctx:
    claim: Claim
    episode: Episode
    payer_id: str
    terms: Terms
    know: Knowledge
    records: Records
    arrival: date
    codesets: CodeSets
    open_lines: frozenset[int] | None = None  # None: every line (none denied yet)

    @property
    def every_line(self) -> tuple[int, ...]:
        return tuple(i for i in range(len(self.claim.lines)) if self.is_open(i))

    def is_open(self, i: int) -> bool:
        return self.open_lines is None or i in self.open_lines

    @property
    def kind(self) -> PayerKind:
        return self.terms.kind

    def year_key(self) -> tuple[str, str, int]:
        return (self.payer_id, self.episode.patient.id, self.claim.date_of_service.year)

    def therapy_ytd(self) -> Decimal:
        """The patient's therapy this year as the payer counts it (Medicare): what it allowed
        on this practice's claims and what other providers billed it."""
        own = self.records.allowed_ytd.get(self.year_key(), ZERO)
        return own + self.know.therapy_elsewhere(self.episode)

    def whole(
        self, rule: str, group: str, reason: str, remarks: tuple[str, ...], why: str
    ) -> Denial:
        return Denial(rule, group, reason, remarks, self.every_line, why)


Check = Callable[[Ctx], Denial | None]


@dataclass(frozen=True, slots=True)
class PayerRule:
    id: str
    stage: str  # front (unprocessable), claim, review (records read), line
    kinds: frozenset[PayerKind] | None  # None: every payer
    codes: str
    category: str  # the root cause (denial_causes.csv) its codes must classify into
    why: str  # the real-world reason the payer denies
    source: str
    check: Check


# --- front: the claim cannot be processed -------------------------------------------------


def mbi_replaced(ctx: Ctx) -> Denial | None:
    day = ctx.know.mbi_replaced(ctx.episode)
    if day is None or ctx.arrival < day:
        return None
    return ctx.whole(
        "mbi-replaced",
        "CO",
        "16",
        ("MA130", "MA27"),
        f"Medicare replaced the patient's MBI on {day}; the claim carries the old one",
    )


# --- claim: the payer's own files ----------------------------------------------------------


def timely_filing(ctx: Ctx) -> Denial | None:
    dos = ctx.claim.date_of_service
    limit = dos + timedelta(days=ctx.terms.filing_days)
    if ctx.arrival <= limit:
        return None
    return ctx.whole(
        "timely-filing",
        "CO",
        "29",
        (),
        f"received {ctx.arrival}, {(ctx.arrival - dos).days} days after the date of service; "
        f"the payer's limit is {ctx.terms.filing_days} days",
    )


def eligibility_lapsed(ctx: Ctx) -> Denial | None:
    end = ctx.know.coverage_end(ctx.payer_id, ctx.terms, ctx.episode)
    if end is None or ctx.claim.date_of_service <= end:
        return None
    return ctx.whole(
        "eligibility-lapsed",
        "CO",
        "27",
        (),
        f"the payer's eligibility file ends the coverage on {end}",
    )


def duplicate(ctx: Ctx) -> Denial | None:
    if ctx.claim.frequency_code == "7":
        return None  # a replacement takes the original's place
    patient = ctx.episode.patient.id
    dups = []
    earlier = set()
    for i, ln in enumerate(ctx.claim.lines):
        first = ctx.records.received.get((ctx.payer_id, patient, ln.date, ln.code))
        if first is not None:
            dups.append(i)
            earlier.add(first)
    if not dups:
        return None
    return Denial(
        "duplicate",
        "OA",  # CARC 18 is used with group OA (X12's note on the code)
        "18",
        (),
        tuple(dups),
        f"the same services on the same day were received on claim {', '.join(sorted(earlier))}",
    )


def authorization_exhausted(ctx: Ctx) -> Denial | None:
    number = ctx.claim.authorization_number
    auth = next((a for a in ctx.episode.authorizations if a.number == number), None)
    if auth is None:
        return None
    allowed = ctx.know.visits_allowed(ctx.terms, auth)
    if allowed is None:
        return None
    dates = ctx.records.auth_dates.get((ctx.payer_id, auth.number), set())
    used = len(dates | {ctx.claim.date_of_service})
    if used <= allowed:
        return None
    noted = (
        f"; the practice recorded {auth.visits_allowed}" if allowed != auth.visits_allowed else ""
    )
    return ctx.whole(
        "authorization-exhausted",
        "CO",
        "198",
        (),
        f"visit {used} under authorization {auth.number}, which the payer's record allows "
        f"{allowed}{noted}",
    )


# --- review: the payer reads the record ----------------------------------------------------


def reviewed(ctx: Ctx) -> bool:
    """Whether the payer reads this claim's records (fixed by the seed for each claim)."""
    rate = ctx.terms.review_rate
    timed = sum(ln.units for ln in ctx.claim.lines if ln.timed)
    if ctx.terms.review_units_from and timed >= ctx.terms.review_units_from:
        rate = 1.0
    t = thresholds(ctx.claim.date_of_service.year)
    if ctx.kind is PayerKind.MEDICARE and t is not None and ctx.therapy_ytd() > t.mr:
        rate = max(rate, TMR_REVIEW_RATE)  # targeted medical review, CPM ch.5 §10.3.4
    return chance(ctx.know.seed, "review", ctx.payer_id, ctx.claim.id) < rate


def plan_not_certified(ctx: Ctx) -> Denial | None:
    plan = ctx.episode.plan(ctx.claim.plan_of_care_id)
    if plan is None:
        return ctx.whole("plan-not-certified", "CO", "50", ("N473",), "no plan of care on file")
    due = plan.start_date + timedelta(days=30)
    signed, verbal = plan.signed_date, plan.verbal_order_date
    timely = signed is not None and (
        signed <= due or (verbal is not None and verbal <= due and signed <= verbal + timedelta(14))
    )
    if not timely:
        when = f"signed {signed}" if signed else "not signed"
        why = f"the certification is {when}, not within 30 days of {plan.start_date}"
    elif ctx.know.signature_rejected(ctx.episode, plan.id):
        why = "the reviewer does not accept the certifying signature (stamped or illegible)"
    else:
        return None
    return ctx.whole("plan-not-certified", "CO", "50", ("N473",), why)


def progress_report_overdue(ctx: Ctx) -> Denial | None:
    dos = ctx.claim.date_of_service
    plan_id = ctx.claim.plan_of_care_id
    days: dict[date, bool] = {}
    for v in ctx.episode.visits:
        if v.date <= dos and (plan_id is None or v.plan_of_care_id in (None, plan_id)):
            valid = v.documentation.progress_report and not ctx.know.report_rejected(v.id)
            days[v.date] = days.get(v.date, False) or valid
    since = 0
    for day in sorted(days):
        since += 1
        if days[day]:
            since = 0
    if since <= 10:
        return None
    return ctx.whole(
        "progress-report-overdue",
        "CO",
        "50",
        ("N29",),
        f"treatment day {since} since the last progress report the reviewer accepts",
    )


def note_unsigned(ctx: Ctx) -> Denial | None:
    unsigned = [
        v.id
        for v in ctx.episode.visits
        if v.id in ctx.claim.visit_ids and not v.documentation.note_signed
    ]
    if not unsigned:
        return None
    return ctx.whole(
        "note-unsigned",
        "CO",
        "50",
        ("N29",),
        f"the treatment note of visit {', '.join(unsigned)} is not signed",
    )


def not_necessary(ctx: Ctx) -> Denial | None:
    if chance(ctx.know.seed, "necessity", ctx.payer_id, ctx.claim.id) >= ctx.terms.necessity_rate:
        return None
    remarks = ("N115",) if ctx.kind in MEDICARE_KINDS else ()
    return ctx.whole(
        "medical-necessity",
        "CO",
        "50",
        remarks,
        "the payer's reviewer judges the care not skilled or not necessary",
    )


def units_over_time(ctx: Ctx) -> Denial | None:
    minutes: dict[str, int] = {}
    billed: dict[str, list[int]] = {}
    for i, ln in enumerate(ctx.claim.lines):
        if ln.timed and ctx.is_open(i):
            minutes[ln.code] = minutes.get(ln.code, 0) + ln.minutes
            billed.setdefault(ln.code, []).append(i)
    if not minutes:
        return None
    counted = compute_units(ctx.terms.counts_units, [TimedEntry(c, m) for c, m in minutes.items()])
    denied: dict[int, int] = {}
    for code, idx in billed.items():
        excess = sum(ctx.claim.lines[i].units for i in idx) - counted.units_for(code)
        for i in reversed(idx):
            take = min(excess, ctx.claim.lines[i].units)
            if take > 0:
                denied[i] = take
                excess -= take
    if not denied:
        return None
    return Denial(
        "units-over-time",
        "CO",
        "151",
        ("N362",),
        tuple(sorted(denied)),
        f"{counted.total_timed_minutes} timed minutes support {counted.timed_units} units "
        f"counted by {ctx.terms.counts_units.value.upper()}",
        MappingProxyType(denied),
    )


# --- line: edits on the claim's lines -------------------------------------------------------


def _distinct(mods: tuple[str, ...]) -> bool:
    return bool(DISTINCT_MODIFIERS & set(mods))


def ncci_reevaluation(ctx: Ctx) -> Denial | None:
    codes = {ln.code for ln in ctx.claim.lines}
    hits = tuple(
        i
        for i, ln in enumerate(ctx.claim.lines)
        if ln.code == "97168" and len(codes - {"97168"}) > 0 and not _distinct(ln.modifiers)
    )
    if not hits:
        return None
    return Denial(
        "ncci-reevaluation",
        "CO",
        "236",
        (),
        hits,
        "97168 is column two to the day's therapy codes (NCCI ch.11 §P.3) and carries no 59 or XU",
    )


def payer_bundle(ctx: Ctx) -> Denial | None:
    codes = {ln.code for ln in ctx.claim.lines}
    hits = tuple(
        i
        for i, ln in enumerate(ctx.claim.lines)
        for col1, col2 in ctx.terms.bundles
        if ln.code == col2 and col1 in codes and not _distinct(ln.modifiers)
    )
    if not hits:
        return None
    pairs = ", ".join(f"{b} into {a}" for a, b in ctx.terms.bundles)
    return Denial(
        "payer-bundle", "CO", "97", ("M80",), hits, f"the payer's own policy bundles {pairs}"
    )


def bundled_status(ctx: Ctx) -> Denial | None:
    fs = ctx.codesets.fee_schedule_for(ctx.claim.date_of_service)
    if fs is None:
        return None
    hits = tuple(
        i
        for i, ln in enumerate(ctx.claim.lines)
        if (r := fs.rvus.get(ln.code)) is not None and r.status == "B"
    )
    if not hits:
        return None
    return Denial(
        "bundled-code",
        "CO",
        "97",
        (),
        hits,
        "status B on the fee schedule: always paid within other services",
    )


def kx_missing(ctx: Ctx) -> Denial | None:
    t = thresholds(ctx.claim.date_of_service.year)
    if t is None:
        return None
    plan = ctx.episode.plan(ctx.claim.plan_of_care_id)
    limit = t.kx(plan.discipline if plan else Discipline.OT)
    running = ctx.therapy_ytd()
    hits = []
    for i, ln in enumerate(ctx.claim.lines):
        if not ctx.is_open(i):
            continue
        amount = ln.allowed or ZERO
        if "KX" not in ln.modifiers and running + amount > limit:
            hits.append(i)
            continue
        running += amount
    if not hits:
        return None
    return Denial(
        "kx-missing",
        "CO",
        "119",
        (),
        tuple(hits),
        f"the year's therapy as Medicare counts it (other providers included) passes "
        f"${limit:,.2f} and the lines carry no KX",
    )


RULES: tuple[PayerRule, ...] = (
    PayerRule(
        "mbi-replaced", "front", frozenset({PayerKind.MEDICARE}), "CO-16 + MA130 + MA27",
        "eligibility", "Medicare issued a new MBI; the practice bills the old one",
        "Pub. 100-04 ch.1 §80.3.2 (unprocessable claims)", mbi_replaced,
    ),
    PayerRule(
        "timely-filing", "claim", None, "CO-29", "timely_filing",
        "the claim reached the payer after its filing limit (the payer's own, which may be "
        "shorter than the practice's profile holds)", "42 CFR 424.44; the payer's contract",
        timely_filing,
    ),
    PayerRule(
        "eligibility-lapsed", "claim", None, "CO-27", "eligibility",
        "the payer's eligibility file ends the coverage the practice still holds open",
        "the payer's eligibility file", eligibility_lapsed,
    ),
    PayerRule(
        "duplicate", "claim", None, "OA-18", "duplicate",
        "the payer already received the same services for the same day",
        "CARC 18; Pub. 100-04 ch.1 §120", duplicate,
    ),
    PayerRule(
        "authorization-exhausted", "claim", None, "CO-198", "authorization",
        "the payer's authorization record allows fewer visits than the practice recorded",
        "the payer's authorization record", authorization_exhausted,
    ),
    PayerRule(
        "plan-not-certified", "review", frozenset({PayerKind.MEDICARE}), "CO-50 + N473",
        "plan_of_care", "no timely dated certification, or a signature the reviewer rejects",
        "MBPM ch.15 §220.1.3; Pub. 100-08 ch.3 §3.3.2.4", plan_not_certified,
    ),
    PayerRule(
        "progress-report-overdue", "review", MEDICARE_KINDS, "CO-50 + N29", "documentation",
        "more than 10 treatment days since a progress report the reviewer accepts",
        "MBPM ch.15 §220.3.D", progress_report_overdue,
    ),
    PayerRule(
        "note-unsigned", "review", None, "CO-50 + N29", "documentation",
        "the treatment note is not signed", "MBPM ch.15 §220.3.E", note_unsigned,
    ),
    PayerRule(
        "medical-necessity", "review", None, "CO-50 (+ N115 for Medicare and MA)",
        "medical_necessity", "a reviewer's judgement, at random among the claims reviewed",
        "the payer's medical review", not_necessary,
    ),
    PayerRule(
        "units-over-time", "review", None, "CO-151 + N362", "coding",
        "the payer counts timed units by total time (the 8-minute rule) and the claim bills "
        "more", "CPM ch.5 §20.2; the payer's policy", units_over_time,
    ),
    PayerRule(
        "ncci-reevaluation", "line", NCCI_KINDS, "CO-236", "bundling",
        "a re-evaluation billed with the day's therapy without 59 or XU",
        "NCCI Policy Manual ch.11 §P.3", ncci_reevaluation,
    ),
    PayerRule(
        "payer-bundle", "line", None, "CO-97 + M80", "bundling",
        "the payer's own bundling policy (not in the NCCI files)", "the payer's policy",
        payer_bundle,
    ),
    PayerRule(
        "bundled-code", "line", frozenset({PayerKind.MEDICARE}), "CO-97", "bundling",
        "a code the fee schedule never pays separately (status B, e.g. 97010)",
        "PFS relative value file, status indicator B", bundled_status,
    ),
    PayerRule(
        "kx-missing", "line", frozenset({PayerKind.MEDICARE}), "CO-119", "kx_threshold",
        "past the therapy threshold (other providers' therapy counted) without KX",
        "CPM ch.5 §10.3.3", kx_missing,
    ),
)  # fmt: skip
BY_ID: Mapping[str, PayerRule] = MappingProxyType({r.id: r for r in RULES})
