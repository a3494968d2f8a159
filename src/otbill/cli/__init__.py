"""The otbill command line: a thin shell over the pure stages.

Every command turns otbill's own errors into one line on stderr naming the field, and exit
status 2; a traceback means a bug in otbill, never bad input.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from otbill import __version__
from otbill.cli import claim_actions as _claim_actions  # noqa: F401 - adds to `claims`
from otbill.cli.accumulators import accumulators_cmd
from otbill.cli.check import check_cmd
from otbill.cli.code import code_cmd
from otbill.cli.demo import demo_cmd
from otbill.cli.ledger import COMMANDS as LEDGER_COMMANDS
from otbill.cli.patients import patients_cmd
from otbill.cli.rules import rules_cmd
from otbill.cli.units import units_cmd
from otbill.cli.x12 import x12_cmd
from otbill.errors import OtbillError
from otbill.forms.cli import cms1500_cmd


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="otbill")
def cli() -> None:
    """Code, check and bill outpatient therapy visits."""


cli.add_command(units_cmd)
cli.add_command(code_cmd)
cli.add_command(check_cmd)
cli.add_command(rules_cmd)
cli.add_command(demo_cmd)
cli.add_command(x12_cmd)
cli.add_command(cms1500_cmd)
cli.add_command(accumulators_cmd)
cli.add_command(patients_cmd)
for _cmd in LEDGER_COMMANDS:
    cli.add_command(_cmd)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        # Without standalone mode click returns the code of an Exit raised by a command.
        rc = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
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
