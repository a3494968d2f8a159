"""A seeded, realistic demo outpatient OT practice, at any scale.

Several OTs and OTAs, referring physicians and NPPs, and the payer mix of a US private practice
(Medicare, a Medicare Advantage plan, Medicaid, two commercial plans, workers' compensation).
Each patient gets an OT plan of care: an evaluation, treatment one to three times a week for
four to twelve weeks, progress reports, an occasional re-evaluation, a discharge. A small share
of visits and plans carry the everyday problems a scrubber exists for (a late certification, an
unsigned note, a missed progress report), unless ``realistic_defects`` is off.

Only ``random.Random(seed)`` is used, never the clock: the same arguments give the same practice.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType

from otbill.dates import Period
from otbill.model import (
    Address,
    Authorization,
    Coverage,
    Credential,
    Discipline,
    Documentation,
    Episode,
    Injury,
    Patient,
    Payer,
    PayerKind,
    Person,
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

CHARGES = {
    code: Decimal(amount)
    for code, amount in (
        ("97165", "165.00"), ("97166", "190.00"), ("97167", "215.00"), ("97168", "125.00"),
        ("97110", "48.00"), ("97112", "52.00"), ("97140", "47.00"), ("97530", "56.00"),
        ("97533", "58.00"), ("97535", "51.00"), ("97542", "49.00"), ("97760", "64.00"),
        ("97763", "66.00"), ("97010", "15.00"), ("97150", "36.00"), ("97018", "22.00"),
    )
}  # fmt: skip

# Treatment codes an OT practice bills most, with rough weights.
TREATMENT = [("97530", 30), ("97535", 24), ("97110", 16), ("97112", 10), ("97140", 8),
             ("97533", 3), ("97542", 2), ("97760", 4), ("97763", 3)]  # fmt: skip
EVALS = [("97165", 3), ("97166", 5), ("97167", 2)]

NEURO = ["I69.351", "I69.352", "I69.354", "I69.331", "G81.91", "G81.94", "G20.A1"]
ORTHO = [
    "M25.611",
    "M25.612",
    "M25.641",
    "M25.642",
    "M19.041",
    "M19.042",
    "M75.101",
    "M75.102",
    "M75.41",
    "M75.42",
    "G56.01",
    "G56.02",
    "M65.311",
    "M65.312",
    "M06.041",
]
INJURY = [
    "S62.101D",
    "S52.501D",
    "S52.502D",
    "S52.571D",
    "S46.011D",
    "S43.431D",
    "S66.011D",
    "T23.201D",
]
AFTERCARE = ["Z47.1", "Z47.89"]
SUPPORTING = ["M62.81", "R27.8", "R26.89", "M79.641", "M79.642", "R29.6", "R41.841", "M62.511",
              "Z96.611", "Z96.612"]  # fmt: skip

FIRST = [
    "Mary",
    "Linda",
    "James",
    "Robert",
    "Patricia",
    "John",
    "Barbara",
    "Michael",
    "Susan",
    "William",
    "Karen",
    "David",
    "Nancy",
    "Richard",
    "Betty",
    "Joseph",
    "Dorothy",
    "Thomas",
    "Sandra",
    "Charles",
    "Ruth",
    "Daniel",
    "Sharon",
    "Maria",
    "Jose",
    "Ana",
    "Wei",
    "Mei",
    "Aisha",
    "Omar",
    "Priya",
    "Ravi",
    "Keisha",
    "Tyrone",
    "Emily",
    "Noah",
    "Grace",
    "Ethan",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Nguyen",
    "Patel",
    "Kim",
    "Chen",
    "Okafor",
    "Kowalski",
    "Schmidt",
    "Rossi",
    "Novak",
]
STREETS = ["Oak Ave", "Maple St", "Lincoln Rd", "Washington Blvd", "Cedar Ln", "Park Pl",
           "Lake Dr", "Hill St", "Elm St", "Prairie Rd"]  # fmt: skip
CITIES = [("Springfield", "62701"), ("Springfield", "62704"), ("Chatham", "62629"),
          ("Rochester", "62563"), ("Sherman", "62684"), ("Petersburg", "62675")]  # fmt: skip
EMPLOYERS = ["Sangamon Cabinet Works", "Prairie Logistics", "Capitol Foods", "Lincoln Steel",
             "Midwest Home Health", "Illini Roofing"]  # fmt: skip

# MBI characters: letters never S, L, O, I, B, Z (CMS MBI format).
_MBI_ALPHA = "ACDEFGHJKMNPQRTUVWXY"
_MBI_ALNUM = _MBI_ALPHA + "0123456789"

PAYER_MIX = [
    (PayerKind.MEDICARE, 40),
    (PayerKind.MEDICARE_ADVANTAGE, 15),
    (PayerKind.MEDICAID, 10),
    (PayerKind.COMMERCIAL, 25),
    (PayerKind.WORKERS_COMP, 10),
]


@dataclass(frozen=True)
class DemoPractice:
    practice: Practice
    providers: tuple[Provider, ...]
    payers: tuple[Payer, ...]
    episodes: tuple[Episode, ...]

    @property
    def visits_count(self) -> int:
        return sum(len(e.visits) for e in self.episodes)

    def week(self, start: date) -> tuple[Episode, ...]:
        """Episodes cut to the visits in the seven days from ``start`` (others dropped)."""
        end = start + timedelta(days=6)
        out = []
        for e in self.episodes:
            visits = tuple(v for v in e.visits if start <= v.date <= end)
            if visits:
                out.append(replace(e, visits=visits))
        return tuple(out)


def mbi(rng: random.Random) -> str:
    c = rng.choice
    return "".join(
        [
            c("123456789"),
            c(_MBI_ALPHA),
            c(_MBI_ALNUM),
            c("0123456789"),
            c(_MBI_ALPHA),
            c(_MBI_ALNUM),
            c("0123456789"),
            c(_MBI_ALPHA),
            c(_MBI_ALPHA),
            c("0123456789"),
            c("0123456789"),
        ]
    )


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


class _Npis:
    """Distinct valid NPIs from one seeded stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.seen = rng, set[str]()

    def next(self) -> str:
        while True:
            npi = make_npi("1" + "".join(self.rng.choice("0123456789") for _ in range(8)))
            if npi not in self.seen:
                self.seen.add(npi)
                return npi


