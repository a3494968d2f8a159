"""X12 speed, otbill beside its peers on the same files, in one run.

    .venv/bin/python bench/x12.py [--claims-835 20000] [--claims-837 10000] [--no-peers]

Builds a 20,000-claim 835 (the demo practice adjudicated by the demo payer) and a 10,000-claim
837P, then times: otbill reading the 835 into its full, balanced model; a plain split into
segments and elements, every segment kept (the floor); and the peers, each in a fresh process
of a separate virtual environment (bench/.peers, made on first use): pyx12 (its validator),
linuxforhealth-x12 (its models; it needs pydantic 1 and rejects an 835 with the payer's PER
segment, so it reads a copy without it), edi-835-parser. Then otbill writing the 837P.
Then the whole process a biller runs, `otbill x12 read BIG.835 --json > FILE` (start-up, read,
balance, JSON out), beside the same plain split.
Targets: the 835 in no more than 2x the plain split and at least 3x faster than the fastest
peer; the whole `x12 read --json` process in no more than 3x the plain split; the 837P written
in under 1 second.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
import time
import venv
from datetime import datetime
from pathlib import Path

from otbill.coding.coder import code_episode
from otbill.demo.practice import practice_with_visits
from otbill.demo.remit import remittance
from otbill.x12.read import read_x12
from otbill.x12.t835_write import build_835
from otbill.x12.t837p import Party, build_837p
from otbill.x12.writer import InterchangeInfo

HERE = Path(__file__).resolve().parent
PEERS = HERE / ".peers"
PEER_PACKAGES = ["pyx12", "linuxforhealth-x12", "edi-835-parser", "pydantic<2"]
WHEN = datetime(2026, 12, 1, 9, 0)  # noqa: DTZ001 - a fixed stamp keeps the files identical


def peers_python() -> Path | None:
    py = PEERS / "bin" / "python"
    if not py.exists():
        print("making bench/.peers (pip install of the peers) ...", flush=True)
        venv.create(PEERS, with_pip=True)
        done = subprocess.run([str(py), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=False)
        if done.returncode != 0:
            print("could not install the peers; timing otbill alone")
            return None
    return py


def best(times: list[float]) -> float:
    return min(times)


def time_it(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        result = fn()
        out.append(time.perf_counter() - t)
        del result
    return best(out)


def whole_process(era: Path, out: Path, repeat: int) -> tuple[float, float]:
    """Best seconds of `otbill x12 read ERA --json > OUT` as a new process, and the MB written."""
    exe = Path(sys.executable).parent / "otbill"
    times = []
    for _ in range(repeat):
        with out.open("wb") as sink:
            t = time.perf_counter()
            done = subprocess.run([str(exe), "x12", "read", "--json", str(era)], stdout=sink)
            times.append(time.perf_counter() - t)
        if done.returncode != 0:
            raise SystemExit(f"otbill x12 read failed with exit {done.returncode}")
    return best(times), out.stat().st_size / 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims-835", type=int, default=20_000)
    ap.add_argument("--claims-837", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-peers", action="store_true")
    args = ap.parse_args()

    practice = practice_with_visits(max(args.claims_835, args.claims_837))
    items = [(c, e) for e in practice.episodes for c in code_episode(e)]
    claims = [c for c, _ in items]
    tmp = Path(tempfile.mkdtemp(prefix="otbill-bench-"))
    era = tmp / "big.835"
    era.write_text(
        build_835(
            [remittance(claims[: args.claims_835])], InterchangeInfo("PAYER", "PRACTICE", 1, WHEN)
        )
    )
    no_per = tmp / "big-no-per.835"
    kept = [s for s in era.read_text().split("~") if not s.startswith("PER*")]
    st = next(i for i, s in enumerate(kept) if s.startswith("ST*"))
    se = next(i for i, s in enumerate(kept) if s.startswith("SE*"))
    kept[se] = "*".join(["SE", str(se - st + 1), kept[se].split("*")[2]])
    no_per.write_text("~".join(kept))
    size = era.stat().st_size / 1e6
    print(f"835: {args.claims_835:,} claims, {size:.1f} MB; 837P: {args.claims_837:,} claims\n")

    def split() -> list[list[str]]:
        return [s.split("*") for s in era.read_text().split("~")]

    def ours() -> object:
        doc = read_x12(era)
        assert len(doc.sets[0].result.claims) == args.claims_835
        assert not doc.issues.errors
        return doc

    rows = [
        ("plain split (floor)", time_it(split, args.repeat)),
        ("otbill 835 (full, balanced model)", time_it(ours, args.repeat)),
    ]
    py = None if args.no_peers else peers_python()
    if py is not None:
        for peer, path in (("edi-835-parser", era), ("linuxforhealth-x12", no_per), ("pyx12", era)):
            runs = []
            for _ in range(1 if peer == "pyx12" else args.repeat):
                proc = subprocess.run(
                    [str(py), str(HERE / "x12_peer.py"), peer, str(path)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if proc.returncode != 0:
                    print(f"{peer} failed: {proc.stderr.strip().splitlines()[-1:]}")
                    break
                runs.append(float(proc.stdout.strip().splitlines()[-1]))
            if runs:
                rows.append((peer, best(runs)))
    floor = rows[0][1]
    mine = rows[1][1]
    print(f"{'reader':<36}{'seconds':>9}{'claims/s':>12}{'x split':>9}")
    for name, secs in rows:
        print(f"{name:<36}{secs:9.3f}{args.claims_835 / secs:12,.0f}{secs / floor:9.2f}")
    peer_times = [s for n, s in rows[2:]]
    print(f"\notbill / plain split: {mine / floor:.2f}x (target <= 2x)")
    if peer_times:
        print(f"fastest peer / otbill: {min(peer_times) / mine:.1f}x (target >= 3x)")

    whole, size_json = whole_process(era, tmp / "big.json", args.repeat)
    print(
        f"\notbill x12 read --json, whole process: {whole:.3f} s for {size_json:.1f} MB of JSON; "
        f"{whole / floor:.2f}x the plain split (target <= 3x)"
    )

    write_items = items[: args.claims_837]
    sub, rec = Party("DEMO PRACTICE", "861234567"), Party("CLEARINGHOUSE", "CLEARINGHOUSE")
    info = InterchangeInfo("861234567", "CLEARINGHOUSE", 1, WHEN)
    secs = time_it(lambda: build_837p(write_items, sub, rec, info), args.repeat)
    print(
        f"\notbill 837P write: {args.claims_837:,} claims in {secs:.3f} s "
        f"({args.claims_837 / secs:,.0f} claims/s; target < 1 s)"
    )


if __name__ == "__main__":
    sys.exit(main())
