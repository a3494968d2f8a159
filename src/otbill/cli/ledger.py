"""The ledger commands: db, import, claims, ack, era, ledger verify, ar.

All take --db PATH (a SQLite file) or OTBILL_DATABASE_URL (any SQLAlchemy URL) and --json.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from otbill.cli.output import emit, json_options
from otbill.errors import InputError
from otbill.ledger import schema as t
from otbill.ledger.acks import apply_ack
from otbill.ledger.books import accounts_receivable, claim_totals, verify
from otbill.ledger.claims import build_claims, list_claims, submit, write_after_commit
from otbill.ledger.db import make_engine, resolve_url, session_scope
from otbill.ledger.lifecycle import STATES
from otbill.ledger.migrate import current, head, upgrade
from otbill.ledger.posting import post_835
from otbill.ledger.secondary import build_secondary
from otbill.ledger.store import import_episodes
from otbill.load.files import load_file


def db_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = json_options()(f)
    f = click.option(
        "--practice", "practice_npi", help="The practice's NPI (when the database holds several)."
    )(f)
    return click.option(
        "--db",
        "db_path",
        help="A SQLite file (else OTBILL_DATABASE_URL, else the user data directory).",
    )(f)


def _engine(db_path: str | None, pool_size: int | None = None) -> Engine:
    engine = make_engine(resolve_url(db_path), pool_size)
    if current(engine) != head():
        upgrade(engine)  # a new or older database is brought to the current schema
    return engine


def _practice(session: Session, npi: str | None) -> int:
    rows = list(session.scalars(select(t.Practice)))
    if npi:
        rows = [r for r in rows if r.npi == npi]
    if not rows:
        raise InputError("--practice", "no practice in the database (import one first)")
    if len(rows) > 1:
        raise InputError("--practice", "the database holds several practices: name one by NPI")
    return rows[0].id


def _out(as_json: str | None, data: Any, text: str) -> None:
    if as_json:
        emit(data, as_json)
    else:
        click.echo(text)


@click.group("db")
def db_cmd() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""


@db_cmd.command("init")
@click.option("--db", "db_path")
def db_init(db_path: str | None) -> None:
    engine = make_engine(resolve_url(db_path))
    upgrade(engine)
    click.echo(
        f"database at {engine.url.render_as_string(hide_password=True)} is at "
        f"revision {current(engine)}"
    )


@db_cmd.command("upgrade")
@click.option("--db", "db_path")
def db_upgrade(db_path: str | None) -> None:
    engine = make_engine(resolve_url(db_path))
    before = current(engine)
    upgrade(engine)
    click.echo(f"upgraded from {before or 'empty'} to {current(engine)}")


@click.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@db_options
def import_cmd(
    files: tuple[Path, ...], db_path: str | None, practice_npi: str | None, as_json: str | None
) -> None:
    """Import visit or episode files (JSON, CSV or FHIR R4 bundles, recognized by content).
    Importing the same visit again updates it."""
    engine = _engine(db_path)
    totals = {"files": 0, "visits_added": 0, "visits_updated": 0}
    with _progress(len(files), "importing") as bar:
        for f in files:
            bar.update(1)
            episodes = load_file(f)
            with session_scope(engine) as session:
                r = import_episodes(session, episodes)
            totals["files"] += 1
            totals["visits_added"] += r.visits_added
            totals["visits_updated"] += r.visits_updated
    _out(
        as_json,
        totals,
        f"imported {totals['files']} files: {totals['visits_added']} visits "
        f"added, {totals['visits_updated']} updated",
    )


@click.group("claims")
def claims_cmd() -> None:
    """Build, list and submit claims."""


@claims_cmd.command("build")
@db_options
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--who", default="otbill", show_default=True)
def claims_build(
    db_path: str | None, practice_npi: str | None, as_json: str | None, as_of: Any, who: str
) -> None:
    """Code and check every visit into a claim (ready, or draft with its errors)."""
    engine = _engine(db_path)
    day = as_of.date() if as_of else datetime.now().astimezone().date()
    with session_scope(engine) as session:
        pid = _practice(session, practice_npi)
        patients = session.scalar(
            select(func.count()).select_from(t.Patient).where(t.Patient.practice_id == pid)
        )
        with _progress(patients or 0, "building claims") as bar:
            r = build_claims(session, pid, day, who, progress=bar.update)
        sec = build_secondary(session, pid, day, who)
    text = (
        f"{r.built} built, {r.rebuilt} rebuilt: {r.ready} ready, {r.draft} draft; "
        f"{r.kept} already sent left as they are"
    )
    if r.voided:
        text += f"; {r.voided} voided (their visits no longer make them)"
    if sec.built:
        text += f"; {len(sec.built)} secondary claims after the primary's 835"
    for note in [*r.notes, *sec.skipped]:
        text += f"\n  {note}"
    _out(as_json, {"claims": r, "secondary": sec}, text)


@claims_cmd.command("list")
@db_options
@click.option("--state", type=click.Choice(STATES), help="Only claims in this state.")
@click.option("--payer", help="Only claims billed to this payer (its id).")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only claims with dates of service on or after this day.",
)
def claims_list(
    db_path: str | None,
    practice_npi: str | None,
    as_json: str | None,
    state: str | None,
    payer: str | None,
    since: Any,
) -> None:
    """Claims with what was charged, paid, adjusted, left to the patient and still open."""
    engine = _engine(db_path)
    with session_scope(engine) as session:
        rows = list_claims(
            session,
            _practice(session, practice_npi),
            state,
            payer=payer,
            since=since.date() if since else None,
            with_doc=False,
        )
        totals = claim_totals(session, rows)
        data: list[dict[str, Any]] = [
            {
                "number": r.number,
                "state": r.state,
                "payer": r.payer_ext,
                "date_of_service": r.date_of_service,
                **totals[r.id].as_dict(),
                "errors": [
                    f["rule"]
                    for f in r.findings.get("items", [])
                    if f["severity"] == "error" and not f["silenced"]
                ],
            }
            for r in rows
        ]
    _out(as_json, data, _claims_table(data) if data else "no claims")


def _claims_table(data: list[dict[str, Any]]) -> str:
    """One line a claim, the money in columns a biller adds up by eye, and the sums below."""
    money = ("charge", "paid", "adjusted", "patient_responsibility", "balance")
    heads = ("charge", "paid", "adjusted", "patient", "open")
    out = [
        f"{'claim':<20}{'state':<16}{'payer':<14}{'service':<12}"
        + "".join(f"{h:>11}" for h in heads)
        + "  errors"
    ]
    for d in data:
        out.append(
            f"{d['number']:<20}{d['state']:<16}{d['payer']:<14}{d['date_of_service']!s:<12}"
            + "".join(f"{d[k]:>11,.2f}" for k in money)
            + (f"  {' '.join(d['errors'])}" if d["errors"] else "")
        )
    sums = [sum((d[k] for d in data), Decimal("0.00")) for k in money]
    out.append(f"{f'{len(data)} claims':<62}" + "".join(f"{v:>11,.2f}" for v in sums))
    return "\n".join(out)


@claims_cmd.command("submit")
@db_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--who", default="otbill", show_default=True)
def claims_submit(
    db_path: str | None, practice_npi: str | None, as_json: str | None, output: Path, who: str
) -> None:
    """The ready claims in one 837P batch."""
    engine = _engine(db_path)
    with session_scope(engine) as session:
        sub = submit(session, _practice(session, practice_npi), output, who)
    if sub is None:
        _out(as_json, {"claims": 0}, "no ready claims")
        return
    write_after_commit(sub)
    _out(
        as_json,
        {
            "batch": sub.batch_id,
            "claims": sub.claims,
            "interchange": sub.control,
            "file": str(output),
        },
        f"batch {sub.batch_id}: {sub.claims} claims in {output} (interchange {sub.control})",
    )


@click.command("ack")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_options
def ack_cmd(file: Path, db_path: str | None, practice_npi: str | None, as_json: str | None) -> None:
    """Apply a 999 or 277CA to the submitted claims."""
    engine = _engine(db_path)
    with session_scope(engine) as session:
        r = apply_ack(session, _practice(session, practice_npi), file.read_text())
    _out(
        as_json,
        r,
        f"{len(r.accepted)} accepted, {len(r.rejected)} rejected, {len(r.unknown)} not found",
    )


@click.group("era")
def era_cmd() -> None:
    """Electronic remittance advice (835)."""


@era_cmd.command("post")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_options
@click.option("--who", default="otbill", show_default=True)
def era_post(
    file: Path, db_path: str | None, practice_npi: str | None, as_json: str | None, who: str
) -> None:
    """Post an 835: all of it or nothing; posting it again changes nothing."""
    engine = _engine(db_path)
    bar = _Bar("posting")
    try:
        with session_scope(engine) as session:
            r = post_835(session, _practice(session, practice_npi), file, who, progress=bar)
        bar.close()
    except IntegrityError:
        bar.close()
        # Another process posted the same file at the same moment: its row won the unique
        # index and this transaction was rolled back whole. Asking again says so.
        with session_scope(engine) as session:
            r = post_835(session, _practice(session, practice_npi), file, who)
    _out(as_json, r, r.message)


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def update(self, _: int) -> None:
        return None

    pos = 0


def _progress(length: int, label: str) -> Any:
    """A progress bar on stderr when it is a terminal; nothing otherwise (click would still
    print the label, into logs and before --json output)."""
    if not sys.stderr.isatty():
        return _NoBar()
    return click.progressbar(length=length, label=label, file=sys.stderr)


class _Bar:
    """A progress bar opened when the total is known (on a terminal only, as click does)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = _progress(total, self.label)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.group("ledger")
