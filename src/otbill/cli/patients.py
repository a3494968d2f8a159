"""otbill patients: what each patient owes, their payments, and a patient's statement as PDF.

Like the ledger commands, these take --db PATH (a SQLite file) or OTBILL_DATABASE_URL, and
--practice when the database holds several practices.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from otbill.cli.ledger import _engine, _out, _practice, db_options
from otbill.forms.statement import render_statement
from otbill.ledger.db import session_scope
from otbill.ledger.patients import PatientBalance, patient_balances, statement_for
from otbill.ledger.payments import METHODS, record_payment, return_payment

# Dollars, with commas only between thousands: "12,50" is a typo for 12.50, not 1,250.
AMOUNT = re.compile(r"\$?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?")

_AS_OF = click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Count what was posted up to this day (default today).",
)


def _day(as_of: datetime | None) -> date:
    return as_of.date() if as_of else datetime.now().astimezone().date()


@click.group("patients")
def patients_cmd() -> None:
    """What patients owe after insurance, what they pay, and their statements."""


def _summary(b: PatientBalance) -> dict[str, Any]:
    return {
        "patient": b.patient_id,
        "name": f"{b.last_name}, {b.first_name}",
        "owed": b.owed,
        "shares": b.shares,
        "paid": b.paid,
        "payments": b.payments,
        "by_reason": b.by_reason,
        "aging": dict(b.aging),
        "pending_insurance": b.pending_insurance,
        "pending_claims": b.pending_claims,
    }


@patients_cmd.command("balance")
@db_options
@_AS_OF
def balance_cmd(
    db_path: str | None, practice_npi: str | None, as_json: str | None, as_of: datetime | None
) -> None:
    """What each patient owes after insurance, and what is pending insurance."""
    engine = _engine(db_path)
    day = _day(as_of)
    with session_scope(engine) as session:
        rows = patient_balances(session, _practice(session, practice_npi), day)
    lines = [f"{'patient':<14}{'name':<30}{'owed':>12}{'pending insurance':>22}"]
    for b in rows:
        name = f"{b.last_name}, {b.first_name}"[:29]
        pending = (
            f"{b.pending_insurance:,.2f} ({b.pending_claims} claims)" if b.pending_claims else "-"
        )
        lines.append(f"{b.patient_id:<14}{name:<30}{b.owed:>12,.2f}{pending:>22}")
    # A credit is the practice's to refund or apply: not netted against what others owe.
    total = sum((b.owed for b in rows if b.owed > 0), Decimal("0.00"))
    credits = sum((-b.owed for b in rows if b.owed < 0), Decimal("0.00"))
    lines.append(f"total owed {total:,.2f} as of {day} ({len(rows)} patients listed)")
    if credits:
        lines.append(f"patients' credits {credits:,.2f}")
    _out(
        as_json,
        {"as_of": day, "patients": [_summary(b) for b in rows]},
        "\n".join(lines) if rows else f"no patient balances as of {day}",
    )


@patients_cmd.command("statement")
@click.argument("patient_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@db_options
@_AS_OF
def statement_cmd(
    patient_id: str,
    output: Path,
    db_path: str | None,
    practice_npi: str | None,
    as_json: str | None,
    as_of: datetime | None,
) -> None:
    """A patient's statement as PDF.

    Each service with what insurance paid and adjusted, the patient's share and why, what is
    owed aged from the remittance, and a stub to return with the payment."""
    engine = _engine(db_path)
    with session_scope(engine) as session:
        st = statement_for(session, _practice(session, practice_npi), patient_id, _day(as_of))
    pdf = render_statement(st)
    # Written whole or not at all: a reader never finds half a statement.
    partial = output.with_name(output.name + ".partial")
    partial.write_bytes(pdf)
    partial.replace(output)
    b = st.balance
    _out(
        as_json,
        {"file": str(output), "patient": b.patient_id, "as_of": st.as_of, "total_due": b.owed},
        f"statement for {b.first_name} {b.last_name} ({b.patient_id}) as of {st.as_of}: "
        + (f"a credit of ${-b.owed:,.2f}" if b.owed < 0 else f"${b.owed:,.2f} due")
        + f"; written to {output}",
    )


@patients_cmd.command("pay")
@click.argument("patient_id")
@click.argument("amount")
@click.option(
    "--on",
    "received",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day it was received (default today).",
)
@click.option("--method", type=click.Choice(METHODS), default="check", show_default=True)
@click.option("--ref", "reference", default="", help="The check or receipt number.")
@click.option("--who", default="otbill", show_default=True)
@click.option("--why", default="", help="A note kept with the payment.")
@db_options
def pay_cmd(
    patient_id: str,
    amount: str,
    received: datetime | None,
    method: str,
    reference: str,
    who: str,
    why: str,
    db_path: str | None,
    practice_npi: str | None,
    as_json: str | None,
) -> None:
    """Record a payment a patient made (PATIENT_ID is the patient's id at the practice)."""
    if not AMOUNT.fullmatch(amount):
        raise click.BadParameter(f"not an amount: {amount!r}", param_hint="AMOUNT")
    dollars = Decimal(amount.replace(",", "").removeprefix("$"))
    with session_scope(_engine(db_path)) as session:
        r = record_payment(
            session,
            _practice(session, practice_npi),
            patient_id,
            dollars,
            _day(received),
            method,
            reference,
            who,
            why,
        )
    _out(
        as_json,
        r,
        f"payment {r.id}: {r.method} {r.reference} ${r.amount:,.2f} from {patient_id} "
        f"on {r.received_on}".replace("  ", " "),
    )


@patients_cmd.command("return")
@click.argument("payment_id", type=int)
@click.option(
    "--on",
    "returned",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day it went back (default today).",
)
@click.option("--who", default="otbill", show_default=True)
@click.option("--why", required=True, help="Why: a returned check, a refund of a credit.")
@db_options
def return_cmd(
    payment_id: int,
    returned: datetime | None,
    who: str,
    why: str,
    db_path: str | None,
    practice_npi: str | None,
    as_json: str | None,
) -> None:
    """Give a patient payment back: a check that bounced, or a refund."""
    with session_scope(_engine(db_path)) as session:
        r = return_payment(
            session, _practice(session, practice_npi), payment_id, _day(returned), who, why
        )
    _out(
        as_json,
        r,
        f"payment {payment_id} returned on {r.received_on} (${-r.amount:,.2f}), "
        f"recorded as {r.id}: {why}",
    )
