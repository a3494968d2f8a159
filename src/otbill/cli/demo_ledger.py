"""`otbill demo --ledger`: the whole work flow on the embedded SQLite database.

The demo practice's visits up to the billed week are imported, built into claims, the ready
ones sent in an 837P batch, adjudicated by the demo payer into an 835 (a stand-in, see
demo/remit), posted, secondary claims built, and the books verified; the patient who owes
most pays part and gets a statement; then the A/R is printed. The database is a fresh file in
--out (default: a new temporary directory), so the demo never touches a practice's own data.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from otbill.demo.remit import remittance
from otbill.forms.statement import render_statement
from otbill.ledger.books import accounts_receivable, verify
from otbill.ledger.claims import as_claims, build_claims, list_claims, submit, write_after_commit
from otbill.ledger.db import make_engine, session_scope
from otbill.ledger.denials import list_items
from otbill.ledger.migrate import upgrade
from otbill.ledger.patients import patient_balances, statement_for
from otbill.ledger.payments import record_payment
from otbill.ledger.posting import post_835
from otbill.ledger.secondary import build_secondary
from otbill.ledger.store import import_episodes
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo


def run_ledger_demo(practice: Any, end: date, as_of: date, out: Path | None) -> dict[str, Any]:
    folder = out or Path(tempfile.mkdtemp(prefix="otbill-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "otbill.db"
    if db.exists():
        raise click.UsageError(f"{db} exists: the demo starts from a new database")
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    episodes = [e for e in practice.episodes if any(v.date <= end for v in e.visits)]
    episodes = [replace(e, visits=tuple(v for v in e.visits if v.date <= end)) for e in episodes]
    with session_scope(engine) as s:
        pid = import_episodes(s, episodes).practice_id
    with session_scope(engine) as s:
        built = build_claims(s, pid, as_of)
    when = datetime.combine(as_of, time(9), tzinfo=UTC)
    with session_scope(engine) as s:
        sub = submit(s, pid, folder / "claims.837", when=when)
    if sub is not None:
        write_after_commit(sub)
    with session_scope(engine) as s:
        sent = as_claims(list_claims(s, pid, "submitted"))
    era = folder / "remittance.835"
    remit = remittance(sent, seed=11)
    era.write_text(build_835([remit], InterchangeInfo("DEMO", "P", 1, when)))
    # Patients owe once the 835 is in: their balances and the statement are as of its date.
    paid_on = remit.payment_date or as_of
    with session_scope(engine) as s:
        posted = post_835(s, pid, era)
    with session_scope(engine) as s:
        secondary = build_secondary(s, pid, as_of)
    statement = None
    with session_scope(engine) as s:
        # The patient who owes most pays part at the front desk and gets a statement.
        owing = [b for b in patient_balances(s, pid, paid_on) if b.owed > 0]
        top = max(owing, key=lambda b: b.owed, default=None)
        if top is not None:
            part = min(top.owed, Decimal("20.00"))
            record_payment(s, pid, top.patient_id, part, paid_on, "card", "", "demo", "front desk")
            st = statement_for(s, pid, top.patient_id, paid_on)
            statement = folder / f"statement-{top.patient_id}.pdf"
            statement.write_bytes(render_statement(st))
    with session_scope(engine) as s:
        owed = sum(
            (max(b.owed, Decimal("0.00")) for b in patient_balances(s, pid, paid_on)),
            Decimal("0.00"),
        )
        breaks = verify(s, pid)
        ar = accounts_receivable(s, pid, as_of)
        queue = list_items(s, pid, paid_on)
        states: dict[str, int] = {}
        for c in list_claims(s, pid):
            states[c.state] = states.get(c.state, 0) + 1
    return {
        "database": str(db),
        "claims_built": built.built,
        "ready": built.ready,
        "draft": built.draft,
        "submitted": sub.claims if sub else 0,
        "batch_file": str(folder / "claims.837") if sub else None,
        "remittance_file": str(era),
        "posted": posted.claims_posted,
        "paid": f"{posted.paid:.2f}",
        "unmatched": len(posted.unmatched),
        "secondary_claims": len(secondary.built),
        "patients_owe": f"{owed:.2f}",
        "patients_owing": len(owing),
        "statement_file": str(statement) if statement else None,
        "states": dict(sorted(states.items())),
        "books_balance": not breaks,
        "breaks": breaks[:10],
        "ar_total": f"{ar.total:.2f}",
        "denial_items": len(queue),
        "denial_amount": f"{sum((v.amount for v in queue), Decimal('0.00')):.2f}",
        "denial_causes": dict(
            sorted({v.cause: sum(1 for w in queue if w.cause == v.cause) for v in queue}.items())
        ),
        "days_in_ar": None if ar.days_in_ar is None else str(ar.days_in_ar),
    }


def print_ledger_demo(d: dict[str, Any]) -> None:
    click.echo("\nThe ledger, on SQLite:")
    click.echo(f"  database             {d['database']}")
    click.echo(
        f"  claims built         {d['claims_built']} ({d['ready']} ready, {d['draft']} draft "
        "held for their errors)"
    )
    click.echo(f"  837P batch           {d['submitted']} claims in {d['batch_file']}")
    click.echo(
        f"  835 posted           {d['posted']} claim payments, ${d['paid']} paid, "
        f"{d['unmatched']} unmatched"
    )
    click.echo(f"  secondary claims     {d['secondary_claims']}")
    click.echo(f"  claims by state      {', '.join(f'{k} {v}' for k, v in d['states'].items())}")
    click.echo(
        f"  patients owe         ${d['patients_owe']} after insurance ({d['patients_owing']} "
        "patients)"
    )
    if d["statement_file"]:
        click.echo(f"  a statement          {d['statement_file']}")
    verdict = "balance" if d["books_balance"] else f"DO NOT balance: {d['breaks']}"
    click.echo(f"  the books            {verdict}")
    click.echo(f"  open A/R             ${d['ar_total']} (days in A/R {d['days_in_ar'] or 'n/a'})")
    causes = ", ".join(f"{k} {v}" for k, v in d["denial_causes"].items())
    click.echo(
        f"  denial work queue    {d['denial_items']} items, ${d['denial_amount']} at stake"
        + (f" ({causes})" if causes else "")
    )
    click.echo(f"  work them            otbill denials list --db {d['database']}")
    click.echo(f"  try                  otbill claims list --db {d['database']}")
