"""`otbill codes`: the CARC and RARC lists: otbill's own words, and X12's list loaded from the
download a user saves (CSV, or the published page as HTML)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from otbill.cli.ledger import _engine, _out, db_options
from otbill.denials.codes import KINDS, CodeEntry, read_code_list
from otbill.errors import InputError
from otbill.ledger.codes import code_table, load_codes
from otbill.ledger.db import session_scope


@click.group("codes")
def codes_cmd() -> None:
    """CARC and RARC: what a payer's reason and remark codes mean."""


def _load(kind: str, file: Path, db_path: str | None, as_json: str | None) -> None:
    try:
        text = file.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as e:
        raise InputError(str(file), f"cannot read: {e.strerror}") from None
    entries = read_code_list(kind, text, file.name)
    with session_scope(_engine(db_path)) as s:
        r = load_codes(s, kind, entries)
    _out(
        as_json,
        r,
        f"{r.total} {kind}s loaded from {file.name} ({r.added} new, {r.updated} replaced); "
        "their wording and dates now answer for these codes",
    )


_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@codes_cmd.command("load-carc")
@click.argument("file", type=_FILE)
@db_options
def load_carc(file: Path, db_path: str | None, practice_npi: str | None, as_json: Any) -> None:
    """Load X12's CARC list (a CSV, or https://x12.org/codes/claim-adjustment-reason-codes
    saved as HTML)."""
    _load("CARC", file, db_path, as_json)


@codes_cmd.command("load-rarc")
@click.argument("file", type=_FILE)
@db_options
def load_rarc(file: Path, db_path: str | None, practice_npi: str | None, as_json: Any) -> None:
    """Load X12's RARC list (a CSV, or https://x12.org/codes/remittance-advice-remark-codes
    saved as HTML)."""
    _load("RARC", file, db_path, as_json)


def _line(e: CodeEntry) -> str:
    dates = ", ".join(
        f"{k} {v}"
        for k, v in (("from", e.start), ("modified", e.last_modified), ("stopped", e.stop))
        if v
    )
    return (
        f"{e.kind} {e.code:<6}{e.description}"
        + (f" [{dates}]" if dates else "")
        + (f" ({e.source})" if e.source != "otbill" else "")
    )


@codes_cmd.command("show")
@click.argument("code")
@click.option("--kind", type=click.Choice(KINDS), help="CARC or RARC (else both).")
@db_options
def codes_show(
    code: str, kind: str | None, db_path: str | None, practice_npi: str | None, as_json: Any
) -> None:
    """What a code means (both lists when a code is in both)."""
    with session_scope(_engine(db_path)) as s:
        found = [
            e
            for k in ([kind] if kind else list(KINDS))
            if (e := code_table(s, k).get(code.upper())) is not None
        ]
    if not found:
        raise InputError(
            code, "not in otbill's codes nor in a loaded list (otbill codes load-carc)"
        )
    _out(as_json, found, "\n".join(_line(e) for e in found))


@codes_cmd.command("list")
@click.option("--kind", type=click.Choice(KINDS), default="CARC", show_default=True)
@db_options
def codes_list(kind: str, db_path: str | None, practice_npi: str | None, as_json: Any) -> None:
    """Every code of a list: otbill's own, overlaid with the loaded list."""
    with session_scope(_engine(db_path)) as s:
        table = code_table(s, kind)
    entries = sorted(table.values(), key=lambda e: (len(e.code), e.code))
    _out(as_json, entries, "\n".join(_line(e) for e in entries))
