"""Which visits and lines go on which claim.

The default is one claim per patient, payer and date of service. Visits of one day are combined
before they are coded, because under the CMS method the day's total timed minutes bound the
timed units (CPM ch.5 §20.2: "If more than one 15 minute timed CPT code is billed during a
single calendar day, then the total number of timed units that can be billed is constrained by
the total treatment minutes for that day"). A biller can then split lines off to a claim of
their own (a line that must go to another payer, or wait for a record) and merge them back.

A claim here carries one rendering provider, place of service, plan of care and authorization
(837P loop 2300); visits or claims that differ in those stay on separate claims.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from otbill.codesets import CodeSets, hcpcs
from otbill.coding.coder import code_episode
from otbill.errors import OtbillError
from otbill.model import Claim, ClaimLine, Episode, Visit
from otbill.model.explain import Step
from otbill.model.visit import Documentation, Service
from otbill.sources import CPM_5_20_2

MAX_DIAGNOSES = 12  # 837P HI segment, CMS-1500 item 21 (A-L)
MAX_LINES = 50  # 837P loop 2400 repeat


class GroupingError(OtbillError):
    """A split or merge the claim cannot take."""


def _day_key(v: Visit) -> tuple[object, ...]:
    return (
        v.date,
        v.rendering_npi,
        v.place_of_service,
        v.supervising_npi,
        v.plan_of_care_id,
        v.authorization_number,
    )


def combine_same_day(episode: Episode) -> tuple[Episode, dict[str, tuple[str, ...]]]:
    """The episode with each day's compatible visits made one (under the first visit's id), and
    the ids each combined visit stands for."""
    groups: dict[tuple[object, ...], list[Visit]] = {}
    for v in episode.visits:
        groups.setdefault(_day_key(v), []).append(v)
    if all(len(g) == 1 for g in groups.values()):
        return episode, {}
    visits: list[Visit] = []
    ids: dict[str, tuple[str, ...]] = {}
    for g in groups.values():
        if len(g) == 1:
            visits.append(g[0])
            continue
        visits.append(combine_visits(g))
        ids[g[0].id] = tuple(v.id for v in g)
    visits.sort(key=lambda v: v.date)
    return replace(episode, visits=tuple(visits)), ids


def code_by_day(
    episode: Episode,
    codesets: CodeSets | None = None,
    *,
    prior: Mapping[str, Decimal] | None = None,
    kx: bool = True,
) -> tuple[Episode, tuple[Claim, ...]]:
    """The episode's claims, one per day's compatible visits, each naming the visits it bills
    and saying they were coded together; and the episode as coded, with those visits combined
    (the rules check a claim against the visit it was coded from). ``prior`` and ``kx``: as for
    code_episode."""
    combined, groups = combine_same_day(episode)
    claims = tuple(
        _combined(c, groups[c.visit_ids[0]]) if c.visit_ids[0] in groups else c
        for c in code_episode(combined, codesets, prior=prior, kx=kx)
    )
    return combined, claims


def _combined(claim: Claim, visit_ids: tuple[str, ...]) -> Claim:
    step = Step(
        f"Visits {', '.join(visit_ids)} on {claim.date_of_service} are coded together: the "
        "day's total timed minutes bound its timed units.",
        CPM_5_20_2,
    )
    return replace(claim, visit_ids=visit_ids, explanation=(step, *claim.explanation))


def combine_visits(visits: Sequence[Visit]) -> Visit:
    """One visit holding the others' services: minutes of a code add up."""
    first = visits[0]
    services: dict[str, Service] = {}
    for v in visits:
        for s in v.services:
            had = services.get(s.code)
            if had is None:
                services[s.code] = s
                continue
            # Each visit's untimed service is one more (a second evaluation, a second group
            # session): the units add and the per-day limit rules judge them, rather than two
            # services silently billed as one. Timed units come from the minutes; a functional
            # G-code is reported once a day.
            tc = hcpcs.lookup(s.code)
            units = (
                (had.units or 1) + (s.units or 1) if tc is not None and not tc.timed else had.units
            )
            services[s.code] = replace(
                had,
                minutes_therapist=had.minutes_therapist + s.minutes_therapist,
                minutes_assistant=had.minutes_assistant + s.minutes_assistant,
                units=units,
                modifiers=_union(had.modifiers, s.modifiers),
                diagnoses=_union(had.diagnoses, s.diagnoses),
                distinct_reason=had.distinct_reason or s.distinct_reason,
            )
    docs = [v.documentation for v in visits]
    totals = [d.total_treatment_minutes for d in docs]
    documentation = Documentation(
        note_signed=all(d.note_signed for d in docs),
        total_treatment_minutes=None if None in totals else sum(t or 0 for t in totals),
        timed_minutes_recorded=all(d.timed_minutes_recorded for d in docs),
        progress_report=any(d.progress_report for d in docs),
        medical_necessity_documented=any(d.medical_necessity_documented for d in docs),
        discharge=any(d.discharge for d in docs),
    )
    return replace(
        first,
        assistant_npi=first.assistant_npi or next((v.assistant_npi for v in visits), None),
        diagnoses=_union(*(v.diagnoses for v in visits)),
        services=tuple(services.values()),
        documentation=documentation,
    )


