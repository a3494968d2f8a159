"""`otbill denials list|show|assign|note|act`: the denial work queue."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from otbill.cli.ledger import _engine, _out, _practice, db_options
from otbill.denials.causes import ACTIONS, CATEGORIES
from otbill.ledger.db import session_scope
from otbill.ledger.denials import (
    ACT,
    ItemView,
    act,
    assign,
    list_items,
    note,
    show_item,
    write_off_codes,
)


def _today(as_of: Any) -> Any:
    return as_of.date() if as_of else datetime.now().astimezone().date()


_as_of = click.option(
    "--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Today, for ages and days left."
)


@click.group("denials")
def denials_cmd() -> None:
    """The denial work queue: every denied, unprocessable, rejected or underpaid line, with its
    root cause, suggested action, amount and deadline."""


def _due(v: ItemView) -> str:
    if v.due_on is None:
        return "no deadline"
    left = v.days_left
    return f"{v.due_on} ({left}d)" if left is not None and left >= 0 else f"{v.due_on} PAST"


@denials_cmd.command("list")
@db_options
@_as_of
@click.option(
    "--state",
    type=click.Choice(["open", "waiting", "closed", "all"]),
    default="open",
    show_default=True,
    help="open: to work; waiting: acted on, the payer's answer pending.",
)
@click.option("--payer", help="A payer's id.")
@click.option("--reason", help="A CARC (50) or group and CARC (CO-50).")
@click.option("--cause", type=click.Choice(sorted(CATEGORIES)), help="A root cause.")
@click.option("--therapist", help="The rendering therapist's NPI.")
@click.option("--assignee", help="Whom the items are assigned to.")
@click.option("--min-age", type=int, help="Opened at least this many days ago.")
@click.option("--max-age", type=int, help="Opened at most this many days ago.")
def denials_list(
    db_path: str | None, practice_npi: str | None, as_json: str | None, as_of: Any, **kw: Any
) -> None:
    """The queue, soonest deadline first, then the most money."""
    today = _today(as_of)
    with session_scope(_engine(db_path)) as s:
        items = list_items(
            s,
            _practice(s, practice_npi),
            today,
            state=kw["state"],
            payer=kw["payer"],
            reason=kw["reason"],
            category=kw["cause"],
            therapist=kw["therapist"],
            assignee=kw["assignee"],
            min_age=kw["min_age"],
            max_age=kw["max_age"],
        )
    rows = [
        f"{v.id:>5}  {_due(v):<20}{v.amount:>10,.2f}  {v.claim:<16}{v.payer:<12}"
        f"{(v.code or 'claim'):<7}{v.reason or v.kind:<8}{v.cause:<32}{v.action:<12}"
        f"{v.assignee or ''}"
        for v in items
    ]
    head = (
        f"{'item':>5}  {'due':<20}{'amount':>10}  {'claim':<16}{'payer':<12}{'line':<7}"
        f"{'reason':<8}{'root cause':<32}{'action':<12}assignee"
    )
    total = sum((v.amount for v in items), start=0)
    text = "\n".join([head, *rows, f"{len(items)} items, ${total:,.2f} at stake"])
    _out(as_json, items, text if items else "no items")


@denials_cmd.command("show")
@click.argument("item", type=int)
@db_options
@_as_of
def denials_show(
    item: int, db_path: str | None, practice_npi: str | None, as_json: str | None, as_of: Any
) -> None:
    """One item: why, what to do, by when, and its history."""
    with session_scope(_engine(db_path)) as s:
        d = show_item(s, _practice(s, practice_npi), item, _today(as_of))
    v = d.item
    lines = [
        f"item {v.id} ({v.state}{', ' + v.outcome if v.outcome else ''}): {v.kind} on claim "
        f"{v.claim} ({v.claim_state}), {v.patient}, {v.payer}, {v.date_of_service}",
        f"  why       {v.why}",
        *(f"            {m}" for m in v.meaning),
        f"  cause     {v.cause}; preventable {v.preventable}, appealable {v.appealable}",
        f"  do        {ACTIONS.get(v.action, v.action)}"
        + (f" (appeal level {v.level})" if v.action == "appeal" else ""),
        f"  at stake  ${v.amount:,.2f}",
        f"  due       {_due(v)}: {v.deadline}",
        f"  rules     {' '.join(v.rules) or 'no scrubber rule covers this cause'}",
        f"  assignee  {v.assignee or 'nobody'}",
    ]
    if d.others:
        lines.append(f"  the claim's other items: {', '.join(map(str, d.others))}")
    for a in d.appeals:
        lines.append(
            f"  appeal    level {a['level']} {a['name']} filed {a['filed_on']}, due "
            f"{a['due_on']}: {a['decision']}"
            + (f" on {a['decided_on']}" if a["decided_on"] else "")
            + (f"; next level due {a['next_due_on']}" if a["next_due_on"] else "")
        )
    for e in d.history:
        lines.append(f"  {e['at']:%Y-%m-%d %H:%M} {e['who']}: {e['kind']}: {e['text']}")
    _out(as_json, d, "\n".join(lines))


@denials_cmd.command("assign")
@click.argument("item", type=int)
@click.option("--to", "to", required=True, help="The user who works it.")
@click.option("--who", default="otbill", show_default=True)
@db_options
def denials_assign(item: int, to: str, who: str, **kw: Any) -> None:
    """Assign an item to a user."""
    with session_scope(_engine(kw["db_path"])) as s:
        v = assign(s, _practice(s, kw["practice_npi"]), item, to, who)
    _out(kw["as_json"], v, f"item {v.id} assigned to {v.assignee}")


@denials_cmd.command("note")
@click.argument("item", type=int)
@click.argument("text")
@click.option("--who", default="otbill", show_default=True)
@db_options
def denials_note(item: int, text: str, who: str, **kw: Any) -> None:
    """Add a note to an item's history."""
    with session_scope(_engine(kw["db_path"])) as s:
        v = note(s, _practice(s, kw["practice_npi"]), item, text, who)
    _out(kw["as_json"], v, f"item {v.id}: noted")


