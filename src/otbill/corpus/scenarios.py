"""Clean episodes to seed defects into: one payer, one plan of care, visits twice a week.

Each scenario is what a compliant practice would bill: an OT plan certified on time by a
physician, an evaluation, treatment with timed minutes, notes signed, a progress report by the
tenth treatment day, authorizations where the payer wants them, and functional G-codes on the
days they were required (2013-2018).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType

from otbill.codesets import CodeSets
from otbill.codesets.ncci import Mue, NcciTables, PtpEdit
from otbill.codesets.payer_edits import PayerEdit, PayerEdits
from otbill.coding.coder import code_episode
from otbill.dates import Period
from otbill.model import (
    Address,
    Authorization,
    Claim,
    Coverage,
    Credential,
    Discipline,
    Documentation,
    Episode,
    Injury,
    Patient,
    Payer,
    PayerKind,
    PlanOfCare,
    Practice,
    Provider,
    Relationship,
    Service,
    Sex,
    UnitMethod,
    Visit,
    make_npi,
)
from otbill.rules.context import History

PRACTICE_NPI = make_npi("140000001")
OT = make_npi("150000002")
OT2 = make_npi("150000003")
OTA = make_npi("160000004")
MD = make_npi("170000005")

CHARGES = {
    code: Decimal(amount)
    for code, amount in (
        ("97110", "48.00"),
        ("97112", "52.00"),
        ("97116", "45.00"),
        ("97140", "46.00"),
        ("97530", "55.00"),
        ("97535", "50.00"),
        ("97750", "60.00"),
        ("97760", "62.00"),
        ("97165", "160.00"),
        ("97166", "185.00"),
        ("97167", "210.00"),
        ("97168", "120.00"),
        ("97161", "150.00"),
        ("97163", "170.00"),
        ("97150", "35.00"),
        ("97010", "15.00"),
        ("97039", "40.00"),
        ("G0283", "25.00"),
    )
}

PAYERS = {
    PayerKind.MEDICARE: Payer("MCR", "Medicare Part B", PayerKind.MEDICARE, UnitMethod.CMS),
    PayerKind.MEDICARE_ADVANTAGE: Payer(
        "MAP", "Heartland Senior Advantage", PayerKind.MEDICARE_ADVANTAGE, UnitMethod.CMS
    ),
    PayerKind.MEDICAID: Payer("MCD", "State Medicaid", PayerKind.MEDICAID, UnitMethod.CMS),
    PayerKind.COMMERCIAL: Payer("ACME", "Acme Health", PayerKind.COMMERCIAL, UnitMethod.AMA),
    PayerKind.WORKERS_COMP: Payer(
        "WCX", "Prairie Comp Mutual", PayerKind.WORKERS_COMP, UnitMethod.AMA
    ),
}
MEMBER_IDS = {
    PayerKind.MEDICARE: "1EG4TE5MK73",
    PayerKind.MEDICARE_ADVANTAGE: "H1234-55501",
    PayerKind.MEDICAID: "IL-MCD-0091822",
    PayerKind.COMMERCIAL: "ACM448120-01",
    PayerKind.WORKERS_COMP: "WC-26-77120",
}


@dataclass(frozen=True)
class Scenario:
    """A clean episode, its claims, and what to check them with."""

    episode: Episode
    as_of: date
    history: History | None = None
    codesets: CodeSets = field(default_factory=lambda: corpus_codesets())

    @property
    def claims(self) -> tuple[Claim, ...]:
        """As the coder bills them, KX counting the year from the history on."""
        prior = self.history.therapy_ytd if self.history is not None else None
        return code_episode(self.episode, self.codesets, prior=prior)


def corpus_codesets() -> CodeSets:
    """Shipped code sets plus NCCI tables and payer edits for the corpus. The PTP and MUE rows
    are test data in the CMS formats' shape, not CMS values: the real therapy rows were not at
    hand; the payer edits are test edits of the corpus's own payers."""
    ncci = NcciTables()
    ncci.add_ptp(
        [
            PtpEdit("97140", "97530", Period(date(2010, 1, 1)), "1", "test edit"),
            PtpEdit("97112", "97116", Period(date(2010, 1, 1)), "0", "test edit"),
        ],
        "corpus test PTP edits (not CMS values)",
    )
    ncci.add_mue(
        [
            Mue("97530", 4, 3, "test"),
            Mue("97535", 3, 2, "test"),
            Mue("97110", 4, 1, "test"),
        ],
        "corpus test MUEs (not CMS values)",
    )
    cs = CodeSets()
    cs.ncci = ncci
    cs.payer_edits = PayerEdits.of(
        [
            PayerEdit("PE-1", "ACME", "pair", "97150", "97530", ("59", "XU"), reason="CO-236",
                      evidence="test edit"),
            PayerEdit("PE-2", "MCD", "code", "97039", reason="CO-96", evidence="test edit"),
            PayerEdit("PE-3", "WCX", "units", "97535", max_units=1, reason="CO-151",
                      evidence="test edit"),
        ]
    )  # fmt: skip
    return cs


