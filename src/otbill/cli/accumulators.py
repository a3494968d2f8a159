"""`otbill accumulators [PATIENT]`: KX dollars, authorization use, progress-report days and
plan-of-care dates per patient, from the stored history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from otbill.cli.ledger import _engine, _out, _practice, db_options
from otbill.ledger.accumulators import accumulators
from otbill.ledger.db import session_scope


@click.command("accumulators")
@click.argument("patient", required=False)
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]))
@db_options
def accumulators_cmd(
    patient: str | None,
    as_of: Any,
    db_path: str | None,
    practice_npi: str | None,
    as_json: str | None,
) -> None:
    """What each patient has used: KX dollars this year, authorizations, progress report days."""
    day = as_of.date() if as_of else datetime.now().astimezone().date()
    with session_scope(_engine(db_path)) as s:
        rows = accumulators(s, _practice(s, practice_npi), day, patient)
    if patient and not rows:
        raise click.BadParameter(f"no patient {patient!r}", param_hint="PATIENT")
    text = []
    for a in rows:
        text.append(f"{a.name} ({a.patient})")
        for k in a.kx:
            left = "no threshold on file" if k.left is None else f"${k.left:,.2f} to the threshold"
            unknown = f", {k.unknown_lines} lines unpriced" if k.unknown_lines else ""
            text.append(
                f"  KX {k.year} {k.bucket}: ${k.total:,.2f} (835 ${k.adjudicated:,.2f}, "
                f"estimated ${k.estimated:,.2f}{unknown}); {left}"
            )
        for u in a.authorizations:
            text.append(
                f"  auth {u.number} ({u.payer}, {u.start} to {u.end or 'open'}): visits "
                f"{u.visits_used}/{u.visits_allowed or '-'}, units {u.units_used}/"
                f"{u.units_allowed or '-'}"
            )
        for p in a.plans:
            due = "; progress report due" if p.progress_due else ""
            text.append(
                f"  plan {p.plan} ({p.discipline}) from {p.start}, certified through "
                f"{p.certified_through or '-'}: {p.treatment_days} treatment days, "
                f"{p.days_since_progress} since the last progress report{due}"
            )
    _out(as_json, rows, "\n".join(text) or "no patients")