def _union(*seqs: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(x for seq in seqs for x in seq))


def split(
    claim: Claim, picks: Sequence[tuple[str, tuple[str, ...]]], new_id: str
) -> tuple[Claim, Claim]:
    """Move the lines named by (code, modifiers) to a new claim ``new_id``; each pick takes one
    line. Each claim keeps only the diagnoses its lines point at. KX does not tell lines apart:
    it is decided after the edits, from the year's amounts (otbill.coding.kx), so a pick made
    on a line with KX still names it when the claims are built again."""
    moved: list[int] = []
    for code, mods in picks:
        i = next(
            (
                i
                for i, ln in enumerate(claim.lines)
                if i not in moved and ln.code == code and _but_kx(ln.modifiers) == _but_kx(mods)
            ),
            None,
        )
        if i is None:
            shown = "-".join((code, *mods))
            raise GroupingError(f"claim {claim.id}: no line {shown} to split off")
        moved.append(i)
    if len(moved) == len(claim.lines):
        raise GroupingError(f"claim {claim.id}: splitting off every line leaves an empty claim")
    keep = [ln for i, ln in enumerate(claim.lines) if i not in moved]
    take = [claim.lines[i] for i in sorted(moved)]
    note = Step(f"Lines {', '.join(str(i + 1) for i in sorted(moved))} split off to {new_id}.")
    kept = _with_lines(claim, claim.id, keep, (*claim.explanation, note))
    other = _with_lines(
        claim,
        new_id,
        take,
        (*claim.explanation, Step(f"Split off from claim {claim.id}.")),
    )
    return kept, other


def _but_kx(mods: Sequence[str]) -> tuple[str, ...]:
    return tuple(m for m in mods if m != "KX")


def merge(claims: Sequence[Claim], new_id: str) -> Claim:
    """One claim holding the lines of ``claims`` (same patient, payer and day of service)."""
    first = claims[0]
    for c in claims[1:]:
        for name in (
            "patient_id",
            "payer_id",
            "member_id",
            "date_of_service",
            "billing_npi",
            "rendering_npi",
            "place_of_service",
            "supervising_npi",
            "plan_of_care_id",
            "authorization_number",
            "frequency_code",
        ):
            a, b = getattr(first, name), getattr(c, name)
            if a != b:
                raise GroupingError(
                    f"cannot merge {c.id} into {first.id}: {name.replace('_', ' ')} "
                    f"{b} differs from {a} (a claim carries one)"
                )
        if c.other_payers or first.other_payers:
            raise GroupingError(f"cannot merge {c.id}: it carries another payer's adjudication")
    diagnoses = list(_union(*(c.diagnoses for c in claims)))
    lines = []
    for c in claims:
        for ln in c.lines:
            pointers = tuple(diagnoses.index(c.diagnoses[p - 1]) + 1 for p in ln.diagnosis_pointers)
            lines.append(replace(ln, diagnosis_pointers=pointers))
    merged = replace(
        first,
        id=new_id,
        visit_ids=_union(*(c.visit_ids for c in claims)),
        diagnoses=tuple(diagnoses),
        lines=tuple(lines),
        explanation=(
            *first.explanation,
            Step(f"Merged {', '.join(c.id for c in claims)} into one claim {new_id}."),
        ),
    )
    return _with_lines(merged, new_id, list(merged.lines), merged.explanation)


def _with_lines(
    claim: Claim, new_id: str, lines: list[ClaimLine], explanation: tuple[Step, ...]
) -> Claim:
    """``claim`` with ``lines``, its diagnoses cut to those the lines point at (in their order)."""
    used = sorted({p for ln in lines for p in ln.diagnosis_pointers})
    renumber = {old: new for new, old in enumerate(used, start=1)}
    if len(used) > MAX_DIAGNOSES:
        raise GroupingError(
            f"claim {new_id}: {len(used)} diagnoses; a claim carries {MAX_DIAGNOSES}"
        )
    if len(lines) > MAX_LINES:
        raise GroupingError(
            f"claim {new_id}: {len(lines)} lines; an 837P claim carries {MAX_LINES}"
        )
    return replace(
        claim,
        id=new_id,
        diagnoses=tuple(claim.diagnoses[p - 1] for p in used),
        lines=tuple(
            replace(ln, diagnosis_pointers=tuple(renumber[p] for p in ln.diagnosis_pointers))
            for ln in lines
        ),
        date_of_service=min(ln.date for ln in lines),
        explanation=explanation,
    )
