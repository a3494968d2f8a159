"""Seed exactly one defect into a clean scenario, for every rule, at least three ways.

A case names the claim that carries the defect and the rule (and so the category) that must
find it. Injections work at the level the defect lives at: the documentation (re-coded, so the
claim follows the note) or the claim as billed (edited after coding, as a biller or another
system might have sent it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType

from otbill.codesets import CodeSets
from otbill.corpus.scenarios import OT2, OTA, Scenario, scenario
from otbill.dates import Period
from otbill.model import (
    Claim,
    ClaimLine,
    Discipline,
    Episode,
    PayerKind,
    Person,
    Relationship,
    Service,
    Sex,
    Visit,
)
from otbill.rules.context import History
from otbill.rules.registry import get

M, A, D, C, W = (
    PayerKind.MEDICARE,
    PayerKind.MEDICARE_ADVANTAGE,
    PayerKind.MEDICAID,
    PayerKind.COMMERCIAL,
    PayerKind.WORKERS_COMP,
)
Y16, Y22, Y24, Y26 = date(2016, 3, 7), date(2022, 3, 7), date(2024, 9, 9), date(2026, 2, 2)
TARGET = 2  # the third visit's claim carries the defect unless a case says otherwise


@dataclass(frozen=True)
class Case:
    name: str
    episode: Episode
    claims: tuple[Claim, ...]
    as_of: date
    codesets: CodeSets
    history: History | None = None
    claim_id: str | None = None  # None: a clean case
    rule: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


# --- building blocks ---------------------------------------------------------------------


def visits_of(s: Scenario) -> list[Visit]:
    return list(s.episode.visits)


def with_visit(s: Scenario, i: int, **changes: object) -> Scenario:
    vs = visits_of(s)
    vs[i] = replace(vs[i], **changes)  # type: ignore[arg-type]
    return replace(s, episode=replace(s.episode, visits=tuple(vs)))


def add_services(s: Scenario, i: int, *services: Service) -> Scenario:
    v = s.episode.visits[i]
    total = (v.documentation.total_treatment_minutes or 0) + sum(x.minutes for x in services)
    doc = replace(v.documentation, total_treatment_minutes=total)
    return with_visit(s, i, services=v.services + services, documentation=doc)


def set_services(s: Scenario, i: int, *services: Service) -> Scenario:
    v = s.episode.visits[i]
    doc = replace(v.documentation, total_treatment_minutes=sum(x.minutes for x in services))
    return with_visit(s, i, services=services, documentation=doc)


def with_doc(s: Scenario, i: int, **changes: object) -> Scenario:
    v = s.episode.visits[i]
    return with_visit(s, i, documentation=replace(v.documentation, **changes))  # type: ignore[arg-type]


def with_plan(s: Scenario, **changes: object) -> Scenario:
    plan = replace(s.episode.plans_of_care[0], **changes)  # type: ignore[arg-type]
    return replace(s, episode=replace(s.episode, plans_of_care=(plan,)))


def with_episode(s: Scenario, **changes: object) -> Scenario:
    return replace(s, episode=replace(s.episode, **changes))  # type: ignore[arg-type]


ClaimEdit = Callable[[Claim], Claim]


def edit_line(i: int, **changes: object) -> ClaimEdit:
    def go(c: Claim) -> Claim:
        lines = list(c.lines)
        lines[i] = replace(lines[i], **changes)  # type: ignore[arg-type]
        return replace(c, lines=tuple(lines))

    return go


def set_claim(**changes: object) -> ClaimEdit:
    return lambda c: replace(c, **changes)  # type: ignore[arg-type]


def first_dx(dx: str) -> ClaimEdit:
    return lambda c: replace(c, diagnoses=(dx, *c.diagnoses[1:]))


def prepend_dx(dx: str) -> ClaimEdit:
    return lambda c: replace(c, diagnoses=(dx, *c.diagnoses))


def both(a: ClaimEdit, b: ClaimEdit) -> ClaimEdit:
    return lambda c: b(a(c))


def add_line(line: Callable[[Claim], ClaimLine]) -> ClaimEdit:
    return lambda c: replace(c, lines=(*c.lines, line(c)))


def case(
    rule: str,
    name: str,
    s: Scenario,
    target: int = TARGET,
    edit: ClaimEdit | None = None,
) -> Case:
    claims = list(s.claims)
    if edit is not None:
        claims[target] = edit(claims[target])
    return Case(
        f"{rule} {name}",
        s.episode,
        tuple(claims),
        s.as_of,
        s.codesets,
        s.history,
        claims[target].id,
        rule,
    )


def line_index(s: Scenario, code: str, target: int = TARGET) -> int:
    claim = s.claims[target]
    return next(i for i, ln in enumerate(claim.lines) if ln.code == code)


# --- the cases, rule by rule --------------------------------------------------------------


def _units() -> Iterator[Case]:
    for kind, start in ((M, Y22), (C, Y24), (W, Y26)):
        s = scenario(kind, start)
        yield case(
            "OT-UNITS-001", f"{kind} {start} one unit too many", s, edit=edit_line(0, units=3)
        )
    for kind, start in ((M, Y24), (D, Y26), (C, Y22)):
        s = scenario(kind, start)
        yield case("OT-UNITS-002", f"{kind} {start} one unit short", s, edit=edit_line(0, units=1))
    # Untimed units as the document gave them (issue 14): an evaluation entered twice over.
    for kind, start, code in ((M, Y22, "97166"), (C, Y24, "97165")):
        s = set_services(scenario(kind, start), 0, Service(code, 45, units=2), Service("97535", 15))
        yield case("OT-UNITS-003", f"{kind} {start} {code} x2", s, target=0)
    for kind, start, code in ((W, Y26, "97010"), (A, Y16, "G0283")):
        s = add_services(scenario(kind, start), TARGET, Service(code, 10, units=2))
        yield case("OT-UNITS-003", f"{kind} {start} {code} x2", s)
    for kind, start, code, n in ((M, Y22, "97150", 2), (D, Y24, "97150", 3), (C, Y26, "97039", 2)):
        s = add_services(scenario(kind, start), TARGET, Service(code, 30, units=n))
        yield case("OT-UNITS-004", f"{kind} {start} {code} x{n}", s)


def _therapy_modifiers() -> Iterator[Case]:
    for kind, start in ((M, Y22), (A, Y24), (C, Y26)):
        s = scenario(kind, start)
        yield case("OT-MOD-001", f"{kind} {start} GO dropped", s, edit=edit_line(1, modifiers=()))
    for kind, start, mods in ((M, Y24, ("GP",)), (D, Y22, ("GO", "GN")), (W, Y26, ("GN",))):
        s = scenario(kind, start)
        yield case(
            "OT-MOD-002", f"{kind} {start} {'+'.join(mods)}", s, edit=edit_line(0, modifiers=mods)
        )
    for kind, start, code in ((M, Y26, "99213"), (C, Y24, "99212"), (A, Y22, "20610")):
        s = scenario(kind, start)

        def other(c: Claim, code: str = code) -> ClaimLine:
            return replace(c.lines[0], code=code, units=1, modifiers=("GO",))

        yield case("OT-MOD-003", f"{kind} {start} GO on {code}", s, edit=add_line(other))


def _assistant() -> Iterator[Case]:
    for kind, start in ((M, Y22), (M, Y24), (A, Y26)):
        s = scenario(kind, start, assistant=True)
        yield case(
            "OT-ASST-001", f"{kind} {start} CO dropped", s, edit=edit_line(0, modifiers=("GO",))
        )
    for kind, start in ((M, Y22), (A, Y24), (M, Y26)):
        s = scenario(kind, start, assistant=True)
        yield case(
            "OT-ASST-002", f"{kind} {start} CO without GO", s, edit=edit_line(0, modifiers=("CO",))
        )
    for kind, start, mods in (
        (M, Y22, ("GO", "CQ")),
        (A, Y24, ("GO", "CQ")),
        (M, Y26, ("GO", "CQ")),
    ):
        s = scenario(kind, start, assistant=True)
        yield case(
            "OT-ASST-003",
            f"{kind} {start} CQ under an OT plan",
            s,
            edit=edit_line(0, modifiers=mods),
        )


def strip_kx(c: Claim) -> Claim:
    """KX taken off every line, as a biller or another system might send the claim."""
    return replace(
        c,
        lines=tuple(
            replace(ln, modifiers=tuple(m for m in ln.modifiers if m != "KX")) for ln in c.lines
        ),
    )


def _kx() -> Iterator[Case]:
    ot22 = "2022:OT"
    # Past the threshold the coder applies KX when the note attests medical necessity (issue
    # 14); the defect is a note that does not, or KX taken off after coding.
    cases = (
        (date(2022, 2, 7), "2100.00", False, 0),
        (date(2022, 6, 6), "2100.00", True, 0),
        (date(2022, 10, 3), "1900.00", False, TARGET),
    )
    for start, before, attested, target in cases:
        h = History(therapy_ytd=MappingProxyType({ot22: Decimal(before)}))
        s = replace(scenario(M, start, medical_necessity=attested), history=h)
        how = "KX taken off" if attested else "no attestation in the note"
        yield case(
            "OT-KX-001",
            f"{start} from ${before}, {how}",
            s,
            target=target,
            edit=strip_kx if attested else None,
        )
    for start in (date(2022, 2, 7), date(2022, 6, 6), date(2022, 10, 3)):
        s = scenario(M, start, medical_necessity=True)
        yield case(
            "OT-KX-002",
            f"{start} KX at $0 year to date",
            s,
            edit=edit_line(0, modifiers=("GO", "KX")),
        )
    for start in (date(2022, 2, 7), date(2022, 6, 6), date(2022, 10, 3)):
        h = History(therapy_ytd=MappingProxyType({ot22: Decimal("2100.00")}))
        s = replace(scenario(M, start, visits=1), history=h)

        def add_kx(c: Claim) -> Claim:
            return replace(
                c, lines=tuple(replace(ln, modifiers=(*ln.modifiers, "KX")) for ln in c.lines)
            )

        yield case("OT-KX-003", f"{start} KX without documented necessity", s, 0, add_kx)
    # Years otbill ships no RVUs for (data/pfs/SOURCES.md), so the amounts stay unpriced.
    for start in (date(2019, 2, 4), date(2021, 6, 7), date(2026, 2, 2)):
        key = f"{start.year}:OT"
        h = History(therapy_ytd_upper=MappingProxyType({key: Decimal("2450.00")}))
        s = replace(scenario(M, start, visits=1, medical_necessity=True), history=h)
        yield case("OT-KX-004", f"{start} unpriced, charges past the threshold", s, target=0)
    for start in (date(2022, 2, 7), date(2022, 6, 6), date(2022, 10, 3)):
        h = History(therapy_ytd=MappingProxyType({ot22: Decimal("2980.00")}))
        s = replace(scenario(M, start, visits=1, medical_necessity=True), history=h)
        kx_both = both(edit_line(0, modifiers=("GO", "KX")), edit_line(1, modifiers=("GO", "KX")))
        yield case("OT-KX-005", f"{start} past $3,000", s, 0, kx_both)


def _ncci() -> Iterator[Case]:
    for kind, start in ((M, Y24), (C, Y22), (D, Y26)):
        s = add_services(scenario(kind, start), TARGET, Service("97112", 15), Service("97116", 15))
        yield case("OT-NCCI-001", f"{kind} {start} 97112 with 97116", s)
    for kind, start in ((M, Y22), (A, Y24), (C, Y26)):
        s = add_services(scenario(kind, start), TARGET, Service("97140", 15))
        yield case("OT-NCCI-002", f"{kind} {start} 97140 with 97530, no XU", s)
    yield case(
        "OT-MUE-001",
        "Medicare 2022 97530 70 min (MUE 4, MAI 3)",
        set_services(scenario(M, Y22), TARGET, Service("97530", 70)),
    )
    yield case(
        "OT-MUE-001",
        "commercial 2024 97110 75 min (MUE 4, MAI 1)",
        set_services(scenario(C, Y24), TARGET, Service("97110", 75)),
    )
    yield case(
        "OT-MUE-001",
        "MA 2026 97535 55 min (MUE 3, MAI 2)",
        set_services(scenario(A, Y26), TARGET, Service("97535", 55)),
    )
    for kind, start, mod in ((M, Y22, "XU"), (C, Y24, "59"), (W, Y26, "XE")):
        s = add_services(scenario(kind, start), TARGET, Service("97110", 15, modifiers=(mod,)))
        yield case("OT-DIST-001", f"{kind} {start} {mod} without a reason", s)
    for kind, start in ((M, Y16), (C, Y22), (D, Y26)):
        reason = "manual therapy 10:05-10:20, apart from therapeutic activities"
        s = add_services(
            scenario(kind, start),
            TARGET,
            Service("97110", 15, modifiers=("59",), distinct_reason=reason),
        )
        yield case("OT-DIST-002", f"{kind} {start} 59 for XU", s)


def _payer_edits() -> Iterator[Case]:
    """The corpus's payer edits (scenarios.corpus_codesets): each broken three ways."""
    for start in (Y22, Y24, Y26):
        s = add_services(scenario(C, start), TARGET, Service("97150", 30))
        yield case("OT-EDIT-001", f"commercial {start} 97150 with 97530, no 59", s)
    for start in (Y16, Y22, Y26):
        s = add_services(scenario(D, start), TARGET, Service("97039", 15))
        yield case("OT-EDIT-001", f"Medicaid {start} 97039 the payer does not pay", s)
    for start in (Y22, Y24, Y26):
        s = set_services(scenario(W, start), TARGET, Service("97535", 30))
        yield case("OT-EDIT-001", f"workers' comp {start} 97535 x2, the payer pays 1", s)


