"""The first things a user does: sign in, see their practices and claims; see nothing of a
practice they do not belong to."""

from __future__ import annotations

from conftest import World


def test_sign_in_and_read(world: World) -> None:
    c = world.client("a_biller")
    me = c.get("/api/me").json()
    assert me["user"] == "a_biller" and me["practices"] == [{"id": world.a, "role": "biller"}]
    claims = c.get(f"/api/practices/{world.a}/claims").json()
    assert claims["total"] == 5 and claims["items"][0]["number"] == world.a_claim
    one = c.get(f"/api/practices/{world.a}/claims/{world.a_claim}").json()
    assert one["lines"] and one["explanation"] and one["history"]
    # Another practice's claim, through either practice's path, is not found.
    assert c.get(f"/api/practices/{world.b}/claims/{world.b_claim}").status_code == 404
    assert c.get(f"/api/practices/{world.a}/claims/{world.b_claim}").status_code == 404
