"""otbill patients: what each patient owes, and a patient's statement as PDF.

Like the ledger commands, these take --db PATH (a SQLite file) or OTBILL_DATABASE_URL, and
--practice when the database holds several practices.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from otbill.cli.ledger import _engine, _out, _practice, db_options
from otbill.forms.statement import render_statement
from otbill.ledger.db import session_scope
from otbill.ledger.patients import PatientBalance, patient_balances, statement_for

_AS_OF = click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Count what was posted up to this day (default today).",
)


def _day(as_of: datetime | None) -> date:
    return as_of.date() if as_of else datetime.now().astimezone().date()


@click.group("patients")
def patients_cmd() -> None:
    """What patients owe after insurance, and their statements."""


def _summary(b: PatientBalance) -> dict[str, Any]:
    return {
        "patient": b.patient_id,
        "name": f"{b.last_name}, {b.first_name}",
        "owed": b.owed,
        "by_reason": b.by_reason,
        "aging": dict(b.aging),
        "pending_insurance": b.pending_insurance,
        "pending_claims": b.pending_claims,
    }


@patients_cmd.command("balance")
@db_options
@_AS_OF
def balance_cmd(
    db_path: str | None, practice_npi: str | None, as_json: bool, as_of: datetime | None
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
    total = sum((b.owed for b in rows), Decimal("0.00"))
    lines.append(f"total owed {total:,.2f} as of {day} ({len(rows)} patients listed)")
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
    as_json: bool,
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
        f"${b.owed:,.2f} due; written to {output}",
    )
