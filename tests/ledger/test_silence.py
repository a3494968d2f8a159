"""A finding silenced on one claim (SQLite and PostgreSQL): kept with who and why as a claim
edit, so the claim is checked again at once and every rebuild silences it again, even when the
visit is imported again; refused without a reason, for a finding the claim does not have, and
for a claim already sent."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from otbill.ledger import schema as t
from otbill.ledger.claims import build_claims, submit
from otbill.ledger.db import session_scope
from otbill.ledger.store import import_episodes
from otbill.ledger.workflow import ClaimActionError, find, silence
from otbill.load.json_doc import load_document

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 6, 1)
NUMBER = "V-2026-0002"


def unsigned() -> dict[str, Any]:
    """The example episode with the note of its second visit unsigned (OT-DOC-001, an error)."""
    d: dict[str, Any] = json.loads((ROOT / "schemas/examples/episode.json").read_text())
    d["visits"][1]["documentation"]["note_signed"] = False
    return d


def load(engine: Engine) -> int:
    with session_scope(engine) as s:
        pid = import_episodes(s, [load_document(unsigned())]).practice_id
        build_claims(s, pid, AS_OF)
    return pid


def findings(engine: Engine, pid: int) -> tuple[str, dict[str, Any]]:
    with session_scope(engine) as s:
        row = find(s, pid, NUMBER)
        (f,) = [f for f in row.findings["items"] if f["rule"] == "OT-DOC-001"]
        return row.state, f


def test_a_silenced_error_lets_the_claim_go_and_a_rebuild_keeps_it(engine: Engine) -> None:
    pid = load(engine)
    state, f = findings(engine, pid)
    assert (state, f["severity"], f["silenced"]) == ("draft", "error", None)
    why = "note signed on paper 2026-03-04; scan attached to the chart"
    with session_scope(engine) as s:
        out = silence(s, pid, NUMBER, "ot-doc-001", "ann", why, AS_OF)
    assert (out.action, out.state) == ("silence", "ready")
    state, f = findings(engine, pid)
    assert state == "ready" and f["silenced"] == {"by": "ann", "why": why}
    with session_scope(engine) as s:
        edits = s.scalars(select(t.ClaimEdit).where(t.ClaimEdit.kind == "silence")).all()
        assert [(e.claim_number, e.lines, e.who, e.why) for e in edits] == [
            (NUMBER, {"rule": "OT-DOC-001"}, "ann", why)
        ]
        history = [
            (e.from_state, e.to_state, e.who)
            for e in s.scalars(
                select(t.ClaimEvent)
                .where(t.ClaimEvent.claim_id == find(s, pid, NUMBER).id)
                .order_by(t.ClaimEvent.id)
            )
        ]
    assert history == [(None, "draft", "otbill"), ("draft", "ready", "ann")]
    # The visit imported again (its note still unsigned) and every claim rebuilt: still silenced.
    d = unsigned()
    d["visits"][1]["documentation"]["total_treatment_minutes"] += 1
    with session_scope(engine) as s:
        assert import_episodes(s, [load_document(d)]).visits_updated == 1
        build_claims(s, pid, AS_OF)
    state, f = findings(engine, pid)
    assert state == "ready" and f["silenced"] == {"by": "ann", "why": why}


def test_silencing_is_refused_without_a_reason_or_a_finding(engine: Engine) -> None:
    pid = load(engine)
    with session_scope(engine) as s, pytest.raises(ClaimActionError, match="needs who and why"):
        silence(s, pid, NUMBER, "OT-DOC-001", "ann", "  ", AS_OF)
    with session_scope(engine) as s, pytest.raises(ClaimActionError, match="no finding OT-X-9"):
        silence(s, pid, NUMBER, "OT-X-9", "ann", "why", AS_OF)
    with session_scope(engine) as s:
        assert s.scalar(select(t.ClaimEdit.id)) is None
    assert findings(engine, pid)[0] == "draft"


def test_a_sent_claim_cannot_be_silenced(engine: Engine, tmp_path: Path) -> None:
    pid = load(engine)
    with session_scope(engine) as s:
        silence(s, pid, NUMBER, "OT-DOC-001", "ann", "signed on paper", AS_OF)
    with session_scope(engine) as s:
        submit(s, pid, tmp_path / "out.837")
    with session_scope(engine) as s, pytest.raises(ClaimActionError, match="only draft or ready"):
        silence(s, pid, NUMBER, "OT-DOC-001", "ann", "again", AS_OF)
