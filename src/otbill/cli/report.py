"""`otbill report KIND`: denials, claims, ar, compliance and the monthly practice report, as
text, JSON or CSV, or written to a PDF, HTML or SVG file (-o)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click

from otbill.cli.output import emit, json_options
from otbill.errors import InputError

KINDS = ("denials", "claims", "ar", "compliance", "monthly")
BY = ("code", "payer", "carc", "rarc", "cause", "therapist")
FORMATS = (".pdf", ".html", ".svg")
_DAY = click.DateTime(formats=["%Y-%m-%d", "%Y-%m"])


def _day(v: datetime | None) -> date | None:
    return v.date() if v else None


@click.command("report")
@click.argument("kind", type=click.Choice(KINDS))
@click.option("--from", "start", type=_DAY, help="First month (YYYY-MM or a day in it).")
@click.option("--to", "end", type=_DAY, help="Last month (default: the as-of month).")
@click.option("--month", type=_DAY, help="monthly: the month (default: the last whole one).")
@click.option("--as-of", type=_DAY, help="The day A/R is aged to (default: today, or --to's end).")
@click.option("--payer", help="Only this payer's claims (its id).")
@click.option("--therapist", help="Only this rendering therapist's (NPI).")
@click.option("--by", "by", multiple=True, type=click.Choice(BY), help="Denials: breakdowns to "
              "show (repeat; default all).")  # fmt: skip
@click.option("--near", default="0.80", show_default=True, help="KX: the share of the threshold "
              "that counts as near it.")  # fmt: skip
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (every figure and cell a row).")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE.pdf, FILE.html or FILE.svg (its charts).",
)  # fmt: skip
@click.option("--db", "db_path", help="A SQLite file (else OTBILL_DATABASE_URL).")
@click.option(
    "--practice", "practice_npi", help="The practice's NPI (when the database holds several)."
)
@json_options()
def report_cmd(
    kind: str,
    start: datetime | None,
    end: datetime | None,
    month: datetime | None,
    as_of: datetime | None,
    payer: str | None,
    therapist: str | None,
    by: tuple[str, ...],
    near: str,
    as_csv: bool,
    output: Path | None,
    db_path: str | None,
    practice_npi: str | None,
    as_json: str | None,
) -> None:
    """KPIs with their formulas and sources, tables and charts over whole months (the HFMA
    denial metrics count by month). Without --from/--to: the twelve months to the as-of one."""
    from otbill.analytics.periods import month_end, prev_month
    from otbill.cli.ledger import _engine, _practice  # SQLAlchemy, only here
    from otbill.ledger.db import session_scope
    from otbill.ledger.reports import build_report
    from otbill.ledger.reports.facts import refresh

    if output is not None and output.suffix.lower() not in FORMATS:
        raise InputError("-o", f"{output.name}: write a .pdf, .html or .svg file")
    if (as_json or as_csv) and output is not None:
        raise InputError("-o", "give -o or --json/--csv, not both")
    try:
        share = Decimal(near)
    except InvalidOperation:
        raise InputError("--near", f"{near!r} is not a number (e.g. 0.80)") from None
    if not Decimal(0) < share <= Decimal(1):
        raise InputError("--near", f"{near} is not a share between 0 and 1")
    today = datetime.now().astimezone().date()
    last = _day(end) or _day(month) or (_day(as_of) or today)
    if kind == "monthly" and not (month or end):
        last = prev_month(_day(as_of) or today)  # the last whole month
    first = _day(start) or prev_month(last, 11)
    aged_to = _day(as_of) or min(today, month_end(last))
    engine = _engine(db_path)
    with session_scope(engine) as s:
        practice = _practice(s, practice_npi)
        # Folded and committed first: the fold's locks are not held while the report reads.
        refresh(s, practice)
    with session_scope(engine) as s:
        report = build_report(
            s,
            practice,
            kind,
            first,
            last,
            aged_to,
            payer=payer,
            therapist=therapist,
            by=frozenset(by),
            near=share,
            fold=False,
        )
    _write(report, as_json, as_csv, output)


def _write(report: Any, as_json: str | None, as_csv: bool, output: Path | None) -> None:
    from otbill.analytics.text import report_csv, report_text

    if as_json:
        emit(report.as_dict(), as_json)
    elif as_csv:
        click.echo(report_csv(report), nl=False)
    elif output is not None:
        suffix = output.suffix.lower()
        if suffix == ".pdf":
            from otbill.forms.report import render_report  # reportlab, only here

            data = render_report(report)
        elif suffix == ".html":
            from otbill.analytics.html import report_html

            data = report_html(report).encode()
        else:
            from otbill.analytics.svg import report_svg

            data = report_svg(report).encode()
        tmp = output.with_name(output.name + ".partial")
        tmp.write_bytes(data)
        tmp.replace(output)
        click.echo(f"wrote {report.title.lower()} ({report.start} to {report.end}) to {output}")
    else:
        click.echo(report_text(report), nl=False)
