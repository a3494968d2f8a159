"""The denial-risk back-test: train on earlier claims, score later ones, against the truth.

The threshold is chosen on the training claims alone, each scored as if left out of the
training (its own outcome taken out of the counts), at the best F1; the test claims are then
scored by the model trained on all the training claims. The baseline scores every claim by its
payer's denial rate in training (what a biller knows without the model); its precision is read
at the recall the model reached, so the two are compared at the same recall.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from otbill.denials.risk import (
    ClaimFacts,
    Example,
    Point,
    RiskModel,
    at_recall,
    at_threshold,
    average_precision,
    best_f1,
)


@dataclass(frozen=True, slots=True)
class Backtest:
    train_claims: int
    train_denied: int
    test_claims: int
    test_denied: int
    threshold: float
    model: Point  # on the test claims, at the threshold
    baseline: Point  # on the test claims, at the model's recall
    model_ap: float  # average precision over the test claims
    baseline_ap: float

    @property
    def beats_baseline(self) -> bool:
        return self.model.precision > self.baseline.precision


def backtest(
    train: Sequence[Example], test: Sequence[tuple[ClaimFacts, bool]], strength: float = 5.0
) -> Backtest:
    if not train or not test:
        raise ValueError("the back-test needs training and test claims")
    model = RiskModel.train(train, strength)
    loo = [model.score(e.claim, leave_out=e.outcome).score for e in train]
    chosen = best_f1(loo, [e.outcome.denied for e in train])
    truth = [t for _, t in test]
    scores = [model.score(c).score for c, _ in test]
    baseline = [model.payer_rate(c.payer) for c, _ in test]
    at = at_threshold(scores, truth, chosen.threshold)
    return Backtest(
        len(train),
        sum(e.outcome.denied for e in train),
        len(test),
        sum(truth),
        chosen.threshold,
        at,
        at_recall(baseline, truth, at.recall),
        average_precision(scores, truth),
        average_precision(baseline, truth),
    )
