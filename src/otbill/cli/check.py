"""otbill check: code a visit or episode and run every rule; exit 1 while any error is left."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import click

from otbill.cli.options import build_codesets, codeset_options
from otbill.cli.output import emit, json_options
from otbill.cli.render import claim_table
from otbill.cli.visits import read_visits
from otbill.errors import InputError
from otbill.export.json import claim as claim_json
from otbill.export.json import finding as finding_json
from otbill.model import Silence
from otbill.rules.engine import check_episode


def _silences(path: Path | None) -> list[Silence]:
    if path is None:
        return []
    try:
        data = json.loads(path.read_text())
        return [Silence(x["rule"], x["claim"], x["by"], x["why"]) for x in data]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(
            str(path), f"silences must be a JSON list of {{rule, claim, by, why}}: {e}"
        ) from None


@click.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_options()
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day the claims would be sent (timely filing); default today.",
)
@click.option(
    "--silences",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON list of {rule, claim, by, why}: findings silenced with a recorded reason.",
)
@codeset_options
def check_cmd(
    file: Path,
    as_json: str | None,
    as_of: object,
    silences: Path | None,
    **codeset_files: object,
) -> None:
    """Code visits (an otbill visit or episode document, a CSV export or a FHIR R4 bundle) and
    run every rule on their claims."""
    cs = build_codesets(**codeset_files)  # type: ignore[arg-type]
    day = as_of.date() if as_of is not None else datetime.now().astimezone().date()  # type: ignore[attr-defined]
    quiet = _silences(silences)
    checked = [
        (r, episode)
        for episode in read_visits(file)
        for r in check_episode(episode, as_of=day, codesets=cs, silences=quiet)
    ]
    reports = [r for r, _ in checked]
    errors = sum(len(r.errors) for r in reports)
    if as_json:
        out = {
            "as_of": day.isoformat(),
            "claims": [
                {**claim_json(r.claim), "findings": [finding_json(f) for f in r.findings]}
                for r in reports
            ],
            "errors": errors,
        }
        emit(out, as_json)
    else:
        for r, episode in checked:
            click.echo(claim_table(r.claim, episode))
            if not r.findings:
                click.echo("  Findings: none\n")
                continue
            click.echo("  Findings:")
            for f in r.findings:
                where = f" [{f.code}]" if f.code else ""
                mark = f" (silenced by {f.silenced.by}: {f.silenced.why})" if f.silenced else ""
                click.echo(f"   {f.severity.value.upper():<8}{f.rule}{where} {f.message}{mark}")
                click.echo(f"           fix: {f.fix}")
            click.echo("")
        counts = Counter(f.severity.value for r in reports for f in r.findings if f.active)
        click.echo(
            f"{len(reports)} claims: {counts['error']} errors, {counts['warning']} warnings, "
            f"{counts['info']} info."
        )
    if errors:
        raise click.exceptions.Exit(1)
