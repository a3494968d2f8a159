"""Prevention: a denial posted twice becomes a payer edit that flags the third claim before it is
sent; and each root cause shows the rules that cover it and whether the denied claims passed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from otbill.cli import main
from otbill.ledger.claims import as_claims, build_claims, list_claims, submit
from otbill.ledger.db import session_scope
from otbill.ledger.posting import post_835
from otbill.ledger.store import import_episodes
from otbill.load.json_doc import load_document
from otbill.model.remittance import Adjustment, ClaimPayment, Remittance, ServicePayment
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo

ROOT = Path(__file__).resolve().parents[2]
D = Decimal
WHEN = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def episode(visits: int) -> Any:
    """The example episode billed to a commercial plan, with group therapy (97150) beside
    97530 on visits 2, 4 and 5; its first ``visits`` visits."""
    doc = json.loads((ROOT / "schemas/examples/episode.json").read_text())
    doc["payers"][0].update(id="BLUE", name="Blue Plan", kind="commercial")
    doc["practice"]["charges"]["97150"] = "30.00"
    for c in doc["coverages"]:
        c["payer_id"] = "BLUE"
    for v in doc["visits"]:
        v.pop("authorization_number", None)
    for n in (1, 3, 4):
        v = doc["visits"][n]
        v["services"].append({"code": "97150", "therapist_minutes": 30})
        v["documentation"]["total_treatment_minutes"] += 30
    doc["visits"] = doc["visits"][:visits]
    return load_document(doc)


def deny_group(claims: list[Any]) -> str:
    """An 835 paying each claim's lines but 97150, denied CO-236 (not with 97530 that day)."""
    payments = []
    for c in claims:
        services = []
        for ln in c.lines:
            if ln.code == "97150":
                adj: tuple[Adjustment, ...] = (Adjustment("CO", "236", ln.charge),)
                paid = D("0.00")
            else:
                paid = (ln.charge / 2).quantize(D("0.01"))
                adj = (Adjustment("CO", "45", ln.charge - paid),)
            services.append(
                ServicePayment(ln.code, ln.modifiers, ln.charge, paid, D(ln.units), None, (),
                               None, date=ln.date, adjustments=adj)
            )  # fmt: skip
        paid = sum((s.paid for s in services), D("0.00"))
        payments.append(
            ClaimPayment(c.id, "1", c.total_charge, paid, D("0.00"), "CI", f"P{c.id}", "11", "1",
                         "PRICE", "ELEANOR", c.member_id, services=tuple(services))
        )  # fmt: skip
    total = sum((p.paid for p in payments), D("0.00"))
    day = date(2026, 4, 10)
    r = Remittance("0001", "I", total, "C", "CHK", day, "BLUE0410", "1999999999", "BLUE PLAN",
                   "BLUE", "PRACTICE", "1234567893", day, tuple(payments), (), ())  # fmt: skip
    return build_835([r], InterchangeInfo("BLUE", "P", 1, WHEN))


def test_a_denial_posted_twice_becomes_an_edit_that_flags_the_third_claim(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OTBILL_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    with session_scope(engine) as s:
        pid = import_episodes(s, [episode(4)]).practice_id
        build_claims(s, pid, date(2026, 3, 20))
        assert {c.state for c in list_claims(s, pid)} == {"ready"}
    with session_scope(engine) as s:
        submit(s, pid, tmp_path / "a.837", when=WHEN)
        sent = [
            c for c in as_claims(list_claims(s, pid)) if any(ln.code == "97150" for ln in c.lines)
        ]
    assert len(sent) == 2
    with session_scope(engine) as s:
        post_835(s, pid, deny_group(sent), name="blue.835")

    def cli(*args: str) -> Any:
        assert main([*args, "--json"]) == 0, capsys.readouterr().err
        return json.loads(capsys.readouterr().out)

    found = cli("denials", "prevention")
    (bundling,) = [c for c in found["causes"] if c["category"] == "bundling"]
    assert bundling["denials"] == 2
    assert bundling["caught"] == 0 and "passed the rules" in bundling["verdict"]
    (idea,) = found["suggestions"]
    assert idea["edit"]["kind"] == "pair"
    assert (idea["edit"]["code"], idea["edit"]["other"]) == ("97150", "97530")
    assert idea["edit"]["modifiers"] == ["59", "XU"]
    assert idea["claims"] == [c.id for c in sent]
    saved = cli("edits", "add", "--suggestion", "1", "--why", "Blue denies group with 97530")
    assert saved["id"] == "PE-1"
    # The third visit with both codes comes in: its claim is flagged and held back.
    with session_scope(engine) as s:
        import_episodes(s, [episode(5)])
        build_claims(s, pid, date(2026, 3, 20))
        third = next(c for c in list_claims(s, pid) if c.number == "V-2026-0005")
        assert third.state == "draft"
        (finding,) = [f for f in third.findings["items"] if f["rule"] == "OT-EDIT-001"]
        assert "BLUE denies 97150 with 97530 on the same day without 59/XU" in finding["message"]
        assert "PE-1" in finding["message"] and "denied CO-236 on 2 claims" in finding["message"]
        batch = submit(s, pid, tmp_path / "b.837", when=WHEN)
        assert batch is None or "V-2026-0005" not in batch.text
    # Disabled, the edit no longer holds a claim back.
    cli("edits", "disable", "PE-1", "--why", "contract changed")
    with session_scope(engine) as s:
        build_claims(s, pid, date(2026, 3, 20))
        third = next(c for c in list_claims(s, pid) if c.number == "V-2026-0005")
        assert third.state == "ready"
    assert cli("edits", "list") == []
