"""The denial-risk model: smoothed counts worked by hand, reasons a biller can read, a training
claim scored as if left out, and the precision-recall arithmetic of the back-test."""

from __future__ import annotations

import math
from datetime import date

import pytest

from otbill.denials.backtest import backtest
from otbill.denials.risk import (
    FAMILIES,
    ClaimFacts,
    Example,
    LineFacts,
    Outcome,
    RiskModel,
    at_recall,
    at_threshold,
    average_precision,
    best_f1,
    curve,
    features,
)


def claim(
    number: str, *codes: str, payer: str = "A", patient: str = "P1", **kw: object
) -> ClaimFacts:
    fields: dict[str, object] = {
        "number": number,
        "payer": payer,
        "payer_name": f"Payer {payer}",
        "patient": patient,
        "date_of_service": date(2025, 3, 3),
        "lines": tuple(LineFacts(c, ("GO",), 1, True) for c in codes),
        "rendering": "1111111111",
        "referring": None,
        "findings": (),
        "days_to_submit": 5,
    }
    fields.update(kw)
    return ClaimFacts(**fields)  # type: ignore[arg-type]


DENIED = Outcome(True, ("bundling",))
PAID = Outcome(False)


def training() -> list[Example]:
    """20 claims to payer A, one line each: 97140 on 8 (5 denied), 97530 on 12 (none)."""
    out = [Example(claim(f"D{k}", "97140"), DENIED) for k in range(5)]
    out += [Example(claim(f"K{k}", "97140"), PAID) for k in range(3)]
    out += [Example(claim(f"S{k}", "97530"), PAID) for k in range(12)]
    return out


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def test_the_score_worked_by_hand() -> None:
    model = RiskModel.train(training(), strength=5)
    practice = (5 + 1) / (20 + 2)  # Laplace
    payer = (5 + 5 * practice) / (20 + 5)  # payer A, toward the practice's rate
    code = (5 + 5 * payer) / (8 + 5)  # 97140 (and 97140 GO: the same claims)
    every = (5 + 5 * payer) / (20 + 5)  # therapist, units, lag and patient: all 20 claims
    expected = logit(payer) + (logit(code) - logit(payer)) + 4 * (logit(every) - logit(payer))
    risk = model.score(claim("NEW", "97140"))
    assert model.payer_rate("A") == pytest.approx(payer)
    assert risk.score == pytest.approx(1 / (1 + math.exp(-expected)))
    # 6/22 = 0.2727; payer (5 + 1.3636)/25 = 0.2545; 97140 (5 + 1.2727)/13 = 0.4825, logit
    # -0.0700; each whole-practice feature (5 + 1.2727)/25 = 0.2509, 0.0193 below the payer's
    # in log odds, four of them: -0.0700 - 0.0771 = -0.1470, a score of 0.4633.
    assert risk.score == pytest.approx(0.4633, abs=1e-4)
    # One reason: the code (its modifiers say the same of the same claims, so not twice).
    assert [r.text for r in risk.reasons] == [
        "97140 with Payer A: 5 of 8 denied (62%), mostly bundling (NCCI)"
    ]
    safe = model.score(claim("NEW2", "97530"))
    assert safe.score < model.payer_rate("A") < risk.score
    assert safe.reasons == ()


def test_few_claims_say_little_and_many_say_a_lot() -> None:
    few = [Example(claim(f"F{k}", "97140"), DENIED) for k in range(2)]
    many = [Example(claim(f"M{k}", "97112"), DENIED) for k in range(50)]
    rest = [Example(claim(f"R{k}", "97530"), PAID) for k in range(200)]
    model = RiskModel.train(few + many + rest)
    assert model.score(claim("a", "97112")).score > model.score(claim("b", "97140")).score


def test_a_family_counts_its_strongest_feature_once() -> None:
    model = RiskModel.train(training(), strength=5)
    one = model.score(claim("one", "97140"))
    two = model.score(claim("two", "97140", "97140"))  # the code twice: the same evidence
    assert two.score == pytest.approx(one.score)


def test_features_stay_within_the_payer() -> None:
    model = RiskModel.train(training(), strength=5)
    elsewhere = model.score(claim("B1", "97140", payer="B"))
    assert elsewhere.reasons == ()  # payer A's 97140 denials say nothing of payer B
    assert {f.family for f in features(claim("x", "97140", "97530", referring="2"))} == set(
        FAMILIES
    ) - {"finding"}


def test_a_claim_left_out_scores_as_if_never_trained_on() -> None:
    data = training()
    model = RiskModel.train(data)
    left = data[0]
    without = RiskModel.train(data[1:])
    assert model.score(left.claim, leave_out=left.outcome) == without.score(left.claim)
    assert model.total.n == 20  # and the counts are back as they were


def test_curve_average_precision_and_thresholds_by_hand() -> None:
    scores, truth = [0.9, 0.8, 0.8, 0.3], [True, False, True, False]
    points = curve(scores, truth)
    assert [(p.threshold, p.flagged, p.hits) for p in points] == [
        (0.9, 1, 1),
        (0.8, 3, 2),  # the two claims at 0.8 go in together
        (0.3, 4, 2),
    ]
    assert average_precision(scores, truth) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    assert best_f1(scores, truth).threshold == 0.8  # F1 0.8, against 0.667 at 0.9
    # Recall 0.75 falls inside the pair at 0.8 (one denied of two): half the pair, expected
    # 2 claims flagged for 1.5 denied, precision 0.75.
    mid = at_recall(scores, truth, 0.75)
    assert (mid.threshold, mid.flagged, mid.hits, mid.precision) == (0.8, 2.0, 1.5, 0.75)
    assert at_recall(scores, truth, 0.5).precision == 1.0
    p = at_threshold(scores, truth, 0.85)
    assert (p.flagged, p.hits, p.precision, p.recall) == (1, 1, 1.0, 0.5)


def test_the_backtest_beats_the_payer_rate_when_a_code_carries_the_risk() -> None:
    train = training() * 3
    test = [(claim("T1", "97140"), True), (claim("T2", "97530"), False),
            (claim("T3", "97140"), False), (claim("T4", "97530"), False)]  # fmt: skip
    b = backtest(train, test)
    assert (b.train_claims, b.train_denied, b.test_claims, b.test_denied) == (60, 15, 4, 1)
    assert (b.model.hits, b.model.flagged) == (1, 2)  # both 97140 claims, one denied
    # The payer's rate cannot tell the claims apart: at recall 1 it flags all four.
    assert (b.baseline.flagged, b.baseline.precision) == (4, 0.25)
    assert b.beats_baseline and b.model_ap > b.baseline_ap


def test_no_training_is_refused() -> None:
    with pytest.raises(ValueError, match="training and test"):
        backtest([], [(claim("x", "97140"), True)])