def _evaluations() -> Iterator[Case]:
    for kind, start in ((M, Y22), (C, Y24), (W, Y26)):
        s = add_services(scenario(kind, start), 0, Service("97167", 30))
        yield case("OT-EVAL-001", f"{kind} {start} two evaluations", s, target=0)
    for kind, start in ((M, Y22), (A, Y24), (D, Y26)):
        s = add_services(scenario(kind, start), TARGET, Service("97168", 25))
        yield case("OT-EVAL-002", f"{kind} {start} routine re-evaluation", s)
    for kind, start in ((M, Y22), (C, Y24), (W, Y26)):
        s = set_services(scenario(kind, start), 0, Service("97163", 45))
        yield case("OT-EVAL-003", f"{kind} {start} PT evaluation under OT", s, target=0)
    for kind, start, code in ((M, Y22, "97750"), (C, Y24, "97750"), (M, Y26, "97750")):
        s = add_services(scenario(kind, start), 0, Service(code, 15))
        yield case("OT-EVAL-004", f"{kind} {start} {code} on the evaluation day", s, target=0)


def _diagnoses() -> Iterator[Case]:
    for kind, start, dx in ((M, Y22, "M62.899"), (C, Y24, "I69.399"), (W, Y26, "S62.199A")):
        yield case(
            "OT-DX-001",
            f"{kind} {start} {dx}",
            scenario(kind, start),
            edit=first_dx(dx),
        )
    for kind, start, dx in ((M, Y24, "M62.8"), (D, Y22, "I69.35"), (C, Y26, "M25.61")):
        yield case(
            "OT-DX-002",
            f"{kind} {start} {dx}",
            scenario(kind, start),
            edit=first_dx(dx),
        )
    for kind, start, dx in ((M, Y22, "W19.XXXA"), (C, Y24, "G63"), (W, Y26, "V43.52XA")):
        yield case(
            "OT-DX-003",
            f"{kind} {start} {dx} first",
            scenario(kind, start),
            edit=prepend_dx(dx),
        )
    yield case(
        "OT-DX-004", "no pointer", scenario(M, Y22), edit=edit_line(0, diagnosis_pointers=())
    )
    yield case(
        "OT-DX-004",
        "pointer out of range",
        scenario(C, Y24),
        edit=edit_line(1, diagnosis_pointers=(1, 5)),
    )
    thirteen = (
        "I69.351",
        "M62.81",
        "M25.611",
        "M25.612",
        "M25.621",
        "M25.622",
        "M25.631",
        "M25.632",
        "M25.641",
        "M25.642",
        "R27.8",
        "R26.89",
        "Z96.651",
    )
    yield case(
        "OT-DX-004", "13 diagnoses", scenario(W, Y26), edit=lambda c: replace(c, diagnoses=thirteen)
    )
    for kind, start in ((M, Y16), (C, Y22), (A, date(2026, 11, 2))):
        yield case("OT-DX-005", f"{kind} {start} outside the loaded release", scenario(kind, start))


