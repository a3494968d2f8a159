"""JSON out: compact by default (for programs and `jq`), indented with --pretty (for people)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from otbill.export.json import dumps

F = TypeVar("F", bound=Callable[..., Any])


def json_options(help: str = "Print JSON (compact; --pretty indents it).") -> Callable[[F], F]:
    """--json and --pretty, both setting ``as_json``: None, "compact" or "pretty"."""

    def wrap(f: F) -> F:
        f = click.option("--pretty", "as_json", flag_value="pretty", help="Print indented JSON.")(f)
        return click.option("--json", "as_json", flag_value="compact", help=help)(f)

    return wrap


def emit(data: Any, as_json: str | None) -> None:
    """Write data as JSON to stdout, in one piece of bytes (no text layer in between)."""
    click.echo(dumps(data, pretty=as_json == "pretty"))
