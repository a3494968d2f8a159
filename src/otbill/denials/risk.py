"""Denial risk before submission: a score per claim from the practice's own history, with the
reasons behind it.

The model is counts. Training reads the claims already adjudicated: for each, whether any line
came back denied (a denial in otbill's root-cause map, denials/causes: not CO-45 nor the
patient's share) and the root causes. A claim is described by features a biller can read, each
within its payer, since payers deny for their own reasons:

- ``code``: a code on the claim ("97140 with Acme Health PPO"), and the code with its
  modifiers ("97168 GO with Medicare"), the stronger of the two counting;
- ``pair``: two codes on the same claim ("97140 and 97530 on one claim");
- ``units``: the claim's timed units (1-2, 3, 4 or more);
- ``therapist`` and ``referrer``: the rendering and the certifying provider;
- ``finding``: each scrubber finding standing on the claim when sent (a claim released over
  its errors, or a warning such as "past the $3,000 review threshold");
- ``lag``: days from the date of service to submission;
- ``patient``: the patient's earlier claims with the payer (an eligibility lapse, a threshold
  passed, go on denying the patient's next claims).

Each rate is smoothed toward the rate one level up, as a Beta prior of ``strength`` claims: the
payer's rate toward the practice's, a feature's rate toward its payer's, so that a feature seen
on three claims says little and one seen on three hundred says a lot. The score adds, to the
payer's log odds, the strongest evidence of each family (the feature of that family whose
smoothed rate departs most from the payer's, up or down: the max, not the sum, within a family,
so a claim of five lines does not count its code five times) and turns the sum back into a
probability. The reasons are the features that raise it, each with its counts ("97140 with Acme
Health PPO: 14 of 15 denied (93%), mostly bundling (NCCI)"). Naive in the Bayes sense: the
families are added as if independent, which overstates a claim that several families flag;
the score ranks claims, it is not a calibrated probability.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from otbill.denials.causes import CATEGORIES

FAMILIES = ("code", "pair", "units", "therapist", "referrer", "finding", "lag", "patient")
LAGS = ((30, "within 30 days"), (60, "31-60 days"), (90, "61-90 days"), (180, "91-180 days"))


@dataclass(frozen=True, slots=True)
class LineFacts:
    code: str
    modifiers: tuple[str, ...]
    units: int
    timed: bool


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What the model reads of a claim: all of it on the claim or the practice's own record."""

    number: str
    payer: str
    payer_name: str
    patient: str
    date_of_service: date
    lines: tuple[LineFacts, ...]
    rendering: str
    referring: str | None
    findings: tuple[str, ...]  # rule ids of the scrubber findings standing when sent
    days_to_submit: int
    names: Mapping[str, str] = field(default_factory=dict)  # NPI -> a person's name


@dataclass(frozen=True, slots=True)
class Outcome:
    denied: bool
    causes: tuple[str, ...] = ()  # root-cause categories of its denied lines


@dataclass(frozen=True, slots=True)
class Example:
    claim: ClaimFacts
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Feature:
    family: str
    key: tuple[str, ...]  # (payer, ...)
    label: str


def _lag(days: int) -> str:
    return next((label for limit, label in LAGS if days <= limit), "over 180 days")


def _units(n: int) -> str:
    return "1-2" if n <= 2 else "3" if n == 3 else "4 or more"


def features(c: ClaimFacts) -> list[Feature]:
    """The claim's features, each within its payer (see the module's text)."""
    p, name = c.payer, c.payer_name
    out: list[Feature] = []
    codes = sorted({ln.code for ln in c.lines})
    for code in codes:
        out.append(Feature("code", (p, code), f"{code} with {name}"))
    for ln in c.lines:
        mods = " ".join(ln.modifiers) or "no modifier"
        out.append(Feature("code", (p, ln.code, mods), f"{ln.code} {mods} with {name}"))
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            out.append(Feature("pair", (p, a, b), f"{a} and {b} on one claim to {name}"))
    timed = _units(sum(ln.units for ln in c.lines if ln.timed))
    out.append(Feature("units", (p, timed), f"{timed} timed units to {name}"))
    who = c.names.get(c.rendering, c.rendering)
    out.append(Feature("therapist", (p, c.rendering), f"{who}'s claims to {name}"))
    if c.referring:
        doc = c.names.get(c.referring, c.referring)
        out.append(Feature("referrer", (p, c.referring), f"plans certified by {doc}, {name}"))
    for rule in sorted(set(c.findings)):
        out.append(Feature("finding", (p, rule), f"sent with finding {rule} to {name}"))
    lag = _lag(c.days_to_submit)
    out.append(Feature("lag", (p, lag), f"sent {lag} after the date of service to {name}"))
    out.append(Feature("patient", (p, c.patient), f"patient {c.patient}'s claims to {name}"))
    return out


@dataclass
class Count:
    n: int = 0
    denied: int = 0
    causes: Counter[str] = field(default_factory=Counter)

    def add(self, o: Outcome, sign: int = 1) -> None:
        self.n += sign
        self.denied += sign * o.denied
        for cause in set(o.causes):
            self.causes[cause] += sign


@dataclass(frozen=True, slots=True)
class Reason:
    label: str
    denied: int
    n: int
    rate: float  # smoothed
    weight: float  # log odds it adds to the payer's
    cause: str | None  # the root cause most of these denials had

    @property
    def text(self) -> str:
        why = f", mostly {CATEGORIES[self.cause]}" if self.cause else ""
        share = f"{100 * self.denied / self.n:.0f}%" if self.n else "none seen"
        return f"{self.label}: {self.denied} of {self.n} denied ({share}){why}"


