"""CARC and RARC lists loaded from X12's downloads, kept in the database (adjustment_code) so
every command and the workbench describe a code in X12's words; otbill's own words answer for
the codes not loaded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from otbill.denials.codes import CodeEntry, merged
from otbill.ledger import schema as t
from otbill.ledger.db import insert_rows
from otbill.ledger.queue import now


@dataclass(frozen=True)
class LoadResult:
    kind: str
    added: int
    updated: int
    total: int


def load_codes(session: Session, kind: str, entries: Sequence[CodeEntry]) -> LoadResult:
    """Replace the loaded list of ``kind`` with ``entries`` (a newer download replaces an older
    one whole: codes X12 retired stay in it with their stop dates)."""
    before = set(
        session.scalars(select(t.AdjustmentCode.code).where(t.AdjustmentCode.kind == kind))
    )
    session.execute(delete(t.AdjustmentCode).where(t.AdjustmentCode.kind == kind))
    stamp = now()
    insert_rows(
        session,
        t.AdjustmentCode,
        [
            {
                "kind": kind,
                "code": e.code,
                "description": e.description,
                "start": e.start,
                "last_modified": e.last_modified,
                "stop": e.stop,
                "notes": e.notes,
                "source": e.source,
                "loaded_at": stamp,
            }
            for e in entries
        ],
    )
    codes = {e.code for e in entries}
    return LoadResult(kind, len(codes - before), len(codes & before), len(codes))


def code_table(session: Session, kind: str, only: set[str] | None = None) -> dict[str, CodeEntry]:
    """otbill's codes overlaid with the loaded list's; ``only``: just those codes."""
    q = select(t.AdjustmentCode).where(t.AdjustmentCode.kind == kind)
    if only is not None:
        q = q.where(t.AdjustmentCode.code.in_(sorted(only)))
    loaded = [
        CodeEntry(kind, r.code, r.description, r.start, r.last_modified, r.stop, r.notes, r.source)
        for r in session.scalars(q)
    ]
    table = merged(kind, loaded)
    return table if only is None else {c: e for c, e in table.items() if c in only}
