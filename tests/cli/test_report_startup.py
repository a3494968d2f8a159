"""`otbill report --help` imports neither the database nor the PDF library: the command's
module imports them only when it runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_report_help_imports_nothing_heavy() -> None:
    probe = (
        "import sys, json\n"
        "from otbill.cli import main\n"
        "rc = main(['report', '--help'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'alembic', 'reportlab', 'psycopg'})\n"
        "print(json.dumps([rc, heavy]), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert json.loads(proc.stderr.strip().splitlines()[-1]) == [0, []]
    assert "--from" in proc.stdout and "FILE.pdf" in proc.stdout
