"""A demo payer simulator that denies the way real payers do, for the demo year and its tests.

``PayerSimulator.adjudicate`` takes a claim as sent, the patient's record and the day the claim
reached the payer, and answers as the claim's payer would: the payer's rules (demo/payer_rules)
deny what its own files or its reviewer's reading call for, and the rest is priced (below).
Each denial is written to the simulator's own log (``log``: which rule, which line, why), never
to the 835, so that tests and the denial-risk back-test can score against the truth while the
practice sees only what a payer would send. ``remittances`` gathers the answers into 835s, one
per payer and payment day.

Pricing. Medicare allows the fee schedule amount the coder put on the line (ClaimLine.allowed:
the CMS release for the date, MPPR applied), or the charge if lower, except that a seeded few
lines are allowed 5% below it (a misapplied fee schedule, logged as ``underpaid`` for the
underpayment check); the deductible the payer still has on file (PR-1), 20% coinsurance (PR-2),
the CO/CQ 15% reduction taken from the payment as otbill's pricing does (pricing/medicare step
4), then the 2% sequestration of the payment (CO-253); the rest of the charge is CO-45. Other
payers allow their contracted share of the charge, with their copay (PR-3), deductible and
coinsurance. Every line balances: charge = paid + its adjustments.

Deterministic: the same seed, claims and days give the same answers, whatever the clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from otbill.codesets import CodeSets, default_codesets
from otbill.codesets.payers import FILING
from otbill.demo.payer_book import ZERO, Knowledge, Records, Terms, chance, pick, terms_for
from otbill.demo.payer_rules import RULES, Ctx, Denial, reviewed
from otbill.model import Claim, ClaimLine, Episode, PayerKind
from otbill.model.remittance import Adjustment, ClaimPayment, Remittance, ServicePayment

CENT = Decimal("0.01")
SEQUESTRATION = Decimal("0.02")  # of Medicare payments, from 2022-07-01
SEQUESTRATION_FROM = date(2022, 7, 1)
ASSISTANT_FACTOR = Decimal("0.85")  # CO/CQ, dates of service from 2022 (CPM ch.5 §20.1)
UNDERPAY_RATE = 0.02
UNDERPAY_FACTOR = Decimal("0.95")
UNDERPAID = "underpaid"


def cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Decision:
    """An entry of the simulator's log: what a rule did to a claim line (1-based)."""

    claim: str
    line: int
    rule: str
    group: str
    reason: str
    remarks: tuple[str, ...]
    amount: Decimal  # the charge denied, or for ``underpaid`` what the allowed falls short
    why: str

    @property
    def denial(self) -> bool:
        return self.rule != UNDERPAID


@dataclass(frozen=True, slots=True)
class Adjudication:
    claim: str
    payer_id: str
    payer_name: str
    billing_npi: str
    received: date
    paid_on: date
    payment: ClaimPayment
    decisions: tuple[Decision, ...]

    @property
    def denied(self) -> bool:
        """A denial on any line (the back-test's truth for the claim)."""
        return any(d.denial for d in self.decisions)

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(d.rule for d in self.decisions if d.denial))


@dataclass
class _Line:
    """A claim line as the payer works it: what is still open after partial denials, then
    what it allows and pays."""

    units: int
    charge: Decimal  # the charge still open (all of it, less any units denied)
    allowed: Decimal | None
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    denied: bool = False  # the whole line
    paid: Decimal = ZERO

    def service(self, ln: ClaimLine) -> ServicePayment:
        return ServicePayment(
            ln.code,
            ln.modifiers,
            ln.charge,
            self.paid,
            None if self.denied else Decimal(self.units),
            None,
            (),
            None,
            date=ln.date,
            adjustments=tuple(self.adjustments),
            remarks=tuple(dict.fromkeys(self.remarks)),
            allowed=None if self.denied else self.allowed,
        )


