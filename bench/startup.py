"""Start-up: how long otbill takes to answer, as a new process, beside the floor.

    .venv/bin/python bench/startup.py [--repeat 15]

The floor is a bare `python -c "import click"` in the same run (an interpreter and the CLI
library, nothing of otbill). Then `otbill --help`, which lists the commands without importing
them, and a few light commands a biller runs many times a day. Target: `otbill --help` at most
5x the floor.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
OTBILL = str(Path(PY).parent / "otbill")
SAMPLE = ROOT / "tests/fixtures/x12/otbill/835-reversal-correction-plb.edi"


def best(argv: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed with exit {done.returncode}")
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    runs = [
        ('python -c "import click" (floor)', [PY, "-c", "import click"]),
        ("otbill --help", [OTBILL, "--help"]),
        ("otbill units 97110=24 97112=23", [OTBILL, "units", "97110=24", "97112=23"]),
        ("otbill x12 read SMALL.835 --json", [OTBILL, "x12", "read", "--json", str(SAMPLE)]),
        ("otbill code visit.json", [OTBILL, "code", str(ROOT / "schemas/examples/visit.json")]),
        ("otbill rules", [OTBILL, "rules"]),
    ]
    # The summary quotes the table's own figures: timing --help again afterwards, on a warmer
    # disk cache, once printed a ratio below the floor it is measured against.
    seconds = {name: best(argv, args.repeat) for name, argv in runs}
    floor = seconds[runs[0][0]]
    print(f"{'command':<36}{'seconds':>9}{'x floor':>9}")
    for name, secs in seconds.items():
        print(f"{name:<36}{secs:9.3f}{secs / floor:9.2f}")
    print(f"\notbill --help / floor: {seconds['otbill --help'] / floor:.2f}x (target <= 5x)")


if __name__ == "__main__":
    sys.exit(main())
