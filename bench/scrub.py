"""Coder alone against coder plus every rule, on the demo practice, in one run.

    .venv/bin/python bench/scrub.py [--visits 50000] [--repeat 3]

Prints visits per second for each and the rules' cost as a multiple of the coder's (target: no
more than 3x). The practice is generated first and not timed; the ICD-10-CM package is loaded
before timing (a one-off ~2 s at first use).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from otbill.codesets import default_codesets
from otbill.coding.coder import code_episode
from otbill.demo.practice import practice_with_visits
from otbill.rules.engine import check_episode


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--visits", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    t0 = time.perf_counter()
    practice = practice_with_visits(args.visits)
    gen = time.perf_counter() - t0
    cs = default_codesets()
    cs.icd10.for_date(date(2026, 6, 1))[0].get("M62.81")  # load the ICD-10-CM package now
    as_of = date(2026, 12, 31)
    n = practice.visits_count
    print(
        f"demo practice: {n:,} visits, {len(practice.episodes):,} patients "
        f"(generated in {gen:.2f} s)"
    )

    coder, full = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        claims = [code_episode(e, cs) for e in practice.episodes]
        coder.append(time.perf_counter() - t)
        t = time.perf_counter()
        findings = 0
        for e in practice.episodes:
            for r in check_episode(e, as_of=as_of, codesets=cs):
                findings += len(r.findings)
        full.append(time.perf_counter() - t)
    assert sum(len(c) for c in claims) == n
    c, f = statistics.median(coder), statistics.median(full)
    rules = f - c
    print(f"{'coder alone':<24}{c:8.2f} s {n / c:12,.0f} visits/s")
    print(f"{'coder + every rule':<24}{f:8.2f} s {n / f:12,.0f} visits/s   ({findings:,} findings)")
    print(
        f"{'rules alone (difference)':<24}{rules:8.2f} s   = {rules / c:.2f}x the coder "
        f"(target: at most 3x)"
    )


if __name__ == "__main__":
    main()