class PayerSimulator:
    """One simulator holds every demo payer's files and records, across all the claims it is
    sent; the order claims arrive in matters as it does for a payer (duplicates, visit counts,
    the threshold)."""

    def __init__(
        self,
        seed: int = 7,
        codesets: CodeSets | None = None,
        *,
        knowledge: Knowledge | None = None,
        terms: Mapping[str, Terms] | None = None,
        underpay_rate: float = UNDERPAY_RATE,
    ) -> None:
        """``knowledge`` and ``terms`` (by payer id) stand in for the seeded files and the
        demo payers' terms, as tests do to set each fact by hand."""
        self.seed = seed
        self.know = knowledge or Knowledge(seed)
        self.terms = dict(terms or {})
        self.underpay_rate = underpay_rate
        self.records = Records()
        self.codesets = codesets or default_codesets()
        self.log: list[Decision] = []

    def adjudicate(self, claim: Claim, episode: Episode, arrival: date) -> Adjudication:
        if claim.responsibility != "P" or claim.frequency_code == "8":
            raise ValueError(
                f"claim {claim.id}: the demo payer adjudicates primary claims (frequency 1 or "
                "7), not secondary or void claims"
            )
        payer = episode.payers[claim.payer_id]
        terms = self.terms.get(payer.id) or terms_for(payer.id, payer.kind)
        ctx = Ctx(claim, episode, payer.id, terms, self.know, self.records, arrival, self.codesets)
        lines = [_Line(ln.units, ln.charge, ln.allowed) for ln in claim.lines]
        decisions: list[Decision] = []
        unprocessable = self._deny(ctx, lines, decisions)
        if not unprocessable:
            self._price(ctx, lines, decisions)
        services = tuple(s.service(ln) for s, ln in zip(lines, claim.lines, strict=True))
        paid = sum((s.paid for s in services), ZERO)
        pr = sum((a.amount for s in services for a in s.adjustments if a.group == "PR"), ZERO)
        payment = ClaimPayment(
            claim.id,
            "4" if all(s.denied for s in lines) else "1",
            claim.total_charge,
            paid,
            pr,
            FILING.get(payer.kind, "CI"),
            self._icn(payer.id, claim.id, arrival),
            "11",
            claim.frequency_code,
            episode.patient.last_name.upper(),
            episode.patient.first_name.upper(),
            claim.member_id,
            services=services,
        )
        if not unprocessable:
            self._remember(ctx, lines, services)
        self.log.extend(decisions)
        return Adjudication(
            claim.id,
            payer.id,
            payer.name,
            claim.billing_npi,
            arrival,
            self._pay_day(terms, payer.id, claim.id, arrival),
            payment,
            tuple(decisions),
        )

    def _deny(self, ctx: Ctx, lines: list[_Line], decisions: list[Decision]) -> bool:
        """Run the payer's rules in order, each on the lines still open; True when the claim
        came back unprocessable (nothing else is then decided)."""
        review: bool | None = None
        for rule in RULES:
            still = frozenset(i for i, ln in enumerate(lines) if not ln.denied)
            if not still:
                break
            if rule.kinds is not None and ctx.kind not in rule.kinds:
                continue
            if rule.stage == "review":
                review = reviewed(ctx) if review is None else review
                if not review:
                    continue
            denial = rule.check(replace(ctx, open_lines=still))
            if denial is None:
                continue
            _apply(ctx.claim, denial, lines, decisions)
            if rule.stage == "front":
                return True
        return False

    def _price(self, ctx: Ctx, lines: list[_Line], decisions: list[Decision]) -> None:
        t, claim = ctx.terms, ctx.claim
        deductible = max(
            ZERO,
            self.know.deductible_left(ctx.payer_id, t, ctx.episode)
            - self.records.deductible_used.get(ctx.year_key(), ZERO),
        )
        copay = t.copay
        for i, ln in enumerate(lines):
            if ln.denied:
                continue
            line = claim.lines[i]
            if t.kind is PayerKind.MEDICARE:
                allowed = self._medicare_allowed(claim, i, ln, decisions)
            else:
                allowed = cents(ln.charge * t.share)
            ded = min(deductible, allowed)
            deductible -= ded
            base = allowed - ded
            coins = cents(base * t.coinsurance)
            seq = ZERO
            if t.kind is PayerKind.MEDICARE:
                factor = Decimal(1)
                if {"CO", "CQ"} & set(line.modifiers) and line.date.year >= 2022:
                    factor = ASSISTANT_FACTOR
                gross = cents(base * (1 - t.coinsurance) * factor)
                if line.date >= SEQUESTRATION_FROM:
                    seq = cents(gross * SEQUESTRATION)
            else:
                gross = base - coins
            co_pay = min(copay, gross)
            copay -= co_pay
            ln.paid = gross - seq - co_pay
            contractual = ln.charge - ln.paid - seq - ded - coins - co_pay
            if contractual:
                ln.adjustments.append(Adjustment("CO", "45", contractual))
            if seq:
                ln.adjustments.append(Adjustment("CO", "253", seq))
            for code, amount in (("1", ded), ("2", coins), ("3", co_pay)):
                if amount:
                    ln.adjustments.append(Adjustment("PR", code, amount))
            ln.allowed = allowed

    def _medicare_allowed(
        self, claim: Claim, i: int, ln: _Line, decisions: list[Decision]
    ) -> Decimal:
        if ln.allowed is None:
            raise ValueError(
                f"claim {claim.id} line {i + 1} ({claim.lines[i].code}): no fee schedule amount "
                f"for {claim.date_of_service}; the demo's Medicare prices from the fee schedules "
                "otbill ships (CY2022 to CY2025)"
            )
        schedule = min(ln.allowed, ln.charge)
        if chance(self.seed, UNDERPAID, claim.id, i) >= self.underpay_rate:
            return schedule
        allowed = cents(schedule * UNDERPAY_FACTOR)
        decisions.append(
            Decision(
                claim.id,
                i + 1,
                UNDERPAID,
                "CO",
                "45",
                (),
                schedule - allowed,
                f"allowed {allowed}, below the fee schedule's {schedule} (a misapplied fee "
                "schedule: the payer owes the difference)",
            )
        )
        return allowed

    def _remember(
        self, ctx: Ctx, lines: Sequence[_Line], services: Sequence[ServicePayment]
    ) -> None:
        patient = ctx.episode.patient.id
        for ln in ctx.claim.lines:
            key = (ctx.payer_id, patient, ln.date, ln.code)
            self.records.received.setdefault(key, ctx.claim.id)
        year = ctx.year_key()
        allowed = sum((s.allowed or ZERO for s in services), ZERO)
        self.records.allowed_ytd[year] = self.records.allowed_ytd.get(year, ZERO) + allowed
        ded = sum(
            (
                a.amount
                for s in services
                for a in s.adjustments
                if (a.group, a.reason) == ("PR", "1")
            ),
            ZERO,
        )
        self.records.deductible_used[year] = self.records.deductible_used.get(year, ZERO) + ded
        number = ctx.claim.authorization_number
        if number and not all(ln.denied for ln in lines):
            dates = self.records.auth_dates.setdefault((ctx.payer_id, number), set())
            dates.add(ctx.claim.date_of_service)

    def _icn(self, payer_id: str, claim_id: str, arrival: date) -> str:
        digest = hashlib.blake2b(repr((self.seed, payer_id, claim_id, arrival)).encode())
        return f"{arrival:%y%j}{int.from_bytes(digest.digest()[:6], 'big') % 10**9:09d}"

    def _pay_day(self, terms: Terms, payer_id: str, claim_id: str, arrival: date) -> date:
        day = arrival + timedelta(
            days=terms.lag_days + pick(self.seed, 0, terms.lag_extra, "lag", payer_id, claim_id)
        )
        return day + timedelta(days=(terms.weekday - day.weekday()) % 7)


