"""`otbill claims show|split|merge|correct|void|appeal|close`: a biller's actions on one claim
(and, from cli/risk, `claims risk`).

Each runs in one transaction, is refused with the reason when the claim's state or payer does
not allow it (exit 2), and leaves an event with --who and --why in the claim's history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from otbill.cli import risk as _risk  # noqa: F401 - adds `claims risk` to the group
from otbill.cli.ledger import _engine, _out, _practice, claims_cmd, db_options
from otbill.ledger.db import session_scope
from otbill.ledger.views import claim_detail
from otbill.ledger.workflow import (
    Outcome,
    appeal,
    close,
    correct,
    find,
    merge_claims,
    split_lines,
    void,
)


def _today(as_of: Any) -> Any:
    return as_of.date() if as_of else datetime.now().astimezone().date()


def _who_why(f: Any) -> Any:
    f = click.option("--why", required=True, help="The reason, kept in the claim's history.")(f)
    return click.option("--who", default="otbill", show_default=True)(f)


def _done(as_json: str | None, o: Outcome) -> None:
    new = f"; new claim {o.new_claim}" if o.new_claim else ""
    _out(as_json, o, f"claim {o.claim}: {o.action} -> {o.state}{new}. {o.message}")


@claims_cmd.command("show")
@click.argument("number")
@db_options
def claims_show(
    number: str, db_path: str | None, practice_npi: str | None, as_json: str | None
) -> None:
    """A claim: its lines, findings, balance and history."""
    with session_scope(_engine(db_path)) as s:
        data = claim_detail(s, find(s, _practice(s, practice_npi), number))
    groups = ", ".join(f"{g} {v:,.2f}" for g, v in data["adjustments"].items() if v)
    text = [
        f"claim {data['number']} ({data['state']}) {data['payer']} {data['date_of_service']}: "
        f"charge {data['charge']:,.2f}, paid {data['paid']:,.2f}, adjusted "
        f"{data['adjusted']:,.2f}, patient {data['patient_responsibility']:,.2f}, "
        f"open {data['balance']:,.2f}" + (f" ({groups})" if groups else "")
    ]
    for ln in data["lines"]:
        text.append(
            f"  {ln['line']}. {ln['code']} {'-'.join(ln['modifiers'])} x{ln['units']} "
            f"{ln['charge']} paid {ln['paid']} adj {ln['adjusted']} PR {ln['patient_resp']}"
        )
    for f in data["findings"]:
        text.append(f"  {f['severity']} {f['rule']}: {f['message']}")
    for e in data["history"]:
        text.append(f"  {e['at']:%Y-%m-%d %H:%M} {e['who']}: {e['from']} -> {e['to']} ({e['why']})")
    _out(as_json, data, "\n".join(text))


@claims_cmd.command("split")
@click.argument("number")
@click.option("--lines", "lines", required=True, help="Line numbers to move, e.g. 2,3.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]))
@_who_why
@db_options
def claims_split(number: str, lines: str, as_of: Any, who: str, why: str, **kw: Any) -> None:
    """Move lines of a draft or ready claim to a claim of their own."""
    try:
        picked = [int(x) for x in lines.split(",") if x.strip()]
    except ValueError:
        raise click.BadParameter(f"not line numbers: {lines!r}", param_hint="--lines") from None
    with session_scope(_engine(kw["db_path"])) as s:
        o = split_lines(
            s, _practice(s, kw["practice_npi"]), number, picked, who, why, _today(as_of)
        )
    _done(kw["as_json"], o)


@claims_cmd.command("merge")
@click.argument("number")
@click.option("--into", "target", required=True, help="The claim to put its lines on.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]))
@_who_why
@db_options
def claims_merge(number: str, target: str, as_of: Any, who: str, why: str, **kw: Any) -> None:
    """Put a claim's lines on another claim of the same patient, payer and day."""
    with session_scope(_engine(kw["db_path"])) as s:
        o = merge_claims(
            s, _practice(s, kw["practice_npi"]), number, target, who, why, _today(as_of)
        )
    _done(kw["as_json"], o)


@claims_cmd.command("correct")
@click.argument("number")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]))
@_who_why
@db_options
def claims_correct(number: str, as_of: Any, who: str, why: str, **kw: Any) -> None:
    """Correct a sent claim: a replacement (frequency 7), a reopening (Medicare Part B) or,
    for a rejected or unprocessable claim, a new claim."""
    with session_scope(_engine(kw["db_path"])) as s:
        o = correct(s, _practice(s, kw["practice_npi"]), number, who, why, _today(as_of))
    _done(kw["as_json"], o)


@claims_cmd.command("void")
@click.argument("number")
@_who_why
@db_options
def claims_void(number: str, who: str, why: str, **kw: Any) -> None:
    """Void a claim (a frequency 8 claim when the payer has it and takes voids)."""
    with session_scope(_engine(kw["db_path"])) as s:
        o = void(s, _practice(s, kw["practice_npi"]), number, who, why)
    _done(kw["as_json"], o)


@claims_cmd.command("appeal")
@click.argument("number")
@_who_why
@db_options
def claims_appeal(number: str, who: str, why: str, **kw: Any) -> None:
    """Record an appeal of a denied or short-paid claim."""
    with session_scope(_engine(kw["db_path"])) as s:
        o = appeal(s, _practice(s, kw["practice_npi"]), number, who, why)
    _done(kw["as_json"], o)


@claims_cmd.command("close")
@click.argument("number")
@_who_why
@db_options
def claims_close(number: str, who: str, why: str, **kw: Any) -> None:
    """Close a claim (worked to the end: paid, written off, or voided)."""
    with session_scope(_engine(kw["db_path"])) as s:
        o = close(s, _practice(s, kw["practice_npi"]), number, who, why)
    _done(kw["as_json"], o)