def _plan_of_care() -> Iterator[Case]:
    for kind, start in ((M, Y22), (C, Y24), (W, Y26)):
        s = with_plan(scenario(kind, start), start_date=start + timedelta(days=1))
        yield case("OT-POC-001", f"{kind} {start} evaluation before the plan", s, target=0)
    for start in (Y16, Y22, Y26):
        s = scenario(M, start)
        last = s.episode.visits[-1].date
        s = with_plan(s, certified_through=last - timedelta(days=1))
        yield case("OT-POC-002", f"{start} after the certified period", s, target=5)
    for start, signed in ((Y16, 40), (Y22, 31), (Y26, 60)):
        s = with_plan(scenario(M, start), signed_date=start + timedelta(days=signed))
        yield case("OT-POC-003", f"{start} signed {signed} days late", s, target=0)
    for start in (Y16, Y22, Y26):
        h = History(
            plan_id="POC-1",
            first_treatment=start - timedelta(days=95),
            treatment_days_total=24,
            treatment_days_in_period=1,
            days_since_functional=1,
        )
        s = replace(
            with_plan(
                scenario(M, start),
                start_date=start - timedelta(days=95),
                signed_date=start - timedelta(days=90),
                certified_through=start + timedelta(days=60),
            ),
            history=h,
        )
        # Within the certified dates, but more than 90 days after the first treatment.
        s = set_services(s, 0, Service("97530", 25), Service("97535", 20))
        yield case("OT-POC-004", f"{start} 95 days after the first treatment", s, target=0)
    for start in (Y16, Y22, Y26):
        s = with_plan(scenario(M, start), certifying_npi=OT2)
        yield case("OT-POC-005", f"{start} certified by an OT", s, target=0)