def _apply(claim: Claim, d: Denial, lines: list[_Line], decisions: list[Decision]) -> None:
    """Deny the rule's lines that are still open: whole, or the units it names."""
    for i in d.lines:
        ln = lines[i]
        if ln.denied:
            continue
        units = d.units.get(i, ln.units)
        if units >= ln.units:
            amount, ln.denied = ln.charge, True
            ln.allowed = None
        else:
            amount = cents(ln.charge * units / ln.units)
            if ln.allowed is not None:
                ln.allowed = cents(ln.allowed * (ln.units - units) / ln.units)
            ln.units, ln.charge = ln.units - units, ln.charge - amount
        ln.adjustments.append(Adjustment(d.group, d.reason, amount))
        ln.remarks.extend(d.remarks)
        decisions.append(
            Decision(claim.id, i + 1, d.rule, d.group, d.reason, d.remarks, amount, d.why)
        )


def remittances(adjudications: Iterable[Adjudication]) -> list[Remittance]:
    """The 835s the answers make: one per payer and payment day, in date order. A day on which
    nothing is paid is a notification without payment (BPR01 H, BPR04 NON)."""
    groups: dict[tuple[date, str], list[Adjudication]] = {}
    for a in adjudications:
        groups.setdefault((a.paid_on, a.payer_id), []).append(a)
    out = []
    for (day, payer_id), items in sorted(groups.items()):
        total = sum((a.payment.paid for a in items), ZERO)
        trace = hashlib.blake2b(f"{payer_id}".encode(), digest_size=3).hexdigest().upper()
        out.append(
            Remittance(
                "0001",
                "I" if total else "H",
                total,
                "C",
                "CHK" if total else "NON",
                day,
                f"{day:%Y%m%d}{trace}",
                "1999999999",
                items[0].payer_name,
                payer_id,
                "DEMO PRACTICE",
                items[0].billing_npi,
                day,
                tuple(a.payment for a in items),
                (),
                (),
            )
        )
    return out
