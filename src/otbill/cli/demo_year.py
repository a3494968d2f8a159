"""`otbill demo --year-ledger`: a year of the demo practice on a new ledger, month by month.

Each month's visits reach billing at the month's end (a few later: demo/slips), and on the
third of the next month they are imported, built into claims and checked, the held drafts the
biller releases over their errors are released, and the ready claims go out in one 837P. The
demo payers (demo/payer) receive them the next day and answer weeks later, each on its own
payment day; every 835 is posted when its day has come, before that month's billing. After the
last month the answers still due are posted, secondary claims built, and the books verified.

Files go to --out (default: a new temporary folder): the database, every 837P and 835, and
``truth.json``, the payer simulator's own log of which rule denied what (never in the 835s).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from otbill.demo.payer import Adjudication, PayerSimulator, remittances
from otbill.demo.practice import DemoPractice, generate_practice
from otbill.demo.slips import SlippedEpisode, apply_slips, export_day, released
from otbill.denials.backtest import Backtest, backtest
from otbill.denials.causes import CATEGORIES, classify
from otbill.ledger import schema as t
from otbill.ledger.books import accounts_receivable, verify
from otbill.ledger.claims import as_claims, build_claims, move, submit, write_after_commit
from otbill.ledger.db import make_engine, session_scope
from otbill.ledger.migrate import upgrade
from otbill.ledger.posting import post_835
from otbill.ledger.risk_history import claim_facts, history
from otbill.ledger.secondary import build_secondary
from otbill.ledger.store import import_episodes
from otbill.model import Credential, Episode
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo

ZERO = Decimal("0.00")
BILLING_DAY = 3  # of the month after the visits


@dataclass
class YearRun:
    """What the year did, for the summary and the back-test."""

    folder: Path
    database: Path
    practice_id: int
    year: int
    months: int
    seed: int
    adjudications: list[Adjudication] = field(default_factory=list)
    submitted_in: dict[str, int] = field(default_factory=dict)  # claim number -> month sent
    released: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    batches: int = 0
    remittance_files: int = 0
    next_batch: int = 0  # claims of the month after, built and left ready
    unmatched: int = 0
    seconds: float = 0.0
    slips: Counter[str] = field(default_factory=Counter)


def _billing_day(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, BILLING_DAY)


def run_year(
    out: Path | None = None,
    *,
    seed: int = 7,
    patients: int = 300,
    year: int = 2025,
    months: int = 12,
    practice: DemoPractice | None = None,
    progress: Callable[[str], None] | None = None,
) -> YearRun:
    started = time.perf_counter()
    folder = out or Path(tempfile.mkdtemp(prefix="otbill-year-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "otbill.db"
    if db.exists():
        raise click.UsageError(f"{db} exists: the demo year starts from a new database")
    for sub in ("837", "835"):
        (folder / sub).mkdir(exist_ok=True)
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    demo = practice or generate_practice(seed=seed, patients=patients, year=year)
    ots = [p.npi for p in demo.providers if p.credential is Credential.OT]
    covering = {npi: ots[(k + 1) % len(ots)] for k, npi in enumerate(ots)}
    slipped, slips = apply_slips(demo.episodes, seed, covering)
    by_patient = {s.episode.patient.id: s for s in slipped}
    sim = PayerSimulator(seed)
    run = YearRun(folder, db, 0, year, months, seed, slips=Counter(s.kind for s in slips))
    pending: list[Adjudication] = []
    pid: int | None = None
    for month in range(1, months + 1):
        day = _billing_day(year, month)
        if pid is not None:
            pending = _post_due(engine, pid, pending, day, run)
        episodes = _exported(slipped, _month_end(year, month), day)
        if not episodes:
            continue
        with session_scope(engine) as s:
            pid = import_episodes(s, episodes).practice_id
        run.practice_id = pid
        sent = _bill(engine, pid, episodes, day, month, run)
        arrival = date.fromordinal(day.toordinal() + 1)  # through the clearinghouse
        for claim in sent:
            pending.append(sim.adjudicate(claim, by_patient[claim.patient_id].episode, arrival))
        if progress:
            progress(f"{day:%Y-%m}: {len(sent)} claims sent, {len(pending)} awaiting payment")
    if pid is not None:
        _post_due(engine, pid, pending, date.max, run)
        last = _billing_day(year, months)
        with session_scope(engine) as s:
            build_secondary(s, pid, last)
        # The next month's visits, built and left ready: the batch `otbill claims risk` scores.
        upcoming = _exported(slipped, _month_end(year, months + 1), _billing_day(year, months + 1))
        with session_scope(engine) as s:
            import_episodes(s, upcoming)
        with session_scope(engine) as s:
            run.next_batch = build_claims(s, pid, _billing_day(year, months + 1)).ready
    (folder / "truth.json").write_text(json.dumps(_truth(run), indent=1))
    run.seconds = time.perf_counter() - started
    return run


def _month_end(year: int, month: int) -> date:
    """The last day of ``month`` of ``year`` (13 is January of the next year)."""
    return date.fromordinal(_billing_day(year, month).replace(day=1).toordinal() - 1)


def _exported(slipped: list[SlippedEpisode], through: date, day: date) -> list[Episode]:
    """Each patient's episode with the visits up to ``through`` that have reached billing by
    ``day``: import_episodes adds the new ones and leaves the rest."""
    out = []
    for s in slipped:
        visits = tuple(v for v in s.episode.visits if v.date <= through and export_day(s, v) < day)
        if visits:
            out.append(replace(s.episode, visits=visits))
    return out


def _bill(
    engine: Any, pid: int, episodes: list[Episode], day: date, month: int, run: YearRun
) -> list[Any]:
    """Build, release what the biller releases, submit; the claims sent."""
    when = datetime.combine(day, clock(9), tzinfo=UTC)
    with session_scope(engine) as s:
        ids = dict(s.execute(select(t.Patient.ext_id, t.Patient.id)).all())
        built = build_claims(s, pid, day, patient_ids=[ids[e.patient.id] for e in episodes])
        for row in s.scalars(select(t.Claim).where(t.Claim.number.in_(built.numbers))):
            if row.state != "draft" or row.number in run.held or row.number in run.released:
                continue
            errors = sorted(
                {
                    f["rule"]
                    for f in row.findings.get("items", [])
                    if f["severity"] == "error" and f["silenced"] is None
                }
            )
            if released(run.seed, row.number):
                move(
                    s,
                    row,
                    "ready",
                    "biller",
                    "released over the scrubber's errors: " + ", ".join(errors),
                )
                run.released.append(row.number)
            else:
                run.held.append(row.number)
    with session_scope(engine) as s:
        sub = submit(s, pid, run.folder / "837" / f"claims-{day:%Y-%m}.837", when=when)
    if sub is None:
        return []
    write_after_commit(sub)
    run.batches += 1
    with session_scope(engine) as s:
        rows = list(s.scalars(select(t.Claim).where(t.Claim.batch_id == sub.batch_id)))
        for r in rows:
            run.submitted_in[r.number] = month
        return as_claims(rows)


def _post_due(
    engine: Any, pid: int, pending: list[Adjudication], day: date, run: YearRun
) -> list[Adjudication]:
    """Post, in date order, the 835s dated before ``day``; the answers still to come."""
    due = [a for a in pending if a.paid_on < day]
    for r in remittances(due):
        info = InterchangeInfo(
            r.payer_id[:15],
            "DEMO",
            run.remittance_files + 1,
            datetime.combine(r.payment_date or day, clock(6), tzinfo=UTC),
        )
        path = run.folder / "835" / f"{r.payment_date:%Y-%m-%d}-{r.payer_id}.835"
        path.write_text(build_835([r], info))
        with session_scope(engine) as s:
            run.unmatched += len(post_835(s, pid, path).unmatched)
        run.remittance_files += 1
    run.adjudications.extend(due)
    return [a for a in pending if a.paid_on >= day]


def _truth(run: YearRun) -> dict[str, Any]:
    return {
        "seed": run.seed,
        "claims": {
            a.claim: {
                "payer": a.payer_id,
                "received": a.received.isoformat(),
                "paid_on": a.paid_on.isoformat(),
                "denied": a.denied,
                "decisions": [
                    {
                        "line": d.line,
                        "rule": d.rule,
                        "code": f"{d.group}-{d.reason}",
                        "remarks": list(d.remarks),
                        "amount": str(d.amount),
                        "why": d.why,
                    }
                    for d in a.decisions
                ],
            }
            for a in run.adjudications
        },
    }


def summarize(run: YearRun) -> dict[str, Any]:
    """A biller's figures for the year, read back from the ledger (not from the simulator),
    beside the simulator's count by rule."""
    engine = make_engine(f"sqlite:///{run.database}")
    with session_scope(engine) as s:
        pid = run.practice_id
        kinds = {p.ext_id: p.doc.get("kind", "") for p in s.scalars(select(t.Payer))}
        claims = list(s.scalars(select(t.Claim).where(t.Claim.practice_id == pid)))
        payer_of = {c.id: c.payer_ext for c in claims}
        states = Counter(c.state for c in claims)
        lines = Counter[str]()
        dollars: dict[str, Decimal] = {}
        denied_claims: dict[str, set[int]] = {}
        q = (
            select(t.Adjustment)
            .join(t.Posting, t.Posting.id == t.Adjustment.posting_id)
            .where(t.Posting.reversed.is_(False))
        )
        for a in s.scalars(q):
            cause = classify(a.group_code, a.reason, a.remarks.split(), kinds[payer_of[a.claim_id]])
            if not cause.denial:
                continue
            lines[cause.category] += 1
            dollars[cause.category] = dollars.get(cause.category, ZERO) + a.amount
            denied_claims.setdefault(cause.category, set()).add(a.claim_id)
        paid = sum((p.paid for p in s.scalars(select(t.Posting))), ZERO)
        breaks = verify(s, pid)
        ar = accounts_receivable(s, pid, _billing_day(run.year, run.months))
    sent = len(run.submitted_in)
    any_denied = set().union(*denied_claims.values()) if denied_claims else set()
    return {
        "database": str(run.database),
        "folder": str(run.folder),
        "year": run.year,
        "months": run.months,
        "claims": len(claims),
        "sent": sent,
        "batches": run.batches,
        "released_over_errors": len(run.released),
        "held_as_drafts": len(run.held),
        "next_batch_ready": run.next_batch,
        "remittances_posted": run.remittance_files,
        "unmatched": run.unmatched,
        "paid": f"{paid:.2f}",
        "denied_claims": len(any_denied),
        "denial_rate": round(len(any_denied) / sent, 4) if sent else None,
        "by_root_cause": {
            k: {
                "label": CATEGORIES[k],
                "claims": len(denied_claims[k]),
                "lines": lines[k],
                "amount": f"{dollars[k]:.2f}",
            }
            for k in sorted(lines, key=lambda k: -len(denied_claims[k]))
        },
        "underpaid_lines": sum(1 for a in run.adjudications for d in a.decisions if not d.denial),
        "by_simulator_rule": dict(
            Counter(d.rule for a in run.adjudications for d in a.decisions).most_common()
        ),
        "slips": dict(run.slips),
        "states": dict(sorted(states.items())),
        "books_balance": not breaks,
        "breaks": breaks[:10],
        "ar_total": f"{ar.total:.2f}",
        "seconds": round(run.seconds, 1),
    }