@denials_cmd.command("act")
@click.argument("item", type=int)
@click.argument("action", type=click.Choice(ACT))
@click.option("--why", required=True, help="The reason, kept in the item's history.")
@click.option("--code", help="A write-off's reason code (see `otbill denials act --help`).")
@click.option(
    "--letter",
    type=click.Path(dir_okay=False, path_type=Path),
    help="appeal: write the letter (PDF) filed with it; needs --signer.",
)
@click.option("--signer", help="Who signs the letter: the party or its representative.")
@click.option("--who", default="otbill", show_default=True)
@_as_of
@db_options
def denials_act(
    item: int,
    action: str,
    why: str,
    code: str | None,
    letter: Path | None,
    signer: str | None,
    who: str,
    as_of: Any,
    **kw: Any,
) -> None:
    """End an item in an action, carried out by the claim's lifecycle: correct, resubmit,
    appeal, void, write_off (with --code), bill_patient, bill_secondary, none or close.

    Write-off codes:"""
    today = _today(as_of)
    with session_scope(_engine(kw["db_path"])) as s:
        pid = _practice(s, kw["practice_npi"])
        pdf, doc = None, None
        if letter is not None:
            if action != "appeal" or not signer:
                raise click.UsageError("--letter goes with appeal and --signer")
            from otbill.forms.appeal import render_letter
            from otbill.ledger.appeals import letter_doc, letter_for

            made = letter_for(s, pid, item, signer, today, argue=why)
            pdf, doc = render_letter(made), letter_doc(made)
        r = act(s, pid, item, action, who, why, today, code=code, letter=doc)
    if letter is not None and pdf is not None:
        letter.write_bytes(pdf)  # after the commit: no letter for an appeal not recorded
    also = f" (and items {', '.join(map(str, r.also))})" if r.also else ""
    new = f"; new claim {r.new_claim}" if r.new_claim else ""
    wrote = f"; the letter is in {letter}" if letter is not None else ""
    _out(
        kw["as_json"],
        r,
        f"item {r.item}{also}: {r.action} -> {r.state}; claim {r.claim} {r.claim_state}{new}. "
        f"{r.message}{wrote}",
    )


denials_act.help = (denials_act.help or "") + "; ".join(
    f"{k} {v}" for k, v in write_off_codes().items()
)


@denials_cmd.command("prevention")
@db_options
def denials_prevention(db_path: str | None, practice_npi: str | None, as_json: str | None) -> None:
    """For each root cause in the 835s: the scrubber rules that cover it and whether the denied
    claims passed them; and payer edits suggested from denials that recur."""
    from otbill.denials.prevention import coverage, suggest
    from otbill.ledger.prevention import denial_facts, list_edits

    with session_scope(_engine(db_path)) as s:
        pid = _practice(s, practice_npi)
        facts = denial_facts(s, pid)
        causes = coverage(facts)
        ideas = suggest(facts, list_edits(s, pid))
    lines = ["root causes, the most money first:"]
    for c in causes:
        lines.append(
            f"  {c.label:<32}{c.denials:>5} denials {c.amount:>11,.2f}  "
            f"rules {' '.join(c.rules) or '-'}"
        )
        lines.append(f"    {c.verdict}")
    lines.append("\nsuggested payer edits (otbill edits add --suggestion N --why ...):")
    for n, idea in enumerate(ideas, start=1):
        lines.append(f"  {n}. {idea.edit.describe()}: {idea.edit.evidence}; ${idea.amount:,.2f}")
    if not ideas:
        lines.append("  none: no denial recurs with one payer on two claims or more")
    _out(
        as_json,
        {
            "causes": causes,
            "suggestions": [
                {"n": n, "edit": i.edit.as_doc(), "claims": i.claims, "amount": i.amount}
                for n, i in enumerate(ideas, start=1)
            ],
        },
        "\n".join(lines) if causes else "no denials",
    )


@denials_cmd.command("letter")
@click.argument("item", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--signer", required=True, help="Who signs: the party or its representative.")
@click.option("--argue", default="", help="Your own argument, added to the record's.")
@click.option(
    "--kind",
    type=click.Choice(["appeal", "reopening"]),
    help="Default: a reopening where the payer takes no corrected claims and the item asks for "
    "a correction (Medicare Part B clerical errors); an appeal otherwise.",
)
@_as_of
@db_options
def denials_letter(
    item: int,
    output: Path,
    signer: str,
    argue: str,
    kind: str | None,
    as_of: Any,
    db_path: str | None,
    practice_npi: str | None,
    as_json: str | None,
) -> None:
    """The appeal (redetermination request with every element 42 CFR 405.944(b) requires) or
    reopening request for an item, as PDF, argued from the claim's own record."""
    from otbill.forms.appeal import render_letter
    from otbill.ledger.appeals import letter_doc, letter_for

    with session_scope(_engine(db_path)) as s:
        letter = letter_for(
            s, _practice(s, practice_npi), item, signer, _today(as_of), argue=argue, kind=kind
        )
    output.write_bytes(render_letter(letter))
    _out(
        as_json,
        letter_doc(letter),
        f"wrote {letter.title} to {output}; {letter.due}; enclose: "
        + "; ".join(letter.enclosures[:3])
        + (" ..." if len(letter.enclosures) > 3 else ""),
    )
