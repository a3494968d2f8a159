"""Visits and eligibility checks as resources: the visits as documented, paged and sorted, with
their day's claims; a 271 read is kept, matched to the patient by the member id on file, and
listed newest first."""

from __future__ import annotations

import json

from conftest import ROOT, World


def example_visits() -> list[dict[str, object]]:
    return json.loads((ROOT / "schemas/examples/episode.json").read_text())["visits"]


def test_visits_paged_sorted_and_with_their_claims(world: World) -> None:
    c = world.client("a_coder")
    base = f"/api/practices/{world.a}/visits"
    everything = c.get(f"{base}?limit=500").json()
    expected = example_visits()
    assert everything["total"] == len(expected) == len(everything["items"])
    days = [v["date_of_service"] for v in everything["items"]]
    assert days == sorted(days, reverse=True)  # newest first by default
    pages = [c.get(f"{base}?limit=2&offset={o}&sort=date").json() for o in range(0, 6, 2)]
    joined = [v["visit"] for p in pages for v in p["items"]]
    assert joined == [v["visit"] for v in reversed(everything["items"])]
    assert pages[0]["next"] == 2 and pages[-1]["next"] is None
    # Every visit was billed: its day's claim is named.
    assert all(v["claims"] for v in everything["items"])
    first = expected[0]
    one = c.get(f"{base}/{first['id'].replace('V-2026', 'VA')}").json()
    assert one["document"]["services"] == first["services"]
    assert [s["code"] for s in one["services"]] == [s["code"] for s in first["services"]]
    since = c.get(f"{base}?since=2026-03-10&limit=500").json()
    assert {v["date_of_service"] >= "2026-03-10" for v in since["items"]} == {True}
    assert since["total"] == sum(1 for v in expected if str(v["date"]) >= "2026-03-10")
    assert c.get(f"{base}?sort=charge").status_code == 400


A_271 = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *260301*1200*^*"
    "00501*000000001*0*P*:~GS*HB*PAYER*CLINIC*20260301*1200*1*X*005010X279A1~"
    "ST*271*0001*005010X279A1~BHT*0022*11*REF1*20260301*1200~HL*1**20*1~"
    "NM1*PR*2*MEDICARE*****PI*MCR~HL*2*1*21*1~NM1*1P*2*RIVERSIDE OT*****XX*1234567893~"
    "HL*3*2*22*0~TRN*2*T1*1861234567~NM1*IL*1*DOE*JANE****MI*{member}~"
    "DTP*346*D8*20260101~EB*1**30**PART B~"
    "EB*F**AD***23***VS*30~EB*F**AD***29***VS*18~SE*10*0001~GE*1*1~IEA*1*000000001~"
)


def test_a_271_is_kept_and_listed(world: World) -> None:
    member = json.loads((ROOT / "schemas/examples/episode.json").read_text())["patient"]
    c = world.client("a_front")
    url = f"/api/practices/{world.a}/eligibility"
    for who in ("1EG4TE5MK73", "NOT-ON-FILE"):
        body = A_271.format(member=who).encode()
        r = c.post(f"{url}/271", files={"file": ("a.271", body)})
        assert r.status_code == 200, r.text
    (matched,) = [x for x in c.get(url).json()["items"] if x["member_id"] == "1EG4TE5MK73"]
    assert matched["patient"] == "PA-1" and matched["active"] is True
    ot = matched["benefits"]["AD"]  # numbers as the API writes them: exact, as strings
    assert (ot["visits"], ot["visits_left"]) == ("30", "18")
    assert matched["by"] == "a_front"
    listed = c.get(url).json()
    assert listed["total"] == 2 and listed["items"][0]["member_id"] == "NOT-ON-FILE"  # newest
    assert listed["items"][0]["patient"] is None
    assert c.get(f"{url}?patient=PA-1").json()["total"] == 1
    one = c.get(f"{url}/{matched['check']}").json()
    assert one == matched
    assert member  # the example episode names the patient the 271 answers for
