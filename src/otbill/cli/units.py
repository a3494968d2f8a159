"""otbill units: minutes to units under the CMS or AMA method, with the reasoning."""

from __future__ import annotations

import click

from otbill.cli.output import emit, json_options
from otbill.codesets import hcpcs
from otbill.coding.units import TimedEntry, UntimedEntry, compute_units
from otbill.errors import InputError
from otbill.export.json import unit_result
from otbill.model import UnitMethod


def parse_entries(args: tuple[str, ...]) -> tuple[list[TimedEntry], list[UntimedEntry]]:
    """CODE=MINUTES per service; a code alone, or an untimed code with minutes, is untimed."""
    timed: list[TimedEntry] = []
    untimed: list[UntimedEntry] = []
    seen: set[str] = set()
    for arg in args:
        code, sep, minutes_text = arg.partition("=")
        code = code.strip().upper()
        field = f"argument {arg!r}"
        tc = hcpcs.lookup(code)
        if tc is None:
            raise InputError(field, f"unknown code {code}: not a therapy code otbill knows")
        minutes: int | None = None
        if sep:
            try:
                minutes = int(minutes_text)
            except ValueError:
                raise InputError(
                    field, f"minutes must be a whole number, got {minutes_text!r}"
                ) from None
            if minutes < 0:
                raise InputError(field, f"minutes cannot be negative ({minutes})")
        if tc.timed:
            if minutes is None:
                raise InputError(
                    field, f"{code} is timed (15-minute units): give its minutes, e.g. {code}=23"
                )
            if code in seen:
                raise InputError(field, f"{code} is given twice; give its total minutes once")
            seen.add(code)
            timed.append(TimedEntry(code, minutes))
        else:
            untimed.append(UntimedEntry(code, minutes))
    return timed, untimed


@click.command("units")
@click.option(
    "--method",
    type=click.Choice(["cms", "ama"]),
    default="cms",
    show_default=True,
    help="cms: total-time 8-minute rule (Pub. 100-04 ch.5 §20.2); ama: each code on its own.",
)
@json_options("Print JSON (a stable contract; --pretty indents it).")
@click.argument("services", nargs=-1, required=True)
def units_cmd(method: str, as_json: str | None, services: tuple[str, ...]) -> None:
    """Units for one day's services, e.g.: otbill units 97110=24 97112=23 97165"""
    timed, untimed = parse_entries(services)
    result = compute_units(UnitMethod(method), timed, untimed)
    if as_json:
        emit(unit_result(result), as_json)
        return
    click.echo(f"{'code':<7}{'minutes':>8}{'units':>7}")
    for ln in result.lines:
        mins = "-" if ln.minutes is None else str(ln.minutes)
        tag = "" if ln.timed else "  (untimed)"
        click.echo(f"{ln.code:<7}{mins:>8}{ln.units:>7}{tag}")
    click.echo(
        f"{method.upper()}: {result.total_timed_minutes} timed minutes, "
        f"{result.total_units} unit{'s' if result.total_units != 1 else ''}"
    )
    click.echo("")
    for step in result.explanation:
        click.echo(f"- {step}")
