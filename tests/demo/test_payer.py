"""The demo payer simulator: each rule denies its hand-built case and not the clean one, with
codes otbill's root-cause map puts in the intended category; prices worked by hand; the log
stays out of the 835."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from builders import episode, visit
from otbill.dates import Period
from otbill.demo.payer import PayerSimulator, remittances
from otbill.demo.payer_book import DEMO_TERMS, MEDICARE, ZERO, Knowledge, Terms
from otbill.demo.payer_rules import BY_ID, RULES
from otbill.denials.causes import classify
from otbill.model import (
    Authorization,
    Claim,
    Credential,
    Documentation,
    Episode,
    Payer,
    PayerKind,
    Provider,
    Service,
    UnitMethod,
    make_npi,
)
from otbill.rules.engine import check_episode
from otbill.x12.read import read_x12
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo

DAY = date(2025, 3, 3)  # a Monday; CY2025's fee schedule prices it
QUIET = {
    "MCR": replace(MEDICARE, review_rate=0.0, necessity_rate=0.0, deductible=ZERO),
    "MA": replace(DEMO_TERMS["MA-HSA"], review_rate=0.0, necessity_rate=0.0),
    "ACME": replace(DEMO_TERMS["ACME-PPO"], review_rate=0.0, necessity_rate=0.0, bundles=(),
                    deductible=ZERO),
    "BLUE": replace(DEMO_TERMS["BLUE-IL"], review_rate=0.0, necessity_rate=0.0),
}  # fmt: skip
BLUE = Payer("BLUE", "Blue Prairie HMO", PayerKind.COMMERCIAL, UnitMethod.AMA)
OT2 = Provider(make_npi("177777777"), "Sam", "Okafor", Credential.OT)


@dataclass(frozen=True)
class Told(Knowledge):
    """The payer's files set by hand: nothing hidden unless a test says so."""

    end: date | None = None
    mbi: date | None = None
    elsewhere: Decimal = ZERO
    deductible: Decimal = ZERO
    short: int | None = None
    bad_signature: bool = False
    bad_reports: frozenset[str] = frozenset()

    def coverage_end(self, payer_id: str, terms: Terms, ep: Episode) -> date | None:
        return self.end

    def mbi_replaced(self, ep: Episode) -> date | None:
        return self.mbi

    def therapy_elsewhere(self, ep: Episode) -> Decimal:
        return self.elsewhere

    def deductible_left(self, payer_id: str, terms: Terms, ep: Episode) -> Decimal:
        return self.deductible

    def visits_allowed(self, terms: Terms, auth: Authorization) -> int | None:
        return self.short if self.short is not None else auth.visits_allowed

    def signature_rejected(self, ep: Episode, plan_id: str) -> bool:
        return self.bad_signature

    def report_rejected(self, visit_id: str) -> bool:
        return visit_id in self.bad_reports


def claims_of(ep: Episode) -> list[Claim]:
    """The episode's claims as the coder and scrubber build them, in date order."""
    return [r.claim for r in check_episode(ep, as_of=ep.visits[-1].date + timedelta(days=2))]


def sim(know: Told | None = None, **terms: Terms) -> PayerSimulator:
    return PayerSimulator(7, knowledge=know or Told(7), terms={**QUIET, **terms},
                          underpay_rate=0.0)  # fmt: skip


# Each case: (the payer's files, the terms, the episode) -> the claims sent, in order, and the
# arrival of each (days after its date of service). A rule's case is built so that the rule
# denies the last claim; its clean twin differs in the one fact the rule is about.
Case = Callable[[bool], tuple[PayerSimulator, Episode, int]]


def _simple(payer: str = "MCR", *services: Service) -> Episode:
    return episode(visit(DAY, *(services or (Service("97530", 20),))), payer=payer,
                   plan_start=DAY)  # fmt: skip


def case_mbi(dirty: bool) -> tuple[PayerSimulator, Episode, int]:
    return sim(Told(7, mbi=DAY if dirty else None)), _simple(), 1


def case_timely(dirty: bool) -> tuple[PayerSimulator, Episode, int]:
    return sim(), _simple(), 400 if dirty else 30


def case_eligibility(dirty: bool) -> tuple[PayerSimulator, Episode, int]:
    return sim(Told(7, end=DAY - timedelta(days=1) if dirty else None)), _simple(), 5