def _address(rng: random.Random) -> Address:
    city, zip_code = rng.choice(CITIES)
    return Address(f"{rng.randint(10, 9800)} {rng.choice(STREETS)}", city, "IL", zip_code)


def _staff(
    rng: random.Random, npis: _Npis
) -> tuple[list[Provider], list[Provider], list[Provider]]:
    def person(cred: Credential, taxonomy: str) -> Provider:
        return Provider(npis.next(), rng.choice(FIRST), rng.choice(LAST), cred, taxonomy)

    ots = [person(Credential.OT, "225X00000X") for _ in range(5)]
    otas = [person(Credential.OTA, "224Z00000X") for _ in range(3)]
    referrers = [
        person(cred, tax)
        for cred, tax in [(Credential.MD, "207Q00000X"), (Credential.MD, "207X00000X"),
                          (Credential.DO, "207R00000X"), (Credential.MD, "2084N0400X"),
                          (Credential.NP, "363LF0000X"), (Credential.PA, "363A00000X"),
                          (Credential.MD, "208100000X"), (Credential.DO, "207Q00000X")]
    ]  # fmt: skip
    return ots, otas, referrers


def _payers() -> dict[PayerKind, list[Payer]]:
    return {
        PayerKind.MEDICARE: [Payer("MCR-IL", "Medicare Part B (Illinois)", PayerKind.MEDICARE,
                                   UnitMethod.CMS)],
        PayerKind.MEDICARE_ADVANTAGE: [Payer("MA-HSA", "Heartland Senior Advantage",
                                             PayerKind.MEDICARE_ADVANTAGE, UnitMethod.CMS)],
        PayerKind.MEDICAID: [Payer("IL-MCD", "Illinois Medicaid", PayerKind.MEDICAID,
                                   UnitMethod.CMS)],
        PayerKind.COMMERCIAL: [
            Payer("ACME-PPO", "Acme Health PPO", PayerKind.COMMERCIAL, UnitMethod.AMA),
            Payer("BLUE-IL", "Blue Prairie HMO", PayerKind.COMMERCIAL, UnitMethod.AMA),
        ],
        PayerKind.WORKERS_COMP: [Payer("WC-PCM", "Prairie Comp Mutual", PayerKind.WORKERS_COMP,
                                       UnitMethod.AMA)],
    }  # fmt: skip