def _progress() -> Iterator[Case]:
    for kind, start in ((M, Y22), (A, Y24), (M, Y26)):
        s = with_doc(scenario(kind, start, visits=12), 7, progress_report=False)
        yield case("OT-PR-001", f"{kind} {start} 11th treatment day", s, target=10)
    for kind, start in ((M, Y16), (A, Y22), (M, Y24)):
        s = with_doc(scenario(kind, start, visits=9), 7, progress_report=False)
        yield case("OT-PR-002", f"{kind} {start} report due next visit", s, target=8)


def mid_plan(s: Scenario, days: int, **plan: object) -> Scenario:
    """The scenario as a record that begins mid-plan: the plan started ``days`` before the first
    visit the document holds, and that visit is a treatment, not the initial evaluation."""
    start = s.episode.visits[0].date
    s = with_plan(s, start_date=start - timedelta(days=days), **plan)
    return set_services(s, 0, Service("97530", 25), Service("97535", 20))


def _first_treatment() -> Iterator[Case]:
    """The clocks on a record without the plan's start: a visit document, an episode that starts
    mid-plan. Before issue 13 each took its first visit for the first treatment."""
    s = mid_plan(scenario(M, Y22, visits=1), 49, signed_date=None)
    yield case("OT-POC-003", "Medicare 2022 visit document 7 weeks into an unsigned plan", s, 0)
    s = mid_plan(scenario(M, Y24, visits=4), 42, signed_date=Y24 - timedelta(days=2))
    yield case("OT-POC-003", "Medicare 2024 episode from week 6, plan signed on day 40", s)
    s = mid_plan(scenario(M, Y26, visits=1), 50, signed_date=Y26 - timedelta(days=5))
    yield case("OT-POC-003", "Medicare 2026 visit document, plan signed on day 45", s, 0)

    s = mid_plan(
        scenario(M, Y22, visits=1),
        95,
        signed_date=Y22 - timedelta(days=90),
        certified_through=Y22 + timedelta(days=60),
    )
    yield case("OT-POC-004", "Medicare 2022 visit document 95 days into the plan", s, 0)
    s = mid_plan(
        scenario(M, Y24, visits=6),
        80,
        signed_date=Y24 - timedelta(days=75),
        certified_through=Y24 + timedelta(days=60),
    )
    yield case("OT-POC-004", "Medicare 2024 episode from day 80, its 4th visit day 90", s, 3)
    s = mid_plan(
        scenario(M, Y26, visits=1),
        130,
        first_treatment_date=Y26 - timedelta(days=100),
        signed_date=Y26 - timedelta(days=95),
        certified_through=Y26 + timedelta(days=60),
    )
    yield case("OT-POC-004", "Medicare 2026 visit document 100 days after its first", s, 0)

    s = mid_plan(
        scenario(M, Y22, visits=1),
        49,
        signed_date=Y22 - timedelta(days=45),
        certified_through=Y22 + timedelta(days=40),
    )
    yield case("OT-PR-003", "Medicare 2022 visit document 7 weeks in at 2 a week", s, 0)
    yield case("OT-PR-003", "MA 2024 episode from week 5", mid_plan(scenario(A, Y24, visits=3), 35))
    s = mid_plan(
        scenario(M, Y26, visits=1),
        12,
        signed_date=Y26 - timedelta(days=10),
        frequency_per_week=None,
    )
    yield case("OT-PR-003", "Medicare 2026 visit document 12 days in, no frequency", s, 0)


