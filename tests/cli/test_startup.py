"""Start-up: `otbill --help` lists the commands without importing them, and each command imports
the heavy libraries (the database, PDF, FHIR and JSON Schema ones) only when it uses them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from otbill.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "alembic", "reportlab", "fhir", "jsonschema", "psycopg")
SAMPLE_835 = ROOT / "tests/fixtures/x12/otbill/835-reversal-correction-plb.edi"


def heavy_after(*argv: str) -> list[str]:
    """The heavy packages imported by running otbill with these arguments, in a new process."""
    probe = (
        "import sys, json\n"
        "from otbill.cli import main\n"
        f"rc = main({list(argv)!r})\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})\n"
        "print(json.dumps(heavy), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=ROOT
    )
    return json.loads(proc.stderr.strip().splitlines()[-1])


def test_every_listed_command_is_the_command_it_names() -> None:
    ctx = click.Context(cli)
    for name in COMMANDS:
        cmd = cli.get_command(ctx, name)
        assert isinstance(cmd, click.Command)
        assert cmd.name == name
        assert cmd.short_help == COMMANDS[name][2]
        assert len(cmd.short_help) <= 64  # one line of `otbill --help`


def test_help_lists_every_command_in_the_table_order(capsys: pytest.CaptureFixture[str]) -> None:
    from otbill.cli import main

    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    listed = [ln.split()[0] for ln in out.split("Commands:")[1].strip().splitlines()]
    assert listed == list(COMMANDS)


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["units", "97110=24"],
        ["x12", "read", "--json", str(SAMPLE_835)],
        ["x12", "--help"],
        ["rules"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_light_commands_import_nothing_heavy(argv: list[str]) -> None:
    assert heavy_after(*argv) == []


def test_a_visits_command_imports_only_what_it_reads_with() -> None:
    # A JSON document needs JSON Schema, not the database, the PDF library or the FHIR models.
    visit = str(ROOT / "schemas/examples/visit.json")
    assert heavy_after("code", visit) == ["jsonschema"]