def generate_practice(
    seed: int = 7,
    patients: int = 300,
    year: int = 2026,
    *,
    realistic_defects: bool = True,
    visits: int | None = None,
) -> DemoPractice:
    """``patients`` patients; or, with ``visits``, as many patients as it takes to reach that
    many visits (the last episode cut to fit exactly)."""
    rng = random.Random(seed)
    npis = _Npis(rng)
    ots, otas, referrers = _staff(rng, npis)
    payers = _payers()
    practice = Practice(
        "Riverbend Occupational Therapy",
        npis.next(),
        "37" + "".join(rng.choice("0123456789") for _ in range(7)),
        "225X00000X",
        Address("410 Mill Street", "Springfield", "IL", "62701"),
        MappingProxyType(CHARGES),
    )
    providers = {p.npi: p for p in ots + otas + referrers}
    gen = _EpisodeMaker(rng, year, ots, otas, referrers, realistic_defects)
    episodes: list[Episode] = []
    total, n = 0, 0
    while (n < patients) if visits is None else (total < visits):
        kind = PayerKind(_weighted(rng, [(k.value, w) for k, w in PAYER_MIX]))
        payer = rng.choice(payers[kind])
        episode = gen.make(n, payer, practice, providers)
        if visits is not None and total + len(episode.visits) > visits:
            episode = replace(episode, visits=episode.visits[: visits - total])
        episodes.append(episode)
        total += len(episode.visits)
        n += 1
    all_payers = tuple(p for group in payers.values() for p in group)
    return DemoPractice(practice, tuple(providers.values()), all_payers, tuple(episodes))


def practice_with_visits(visits: int, seed: int = 7, year: int = 2026) -> DemoPractice:
    """A practice of exactly ``visits`` visits (for benchmarks)."""
    return generate_practice(seed=seed, year=year, visits=visits)