def _authorization() -> Iterator[Case]:
    for kind, start in ((W, Y22), (A, Y24), (D, Y26)):
        s = scenario(kind, start)
        a = s.episode.authorizations[0]
        end = s.episode.visits[4].date
        s = with_episode(s, authorizations=(replace(a, period=Period(a.period.start, end)),))
        yield case("OT-AUTH-001", f"{kind} {start} after the authorization ends", s, target=5)
    for kind, start in ((W, Y24), (A, Y26), (D, Y22)):
        s = scenario(kind, start)
        a = replace(s.episode.authorizations[0], visits_allowed=5)
        yield case(
            "OT-AUTH-002",
            f"{kind} {start} visit 6 of 5",
            with_episode(s, authorizations=(a,)),
            target=5,
        )
    for kind, start in ((W, Y26), (A, Y22), (D, Y24)):
        yield case(
            "OT-AUTH-003",
            f"{kind} {start} number left off",
            scenario(kind, start),
            edit=lambda c: replace(c, authorization_number=None),
        )
    for kind, start in ((C, Y22), (C, Y24), (C, Y26)):
        s = scenario(kind, start)
        payer = s.episode.payers["ACME"]
        from otbill.codesets.payers import profile_for

        limited = replace(payer, profile=replace(profile_for(payer), visit_limit_per_year=5))
        s = with_episode(s, payers=MappingProxyType({"ACME": limited}))
        yield case("OT-AUTH-004", f"{start} visit 6 of a 5-visit benefit", s, target=5)


