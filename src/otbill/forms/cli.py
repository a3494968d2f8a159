"""otbill cms1500: claims on the CMS-1500 (02/12), for the red-ink form or drawn for review."""

from __future__ import annotations

from pathlib import Path

import click

from otbill.cli.visits import coded, read_visits
from otbill.forms.layout import LINES_PER_PAGE


@click.command("cms1500")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--form",
    "draw_form",
    is_flag=True,
    help="Draw the form too (for review on screen); without it, the data is placed "
    "for printing onto the pre-printed red-ink form.",
)
def cms1500_cmd(file: Path, output: Path, draw_form: bool) -> None:
    """Code visits (an otbill visit or episode document, a CSV export or a FHIR R4 bundle) and
    print their claims on the CMS-1500."""
    from otbill.forms.cms1500 import render_cms1500  # reportlab, only here

    pairs = coded(read_visits(file))
    owner = {id(c): ep for c, ep in pairs}
    claims = [c for c, _ in pairs]
    output.write_bytes(render_cms1500(claims, lambda c: owner[id(c)], draw_form=draw_form))
    pages = sum(max(1, -(-len(c.lines) // LINES_PER_PAGE)) for c in claims)
    click.echo(f"wrote {len(claims)} claims on {pages} pages to {output}")
