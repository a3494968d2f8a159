"""otbill cms1500: claims on the CMS-1500 (02/12), for the red-ink form or drawn for review."""

from __future__ import annotations

from pathlib import Path

import click

from otbill.coding.grouping import code_by_day
from otbill.forms.cms1500 import render_cms1500
from otbill.forms.layout import LINES_PER_PAGE
from otbill.load.json_doc import load_path


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
    """Code a visit or episode document and print its claims on the CMS-1500."""
    episode = load_path(file)
    _, claims = code_by_day(episode)
    output.write_bytes(render_cms1500(claims, episode, draw_form=draw_form))
    pages = sum(max(1, -(-len(c.lines) // LINES_PER_PAGE)) for c in claims)
    click.echo(f"wrote {len(claims)} claims on {pages} pages to {output}")