def _series(n: int, payer: str = "MCR", **kw: object) -> Episode:
    visits = []
    for k in range(n):
        day = DAY + timedelta(days=7 * (k // 2) + 3 * (k % 2))
        services = (Service("97166", 45),) if k == 0 else (Service("97530", 23),)
        visits.append(visit(day, *services, vid=f"V{k + 1}"))
    ep = episode(*visits, payer=payer, plan_start=DAY)
    return replace(ep, **kw)  # type: ignore[arg-type]


def case_duplicate(dirty: bool) -> tuple[PayerSimulator, Episode, int]:
    # The same session charted by a second therapist: a claim of its own, the same services.
    first = visit(DAY, Service("97530", 23), vid="V1")
    code = "97530" if dirty else "97110"
    second = replace(visit(DAY, Service(code, 23), vid="V1B"), rendering_npi=OT2.npi)
    ep = episode(first, second, plan_start=DAY)
    return sim(), replace(ep, providers={**ep.providers, OT2.npi: OT2}), 5


def case_authorization(dirty: bool) -> tuple[PayerSimulator, Episode, int]:
    auth = Authorization("A1", "MA", Period(DAY, DAY + timedelta(days=90)), visits_allowed=3)
    ep = _series(3, "MA", authorizations=(auth,))
    ep = replace(ep, visits=tuple(replace(v, authorization_number="A1") for v in ep.visits))
    return sim(Told(7, short=2 if dirty else None)), ep, 5


def case_plan(dirty: bool) -> tuple[PayerSimulator, Episode, int]:
    ep = _simple()
    plan = ep.plans_of_care[0]
    signed = DAY + timedelta(days=40 if dirty else 2)
    ep = replace(ep, plans_of_care=(replace(plan, signed_date=signed),))
    return sim(MCR=replace(QUIET["MCR"], review_rate=1.0)), ep, 50


def case_signature(dirty: bool) -> tuple[PayerSimulator, Episode, int]:
    reviewed = replace(QUIET["MCR"], review_rate=1.0)
    return sim(Told(7, bad_signature=dirty), MCR=reviewed), _simple(), 5


def case_progress(dirty: bool) -> tuple[PayerSimulator, Episode, int]:
    ep = _series(12)
    if not dirty:
        v = ep.visits[6]
        doc = replace(v.documentation, progress_report=True)
        ep = replace(ep, visits=(*ep.visits[:6], replace(v, documentation=doc), *ep.visits[7:]))
    return sim(MCR=replace(QUIET["MCR"], review_rate=1.0)), ep, 5


def case_rejected_report(dirty: bool) -> tuple[PayerSimulator, Episode, int]:
    """A report the reviewer does not accept counts as none (MBPM ch.15 §220.3.D)."""
    ep = _series(12)
    v = ep.visits[6]
    doc = replace(v.documentation, progress_report=True)
    ep = replace(ep, visits=(*ep.visits[:6], replace(v, documentation=doc), *ep.visits[7:]))
    know = Told(7, bad_reports=frozenset({v.id} if dirty else set()))
    return sim(know, MCR=replace(QUIET["MCR"], review_rate=1.0)), ep, 5


def case_note(dirty: bool) -> tuple[PayerSimulator, Episode, int]:
    v = visit(DAY, Service("97530", 23))
    v = replace(v, documentation=Documentation(note_signed=not dirty, total_treatment_minutes=23))
    ep = episode(v, plan_start=DAY)
    return sim(MCR=replace(QUIET["MCR"], review_rate=1.0)), ep, 5


def case_necessity(dirty: bool) -> tuple[PayerSimulator, Episode, int]:
    terms = replace(QUIET["MCR"], review_rate=1.0, necessity_rate=1.0 if dirty else 0.0)
    return sim(MCR=terms), _simple(), 5


def case_units(dirty: bool) -> tuple[PayerSimulator, Episode, int]:
    # Billed per code (AMA): 10 + 10 minutes are a unit each; by total time, 20 minutes are one.
    minutes = 10 if dirty else 15
    ep = _simple("BLUE", Service("97530", minutes), Service("97110", minutes))
    ep = replace(ep, payers={**ep.payers, "BLUE": BLUE})
    reviewed = replace(QUIET["BLUE"], review_rate=1.0)
    return sim(BLUE=reviewed), ep, 5


def case_ncci(dirty: bool) -> tuple[PayerSimulator, Episode, int]:
    mods: tuple[str, ...] = () if dirty else ("XU",)
    reason = None if dirty else "status changed: a fall at home"
    reeval = Service("97168", 20, modifiers=mods, distinct_reason=reason)
    return sim(), _simple("MCR", Service("97530", 23), reeval), 5


def case_bundle(dirty: bool) -> tuple[PayerSimulator, Episode, int]:
    second = (
        Service("97140", 15)
        if dirty
        else Service("97140", 15, modifiers=("59",), distinct_reason="another region")
    )
    ep = _simple("ACME", Service("97530", 23), second)
    return sim(ACME=replace(QUIET["ACME"], bundles=(("97530", "97140"),))), ep, 5


def case_status_b(dirty: bool) -> tuple[PayerSimulator, Episode, int]:
    extra = (Service("97010", 10),) if dirty else ()
    return sim(), _simple("MCR", Service("97530", 23), *extra), 5


def case_kx(dirty: bool) -> tuple[PayerSimulator, Episode, int]:
    # 2025: OT threshold $2,410.00; 97530 allows $34.61.
    know = Told(7, elsewhere=Decimal("2400.00") if dirty else Decimal("2300.00"))
    return sim(know), _simple(), 5


CASES: dict[str, list[Case]] = {
    "mbi-replaced": [case_mbi],
    "timely-filing": [case_timely],
    "eligibility-lapsed": [case_eligibility],
    "duplicate": [case_duplicate],
    "authorization-exhausted": [case_authorization],
    "plan-not-certified": [case_plan, case_signature],
    "progress-report-overdue": [case_progress, case_rejected_report],
    "note-unsigned": [case_note],
    "medical-necessity": [case_necessity],
    "units-over-time": [case_units],
    "ncci-reevaluation": [case_ncci],
    "payer-bundle": [case_bundle],
    "bundled-code": [case_status_b],
    "kx-missing": [case_kx],
}


def run(case: Case, dirty: bool) -> list[object]:
    simulator, ep, days = case(dirty)
    out = []
    for claim in claims_of(ep):
        out.append(simulator.adjudicate(claim, ep, claim.date_of_service + timedelta(days=days)))
    return out


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == {r.id for r in RULES}


@pytest.mark.parametrize(
    ("rule", "case"),
    [(r, c) for r, cs in CASES.items() for c in cs],
    ids=lambda x: getattr(x, "__name__", x),
)
def test_rule_denies_its_case_and_not_the_clean_one(rule: str, case: Case) -> None:
    dirty = run(case, True)
    last = dirty[-1]
    fired = [d for d in last.decisions if d.rule == rule]
    assert fired, f"{rule} did not fire: {last.decisions}"
    kind = {"MCR": "medicare", "MA": "medicare_advantage", "ACME": "commercial",
            "BLUE": "commercial"}[last.payer_id]  # fmt: skip
    for d in fired:
        assert classify(d.group, d.reason, d.remarks, kind).category == BY_ID[rule].category
        # The 835 carries the codes on the line the log names, the log's rule name nowhere.
        sv = last.payment.services[d.line - 1]
        assert any((a.group, a.reason) == (d.group, d.reason) for a in sv.adjustments)
        assert set(d.remarks) <= set(sv.remarks)
    clean = run(case, False)
    assert all(not a.decisions for a in clean), [a.decisions for a in clean]


def test_the_log_stays_out_of_the_835() -> None:
    simulator, ep, days = case_kx(True)
    adjudications = [
        simulator.adjudicate(c, ep, c.date_of_service + timedelta(days=days)) for c in claims_of(ep)
    ]
    when = datetime(2025, 3, 20, 6, tzinfo=UTC)
    text = build_835(remittances(adjudications), InterchangeInfo("MCR", "P", 1, when))
    assert "CAS*CO*119*" in text
    assert not any(r.id in text for r in RULES)  # the simulator's log is its own
    assert not read_x12(text).issues.errors  # balanced, as a payer's 835 must be


def _adjustments(a: object) -> dict[tuple[str, str], Decimal]:
    out: dict[tuple[str, str], Decimal] = {}
    for sv in a.payment.services:  # type: ignore[attr-defined]
        for adj in sv.adjustments:
            out[(adj.group, adj.reason)] = out.get((adj.group, adj.reason), ZERO) + adj.amount
    return out


def test_medicare_pays_the_fee_schedule_less_coinsurance_and_sequestration() -> None:
    # 97530 x1 on 2025-03-03, national: (0.44 + 0.62 + 0.01) x 32.3465 = $34.61 allowed.
    [a] = run(lambda _: (sim(), _simple(), 5), True)
    sv = a.payment.services[0]
    assert sv.allowed == Decimal("34.61")
    assert sv.paid == Decimal("27.14")  # 34.61 x 0.80 = 27.69, less 2% sequestration (0.55)
    assert _adjustments(a) == {
        ("CO", "45"): Decimal("20.39"),  # 55.00 charged - 34.61 allowed
        ("CO", "253"): Decimal("0.55"),
        ("PR", "2"): Decimal("6.92"),
    }
    assert a.payment.patient_responsibility == Decimal("6.92")
    assert not a.denied


def test_medicare_takes_the_deductible_left_first() -> None:
    know = Told(7, deductible=Decimal("20.00"))
    [a] = run(lambda _: (sim(know, MCR=replace(QUIET["MCR"], deductible=Decimal("257.00"))),
                         _simple(), 5), True)  # fmt: skip
    assert a.payment.services[0].paid == Decimal("11.46")  # (34.61 - 20.00) x 0.8 = 11.69 - 0.23
    assert _adjustments(a) == {
        ("CO", "45"): Decimal("20.39"),
        ("CO", "253"): Decimal("0.23"),
        ("PR", "1"): Decimal("20.00"),
        ("PR", "2"): Decimal("2.92"),
    }


def test_an_underpayment_is_logged_not_denied() -> None:
    simulator = PayerSimulator(7, knowledge=Told(7), terms=QUIET, underpay_rate=1.0)
    ep = _simple()
    [claim] = claims_of(ep)
    a = simulator.adjudicate(claim, ep, DAY + timedelta(days=5))
    assert a.payment.services[0].allowed == Decimal("32.88")  # 34.61 x 0.95
    [d] = a.decisions
    assert (d.rule, d.amount, d.denial) == ("underpaid", Decimal("1.73"), False)
    assert not a.denied


def test_a_commercial_plan_allows_its_share_with_copay() -> None:
    ep = _simple("BLUE", Service("97530", 20))
    ep = replace(ep, payers={**ep.payers, "BLUE": BLUE})
    [a] = run(lambda _: (sim(), ep, 5), True)
    # 58% of $55.00 = $31.90 allowed; $25.00 copay; $6.90 paid.
    assert a.payment.services[0].allowed == Decimal("31.90")
    assert a.payment.paid == Decimal("6.90")
    assert _adjustments(a) == {("CO", "45"): Decimal("23.10"), ("PR", "3"): Decimal("25.00")}


def test_units_denied_in_part_keep_the_rest_paid() -> None:
    # 97530 38 min + 97110 23 min, per code (AMA): 3 + 2 units. By total time, 61 minutes are
    # 4 units: 97530 2 and 97110 1 for their full 15s, the 4th to the first of the two codes
    # with 8 minutes left (CPM ch.5 §20.2): 97530 3, 97110 1. One of 97110's two units denied.
    ep = _simple("BLUE", Service("97530", 38), Service("97110", 23))
    ep = replace(ep, payers={**ep.payers, "BLUE": BLUE})
    [a] = run(lambda _: (sim(BLUE=replace(QUIET["BLUE"], review_rate=1.0)), ep, 5), True)
    [d] = a.decisions
    assert (d.rule, d.group, d.reason, d.line) == ("units-over-time", "CO", "151", 2)
    assert a.payment.services[1].units_paid == 1
    total = sum((sv.paid for sv in a.payment.services), ZERO)
    assert total > ZERO and a.payment.status == "1"
    for sv in a.payment.services:
        assert sv.charge == sv.paid + sum((x.amount for x in sv.adjustments), ZERO)


def test_the_same_seed_gives_the_same_answers() -> None:
    ep = _series(6, "MCR")

    def answers() -> list[object]:
        s = PayerSimulator(11, terms={"MCR": replace(MEDICARE, review_rate=0.5)})
        return [s.adjudicate(c, ep, c.date_of_service + timedelta(days=3)) for c in claims_of(ep)]

    assert answers() == answers()