def ledger_cmd() -> None:
    """Check the books."""


@ledger_cmd.command("verify")
@db_options
def ledger_verify(db_path: str | None, practice_npi: str | None, as_json: str | None) -> None:
    """Every claim balances: charge = paid + adjustments + patient share + open balance."""
    engine = _engine(db_path)
    with session_scope(engine) as session:
        breaks = verify(session)
    _out(as_json, {"breaks": breaks}, "\n".join(breaks) or "the books balance")
    if breaks:
        raise click.exceptions.Exit(1)


@click.command("ar")
@db_options
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]))
def ar_cmd(db_path: str | None, practice_npi: str | None, as_json: str | None, as_of: Any) -> None:
    """Open balances by payer and by patient, aged from service and from submission."""
    engine = _engine(db_path)
    day = as_of.date() if as_of else datetime.now().astimezone().date()
    with session_scope(engine) as session:
        ar = accounts_receivable(session, _practice(session, practice_npi), day)
    lines = [
        f"A/R as of {day}: ${ar.total:,.2f}; days in A/R "
        f"{ar.days_in_ar if ar.days_in_ar is not None else 'n/a'}"
    ]
    for title, table in (
        ("by payer, from date of service", ar.by_payer_dos),
        ("by payer, from submission", ar.by_payer_submitted),
    ):
        lines.append(f"\n{title}:")
        for payer, aging in sorted(table.items()):
            cells = "  ".join(f"{k}: {v:>10,.2f}" for k, v in aging.buckets.items())
            lines.append(f"  {payer:<14}{cells}  total {aging.total:,.2f}")
    lines.append(f"\nby patient: {len(ar.by_patient)} with open balances")
    _out(as_json, ar, "\n".join(lines))


COMMANDS = [db_cmd, import_cmd, claims_cmd, ack_cmd, era_cmd, ledger_cmd, ar_cmd]
