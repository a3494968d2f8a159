"""Every report kind over a practice with 1,000,000 claim lines on PostgreSQL, each timed beside a
plain ``SELECT count(*) FROM claim_line`` in the same run.

    .venv/bin/python bench/reports.py [--lines 1000000] [--pg postgresql+psycopg://...]
                                      [--db otbill_bench_reports] [--rebuild] [--runs 5]

The practice is built once through the ledger's own path (bench/ledger.py's: the demo practice
imported, its claims built, coded and checked, sent month by month in 837P batches, and a
month's 835 posted for each), with a bench payer that denies the way payers do (medical
necessity, bundling, authorization, the KX threshold, modifiers, timely filing, duplicates, the
plan of care's certification, units, and unprocessable CO-16/MA130 claims), then some denials
appealed (half overturned, half upheld) and some written off, and patients paying part of their
share. The database is kept under the name given (``--db``) and reused by later runs.

Target: every report under 2 s (best of ``--runs``).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text, update
from sqlalchemy.orm import Session

from otbill.demo.practice import practice_with_visits
from otbill.ledger import schema as t
from otbill.ledger.claims import as_claims, build_claims, submit, write_after_commit
from otbill.ledger.db import make_engine, session_scope
from otbill.ledger.denials import act
from otbill.ledger.migrate import upgrade
from otbill.ledger.payments import record_payment
from otbill.ledger.posting import post_835
from otbill.ledger.store import import_episodes
from otbill.model import Claim
from otbill.model.remittance import Adjustment, ClaimPayment, Remittance, ServicePayment
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
LINES_PER_VISIT = 2.07  # the demo practice's, measured
AS_OF = date(2027, 2, 28)
# A line's denial, by chance: (share of lines, group, CARC, RARCs, payer kinds or None for any).
LINE_DENIALS: tuple[tuple[float, str, str, tuple[str, ...], frozenset[str] | None], ...] = (
    (0.015, "CO", "50", ("N115",), None),
    (0.012, "CO", "97", (), None),
    (0.010, "CO", "197", (), frozenset({"commercial", "medicaid", "medicare_advantage"})),
    (0.006, "CO", "119", (), frozenset({"medicare"})),
    (0.008, "CO", "4", (), None),
    (0.003, "CO", "29", (), None),
    (0.003, "CO", "18", (), None),
    (0.006, "CO", "50", ("N473",), None),
    (0.005, "CO", "151", (), None),
)
UNPROCESSABLE = 0.01  # claims returned CO-16 with MA130


def _c(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def _service(ln: Any, paid: Decimal, adj: Sequence[Adjustment], remarks: Sequence[str] = (),
             allowed: Decimal | None = None) -> ServicePayment:  # fmt: skip
    return ServicePayment(
        ln.code,
        ln.modifiers,
        ln.charge,
        paid,
        Decimal(ln.units),
        None,
        (),
        None,
        date=ln.date,
        adjustments=tuple(adj),
        remarks=tuple(remarks),
        allowed=allowed,
    )


def _paid_line(ln: Any, kind: str, january: bool, rng: random.Random) -> ServicePayment:
    allowed = _c(ln.charge * Decimal("0.62"))
    adj = [Adjustment("CO", "45", ln.charge - allowed)]
    deductible = _c(allowed * Decimal("0.5")) if january and rng.random() < 0.3 else ZERO
    coins = _c((allowed - deductible) * Decimal("0.20"))
    if deductible:
        adj.append(Adjustment("PR", "1", deductible))
    adj.append(Adjustment("PR", "2", coins))
    paid = allowed - deductible - coins
    if kind == "medicare":
        seq = _c(paid * Decimal("0.02"))
        adj.append(Adjustment("CO", "253", seq))
        paid -= seq
    return _service(ln, paid, adj, allowed=allowed)


def adjudicate(
    claim: Claim, kind: str, rng: random.Random, number: str, *, deny: bool = True
) -> ClaimPayment:
    """The bench payer's answer to one claim (``deny=False``: pays every line, an appeal won)."""
    services = []
    remarks: tuple[str, ...] = ()
    if deny and rng.random() < UNPROCESSABLE:
        remarks = ("MA130",)
        for ln in claim.lines:
            services.append(_service(ln, ZERO, [Adjustment("CO", "16", ln.charge)], ("M51",)))
    else:
        january = claim.date_of_service.month == 1
        for ln in claim.lines:
            hit = None
            if deny:
                roll = rng.random()
                for share, group, carc, rarcs, kinds in LINE_DENIALS:
                    if kinds is not None and kind not in kinds:
                        continue
                    if roll < share:
                        hit = (group, carc, rarcs)
                        break
                    roll -= share
            if hit is None:
                services.append(_paid_line(ln, kind, january, rng))
            else:
                group, carc, rarcs = hit
                services.append(_service(ln, ZERO, [Adjustment(group, carc, ln.charge)], rarcs))
    paid = sum((s.paid for s in services), ZERO)
    pr = sum((a.amount for s in services for a in s.adjustments if a.group == "PR"), ZERO)
    return ClaimPayment(
        claim.id,
        "1" if paid > 0 else "4",
        claim.total_charge,
        paid,
        pr,
        "MB",
        number,
        "11",
        "1",
        "PATIENT",
        "BENCH",
        claim.member_id,
        services=tuple(services),
        remarks=remarks,
    )


