"""The otbill command line: a thin shell over the pure stages.

Every command turns otbill's own errors into one line on stderr naming the field, and exit
status 2; a traceback means a bug in otbill, never bad input.

A command's module is imported only when that command runs: a biller runs otbill many times a
day, and the database, PDF and FHIR libraries take most of a second to import. ``otbill --help``
lists the commands from the table below without importing any of them.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Any

import click

from otbill import __version__
from otbill.errors import OtbillError

# name -> (module, attribute, the one line `otbill --help` shows for it)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "units": ("otbill.cli.units", "units_cmd", "Minutes to units for one day's services."),
    "code": ("otbill.cli.code", "code_cmd", "Code visits into claims, each line explained."),
    "check": ("otbill.cli.check", "check_cmd", "Code visits and run every scrubber rule."),
    "rules": ("otbill.cli.rules", "rules_cmd", "The scrubber's rules; one rule's page."),
    "x12": ("otbill.cli.x12", "x12_cmd", "Write 837P, 270 and 276 files; read any X12 file."),
    "cms1500": ("otbill.forms.cli", "cms1500_cmd", "Claims on the CMS-1500 form (PDF)."),
    "demo": ("otbill.cli.demo", "demo_cmd", "The demo practice, coded, checked and billed."),
    "db": ("otbill.cli.ledger", "db_cmd", "Create or upgrade the database schema."),
    "import": ("otbill.cli.ledger", "import_cmd", "Import visits (JSON, CSV or FHIR R4)."),
    "claims": (
        "otbill.cli.claim_actions",
        "claims_cmd",
        "Build, list, show, correct and submit claims.",
    ),
    "ack": ("otbill.cli.ledger", "ack_cmd", "Apply a 999 or 277CA to the submitted claims."),
    "denials": (
        "otbill.cli.denials",
        "denials_cmd",
        "The denial work queue: list, show, assign, note, act.",
    ),
    "era": ("otbill.cli.ledger", "era_cmd", "Post an 835 remittance."),
    "edits": ("otbill.cli.edits", "edits_cmd", "The practice's own payer edits, from denials."),
    "codes": ("otbill.cli.codes", "codes_cmd", "CARC and RARC: what reason codes mean."),
    "contracts": (
        "otbill.cli.edits",
        "contracts_cmd",
        "Contract rates for the underpayment check.",
    ),
    "ar": ("otbill.cli.ledger", "ar_cmd", "Open balances by payer and patient, aged."),
    "ledger": ("otbill.cli.ledger", "ledger_cmd", "Check that the books balance."),
    "serve": ("otbill.cli.serve", "serve_cmd", "Serve the workbench and its API."),
    "worker": ("otbill.cli.serve", "worker_cmd", "Work the workbench's jobs (PostgreSQL)."),
    "users": ("otbill.cli.serve", "users_cmd", "The people who sign in, and their roles."),
    "audit": ("otbill.cli.serve", "audit_cmd", "Verify the audit log's hash chain."),
    "accumulators": (
        "otbill.cli.accumulators",
        "accumulators_cmd",
        "KX dollars, authorizations, progress-report days per patient.",
    ),
    "patients": (
        "otbill.cli.patients",
        "patients_cmd",
        "Patient balances, statements and payments.",
    ),
    "report": (
        "otbill.cli.report",
        "report_cmd",
        "Denials, claims, A/R, compliance and monthly reports, charted.",
    ),
}


class LazyGroup(click.Group):
    """A group whose commands are imported when they are called, not when listed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)  # in the order of the work, not the alphabet

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module, attr, short = entry
        cmd: click.Command = getattr(importlib.import_module(module), attr)
        cmd.short_help = short
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="otbill")
def cli() -> None:
    """Code, check and bill outpatient therapy visits."""


def main(argv: Sequence[str] | None = None) -> int:
    try:
        # Without standalone mode click returns the code of an Exit raised by a command.
        rc: Any = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except OtbillError as e:
        click.echo(f"otbill: error: {e}", err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("otbill: aborted", err=True)
        return 1
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except click.exceptions.Exit as e:
        return e.exit_code
    return rc if isinstance(rc, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
