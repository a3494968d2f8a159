"""`otbill edits list|add|disable`: the practice's own payer edits, which every claims build
checks (rule OT-EDIT-001); `otbill denials prevention` suggests them from recurring denials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from otbill.cli.ledger import _engine, _out, _practice, db_options
from otbill.codesets.payer_edits import KINDS, PayerEdit
from otbill.denials.prevention import suggest
from otbill.errors import InputError
from otbill.ledger.db import session_scope
from otbill.ledger.prevention import denial_facts, disable_edit, list_edits, save_edit


@click.group("edits")
def edits_cmd() -> None:
    """The practice's own payer edits: a payer's recurring denials, checked before claims go
    out."""


@edits_cmd.command("list")
@click.option("--all", "everything", is_flag=True, help="Disabled edits too.")
@db_options
def edits_list(
    everything: bool, db_path: str | None, practice_npi: str | None, as_json: Any
) -> None:
    """The edits every claims build checks."""
    with session_scope(_engine(db_path)) as s:
        edits = list_edits(s, _practice(s, practice_npi), None if everything else True)
    text = "\n".join(f"{e.id:<7}{e.describe()}  [{e.evidence or e.why}]" for e in edits)
    _out(as_json, [e.as_doc() for e in edits], text or "no payer edits")


@edits_cmd.command("add")
@click.option("--suggestion", type=int, help="Save suggestion N of `otbill denials prevention`.")
@click.option("--payer", help="The payer's id.")
@click.option("--kind", type=click.Choice(KINDS))
@click.option("--code")
@click.option("--with", "other", help="pair: the other code billed the same day.")
@click.option("--modifiers", default="", help="Modifiers that satisfy the payer, e.g. 59,XU.")
@click.option("--max-units", type=int, help="units: the most the payer pays a day.")
@click.option("--why", required=True, help="The reason, kept with the edit.")
@click.option("--who", default="otbill", show_default=True)
@db_options
def edits_add(
    why: str, who: str, db_path: str | None, practice_npi: str | None, as_json: Any, **kw: Any
) -> None:
    """Add an edit: a suggestion from the practice's denials, or one written by hand."""
    with session_scope(_engine(db_path)) as s:
        pid = _practice(s, practice_npi)
        if kw["suggestion"] is not None:
            found = suggest(denial_facts(s, pid), list_edits(s, pid))
            n = kw["suggestion"]
            if not 1 <= n <= len(found):
                raise InputError("--suggestion", f"there are {len(found)} suggestions now")
            edit = found[n - 1].edit
        else:
            missing = [k for k in ("payer", "kind", "code") if not kw[k]]
            if missing:
                raise InputError(
                    f"--{missing[0]}", "give --suggestion N, or the edit's payer, kind and code"
                )
            mods = tuple(m.strip().upper() for m in kw["modifiers"].split(",") if m.strip())
            edit = PayerEdit(
                "", kw["payer"], kw["kind"], kw["code"], kw["other"] or "", mods,
                max_units=kw["max_units"], why=why, evidence="written by hand",
            )  # fmt: skip
        saved = save_edit(s, pid, edit, who, why)
    _out(
        as_json, saved.as_doc(), f"{saved.id}: {saved.describe()}; the next claims build checks it"
    )


@edits_cmd.command("disable")
@click.argument("edit_id")
@click.option("--why", required=True)
@click.option("--who", default="otbill", show_default=True)
@db_options
def edits_disable(
    edit_id: str, why: str, who: str, db_path: str | None, practice_npi: str | None, as_json: Any
) -> None:
    """Stop checking an edit (it stays on record)."""
    with session_scope(_engine(db_path)) as s:
        e = disable_edit(s, _practice(s, practice_npi), edit_id, who, why)
    _out(as_json, e.as_doc(), f"{e.id} disabled: {e.describe()}")


@click.group("contracts")
def contracts_cmd() -> None:
    """Contract rates per payer and code: what an underpaid line is measured against where the
    Medicare fee schedule does not price it."""


@contracts_cmd.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_options
def contracts_load(file: Path, db_path: str | None, practice_npi: str | None, as_json: Any) -> None:
    """Load a CSV (payer,code,modifier,rate,effective_from,effective_to,source); it replaces
    the rates of the payers it names."""
    from otbill.ledger.contracts import load_rates, read_rates

    rates = read_rates(file.read_text(encoding="utf-8-sig"), file.name)
    with session_scope(_engine(db_path)) as s:
        n = load_rates(s, _practice(s, practice_npi), rates)
    payers = sorted({r.payer for r in rates})
    _out(as_json, {"rates": n, "payers": payers}, f"{n} rates for {', '.join(payers)} loaded")
