"""otbill code: a visit or episode file in, claim lines out, each with its reasons."""

from __future__ import annotations

import json
from pathlib import Path

import click

from otbill.cli.options import build_codesets, codeset_options
from otbill.cli.render import claim_table
from otbill.coding.grouping import code_by_day
from otbill.export.json import claim as claim_json
from otbill.load.json_doc import load_path


@click.command("code")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@codeset_options
def code_cmd(
    file: Path,
    as_json: bool,
    pfs_files: tuple[Path, ...],
    gpci: Path | None,
    icd10_files: tuple[Path, ...],
    ptp_files: tuple[Path, ...],
    mue_files: tuple[Path, ...],
) -> None:
    """Code a visit or episode document into claims."""
    episode = load_path(file)
    _, claims = code_by_day(
        episode, build_codesets(pfs_files, gpci, icd10_files, ptp_files, mue_files)
    )
    if as_json:
        click.echo(json.dumps({"claims": [claim_json(c) for c in claims]}, indent=2))
        return
    for c in claims:
        click.echo(claim_table(c, episode))
