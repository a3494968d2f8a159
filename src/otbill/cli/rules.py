"""otbill rules: every rule with its metadata; otbill rules show ID: one rule's page."""

from __future__ import annotations

import textwrap

import click

from otbill.cli.output import emit, json_options
from otbill.errors import InputError
from otbill.export.json import rule_meta
from otbill.rules.model import Rule
from otbill.rules.registry import all_rules, get


@click.group("rules", invoke_without_command=True)
@json_options()
@click.pass_context
def rules_cmd(ctx: click.Context, as_json: str | None) -> None:
    """List every rule of the scrubber."""
    if ctx.invoked_subcommand is not None:
        return
    rules = all_rules()
    if as_json:
        emit([rule_meta(r) for r in rules], as_json)
        return
    for r in rules:
        click.echo(f"{r.id:<13}{r.severity.value:<9}{r.category.value:<22}{r.title}")
    click.echo(f"\n{len(rules)} rules. `otbill rules show ID` explains one.")


@rules_cmd.command("show")
@click.argument("rule_id")
def show_cmd(rule_id: str) -> None:
    """Print a rule's page: what it checks, why it matters, an example, the fix."""
    r = get(rule_id)
    if r is None:
        raise InputError(f"rule {rule_id!r}", "no such rule (see `otbill rules`)")
    click.echo(page(r))


def page(r: Rule) -> str:
    m = rule_meta(r)
    span = f"{m['in_force']['from'] or 'always'} to {m['in_force']['to'] or 'now'}"

    def para(title: str, text: str) -> str:
        return f"## {title}\n" + textwrap.fill(text, 88) + "\n"

    parts = [
        f"# {r.id}: {r.title}\n",
        f"category: {r.category.value}    severity: {r.severity.value}    "
        f"dates of service: {span}\n",
        para("What it checks", r.checks),
        para("Why it matters", r.why),
        para("Example", r.example),
        para("Fix", r.fix),
        para("Source", r.source.cite + (f" <{r.source.url}>" if r.source.url else "")),
    ]
    return "\n".join(parts)
