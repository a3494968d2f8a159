"""The claim edits the workbench makes through the API (silence a finding, split, merge) and the
dashboards: the same ledger functions as the CLI, with the roles' limits."""

from __future__ import annotations

from datetime import date

from conftest import World, episode_doc
from otbill.ledger.claims import build_claims
from otbill.ledger.db import session_scope
from otbill.ledger.store import import_episodes
from otbill.load.json_doc import load_document


def unsigned_claim(world: World) -> str:
    """A second patient of practice A whose second visit's note is unsigned: a draft claim."""
    doc = episode_doc("1234567893", "PA-2", "VC")
    doc["visits"][1]["documentation"]["note_signed"] = False
    with session_scope(world.engine) as s:
        import_episodes(s, [load_document(doc)])
        build_claims(s, world.a, date(2026, 3, 20))
    return doc["visits"][1]["id"]


def test_silence_a_finding_through_the_api(world: World) -> None:
    number = unsigned_claim(world)
    base = f"/api/practices/{world.a}/claims/{number}"
    c = world.client("a_biller")
    before = c.get(base).json()
    assert before["state"] == "draft"
    assert [f["rule"] for f in before["findings"] if f["severity"] == "error"] == ["OT-DOC-001"]
    auditor = world.client("a_auditor")
    body = {"rule": "OT-DOC-001", "why": "signed on paper, scanned"}
    assert auditor.post(f"{base}/silence", json=body).status_code == 403
    assert c.post(f"{base}/silence", json={"rule": "OT-DOC-001", "why": ""}).status_code == 422
    r = c.post(f"{base}/silence", json=body)
    assert r.status_code == 200 and r.json()["state"] == "ready", r.text
    after = c.get(base).json()
    (f,) = [f for f in after["findings"] if f["rule"] == "OT-DOC-001"]
    assert f["silenced"] == {"by": "a_biller", "why": "signed on paper, scanned"}
    assert after["history"][-1]["to"] == "ready" and after["history"][-1]["who"] == "a_biller"
    again = c.post(f"{base}/silence", json={"rule": "OT-NOPE-1", "why": "x"})
    assert again.status_code == 409 and "no finding OT-NOPE-1" in again.json()["detail"]


def test_split_and_merge_through_the_api(world: World) -> None:
    unsigned_claim(world)
    number = "VC-0003"  # 97112, 97110, 97535, ready
    base = f"/api/practices/{world.a}/claims"
    c = world.client("a_coder")
    r = c.post(f"{base}/{number}/split", json={"lines": [3], "why": "97535 waits"})
    assert r.status_code == 200 and r.json()["new_claim"] == f"{number}-S1", r.text
    assert [ln["code"] for ln in c.get(f"{base}/{number}").json()["lines"]] == ["97112", "97110"]
    r = c.post(f"{base}/{number}-S1/merge", json={"into": number, "why": "addendum signed"})
    assert r.status_code == 200 and r.json()["state"] == "voided", r.text
    codes = [ln["code"] for ln in c.get(f"{base}/{number}").json()["lines"]]
    assert codes == ["97112", "97110", "97535"]
    sent = c.post(f"{base}/{world.a_claim}/split", json={"lines": [1], "why": "x"})
    assert sent.status_code == 409 and "only draft or ready" in sent.json()["detail"]


def test_dashboards_of_one_practice_and_of_each_a_user_may_read(world: World) -> None:
    c = world.client("company")  # biller of A, manager of B
    a = c.get(f"/api/practices/{world.a}/dashboard").json()
    claims = c.get(f"/api/practices/{world.a}/claims").json()
    by_state: dict[str, int] = {}
    for x in claims["items"]:
        by_state[x["state"]] = by_state.get(x["state"], 0) + 1
    assert {s["state"]: s["claims"] for s in a["by_state"]} == by_state
    assert a["claims"] == claims["total"]
    assert sum(float(s["charge"]) for s in a["by_state"]) == sum(
        float(x["charge"]) for x in claims["items"]
    )
    assert set(a["ar"]["buckets"]) == {"0-30", "31-60", "61-90", "91-120", "over 120"}
    both = c.get("/api/dashboard").json()
    assert [d["practice"] for d in both] == [world.a, world.b]
    assert [d["practice"] for d in world.client("a_biller").get("/api/dashboard").json()] == [
        world.a
    ]
    front = world.client("a_front")  # no claims:read
    assert front.get("/api/dashboard").json() == []
    assert front.get(f"/api/practices/{world.a}/dashboard").status_code == 403