class _EpisodeMaker:
    def __init__(
        self,
        rng: random.Random,
        year: int,
        ots: list[Provider],
        otas: list[Provider],
        referrers: list[Provider],
        defects: bool,
    ) -> None:
        self.rng, self.year = rng, year
        self.ots, self.otas, self.referrers = ots, otas, referrers
        self.defects = defects
        self.visit_no = 0

    def _chance(self, p: float) -> bool:
        return self.defects and self.rng.random() < p

    def make(
        self, n: int, payer: Payer, practice: Practice, providers: dict[str, Provider]
    ) -> Episode:
        rng = self.rng
        kind = payer.kind
        sex = rng.choice([Sex.F, Sex.F, Sex.M, Sex.M, Sex.F])
        if kind in (PayerKind.MEDICARE, PayerKind.MEDICARE_ADVANTAGE):
            age = rng.randint(65, 94)
        elif kind is PayerKind.WORKERS_COMP:
            age = rng.randint(22, 63)
        else:
            age = rng.randint(8, 64)
        first_day = date(self.year, 1, 5) + timedelta(days=rng.randint(0, 320))
        start = first_day - timedelta(days=first_day.weekday())  # a Monday
        birth = date(start.year - age, rng.randint(1, 12), rng.randint(1, 28))
        patient = Patient(
            f"P{n + 1:06d}", rng.choice(FIRST), rng.choice(LAST), birth, sex, _address(rng)
        )
        dx = self._diagnoses(kind)
        weeks, freq = rng.randint(4, 12), rng.choice([1, 2, 2, 2, 3, 3])
        ot = rng.choice(self.ots)
        certifier = rng.choice(self.referrers)
        signed = start + timedelta(days=rng.randint(1, 12))
        if self._chance(0.03):
            signed = start + timedelta(days=rng.randint(31, 45))
        plan = PlanOfCare(
            "POC-1",
            Discipline.OT,
            start,
            certifying_npi=certifier.npi,
            signed_date=signed,
            certified_through=start + timedelta(days=min(weeks * 7, 89)),
            frequency_per_week=freq,
            duration_weeks=weeks,
            diagnoses=dx,
        )
        visits = self._visits(start, weeks, freq, ot, kind, dx)
        coverage, auths = self._coverage(payer, patient, start, len(visits), kind)
        if auths:
            visits = [replace(v, authorization_number=auths[0].number) for v in visits]
        return Episode(
            practice=practice,
            providers=MappingProxyType(providers),
            payers=MappingProxyType({payer.id: payer}),
            patient=patient,
            coverages=(coverage,),
            plans_of_care=(plan,),
            authorizations=auths,
            visits=tuple(visits),
        )

    def _diagnoses(self, kind: PayerKind) -> tuple[str, ...]:
        rng = self.rng
        if kind is PayerKind.WORKERS_COMP:
            primary = rng.choice(INJURY)
        elif kind in (PayerKind.MEDICARE, PayerKind.MEDICARE_ADVANTAGE):
            primary = rng.choice(NEURO + ORTHO + AFTERCARE)
        else:
            primary = rng.choice(ORTHO + INJURY)
        extra = rng.sample(SUPPORTING, rng.randint(0, 3))
        return (primary, *extra)

    def _member_id(self, kind: PayerKind, payer: Payer) -> str:
        r = self.rng.randint
        if kind is PayerKind.MEDICARE:
            return mbi(self.rng)
        if kind is PayerKind.MEDICARE_ADVANTAGE:
            return f"H{r(1000, 9999)}{r(10**6, 10**7 - 1)}"
        if kind is PayerKind.MEDICAID:
            return f"IL{r(10**8, 10**9 - 1)}"
        if kind is PayerKind.WORKERS_COMP:
            return f"WC-{self.year % 100}-{r(10**5, 10**6 - 1)}"
        return f"{payer.id[:3]}{r(10**7, 10**8 - 1)}-0{r(1, 3)}"

    def _coverage(
        self, payer: Payer, patient: Patient, start: date, planned: int, kind: PayerKind
    ) -> tuple[Coverage, tuple[Authorization, ...]]:
        rng = self.rng
        member = self._member_id(kind, payer)
        relationship, subscriber, injury = Relationship.SELF, None, None
        if kind is PayerKind.COMMERCIAL and rng.random() < 0.3:
            relationship = rng.choice([Relationship.SPOUSE, Relationship.CHILD])
            subscriber = Person(
                rng.choice(FIRST),
                patient.last_name,
                date(start.year - rng.randint(30, 60), rng.randint(1, 12), rng.randint(1, 28)),
                rng.choice([Sex.F, Sex.M]),
                patient.address,
            )
        if kind is PayerKind.WORKERS_COMP:
            relationship = Relationship.EMPLOYEE
            injury = Injury(
                f"IL-{self.year % 100}-{rng.randint(10**6, 10**7 - 1)}",
                start - timedelta(days=rng.randint(7, 60)),
                rng.choice(EMPLOYERS),
            )
        coverage = Coverage(
            payer.id,
            member,
            relationship,
            1,
            Period(date(start.year - rng.randint(0, 8), 1, 1)),
            group=f"G{rng.randint(1000, 9999)}" if kind is PayerKind.COMMERCIAL else "",
            subscriber=subscriber,
            injury=injury,
        )
        auths: tuple[Authorization, ...] = ()
        if kind in (PayerKind.WORKERS_COMP, PayerKind.MEDICAID, PayerKind.MEDICARE_ADVANTAGE):
            allowed = planned + rng.randint(0, 4)
            if self._chance(0.05):
                allowed = max(1, planned - rng.randint(1, 3))
            auths = (
                Authorization(
                    f"A{rng.randint(10**7, 10**8 - 1)}",
                    payer.id,
                    Period(start, start + timedelta(days=90)),
                    visits_allowed=allowed,
                    discipline=Discipline.OT,
                ),
            )
        return coverage, auths

    def _visits(
        self,
        start: date,
        weeks: int,
        freq: int,
        ot: Provider,
        kind: PayerKind,
        dx: tuple[str, ...],
    ) -> list[Visit]:
        rng = self.rng
        pattern = {1: [0], 2: [0, 3], 3: [0, 2, 4]}[freq]
        days = [start + timedelta(days=7 * w + d) for w in range(weeks) for d in pattern]
        days = [days[0]] + [d for d in days[1:] if rng.random() > 0.1]  # cancellations
        use_ota = kind in (PayerKind.MEDICARE, PayerKind.MEDICARE_ADVANTAGE, PayerKind.MEDICAID,
                           PayerKind.COMMERCIAL)  # fmt: skip
        ota = rng.choice(self.otas)
        out = []
        since_report = 0
        for n, day in enumerate(days):
            last = n == len(days) - 1
            report = False
            if n == 0:
                services = [Service(_weighted(rng, EVALS), rng.choice([30, 45, 60]))]
                if rng.random() < 0.5:
                    services.append(Service("97535", rng.choice([8, 10, 15, 20])))
            else:
                assisted = use_ota and rng.random() < 0.3
                services = self._treatment(assisted)
                if not last and n % 9 == 6 and rng.random() < 0.15:
                    services.append(
                        Service(
                            "97168",
                            20,
                            modifiers=("XU",),
                            distinct_reason="status changed: new fall at home",
                        )
                    )
                since_report += 1
                if since_report >= rng.randint(7, 9) and not self._chance(0.04):
                    report, since_report = True, 0
            self.visit_no += 1
            assisted_here = any(s.minutes_assistant for s in services)
            out.append(
                Visit(
                    f"V{self.visit_no:07d}",
                    day,
                    ot.npi,
                    place_of_service="11",
                    supervising_npi=ot.npi if assisted_here else None,
                    assistant_npi=ota.npi if assisted_here else None,
                    plan_of_care_id="POC-1",
                    diagnoses=dx,
                    services=tuple(services),
                    documentation=Documentation(
                        note_signed=not self._chance(0.01),
                        total_treatment_minutes=sum(s.minutes for s in services),
                        progress_report=report,
                        medical_necessity_documented=True,
                        discharge=last,
                    ),
                )
            )
        return out

    def _treatment(self, assisted: bool) -> list[Service]:
        rng = self.rng
        codes: list[str] = []
        while len(codes) < rng.choice([1, 2, 2, 3, 3, 4]):
            c = _weighted(rng, TREATMENT)
            if c not in codes:
                codes.append(c)
        services = []
        for c in codes:
            minutes = rng.choice([8, 10, 12, 15, 15, 18, 20, 22, 23, 25, 30])
            if assisted and rng.random() < 0.7:
                mine = rng.choice([0, 0, 3, 5, 8])
                services.append(Service(c, mine, max(minutes - mine, 1)))
            else:
                services.append(Service(c, minutes))
        if rng.random() < 0.03:
            services.append(Service("97010", 10))
        return services
