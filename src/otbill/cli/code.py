"""otbill code: a file of visits in, claim lines out, each with its reasons."""

from __future__ import annotations

from pathlib import Path

import click

from otbill.cli.options import build_codesets, codeset_options
from otbill.cli.output import emit, json_options
from otbill.cli.render import claim_table
from otbill.cli.visits import coded, read_visits
from otbill.export.json import claim as claim_json


@click.command("code")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_options("Print JSON instead of a table (--pretty indents it).")
@codeset_options
def code_cmd(
    file: Path,
    as_json: str | None,
    pfs_files: tuple[Path, ...],
    gpci: Path | None,
    icd10_files: tuple[Path, ...],
    ptp_files: tuple[Path, ...],
    mue_files: tuple[Path, ...],
) -> None:
    """Code visits (an otbill visit or episode document, a CSV export or a FHIR R4 bundle) into
    claims."""
    claims = coded(
        read_visits(file), build_codesets(pfs_files, gpci, icd10_files, ptp_files, mue_files)
    )
    if as_json:
        emit({"claims": [claim_json(c) for c, _ in claims]}, as_json)
        return
    for c, episode in claims:
        click.echo(claim_table(c, episode))
