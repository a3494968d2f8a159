"""Prevention in the ledger: the denied lines as facts for otbill.denials.prevention, and the
practice's payer edits, stored (table payer_edit) and applied by every claims build."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from otbill.codesets import CodeSets, default_codesets
from otbill.codesets.payer_edits import PayerEdit, PayerEdits, edit_from_doc
from otbill.denials.prevention import DenialFact
from otbill.errors import OtbillError
from otbill.ledger import schema as t
from otbill.ledger.db import in_chunks
from otbill.ledger.queue import now

DENIED = ("denial", "partial_denial", "unprocessable")


class EditError(OtbillError):
    """A payer edit that cannot be saved or changed, with the reason."""


def denial_facts(session: Session, practice_id: int, since: date | None = None) -> list[DenialFact]:
    """Every denied line the queue has seen (whatever became of it since)."""
    W, C = t.WorkItem, t.Claim
    q = (
        select(
            W.claim_id,
            W.claim_line_id,
            C.number,
            W.payer_ext,
            W.category,
            W.reason,
            W.group_code,
            W.code,
            W.amount,
            W.opened_on,
            C.findings,
        )
        .join(C, C.id == W.claim_id)
        .where(W.practice_id == practice_id, W.kind.in_(DENIED))
    )
    if since is not None:
        q = q.where(W.opened_on >= since)
    rows = list(session.execute(q))
    lines: dict[int, list[tuple[int, str, str, int]]] = {}
    L = t.ClaimLine
    for cid, lid, code, mods, units in in_chunks(
        session,
        select(L.claim_id, L.id, L.code, L.modifiers, L.units),
        L.claim_id,
        sorted({r[0] for r in rows}),
    ):
        lines.setdefault(cid, []).append((lid, code, mods, units))
    out = []
    for cid, lid, number, payer, category, reason, group, code, amount, day, findings in rows:
        mine = next((ln for ln in lines.get(cid, []) if ln[0] == lid), None)
        fired = frozenset(f["rule"] for f in (findings or {}).get("items", []))
        out.append(
            DenialFact(
                number,
                payer,
                category,
                reason,
                group,
                code,
                tuple(m for m in (mine[2] if mine else "").split(":") if m),
                mine[3] if mine else 0,
                tuple(sorted({ln[1] for ln in lines.get(cid, []) if ln[0] != lid})),
                fired,
                amount,
                day,
            )
        )
    return out


def _edit(row: t.PayerEdit) -> PayerEdit:
    return replace(edit_from_doc(row.doc, f"payer edit {row.id}"), id=f"PE-{row.id}")


def list_edits(session: Session, practice_id: int, active: bool | None = True) -> list[PayerEdit]:
    q = select(t.PayerEdit).where(t.PayerEdit.practice_id == practice_id)
    if active is not None:
        q = q.where(t.PayerEdit.active.is_(active))
    return [_edit(r) for r in session.scalars(q.order_by(t.PayerEdit.id))]


def save_edit(session: Session, practice_id: int, edit: PayerEdit, who: str, why: str) -> PayerEdit:
    if not why.strip():
        raise EditError("say why: the reason is kept with the edit")
    payers = set(session.scalars(select(t.Payer.ext_id).where(t.Payer.practice_id == practice_id)))
    if edit.payer not in payers:
        raise EditError(f"no payer {edit.payer!r} in this practice ({', '.join(sorted(payers))})")
    for e in list_edits(session, practice_id):
        if (e.payer, e.kind, e.code, e.other) == (edit.payer, edit.kind, edit.code, edit.other):
            raise EditError(f"{e.id} already says: {e.describe()}")
    row = t.PayerEdit(
        practice_id=practice_id,
        payer_ext=edit.payer,
        doc=replace(edit, why=edit.why or why).as_doc(),
        active=True,
        at=now(),
        who=who,
        why=why,
    )
    session.add(row)
    session.flush()
    return _edit(row)


def disable_edit(session: Session, practice_id: int, edit_id: str, who: str, why: str) -> PayerEdit:
    number = edit_id.upper().removeprefix("PE-")
    row = session.get(t.PayerEdit, int(number)) if number.isdigit() else None
    if row is None or row.practice_id != practice_id:
        raise EditError(f"no payer edit {edit_id!r} in this practice")
    if not row.active:
        raise EditError(f"{edit_id} is already disabled")
    row.active = False
    row.why = f"{row.why}; disabled by {who}: {why}"
    session.flush()
    return _edit(row)


def practice_codesets(
    session: Session, practice_id: int, codesets: CodeSets | None = None
) -> CodeSets:
    """The code sets a build checks with: the given (or shipped) ones and the practice's
    active payer edits."""
    cs = codesets or default_codesets()
    edits = list_edits(session, practice_id)
    if not edits and not cs.payer_edits:
        return cs
    return replace(cs, payer_edits=PayerEdits.of(edits))