def print_year(d: dict[str, Any]) -> None:
    echo = click.echo
    echo(f"otbill demo year {d['year']} ({d['months']} months) on SQLite: {d['database']}")
    echo(
        f"  claims            {d['claims']} built, {d['sent']} sent in {d['batches']} 837P "
        f"batches ({d['released_over_errors']} released over the scrubber's errors, "
        f"{d['held_as_drafts']} held as drafts)"
    )
    echo(f"  next batch        {d['next_batch_ready']} claims of the month after, built and ready")
    echo(f"  835s posted       {d['remittances_posted']}, ${Decimal(d['paid']):,.2f} paid")
    rate = "n/a" if d["denial_rate"] is None else f"{100 * d['denial_rate']:.1f}%"
    echo(f"  denied            {d['denied_claims']} claims ({rate} of those sent)")
    echo("  by root cause     claims  lines    amount")
    for v in d["by_root_cause"].values():
        echo(
            f"    {v['label']:<32}{v['claims']:>5}{v['lines']:>7}  ${Decimal(v['amount']):>10,.2f}"
        )
    echo(f"  underpaid         {d['underpaid_lines']} lines allowed below the fee schedule")
    echo(f"  claims by state   {', '.join(f'{k} {v}' for k, v in d['states'].items())}")
    verdict = "balance" if d["books_balance"] else f"DO NOT balance: {d['breaks']}"
    echo(f"  the books         {verdict}; open A/R ${Decimal(d['ar_total']):,.2f}")
    echo(f"  files             {d['folder']} (837/, 835/, truth.json: the simulator's log)")
    echo(f"  took              {d['seconds']} s")
    echo(f"  try               otbill claims risk --db {d['database']}")


def backtest_year(run: YearRun, train_months: int = 9) -> Backtest:
    """Train on the claims of months 1 to ``train_months`` as the ledger holds them (their
    postings), score the later months' claims, and measure against the payer simulator's own
    log of what it denied (the model is never told the simulator's rules)."""
    cut = _month_end(run.year, train_months)
    truth = {a.claim: a.denied for a in run.adjudications}
    engine = make_engine(f"sqlite:///{run.database}")
    with session_scope(engine) as s:
        train = history(s, run.practice_id, dos_to=cut)
        rows = [
            r
            for r in s.scalars(
                select(t.Claim).where(
                    t.Claim.practice_id == run.practice_id, t.Claim.date_of_service > cut
                )
            )
            if r.number in truth
        ]
        facts = claim_facts(s, run.practice_id, rows, date.max)
    return backtest(train, [(f, truth[f.number]) for f in facts])
