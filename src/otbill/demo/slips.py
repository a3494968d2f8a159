"""The practice's own slips in the demo year, and the biller who sends claims out over errors.

The demo practice (demo/practice) already carries the everyday defects of its records (a late
certification, an unsigned note, a short authorization). The year adds the slips of the office
that lead to the rest of the denials a practice sees:

- **a note left open**: a seeded 2.5% of visits reach billing 3 to 7 months after the visit
  (the therapist signs the note late, and the visit is exported when it is signed), so some
  claims go out past a payer's filing limit;
- **a session charted twice**: a seeded 1.2% of treatment visits are exported a second time
  under the covering therapist, each timed code with its own count of minutes (five more), so
  the same services go out on two claims; the scrubber holds the copy where the units match
  (OT-DUP-001) and not where they differ, and the payer denies it either way (CARC 18);
- **a re-evaluation not marked distinct**: half of the mid-course re-evaluations (97168) are
  recorded without XU and its reason, which the scrubber holds (OT-EVAL-002) and NCCI denies.

And the biller: at each month's end, every claim the scrubber newly held as a draft is released
over its errors with probability one half (a biller under a month-end target, who reads the
errors as false alarms), the rest kept in the draft queue. Released claims are exactly the
"practice's slips the scrubber would have caught had it been heeded": the payer's rules that
cover the same facts deny them, which is what ties the denials back to the scrubber's rules.

Everything is fixed by the seed (payer_book.chance), as the practice is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from otbill.demo.payer_book import chance, pick
from otbill.model import Episode, Service, Visit

LATE_RATE = 0.025
TWICE_RATE = 0.012
UNMARKED_REEVAL_RATE = 0.5
RELEASE_RATE = 0.5


@dataclass(frozen=True, slots=True)
class Slip:
    kind: str  # late-note, charted-twice, reeval-unmarked
    visit_id: str
    note: str


@dataclass(frozen=True, slots=True)
class SlippedEpisode:
    episode: Episode  # with the copies of twice-charted visits
    exported: dict[str, date]  # visit id -> the day it reaches billing (absent: its month's end)


def _month_end(day: date) -> date:
    first_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_next - timedelta(days=1)


def apply_slips(
    episodes: tuple[Episode, ...], seed: int, other_ot: dict[str, str]
) -> tuple[list[SlippedEpisode], list[Slip]]:
    """The episodes as the office sends them, and what slipped. ``other_ot`` names, for each
    treating OT's NPI, the colleague who covers (and charts the copy)."""
    out: list[SlippedEpisode] = []
    slips: list[Slip] = []
    for ep in episodes:
        visits: list[Visit] = []
        exported: dict[str, date] = {}
        for n, v in enumerate(ep.visits):
            v = _reeval(v, seed, slips)
            visits.append(v)
            if chance(seed, "late", v.id) < LATE_RATE:
                day = v.date + timedelta(days=pick(seed, 90, 210, "late-days", v.id))
                exported[v.id] = day
                slips.append(Slip("late-note", v.id, f"note signed and exported {day}"))
            if n and chance(seed, "twice", v.id) < TWICE_RATE and v.rendering_npi in other_ot:
                copy = replace(
                    v,
                    id=f"{v.id}B",
                    rendering_npi=other_ot[v.rendering_npi],
                    services=tuple(_more_minutes(s) for s in v.services),
                )
                visits.append(copy)
                slips.append(Slip("charted-twice", copy.id, f"a second chart of visit {v.id}"))
        out.append(SlippedEpisode(replace(ep, visits=tuple(visits)), exported))
    return out, slips


def _reeval(v: Visit, seed: int, slips: list[Slip]) -> Visit:
    if not any(s.code == "97168" and s.modifiers for s in v.services):
        return v
    if chance(seed, "reeval", v.id) >= UNMARKED_REEVAL_RATE:
        return v
    slips.append(Slip("reeval-unmarked", v.id, "97168 recorded without XU and its reason"))
    services = tuple(
        replace(s, modifiers=(), distinct_reason=None) if s.code == "97168" else s
        for s in v.services
    )
    return replace(v, services=services)


def _more_minutes(s: Service) -> Service:
    if s.units is not None or s.minutes == 0:
        return s  # untimed, or no minutes to count
    return replace(s, minutes_therapist=s.minutes_therapist + 5)


def export_day(slipped: SlippedEpisode, v: Visit) -> date:
    """When the visit reaches billing: its month's end, or later for a note left open."""
    return slipped.exported.get(v.id, _month_end(v.date))


def released(seed: int, claim_number: str) -> bool:
    """Whether the biller sends this held claim out over its errors."""
    return chance(seed, "release", claim_number) < RELEASE_RATE
