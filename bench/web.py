"""The workbench under load: 50 billers working the denial queue at once against PostgreSQL.

    .venv/bin/python bench/web.py [--users 50] [--seconds 30] [--think 1-3] [--workers 1]
                                  [--visits 20000] [--keep NAME] [--pg URL]

Builds a practice on a PostgreSQL database of its own (the demo practice's visits, built,
billed and posted, so the queue holds the demo payer's denials), makes one user a biller,
serves the workbench with `otbill serve` in a process of its own, and runs a bounded client on
127.0.0.1: 50 users sign in, then each, for the given seconds, lists the queue (API), opens the
queue's page and an item's page, reads the item and its claim (API), notes the item (with the
CSRF token), and pages the claims. Two runs: billers pausing 1-3 s between pages (the target's
run: a person reading a denial takes far longer), then no pause at all (a stress figure: what
the server does flat out). Every request is timed; the same client then times the health
endpoint flat out at the same concurrency, the floor. Target: p95 under 300 ms, no errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select, text

from otbill.access.accounts import create_user, grant
from otbill.api.routes.auth import COOKIE
from otbill.demo.practice import practice_with_visits
from otbill.demo.remit import remittance
from otbill.ledger import schema as t
from otbill.ledger.claims import as_claims, build_claims, list_claims, submit
from otbill.ledger.db import make_engine, session_scope
from otbill.ledger.migrate import upgrade
from otbill.ledger.posting import post_835
from otbill.ledger.store import import_episodes
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo

HERE = Path(__file__).resolve().parent
PASSWORD = "load test password 1"
WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def build(url: str, visits: int) -> int:
    engine = make_engine(url)
    upgrade(engine)
    practice = practice_with_visits(visits)
    with session_scope(engine) as s:
        pid = import_episodes(s, list(practice.episodes)).practice_id
    with session_scope(engine) as s:
        build_claims(s, pid, date(2026, 12, 31))
        s.execute(t.Claim.__table__.update().where(t.Claim.state == "draft").values(state="ready"))
    with session_scope(engine) as s:
        submit(s, pid, Path("/tmp") / f"bench-web-{uuid.uuid4().hex}.837", when=WHEN)
        claims = as_claims(list_claims(s, pid, "submitted"))
    # The demo payer denies a seeded few lines: the queue's items.
    era = build_835([remittance(claims, seed=5)], InterchangeInfo("P", "R", 1, WHEN))
    with session_scope(engine) as s:
        post_835(s, pid, era, name="bench.835")
    with session_scope(engine) as s:
        user = create_user(s, "bench", "Bench Biller", PASSWORD)
        grant(s, user, pid, "biller")
        items = s.scalar(select(t.WorkItem.id).limit(1))
    engine.dispose()
    if items is None:
        raise SystemExit("the demo payer denied nothing: no queue to work")
    return pid


def route(path: str) -> str:
    """The path with its numbers as placeholders, to group the figures by endpoint."""
    parts = path.split("?")[0].split("/")
    named = (  # claim numbers and ids alike
        "{n}" if p.isdigit() or (i and parts[i - 1] == "claims") else p for i, p in enumerate(parts)
    )
    out = "/".join(named)
    return (
        out.removeprefix("/api/practices/{n}")
        if out.startswith("/api/")
        else "page " + out.removeprefix("/p/{n}")
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).parent / "otbill"
    env = {**os.environ, "OTBILL_DATABASE_URL": url}
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


async def sign_in(base: str, signins: list[float], errors: list[str]) -> httpx.AsyncClient | None:
    """A biller signs in (Argon2id: a deliberate fifth of a second of work per sign-in)."""
    c = httpx.AsyncClient(base_url=base, timeout=60)
    t0 = time.perf_counter()
    r = await c.post("/api/session", json={"username": "bench", "password": PASSWORD})
    signins.append(time.perf_counter() - t0)
    if r.status_code != 200:
        errors.append(f"sign-in {r.status_code}")
        await c.aclose()
        return None
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    # The session cookie is Secure (__Host-); a browser sends it to 127.0.0.1, which it counts
    # a secure context, but httpx keeps Secure cookies for https, so it is sent here by hand.
    c.headers["Cookie"] = f"{COOKIE}={r.cookies[COOKIE]}"
    return c


async def work(
    c: httpx.AsyncClient,
    pid: int,
    until: float,
    times: list[float],
    by: dict[str, list[float]],
    errors: list[str],
    think: tuple[float, float],
) -> None:
    """Until time is up: list the queue, open an item and its claim, note the item, page the
    claims, pausing between pages for a time drawn from ``think`` (0, 0: never)."""
    rng = random.Random()

    async def pause() -> None:
        if think[1] > 0:
            await asyncio.sleep(rng.uniform(*think))

    async def timed(method: str, path: str, body: Any = None) -> httpx.Response:
        await pause()
        t0 = time.perf_counter()
        r = await c.request(method, path, json=body)
        times.append(time.perf_counter() - t0)
        by.setdefault(f"{method} {route(path)}", []).append(times[-1])
        if r.status_code >= 400:
            errors.append(f"{method} {route(path)} {r.status_code}")
        return r

    while time.perf_counter() < until:
        r = await timed("GET", f"/api/practices/{pid}/denials?limit=50")
        items = r.json().get("items", []) if r.status_code == 200 else []
        if items:
            item = rng.choice(items)
            await timed("GET", f"/p/{pid}/denials")  # the queue's page, as a person sees it
            await timed("GET", f"/p/{pid}/denials/{item['id']}")
            await timed("GET", f"/api/practices/{pid}/denials/{item['id']}")
            await timed("GET", f"/api/practices/{pid}/claims/{item['claim']}")
            await timed(
                "POST",
                f"/api/practices/{pid}/denials/{item['id']}/note",
                {"text": "called the payer"},
            )
        await timed("GET", f"/api/practices/{pid}/claims?offset={rng.randrange(0, 500)}&limit=50")
    await c.aclose()


async def floor(base: str, users: int, seconds: float) -> list[float]:
    times: list[float] = []
    until = time.perf_counter() + seconds

    async def one() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as c:
            while time.perf_counter() < until:
                t0 = time.perf_counter()
                await c.get("/api/health")
                times.append(time.perf_counter() - t0)

    await asyncio.gather(*(one() for _ in range(users)))
    return times


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000


@dataclass
class Run:
    label: str
    seconds: float
    times: list[float] = field(default_factory=list)
    by: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    signins: list[float] = field(default_factory=list)


def crowd(base: str, pid: int, users: int, run: Run, think: tuple[float, float]) -> None:
    async def go() -> None:
        clients = await asyncio.gather(
            *(sign_in(base, run.signins, run.errors) for _ in range(users))
        )
        until = time.perf_counter() + run.seconds
        await asyncio.gather(
            *(work(c, pid, until, run.times, run.by, run.errors, think) for c in clients if c)
        )

    asyncio.run(go())


def row(label: str, xs: list[float], seconds: float, errors: str = "") -> str:
    cells = f"{pct(xs, 0.5):9.1f}{pct(xs, 0.95):9.1f}{pct(xs, 0.99):9.1f}"
    return f"{label:<34}{cells}{len(xs) / seconds:9.0f}{errors:>8}"


def report(run: Run, by_endpoint: bool) -> None:
    print(row(run.label, run.times, run.seconds, str(len(run.errors))))
    if by_endpoint:
        for k, v in sorted(run.by.items()):
            print(row(f"  {k}", v, run.seconds))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30, help="each of the two runs")
    ap.add_argument("--visits", type=int, default=20_000)
    ap.add_argument("--think", default="1-3", help="seconds between a biller's pages, lo-hi")
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--workers", type=int, default=1, help="otbill serve --workers")
    ap.add_argument("--keep", metavar="NAME", help="build into database NAME once, reuse it")
    args = ap.parse_args()
    lo, _, hi = args.think.partition("-")
    think = (float(lo), float(hi or lo))
    name = args.keep or f"otbill_bench_web_{uuid.uuid4().hex[:6]}"
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    url = args.pg.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        have = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        built = have.first() is not None
        if not built:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        if built:
            pid = 1
            print(f"reusing {name}")
        else:
            print(f"building {args.visits:,} visits on PostgreSQL ({name}) ...", flush=True)
            pid = build(url, args.visits)
            # This server runs with autovacuum off; a production one would have analyzed the
            # tables after the build, so the planner knows their sizes.
            with create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text("VACUUM ANALYZE"))
        port = free_port()
        proc = serve(url, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        paced = Run(
            f"{args.users} billers, {think[0]:g}-{think[1]:g} s between pages", args.seconds
        )
        flat = Run(f"{args.users} billers, no pause (stress)", args.seconds)
        try:
            # A server that has been up a while: each route compiled, the pools filled, the
            # templates read. Five seconds of the same work first, not counted.
            crowd(base, pid, args.users, Run("warm-up", 5), think)
            crowd(base, pid, args.users, paced, think)
            crowd(base, pid, args.users, flat, (0.0, 0.0))
            health = asyncio.run(floor(base, args.users, min(args.seconds, 10)))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        print(f"\n{'':<34}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>9}{'errors':>8}")
        report(paced, by_endpoint=True)
        report(flat, by_endpoint=False)
        floor_run = Run("health endpoint, no pause (floor)", min(args.seconds, 10), health)
        report(floor_run, by_endpoint=False)
        signins = paced.signins
        print(f"\n{args.users} sign-ins at once before each run (Argon2id, 64 MiB): "
              f"p50 {pct(signins, 0.5):.0f} ms, slowest {max(signins) * 1000:.0f} ms")  # fmt: skip
        p95 = pct(paced.times, 0.95)
        verdict = "met" if p95 < 300 and not paced.errors else "NOT met"
        print(f"target p95 < 300 ms with no errors: {verdict} ({p95:.0f} ms, "
              f"{p95 / pct(health, 0.95):.1f}x the floor's p95)")  # fmt: skip
        for run in (paced, flat):
            if run.errors:
                print(f"errors ({run.label}):", ", ".join(sorted(set(run.errors))[:10]))
    finally:
        if not args.keep:
            with admin.connect() as conn:
                kill = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                conn.execute(text(kill), {"n": name})
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


if __name__ == "__main__":
    main()