def _functional() -> Iterator[Case]:
    for start in (date(2014, 3, 3), Y16, date(2018, 6, 4)):
        s = scenario(M, start)
        v = s.episode.visits[0]
        s = set_services(s, 0, *(x for x in v.services if not x.code.startswith("G")))
        yield case("OT-FR-001", f"{start} first day without G-codes", s, target=0)
    for start in (date(2014, 3, 3), Y16, date(2018, 6, 4)):
        s = scenario(M, start)
        v = s.episode.visits[0]
        bare = tuple(replace(x, modifiers=()) if x.code == "G8988" else x for x in v.services)
        yield case(
            "OT-FR-002",
            f"{start} G8988 without severity",
            with_visit(s, 0, services=bare),
            target=0,
        )
    for start in (date(2019, 3, 4), Y22, Y26):
        s = add_services(scenario(M, start), TARGET, Service("G8987", modifiers=("CJ",)))
        yield case("OT-FR-003", f"{start} G-code after 2018", s)


def _filing() -> Iterator[Case]:
    for kind, start, months in ((M, Y22, 13), (C, Y24, 4), (W, Y24, 14)):
        s = scenario(kind, start)
        s = replace(s, as_of=s.episode.visits[-1].date + timedelta(days=31 * months))
        yield case("OT-FILE-001", f"{kind} {start} sent {months} months later", s)
    for kind, start, days in ((M, Y22, 350), (C, Y24, 75), (D, Y26, 345)):
        s = scenario(kind, start, visits=1)
        s = replace(s, as_of=start + timedelta(days=days))
        yield case("OT-FILE-002", f"{kind} {start} {days} days later", s, target=0)
    for kind, start in ((M, Y22), (C, Y24), (W, Y26)):
        # The third visit's claim sent again under a new claim id.
        base = case("OT-DUP-001", f"{kind} {start} the same claim twice", scenario(kind, start))
        again = replace(base.claims[TARGET], id=base.claims[TARGET].id + "-B")
        yield replace(base, claims=(*base.claims, again), claim_id=again.id)
    for kind, start in ((M, Y22), (C, Y24), (D, Y26)):
        s = scenario(kind, start)
        cov = replace(
            s.episode.coverages[0],
            period=Period(start - timedelta(days=400), s.episode.visits[3].date),
        )
        yield case(
            "OT-ELIG-001",
            f"{kind} {start} coverage ended",
            with_episode(s, coverages=(cov,)),
            target=4,
        )


