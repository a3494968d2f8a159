"""The denial-risk back-test over a simulated year of the demo practice.

    .venv/bin/python bench/risk_backtest.py [--patients 300] [--seed 7] [--train-months 9]

Bills the year month by month on a new SQLite database (otbill demo --year-ledger), trains the
risk model on the claims of months 1-9 as the ledger holds them (their 835 postings), scores
the claims of months 10-12, and prints precision and recall against the payer simulator's own
log, whose rules the model is never told, beside the baseline (each claim scored by its payer's
denial rate in training) at the same recall.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from otbill.cli.demo_year import backtest_year, run_year


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--train-months", type=int, default=9)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="otbill-backtest-") as tmp:
        run = run_year(Path(tmp), seed=args.seed, patients=args.patients, year=args.year)
        t0 = time.perf_counter()
        b = backtest_year(run, args.train_months)
        took = time.perf_counter() - t0
    m, base = b.model, b.baseline
    print(
        f"demo year {args.year}, {args.patients} patients, seed {args.seed}: billed in "
        f"{run.seconds:.1f} s; back-test in {took:.1f} s"
    )
    print(
        f"train: months 1-{args.train_months}, {b.train_claims} claims, {b.train_denied} denied "
        f"({100 * b.train_denied / b.train_claims:.1f}%)"
    )
    print(
        f"test:  months {args.train_months + 1}-12, {b.test_claims} claims, {b.test_denied} "
        f"denied ({100 * b.test_denied / b.test_claims:.1f}%)"
    )
    print(f"threshold {b.threshold:.3f} (best F1 on the training claims, each left out)")
    print(f"{'':<28}{'flagged':>8}{'hits':>6}{'precision':>11}{'recall':>8}{'avg prec':>10}")
    print(
        f"{'model':<28}{m.flagged:>8.0f}{m.hits:>6.0f}{m.precision:>11.3f}{m.recall:>8.3f}"
        f"{b.model_ap:>10.3f}"
    )
    print(
        f"{'baseline (payer rate)':<28}{base.flagged:>8.0f}{base.hits:>6.0f}{base.precision:>11.3f}"
        f"{base.recall:>8.3f}{b.baseline_ap:>10.3f}"
    )
    print("(the baseline at the model's recall: its ties, a payer's claims, taken in part)")
    print(f"model beats the baseline at the same recall: {b.beats_baseline}")


if __name__ == "__main__":
    main()
