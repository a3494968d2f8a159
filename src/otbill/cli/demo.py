"""otbill demo: build the demo practice, code and check a week of its visits, summarize."""

from __future__ import annotations

import click


@click.command("demo")
def demo_cmd() -> None:
    """Build the demo practice, code and check a week of its visits, print a summary."""
    raise click.ClickException("the demo generator is not wired in yet")