def _parties() -> Iterator[Case]:
    for start, mid in ((Y22, "123456789A"), (Y24, "1EG4-TE5-MK73"), (Y26, "1SG4TE5MK73")):
        yield case(
            "OT-DEMO-001",
            f"{start} member id {mid}",
            scenario(M, start),
            edit=set_claim(member_id=mid),
        )
    for kind, start in ((M, Y22), (C, Y24), (W, Y26)):
        s = scenario(kind, start)
        s = with_episode(s, patient=replace(s.episode.patient, birth_date=None))
        yield case("OT-DEMO-002", f"{kind} {start} no birth date", s)
    for kind, start in ((M, Y22), (M, Y24), (C, Y26)):
        s = scenario(kind, start)
        spouse = Person("Robert", "Alvarez", date(1948, 1, 9), Sex.M)
        rel = Relationship.SPOUSE if kind is M else Relationship.SELF
        cov = replace(s.episode.coverages[0], relationship=rel, subscriber=spouse)
        yield case(
            "OT-DEMO-003",
            f"{kind} {start} {rel} with a spouse subscriber",
            with_episode(s, coverages=(cov,)),
        )
    for kind, start, which in (
        (M, Y22, "referring_npi"),
        (C, Y24, "rendering_npi"),
        (W, Y26, "billing_npi"),
    ):
        yield case(
            "OT-PROV-001",
            f"{kind} {start} bad {which}",
            scenario(kind, start),
            edit=set_claim(**{which: "1234567890"}),
        )
    for kind, start in ((M, Y22), (A, Y24), (C, Y26)):
        s = scenario(kind, start)
        provs = dict(s.episode.providers)
        ot = next(p for p in provs.values() if p.npi == s.episode.visits[0].rendering_npi)
        provs[ot.npi] = replace(ot, taxonomy="")
        yield case(
            "OT-PROV-002",
            f"{kind} {start} rendering without taxonomy",
            with_episode(s, providers=MappingProxyType(provs)),
        )
    for kind, start in ((M, Y22), (M, Y24), (A, Y26)):
        s = with_visit(scenario(kind, start), TARGET, rendering_npi=OTA)
        yield case("OT-PROV-003", f"{kind} {start} OTA as rendering", s)
    for start, what in ((Y22, "employer"), (Y24, "date"), (Y26, "number")):
        s = scenario(W, start)
        cov = s.episode.coverages[0]
        assert cov.injury is not None
        injury = {
            "employer": replace(cov.injury, employer=""),
            "date": replace(cov.injury, date_of_injury=None),
            "number": replace(cov.injury, claim_number=" "),
        }[what]
        cov = replace(cov, injury=injury)
        yield case("OT-WC-001", f"{start} no {what}", with_episode(s, coverages=(cov,)))


