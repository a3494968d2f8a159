"""GET /reports/{kind}: the report `otbill report` builds, in each format, to those who may read
reports; a month that is not one and a kind that is not one are refused."""

from __future__ import annotations

from datetime import date

import orjson

from conftest import World, audit_rows
from otbill.api.fast import json_bytes
from otbill.ledger.db import session_scope
from otbill.ledger.reports import build_report

Q = "from=2026-01&to=2026-03&as_of=2026-03-31"


def test_the_json_is_the_report(world: World) -> None:
    c = world.client("a_biller")
    r = c.get(f"/api/practices/{world.a}/reports/claims?{Q}")
    assert r.status_code == 200, r.text
    with session_scope(world.engine) as s:
        expected = build_report(
            s, world.a, "claims", date(2026, 1, 1), date(2026, 3, 1), date(2026, 3, 31)
        )
    assert r.json() == orjson.loads(json_bytes(expected.as_dict()))
    got = {f["key"]: f for f in r.json()["sections"][0]["figures"]}
    # Five claims built clean and sent in March, none sent back: 5 of 5.
    assert (got["clean_claim_rate"]["numerator"], got["clean_claim_rate"]["denominator"]) == (5, 5)
    assert got["clean_claim_rate"]["source"]  # every figure names its source
    rows = [a for a in audit_rows(world.engine) if a.event == "report.read"]
    assert rows and rows[-1].practice_id == world.a and rows[-1].outcome == "success"


def test_every_format(world: World) -> None:
    c = world.client("a_auditor")
    base = f"/api/practices/{world.a}/reports"
    pdf = c.get(f"{base}/monthly?{Q}&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert "attachment" in pdf.headers["content-disposition"]
    csv = c.get(f"{base}/denials?{Q}&format=csv")
    assert csv.headers["content-type"].startswith("text/csv") and b"," in csv.content
    svg = c.get(f"{base}/ar?{Q}&format=svg")
    assert svg.headers["content-type"] == "image/svg+xml" and b"<svg" in svg.content
    html = c.get(f"{base}/compliance?{Q}&format=html")
    assert html.status_code == 200 and b"<table" in html.content


def test_refusals(world: World) -> None:
    c = world.client("a_biller")
    base = f"/api/practices/{world.a}/reports"
    assert c.get(f"{base}/claims?from=2026-13").status_code == 400
    assert c.get(f"{base}/claims?to=March").status_code == 400
    assert c.get(f"{base}/denials?by=colour").status_code == 400
    assert c.get(f"{base}/payroll").status_code == 404
    assert c.get(f"{base}/claims?format=docx").status_code == 422
    # The front desk takes payments and runs eligibility; reports are not theirs.
    assert world.client("a_front").get(f"{base}/claims").status_code == 403
