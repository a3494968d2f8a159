"""otbill demo: build the demo practice, code and check a week of its visits, summarize.

The week's claims are checked with the patients' whole history before it (KX amounts, treatment
days since the last progress report, authorization use), as a billing office would see them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from otbill.cli.output import emit, json_options
from otbill.cli.render import claim_table
from otbill.codesets import default_codesets
from otbill.codesets.icd10 import default_version
from otbill.codesets.payers import profile_for
from otbill.demo.practice import generate_practice
from otbill.export.json import claim as claim_json
from otbill.export.json import finding as finding_json
from otbill.model import Credential
from otbill.rules.engine import ClaimReport, check_episode
from otbill.rules.registry import all_rules


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@click.command("demo")
@click.option("--seed", default=7, show_default=True, help="Seed of the demo practice.")
@click.option("--patients", default=300, show_default=True, help="Patients in the practice.")
@click.option(
    "--year",
    type=int,
    help="Year of the visits (default: 2026; for --year-ledger, 2025, the latest year whose "
    "Medicare fee schedule otbill ships).",
)
@click.option(
    "--week",
    "week_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="A day in the week to bill (default: the week of March 9 of --year).",
)
@json_options("Print JSON: summary, claims, findings (--pretty indents it).")
@click.option(
    "--ledger",
    is_flag=True,
    help="Then run the whole work flow on a new SQLite database: import, build, submit an "
    "837P, post the demo payer's 835, secondary claims, verify the books, A/R.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the --ledger or --year-ledger database and files (default: a new "
    "temporary folder).",
)
@click.option(
    "--year-ledger",
    is_flag=True,
    help="Instead, bill a whole year month by month on a new SQLite database, the demo payers "
    "denying the way real payers do; print the year's figures and denials by root cause.",
)
@click.option(
    "--months",
    type=click.IntRange(1, 12),
    default=12,
    show_default=True,
    help="With --year-ledger: how many months of the year to bill.",
)
@click.option(
    "--serve/--no-serve",
    default=False,
    help="With --ledger or --year-ledger: then serve the workbench on that database, with a "
    "demo login printed (./scripts/demo serves; --no-serve for the headless run).",
)
@click.option("--port", default=8000, show_default=True, help="The workbench's port (--serve).")
def demo_cmd(
    seed: int,
    patients: int,
    year: int | None,
    week_of: Any,
    as_json: str | None,
    ledger: bool,
    out: Path | None,
    year_ledger: bool,
    months: int,
    serve: bool,
    port: int,
) -> None:
    """Build the demo practice, code and check a week of its visits, print a summary."""
    if year_ledger:
        database = _year_ledger(seed, patients, year, months, out, as_json)
        if serve:
            _serve(database, port)
        return
    year = year or 2026
    start = _monday(week_of.date() if week_of else date(year, 3, 9))
    end = start + timedelta(days=6)
    as_of = end + timedelta(days=3)  # billed the Wednesday after the week
    practice = generate_practice(seed=seed, patients=patients, year=year)
    cs = default_codesets()
    reports: list[tuple[ClaimReport, Any]] = []
    for episode in practice.episodes:
        if not any(start <= v.date <= end for v in episode.visits):
            continue
        ep = replace(episode, visits=tuple(v for v in episode.visits if v.date <= end))
        for r in check_episode(ep, as_of=as_of, codesets=cs):
            if r.claim.date_of_service >= start:
                reports.append((r, ep))
    summary = _summary(practice, reports, start, end, as_of, seed)
    if ledger:
        from otbill.cli.demo_ledger import run_ledger_demo  # the database, only when asked

        summary["ledger"] = run_ledger_demo(practice, end, as_of, out)
    if as_json:
        emit(
            {
                "summary": summary,
                "claims": [
                    {**claim_json(r.claim), "findings": [finding_json(f) for f in r.findings]}
                    for r, _ in reports
                ],
            },
            as_json,
        )
        return
    _print(summary, reports)
    if ledger:
        from otbill.cli.demo_ledger import print_ledger_demo

        print_ledger_demo(summary["ledger"])
        if serve:
            _serve(summary["ledger"]["database"], port)
    elif serve:
        raise click.UsageError("--serve serves the --ledger or --year-ledger database")


def _serve(database: str, port: int) -> None:
    """The workbench on the demo's database, with a demo user (a manager of the practice) whose
    password is made now and printed: the demo's, not a practice's."""
    import secrets

    import uvicorn
    from sqlalchemy import select

    from otbill.access.accounts import create_user, grant
    from otbill.api.app import create_app
    from otbill.ledger import schema as t
    from otbill.ledger.db import make_engine, session_scope
    from otbill.ledger.jobs import runner_for

    engine = make_engine(f"sqlite:///{database}")
    password = secrets.token_urlsafe(12)
    with session_scope(engine) as s:
        user = create_user(s, "demo", "Demo Biller", password)
        for pid in s.scalars(select(t.Practice.id)):
            grant(s, user, pid, "manager")
    click.echo(
        f"\nThe workbench: http://127.0.0.1:{port}/\n"
        f"  sign in as       demo\n"
        f"  with password    {password}\n"
        "  (a manager of the demo practice; Ctrl-C stops the server)"
    )
    uvicorn.run(
        create_app(engine, runner_for(engine)), host="127.0.0.1", port=port, log_level="warning"
    )


def _year_ledger(
    seed: int, patients: int, year: int | None, months: int, out: Path | None, as_json: str | None
) -> str:
    from otbill.cli.demo_year import print_year, run_year, summarize  # the database, if asked

    fs_years = default_codesets().fee_schedule_years()
    year = year or max(fs_years)
    if year not in fs_years:
        raise click.BadParameter(
            f"no Medicare fee schedule ships for {year} (loaded: "
            f"{', '.join(map(str, fs_years))}): the demo's Medicare prices from it",
            param_hint="--year",
        )
    progress = None if as_json else (lambda msg: click.echo(f"  {msg}", err=True))
    run = run_year(out, seed=seed, patients=patients, year=year, months=months, progress=progress)
    summary = summarize(run)
    if as_json:
        emit(summary, as_json)
    else:
        print_year(summary)
    return str(summary["database"])


def _summary(
    practice: Any,
    reports: list[tuple[ClaimReport, Any]],
    start: date,
    end: date,
    as_of: date,
    seed: int,
) -> dict[str, Any]:
    staff = Counter(p.credential for p in practice.providers)
    claims = [r.claim for r, _ in reports]
    lines = [ln for c in claims for ln in c.lines]
    methods = Counter(
        profile_for(ep.payers[r.claim.payer_id]).unit_method.value for r, ep in reports
    )
    payers = Counter(ep.payers[r.claim.payer_id].name for r, ep in reports)
    findings = [f for r, _ in reports for f in r.findings if f.active]
    by_rule = Counter((f.rule, f.severity.value) for f in findings)
    titles = {r.id: r.title for r in all_rules()}
    expected = [c.expected_payment for c in claims if c.expected_payment is not None]
    return {
        "practice": practice.practice.name,
        "seed": seed,
        "staff": {
            "OT": staff[Credential.OT],
            "OTA": staff[Credential.OTA],
            "referring": sum(v for k, v in staff.items() if k.is_physician_or_npp),
        },
        "patients": len(practice.episodes),
        "visits_in_year": practice.visits_count,
        "week": {"start": start.isoformat(), "end": end.isoformat()},
        "checked_as_of": as_of.isoformat(),
        "claims": len(claims),
        "lines": len(lines),
        "units": sum(ln.units for ln in lines),
        "claims_by_unit_method": dict(methods),
        "claims_by_payer": dict(payers.most_common()),
        "assistant_lines": sum(1 for ln in lines if {"CO", "CQ"} & set(ln.modifiers)),
        "charges": f"{sum((c.total_charge for c in claims), Decimal('0.00')):.2f}",
        "expected_payment": f"{sum(expected, Decimal('0.00')):.2f}" if expected else None,
        "clean_claims": sum(1 for r, _ in reports if r.clean),
        "errors": sum(1 for f in findings if f.severity.value == "error"),
        "warnings": sum(1 for f in findings if f.severity.value == "warning"),
        "top_findings": [
            {"rule": rule, "severity": sev, "title": titles[rule], "count": n}
            for (rule, sev), n in by_rule.most_common(8)
        ],
        "rules": len(titles),
        "icd10": default_version(),
        "fee_schedules": default_codesets().fee_schedule_years(),
    }


def _print(s: dict[str, Any], reports: list[tuple[ClaimReport, Any]]) -> None:
    echo = click.echo
    echo(f"otbill demo: {s['practice']} (demo data, seed {s['seed']})")
    st = s["staff"]
    echo(
        f"  {st['OT']} OTs, {st['OTA']} OTAs, {st['referring']} referring physicians and NPPs; "
        f"{s['patients']} patients; {s['visits_in_year']:,} visits in the year"
    )
    echo(f"\nWeek {s['week']['start']} to {s['week']['end']}, checked as of {s['checked_as_of']}")
    echo(
        f"  {s['claims']} claims, {s['lines']} lines, {s['units']} units; charges "
        f"${Decimal(s['charges']):,.2f}"
    )
    echo("  by payer: " + ", ".join(f"{k} {v}" for k, v in s["claims_by_payer"].items()))
    echo(
        "  by unit method: "
        + ", ".join(f"{k.upper()} {v}" for k, v in s["claims_by_unit_method"].items())
    )
    echo(f"  lines with CO (assistant in part): {s['assistant_lines']}")
    if s["expected_payment"] is None:
        echo(
            f"  expected Medicare payment: not priced (fee schedules loaded: "
            f"{', '.join(map(str, s['fee_schedules']))}; load the year's CMS PPRRVU file)"
        )
    else:
        echo(f"  expected Medicare payment: ${Decimal(s['expected_payment']):,.2f}")
    n = s["claims"] or 1
    echo(
        f"\nScrubber ({s['rules']} rules): {s['clean_claims']} of {s['claims']} claims clean "
        f"({100 * s['clean_claims'] / n:.1f}%); {_n(s['errors'], 'error')}, "
        f"{_n(s['warnings'], 'warning')}"
    )
    for f in s["top_findings"]:
        echo(f"  {f['count']:>4}  {f['severity']:<8}{f['rule']:<13}{f['title']}")
    worst = next(((r, ep) for r, ep in reports if r.errors), None)
    sample = worst or next(iter(reports), None)
    if sample is not None:
        r, ep = sample
        echo("\nA claim, with its reasons:\n")
        echo(claim_table(r.claim, ep))
        for f in r.findings:
            echo(f"  {f.severity.value.upper():<8}{f.rule} {f.message}\n          fix: {f.fix}")
    echo(f"\n{s['icd10']}. `otbill rules show ID` explains a rule.")


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