def _documentation() -> Iterator[Case]:
    for kind, start in ((M, Y22), (C, Y24), (W, Y26)):
        yield case(
            "OT-DOC-001",
            f"{kind} {start} unsigned note",
            with_doc(scenario(kind, start), TARGET, note_signed=False),
        )
    yield case(
        "OT-DOC-002",
        "Medicare 2022 minutes flag off",
        with_doc(scenario(M, Y22), TARGET, timed_minutes_recorded=False),
    )
    for kind, start in ((C, Y24), (D, Y26)):
        s = add_services(scenario(kind, start), TARGET, Service("97110", 0))
        yield case("OT-DOC-002", f"{kind} {start} 97110 with no minutes", s)
    for kind, start in ((M, Y22), (C, Y24), (A, Y26)):
        yield case(
            "OT-DOC-003",
            f"{kind} {start} total below timed",
            with_doc(scenario(kind, start), TARGET, total_treatment_minutes=30),
        )
    for kind, start in ((M, Y16), (D, Y22), (W, Y24)):
        yield case(
            "OT-DOC-004",
            f"{kind} {start} no total time",
            with_doc(scenario(kind, start), TARGET, total_treatment_minutes=None),
        )


def _clean_kx() -> Iterator[tuple[str, Scenario]]:
    """Medicare patients past the KX threshold whose notes attest medical necessity: the coder's
    KX leaves no error (the $3,000 review threshold is a warning)."""
    for start, before in ((date(2022, 3, 7), "2100.00"), (date(2022, 9, 5), "1800.00")):
        h = History(therapy_ytd=MappingProxyType({"2022:OT": Decimal(before)}))
        s = replace(scenario(M, start, visits=10, medical_necessity=True), history=h)
        yield f"Medicare {start} from ${before}, KX on attestation", s


def _clean_mid_plan() -> Iterator[tuple[str, Scenario]]:
    """Records without the plan's start that are in order: the clocks, counted from the plan's
    start or its recorded first treatment, find nothing."""
    s = mid_plan(
        scenario(M, Y22, visits=1),
        21,
        signed_date=Y22 - timedelta(days=17),
        certified_through=Y22 + timedelta(days=60),
    )
    yield "Medicare 2022 visit document 3 weeks into a plan certified on time", s
    s = mid_plan(
        scenario(M, Y24, visits=6),
        40,
        signed_date=Y24 - timedelta(days=36),
        certified_through=Y24 + timedelta(days=45),
    )
    yield (
        "Medicare 2024 episode from week 6 with its progress report",
        with_doc(s, 0, progress_report=True),
    )
    # A plan a physician set up 20 days before the first visit: signed 25 days after the first
    # treatment the plan records, 45 after its start.
    s = mid_plan(
        scenario(M, Y26 + timedelta(days=14), visits=1),
        34,
        first_treatment_date=Y26,
        signed_date=Y26 + timedelta(days=25),
        certified_through=Y26 + timedelta(days=80),
    )
    yield "Medicare 2026 visit document under a plan with its first treatment date", s


def clean_cases() -> Iterator[Case]:
    """Every payer kind the corpus uses, in four years, with and without an assistant."""
    for kind in (M, A, D, C, W):
        for start in (Y16, Y22, Y24, Y26):
            for assistant in (False, True):
                s = scenario(kind, start, visits=10, assistant=assistant)
                claims = s.claims
                yield Case(
                    f"clean {kind} {start}{' OTA' if assistant else ''}",
                    s.episode,
                    claims,
                    s.as_of,
                    s.codesets,
                    s.history,
                )
    for name, s in _clean_kx():
        yield Case(f"clean {name}", s.episode, s.claims, s.as_of, s.codesets, s.history)
    for name, s in _clean_mid_plan():
        claims = s.claims
        yield Case(f"clean {name}", s.episode, claims, s.as_of, s.codesets, s.history)


def defect_cases() -> Iterator[Case]:
    for make in (
        _units,
        _therapy_modifiers,
        _assistant,
        _kx,
        _ncci,
        _payer_edits,
        _evaluations,
        _diagnoses,
        _plan_of_care,
        _progress,
        _first_treatment,
        _authorization,
        _functional,
        _filing,
        _parties,
        _documentation,
    ):
        yield from make()


def cases() -> Iterator[Case]:
    yield from defect_cases()
    yield from clean_cases()


def category_of(rule_id: str) -> str:
    r = get(rule_id)
    if r is None:
        raise KeyError(rule_id)
    return r.category.value


__all__ = ["Case", "Discipline", "case", "cases", "category_of", "clean_cases", "defect_cases"]