def _remittance(payments: Sequence[ClaimPayment], day: date, n: int) -> Remittance:
    total = sum((p.paid for p in payments), ZERO)
    return Remittance(
        f"{n:04d}",
        "I",
        total,
        "C",
        "CHK",
        day,
        f"{day:%Y%m%d}{n:06d}",
        "1999999999",
        "BENCH PAYERS",
        "BENCH",
        "RIVERBEND OT",
        "1234567893",
        day,
        tuple(payments),
        (),
        (),
    )


def step(label: str, fn: Callable[[], Any]) -> Any:
    t0 = time.perf_counter()
    out = fn()
    print(f"  {label:<52}{time.perf_counter() - t0:8.1f} s", flush=True)
    return out


def _months(first: date, last: date) -> list[date]:
    out, d = [], first.replace(day=1)
    while d <= last:
        out.append(d)
        d = (d + timedelta(days=32)).replace(day=1)
    return out


def _month_end(m: date) -> date:
    return (m + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def build(engine: Engine, lines: int, tmp: Path) -> None:
    """The bench practice, through the ledger's own path (see the module's text)."""
    upgrade(engine)
    visits = int(lines / LINES_PER_VISIT) + 1
    practice = step(f"generate the demo practice ({visits:,} visits)", lambda: _gen(visits))
    episodes = list(practice.episodes)
    pid = 0
    for k in range(0, len(episodes), 4000):
        with session_scope(engine) as s:
            pid = import_episodes(s, episodes[k : k + 4000]).practice_id
    print(f"  imported {len(episodes):,} episodes", flush=True)
    with session_scope(engine) as s:
        patients = list(s.scalars(select(t.Patient.id).where(t.Patient.practice_id == pid)))
    t0 = time.perf_counter()
    for k in range(0, len(patients), 4000):
        with session_scope(engine) as s:
            build_claims(s, pid, AS_OF, patient_ids=patients[k : k + 4000])
        print(f"    built {min(k + 4000, len(patients)):,} patients' claims", flush=True)
    print(f"  build claims (code + check){time.perf_counter() - t0:33.1f} s", flush=True)
    with session_scope(engine) as s:
        first, last = s.execute(
            select(func.min(t.Claim.date_of_service), func.max(t.Claim.date_of_service))
        ).one()
        # The bench bills every claim, clean or not, a month at a time (held as drafts until
        # their month is sent): UPDATEs, not otbill's work. A claim with errors goes out
        # without its draft -> ready event, so it does not count as clean.
        s.execute(update(t.Claim).where(t.Claim.practice_id == pid).values(state="draft"))
        kinds = {ext: doc["kind"] for ext, doc in s.execute(select(t.Payer.ext_id, t.Payer.doc))}
    rng = random.Random(11)
    months = _months(first, last)
    for n, month in enumerate(months, start=1):
        end = _month_end(month)
        with session_scope(engine) as s:
            s.execute(
                update(t.Claim)
                .where(
                    t.Claim.practice_id == pid,
                    t.Claim.date_of_service.between(month, end),
                )
                .values(state="ready")
            )
            sub = submit(
                s,
                pid,
                tmp / f"{month:%Y-%m}.837",
                when=datetime.combine(end + timedelta(days=3), datetime.min.time(), tzinfo=UTC),
            )
        if sub is None:
            continue
        write_after_commit(sub)
        with session_scope(engine) as s:
            rows = list(
                s.scalars(
                    select(t.Claim).where(
                        t.Claim.practice_id == pid, t.Claim.batch_id == sub.batch_id
                    )
                )
            )
            claims = [(c, kinds[r.payer_ext]) for c, r in zip(as_claims(rows), rows, strict=True)]
        paid_on = end + timedelta(days=24)
        # The last two months are partly unanswered yet: A/R still with the payers.
        share = {len(months): 0.3, len(months) - 1: 0.7}.get(n, 1.0)
        payments = [
            adjudicate(c, kind, rng, f"B{n:02d}{i:08d}")
            for i, (c, kind) in enumerate(claims)
            if rng.random() < share
        ]
        era = tmp / f"{month:%Y-%m}.835"
        era.write_text(
            build_835([_remittance(payments, paid_on, n)], InterchangeInfo("P", "Q", n, WHEN))
        )
        t0 = time.perf_counter()
        with session_scope(engine) as s:
            post_835(s, pid, era)
        print(
            f"    {month:%Y-%m}: {sub.claims:,} claims sent, {len(payments):,} answered "
            f"({time.perf_counter() - t0:.1f} s to post)",
            flush=True,
        )
    step("appeals decided, write-offs, patient payments", lambda: _work(engine, pid, kinds, tmp))


WHEN = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def _gen(visits: int) -> Any:
    return practice_with_visits(visits)


def _work(engine: Engine, pid: int, kinds: dict[str, str], tmp: Path) -> None:
    """Some denials appealed and decided (half overturned), some written off; patients paying
    part of what they owe."""
    rng = random.Random(5)
    with session_scope(engine) as s:
        items = list(
            s.execute(
                select(
                    t.WorkItem.id,
                    t.WorkItem.action,
                    t.WorkItem.opened_on,
                    t.WorkItem.claim_id,
                    t.Claim.state,
                )
                .join(t.Claim, t.Claim.id == t.WorkItem.claim_id)
                .where(t.WorkItem.practice_id == pid, t.WorkItem.state == "open")
                .order_by(t.WorkItem.id)
            )
        )
    # A claim the payer left with no balance is "paid" even with a line denied: only a denied or
    # partly paid one goes to appeal.
    appeal = [i for i in items if i.action == "appeal" and i.state in ("denied", "partially_paid")]
    rng.shuffle(appeal)
    appeal = appeal[:1500]
    seen: set[int] = set()
    with session_scope(engine) as s:
        for item in appeal:
            if item.claim_id in seen:
                continue  # a claim's appeal settles its other items with the same action
            seen.add(item.claim_id)
            day = item.opened_on + timedelta(days=rng.randint(5, 60))
            act(s, pid, item.id, "appeal", "bench", "the record supports the service", day)
    with session_scope(engine) as s:
        rows = list(s.scalars(select(t.Claim).where(t.Claim.id.in_(sorted(seen)))))
        unpaid = {
            (cid, no)
            for cid, no in s.execute(
                select(t.ClaimLine.claim_id, t.ClaimLine.line_no).where(
                    t.ClaimLine.claim_id.in_(sorted(seen)), t.ClaimLine.paid == 0
                )
            )
        }
        claims = list(zip(as_claims(rows), rows, strict=True))
    payments = []
    for n, (c, r) in enumerate(claims):
        # The payer's answer on the lines it denied: paid (overturned) or denied again.
        denied = [ln for no, ln in enumerate(c.lines, start=1) if (r.id, no) in unpaid]
        if not denied:
            continue
        kind = kinds[r.payer_ext]
        if n % 2:
            services = [_paid_line(ln, kind, False, rng) for ln in denied]
        else:
            services = [
                _service(ln, ZERO, [Adjustment("CO", "50", ln.charge)], ("N115",)) for ln in denied
            ]
        paid = sum((x.paid for x in services), ZERO)
        pr = sum((a.amount for x in services for a in x.adjustments if a.group == "PR"), ZERO)
        payments.append(
            ClaimPayment(
                c.id,
                "1" if paid > 0 else "4",
                sum((x.charge for x in services), ZERO),
                paid,
                pr,
                "MB",
                r.payer_claim_number or "",
                "11",
                "1",
                "PATIENT",
                "BENCH",
                c.member_id,
                services=tuple(services),
            )
        )
    era = tmp / "appeals.835"
    era.write_text(
        build_835([_remittance(payments, AS_OF, 99)], InterchangeInfo("P", "Q", 99, WHEN))
    )
    with session_scope(engine) as s:
        post_835(s, pid, era)
    with session_scope(engine) as s:
        left = list(
            s.scalars(
                select(t.WorkItem.id)
                .where(t.WorkItem.practice_id == pid, t.WorkItem.state == "open")
                .order_by(t.WorkItem.id)
            )
        )
        rng.shuffle(left)
        for item_id in left[: len(left) * 2 // 5]:
            if s.get(t.WorkItem, item_id).state != "open":  # type: ignore[union-attr]
                continue
            act(s, pid, item_id, "write_off", "bench", "not worth an appeal", AS_OF, code="AD")
    with session_scope(engine) as s:
        owed = list(
            s.execute(
                select(t.Patient.ext_id, func.sum(t.ClaimLine.patient_resp))
                .join(t.Claim, t.Claim.patient_id == t.Patient.id)
                .join(t.ClaimLine, t.ClaimLine.claim_id == t.Claim.id)
                .where(t.Patient.practice_id == pid)
                .group_by(t.Patient.ext_id)
            )
        )
        for ext, amount in owed:
            if amount and amount > 0 and rng.random() < 0.6:
                paid = _c(amount * Decimal(rng.choice(["0.5", "0.8", "1"])))
                day = AS_OF - timedelta(days=rng.randint(0, 300))
                record_payment(s, pid, ext, paid, day, "card", who="bench")


def _best(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def run(url: str, runs: int) -> None:
    """Each report kind, best of ``runs``, beside a count(*) of claim_line timed in the same run
    (each kind's own floor, measured just before it)."""
    from otbill.analytics.text import report_text
    from otbill.forms.report import render_report
    from otbill.ledger.reports import KINDS, build_report
    from otbill.ledger.reports.facts import refresh

    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        lines = conn.scalar(text("SELECT count(*) FROM claim_line"))
        claims = conn.scalar(text("SELECT count(*) FROM claim"))
    with session_scope(engine) as s:
        pid = s.scalar(select(t.Practice.id))
        t0 = time.perf_counter()
        folded = refresh(s, pid)
        fold = time.perf_counter() - t0
    print(f"PostgreSQL, {lines:,} claim lines on {claims:,} claims")
    if folded.claims:
        vacuum(engine)
        print(
            f"  first fold of the history into the report tables (once): {fold:.1f} s "
            f"({folded.claims:,} claims, {folded.postings:,} postings, {folded.denials:,} denials)"
        )
    _incremental(engine, pid)

    def count() -> Any:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM claim_line"))

    print(
        f"  {'report':<12}{'best of ' + str(runs):>12}{'count(*)':>12}{'ratio':>8}  (target < 2 s)"
    )
    worst = 0.0
    for kind in KINDS:
        floor, _ = _best(count, runs)

        def one(kind: str = kind) -> Any:
            with session_scope(engine) as s:
                report = build_report(s, pid, kind, date(2026, 1, 1), date(2026, 12, 31), AS_OF)
            # What the command writes: the monthly report's PDF, the others' text.
            return render_report(report) if kind == "monthly" else report_text(report)

        secs, _ = _best(one, runs)
        worst = max(worst, secs)
        mark = "ok" if secs < 2 else "OVER"
        print(f"  {kind:<12}{secs:>10.3f} s{floor:>10.3f} s{secs / floor:>7.0f}x  {mark}")
    print(f"  slowest report {worst:.2f} s (target < 2 s)")
    engine.dispose()


def _incremental(engine: Engine, pid: int) -> None:
    """The fold a report does after a posting: the claims still unanswered paid in one 835,
    folded, then all rolled back (the bench database is left as it was)."""
    from otbill.ledger.reports.facts import refresh

    tmp = Path(tempfile.mkdtemp(prefix="otbill-reports-"))
    with session_scope(engine) as s:
        rows = list(
            s.scalars(
                select(t.Claim).where(t.Claim.practice_id == pid, t.Claim.state == "submitted")
            )
        )
        kinds = {ext: doc["kind"] for ext, doc in s.execute(select(t.Payer.ext_id, t.Payer.doc))}
        claims = [(c, kinds[r.payer_ext]) for c, r in zip(as_claims(rows), rows, strict=True)]
    rng = random.Random(3)
    payments = [adjudicate(c, k, rng, f"I{i:08d}") for i, (c, k) in enumerate(claims)]
    era = tmp / "late.835"
    era.write_text(
        build_835([_remittance(payments, AS_OF, 77)], InterchangeInfo("P", "Q", 77, WHEN))
    )
    s = Session(engine)
    try:
        post_835(s, pid, era)
        t0 = time.perf_counter()
        out = refresh(s, pid)
        secs = time.perf_counter() - t0
    finally:
        s.rollback()
        s.close()
    print(
        f"  fold after posting an 835 of {len(payments):,} claims: {secs:.2f} s "
        f"({out.postings:,} postings, {out.denials:,} denials; rolled back)"
    )


def vacuum(engine: Engine) -> None:
    """VACUUM ANALYZE, what autovacuum does after a load (this test server runs with it off:
    without it a claim's every state change leaves a dead row its indexes still point at)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        on = conn.scalar(text("SHOW autovacuum"))
        conn.execute(text("VACUUM ANALYZE"))
    if on != "on":
        print("  (autovacuum is off on this server: the bench ran VACUUM ANALYZE in its place)")


def database(admin_url: str, name: str, lines: int, rebuild: bool) -> str:
    """The bench database's URL, built first if it is not there (or ``rebuild``)."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and rebuild:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = make_engine(url)
    with engine.connect() as conn:
        done = conn.scalar(
            text("SELECT count(*) FROM information_schema.tables WHERE table_name = 'bench_done'")
        )
    if not done:
        print(f"building the bench practice in {name} (once; later runs reuse it)")
        build(engine, lines, Path(tempfile.mkdtemp(prefix="otbill-reports-")))
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE bench_done (at timestamptz DEFAULT now())"))
            conn.execute(text("INSERT INTO bench_done DEFAULT VALUES"))
        vacuum(engine)
    engine.dispose()
    return url


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--db", default="otbill_bench_reports", help="the bench database's name")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    url = database(args.pg, args.db, args.lines, args.rebuild)
    if args.build_only:
        return
    run(url, args.runs)


if __name__ == "__main__":
    sys.exit(main())