@dataclass(frozen=True, slots=True)
class Risk:
    claim: str
    score: float
    payer_rate: float
    reasons: tuple[Reason, ...]


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x > -700 else 0.0


def _smooth(c: Count, prior: float, strength: float) -> float:
    return (c.denied + strength * prior) / (c.n + strength)


class RiskModel:
    """Counts of claims and denials per feature, from training examples."""

    def __init__(self, strength: float = 5.0) -> None:
        self.strength = strength
        self.total = Count()
        self.payers: dict[str, Count] = {}
        self.counts: dict[tuple[str, tuple[str, ...]], Count] = {}

    @classmethod
    def train(cls, examples: Iterable[Example], strength: float = 5.0) -> RiskModel:
        m = cls(strength)
        for e in examples:
            m._add(e, 1)
        return m

    def _add(self, e: Example, sign: int) -> None:
        self.total.add(e.outcome, sign)
        self.payers.setdefault(e.claim.payer, Count()).add(e.outcome, sign)
        for f in features(e.claim):
            self.counts.setdefault((f.family, f.key), Count()).add(e.outcome, sign)

    def practice_rate(self) -> float:
        return (self.total.denied + 1) / (self.total.n + 2)  # Laplace: never 0 or 1

    def payer_rate(self, payer: str) -> float:
        return _smooth(self.payers.get(payer, Count()), self.practice_rate(), self.strength)

    def score(self, claim: ClaimFacts, leave_out: Outcome | None = None) -> Risk:
        """The claim's risk. ``leave_out``: score a training claim as if it had not been in
        the training (its own outcome taken out of the counts), for choosing a threshold."""
        if leave_out is not None:
            self._add(Example(claim, leave_out), -1)
        try:
            return self._score(claim)
        finally:
            if leave_out is not None:
                self._add(Example(claim, leave_out), 1)

    def _score(self, claim: ClaimFacts) -> Risk:
        base = self.payer_rate(claim.payer)
        best: dict[str, tuple[float, Feature, Count, float]] = {}
        for f in features(claim):
            c = self.counts.get((f.family, f.key), Count())
            rate = _smooth(c, base, self.strength)
            w = _logit(rate) - _logit(base)
            if f.family not in best or abs(w) > abs(best[f.family][0]):
                best[f.family] = (w, f, c, rate)
        total = _logit(base) + sum(w for w, *_ in best.values())
        reasons: list[Reason] = []
        for w, f, c, rate in sorted(best.values(), key=lambda b: -b[0]):
            # A reason that says what one already listed says (a code and the same code with
            # its only modifiers: the same claims) is left out.
            if w > 0.05 and all((r.denied, r.n) != (c.denied, c.n) for r in reasons):
                reasons.append(Reason(f.label, c.denied, c.n, rate, w, _main_cause(c)))
        return Risk(claim.number, _sigmoid(total), base, tuple(reasons))


def _main_cause(c: Count) -> str | None:
    return c.causes.most_common(1)[0][0] if c.causes else None


# --- measuring it ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Point:
    threshold: float
    flagged: float  # claims (expected, where at_recall takes a group of ties in part)
    hits: float
    precision: float
    recall: float


def curve(scores: Sequence[float], truth: Sequence[bool]) -> list[Point]:
    """Precision and recall at every distinct score taken as the threshold (score >= it),
    highest first; claims with equal scores go in or out together."""
    positives = sum(truth)
    pairs = sorted(zip(scores, truth, strict=True), key=lambda p: -p[0])
    out: list[Point] = []
    flagged, hits, k = 0, 0, 0
    while k < len(pairs):
        s = pairs[k][0]
        while k < len(pairs) and pairs[k][0] == s:
            flagged += 1
            hits += pairs[k][1]
            k += 1
        out.append(Point(s, flagged, hits, hits / flagged, hits / positives if positives else 0))
    return out


def average_precision(scores: Sequence[float], truth: Sequence[bool]) -> float:
    """The area under the precision-recall curve, as steps (ties taken together)."""
    area, last = 0.0, 0.0
    for p in curve(scores, truth):
        area += (p.recall - last) * p.precision
        last = p.recall
    return area


def best_f1(scores: Sequence[float], truth: Sequence[bool]) -> Point:
    """The threshold with the best F1 (precision and recall weighed alike)."""
    points = curve(scores, truth)
    return max(
        points,
        key=lambda p: 0 if p.hits == 0 else 2 * p.precision * p.recall / (p.precision + p.recall),
    )


def at_threshold(scores: Sequence[float], truth: Sequence[bool], threshold: float) -> Point:
    flagged = [t for s, t in zip(scores, truth, strict=True) if s >= threshold]
    hits, positives = sum(flagged), sum(truth)
    return Point(
        threshold,
        len(flagged),
        hits,
        hits / len(flagged) if flagged else 0.0,
        hits / positives if positives else 0.0,
    )


def at_recall(scores: Sequence[float], truth: Sequence[bool], recall: float) -> Point:
    """The precision a score gives at ``recall``. Where the recall falls inside a group of
    claims with the same score (a payer's rate gives every claim of the payer one score), the
    group is taken in part, in random order: the expected claims flagged and precision then,
    so that a coarse score is not made to flag a whole group at once."""
    positives = sum(truth)
    before = Point(1.0, 0, 0, 1.0, 0.0)
    for p in curve(scores, truth):
        if p.recall >= recall:
            if p.hits == before.hits or not positives:
                return p
            hits = recall * positives
            rate = (p.hits - before.hits) / (p.flagged - before.flagged)
            flagged = before.flagged + (hits - before.hits) / rate
            return Point(p.threshold, flagged, hits, hits / flagged, recall)
        before = p
    return before