def _providers() -> dict[str, Provider]:
    return {
        OT: Provider(OT, "Dana", "Whitfield", Credential.OT, "225X00000X"),
        OT2: Provider(OT2, "Ana", "Kowal", Credential.OT, "225X00000X"),
        OTA: Provider(OTA, "Luis", "Ortega", Credential.OTA, "224Z00000X"),
        MD: Provider(MD, "Priya", "Raman", Credential.MD, "207Q00000X"),
    }


def fr_years(day: date) -> bool:
    return date(2013, 1, 1) <= day <= date(2018, 12, 31)


def scenario(
    kind: PayerKind,
    start: date,
    visits: int = 6,
    *,
    assistant: bool = False,
    as_of: date | None = None,
    history: History | None = None,
    medical_necessity: bool = False,
) -> Scenario:
    """A clean episode: evaluation on ``start`` (from 2017; before, the first visit is a
    treatment), then treatment twice a week."""
    payer = PAYERS[kind]
    plan = PlanOfCare(
        "POC-1",
        Discipline.OT,
        start,
        certifying_npi=MD,
        signed_date=start + timedelta(days=5),
        certified_through=start + timedelta(days=80),
        frequency_per_week=2,
        duration_weeks=10,
        diagnoses=("I69.351", "M62.81"),
    )
    days = [start + timedelta(days=3 * i + (i // 2)) for i in range(visits)]
    built = []
    fr = kind is PayerKind.MEDICARE and fr_years(start)
    for n, day in enumerate(days):
        if n == 0 and start >= date(2017, 1, 1):
            services = [Service("97166", 45), Service("97535", 15)]
        else:
            services = [
                Service("97530", 25 if not assistant else 5, 0 if not assistant else 20),
                Service("97535", 20),
            ]
        if fr and n == 0:
            services += [Service("G8987", modifiers=("CJ",)), Service("G8988", modifiers=("CI",))]
        minutes = sum(s.minutes for s in services)
        built.append(
            Visit(
                f"V{kind.value[:3].upper()}{start:%y%m%d}-{n + 1:02d}",
                day,
                OT,
                supervising_npi=OT if assistant else None,
                assistant_npi=OTA if assistant else None,
                plan_of_care_id="POC-1",
                diagnoses=("I69.351", "M62.81"),
                services=tuple(services),
                documentation=Documentation(
                    total_treatment_minutes=minutes,
                    progress_report=n == 7,
                    medical_necessity_documented=medical_necessity,
                ),
            )
        )
    auths: tuple[Authorization, ...] = ()
    if kind in (PayerKind.MEDICARE_ADVANTAGE, PayerKind.MEDICAID, PayerKind.WORKERS_COMP):
        auths = (
            Authorization(
                f"AUTH-{start:%y%m%d}",
                payer.id,
                Period(start, start + timedelta(days=90)),
                visits_allowed=visits + 4,
                discipline=Discipline.OT,
            ),
        )
        built = [replace(v, authorization_number=auths[0].number) for v in built]
    coverage = Coverage(
        payer.id,
        MEMBER_IDS[kind],
        Relationship.EMPLOYEE if kind is PayerKind.WORKERS_COMP else Relationship.SELF,
        period=Period(start - timedelta(days=400)),
        injury=Injury("IL-26-0044182", start - timedelta(days=20), "Sangamon Cabinet Works")
        if kind is PayerKind.WORKERS_COMP
        else None,
    )
    practice = Practice(
        "Corpus Hand & OT",
        PRACTICE_NPI,
        "861234567",
        "225X00000X",
        Address("1 Main St", "Springfield", "IL", "62701"),
        MappingProxyType(CHARGES),
    )
    birth = (
        date(1950, 5, 17)
        if kind in (PayerKind.MEDICARE, PayerKind.MEDICARE_ADVANTAGE)
        else (date(1979, 2, 2))
    )
    episode = Episode(
        practice=practice,
        providers=MappingProxyType(_providers()),
        payers=MappingProxyType({payer.id: payer}),
        patient=Patient("P-CORPUS", "June", "Alvarez", birth, Sex.F),
        coverages=(coverage,),
        plans_of_care=(plan,),
        authorizations=auths,
        visits=tuple(built),
    )
    return Scenario(episode, as_of or days[-1] + timedelta(days=7), history)
