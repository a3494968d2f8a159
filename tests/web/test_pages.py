"""Each page of the workbench through a browser-like client (forms with the CSRF token, a
redirect after every form worked): what it shows and that its forms do what the matching API
route does, refusals shown with the API's own words and status."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pyotp
from sqlalchemy import select

from otbill.ledger import schema as t
from otbill.ledger.claims import as_claims, list_claims, submit
from otbill.ledger.db import session_scope
from otbill.ledger.workflow import find
from pagekit import A_271, PASSWORD, STRANGER, Pages, api_world, csrf_of, era_text, pages_fixture

pages = pages_fixture()


def text_of(html: str) -> str:
    """The page's words, tags and runs of white space out."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def follow(c, r):  # type: ignore[no-untyped-def]
    assert r.status_code == 303, r.text[:500]
    return c.get(r.headers["location"])


# --- signing in and out ----------------------------------------------------------------------


def test_sign_in_out_and_back_to_where_you_were(pages: Pages) -> None:
    c = pages.client()
    r = c.get(f"/p/{pages.a}/claims?state=denied")
    assert r.status_code == 303
    login = c.get(r.headers["location"])
    assert login.status_code == 200 and 'name="next" value="/p/' in login.text
    bad = c.post("/login", data={"username": "a_biller", "password": "wrong one"})
    assert bad.status_code == 401 and "not right" in bad.text
    r = c.post(
        "/login",
        data={"username": "a_biller", "password": PASSWORD, "next": f"/p/{pages.a}/claims"},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/p/{pages.a}/claims"
    assert (
        "__Host-otbill=" in r.headers["set-cookie"] and "secure" in r.headers["set-cookie"].lower()
    )
    page = c.get(r.headers["location"])
    assert page.status_code == 200 and "<h1>Claims</h1>" in page.text
    # Never sent on to another site after signing in.
    other = pages.client()
    r = other.post(
        "/login", data={"username": "a_biller", "password": PASSWORD, "next": "//evil.example/x"}
    )
    assert r.headers["location"] == "/p/1/dashboard" or r.headers["location"] == "/"
    # Signing out ends the session at once.
    token = csrf_of(page.text)
    out = c.post("/logout", data={"csrf_token": token})
    assert out.status_code == 303 and out.headers["location"] == "/login?out=1"
    assert "signed out" in c.get("/login?out=1").text
    assert c.get(f"/p/{pages.a}/claims").status_code == 303


def test_an_admin_proves_the_code_on_its_page(pages: Pages) -> None:
    c = pages.client()
    r = c.post("/login", data={"username": "a_admin", "password": PASSWORD})
    assert r.status_code == 303 and r.headers["location"].startswith("/login/totp")
    assert c.get(f"/p/{pages.a}/patients").status_code == 303  # the password alone is not enough
    form = c.get(r.headers["location"])
    token = csrf_of(form.text)
    assert c.post("/login/totp", data={"code": "000000", "csrf_token": token}).status_code == 401
    assert c.post("/login/totp", data={"code": "123456"}).status_code == 403  # no token
    code = pyotp.TOTP(pages.world.totp_secret).now()
    r = c.post("/login/totp", data={"code": code, "csrf_token": token})
    assert r.status_code == 303
    assert c.get(f"/p/{pages.a}").status_code == 200


# --- the dashboard ---------------------------------------------------------------------------


def test_the_dashboard_shows_what_the_api_gives(pages: Pages) -> None:
    c = pages.client("a_biller")
    r = c.get(f"/p/{pages.a}")
    assert r.status_code == 200
    api = c.get(
        f"/api/practices/{pages.a}/dashboard", headers={"X-CSRF-Token": csrf_of(r.text)}
    ).json()
    words = text_of(r.text)
    for s in api["by_state"]:
        label = s["state"].replace("_", " ")
        charge = f"${Decimal(s['charge']):,.2f}"
        assert re.search(rf"{label} {s['claims']} {re.escape(charge)}", words), (label, words)
    assert f"Denial items open {api['denials']['open']}" in words
    assert api["denials"]["open"] >= 1 and f"/p/{pages.a}/denials/{pages.a_item}" in r.text
    assert f"Open A/R ${Decimal(api['ar']['total']):,.2f}" in words
    # The rates and their trends, from the reports: the page's figures are the API's.
    for f in api["headline"]["figures"]:
        shown = "—" if f["value"] is None else f"{f['value']}%"
        assert f"{f['name']} {shown}" in words, (f["name"], shown)
    clean = next(f for f in api["headline"]["figures"] if f["key"] == "clean_claim_rate")
    assert clean["denominator"] >= 1 and clean["source"]
    assert r.text.count('<figure class="chart"><svg') == len(api["headline"]["charts"]) == 2
    assert "<desc id=" in r.text  # each chart says what it shows, for a screen reader
    assert "<meter" in r.text  # the A/R's shares, drawn without inline style


def test_the_first_page_across_practices_and_for_each_role(pages: Pages) -> None:
    company = pages.client("company")
    r = company.get("/")
    assert r.status_code == 200
    words = text_of(r.text)
    assert words.count("Denial items open") == 1  # one table, a row per practice
    assert f'href="/p/{pages.a}"' in r.text and f'href="/p/{pages.b}"' in r.text
    # Each practice's clean-claim and denial rates, as GET /api/dashboard gives them.
    boards = company.get("/api/dashboard").json()
    for b in boards:
        for key in ("clean_claim_rate", "denial_rate"):
            f = b["rates"][key]
            assert f["source"] and f["formula"]
            shown = "—" if f["value"] is None else f"{f['value']}%"
            assert shown in words
    assert {b["practice"] for b in boards} == {pages.a, pages.b}
    # One practice: straight to its first page; a front desk has no dashboard, its patients.
    assert pages.client("a_biller").get("/").headers["location"] == f"/p/{pages.a}"
    front = pages.client("a_front")
    assert front.get("/").headers["location"] == f"/p/{pages.a}/patients"
    refused = front.get(f"/p/{pages.a}")
    assert refused.status_code == 403 and "front_desk may not" in refused.text
    nav = front.get(f"/p/{pages.a}/patients").text
    assert f'href="/p/{pages.a}/claims"' not in nav and "Eligibility" in nav


# --- claims ----------------------------------------------------------------------------------


def test_the_claim_page_explains_lines_and_findings_and_silences_one(pages: Pages) -> None:
    c = pages.client("a_biller")
    url = f"/p/{pages.a}/claims/{pages.a_draft}"
    r = c.get(url)
    assert r.status_code == 200
    words = text_of(r.text)
    assert "draft" in words and "Lines, each explained" in words
    assert "Pub. 100-04 ch. 5 §20.2" in words  # the units' steps, with their source
    assert f'href="/p/{pages.a}/rules/OT-DOC-001"' in r.text
    assert "The rule: what it checks, why, an example" in words and "Checks" in words
    token = csrf_of(r.text)
    # Without a reason: refused with the API's words and status, nothing changed.
    bad = c.post(f"{url}/silence", data={"csrf_token": token, "rule": "OT-DOC-001", "why": ""})
    assert bad.status_code == 422 and "Not done" in bad.text and "why" in bad.text
    with session_scope(pages.engine) as s:
        assert find(s, pages.a, pages.a_draft).state == "draft"
    ok = c.post(
        f"{url}/silence",
        data={"csrf_token": token, "rule": "OT-DOC-001", "why": "signed on paper, scanned"},
    )
    after = follow(c, ok)
    assert "now ready" in after.text and "Silenced by a_biller: signed on paper, scanned" in (
        text_of(after.text)
    )
    assert "now ready" not in c.get(url).text  # the message is shown once
    rule = c.get(f"/p/{pages.a}/rules/OT-DOC-001")
    assert rule.status_code == 200 and "Source" in rule.text
    assert c.get(f"/p/{pages.a}/rules/NO-SUCH-1").status_code == 404


def test_split_merge_and_correct_through_the_claim_page(pages: Pages) -> None:
    c = pages.client("a_biller")
    number = "VC-0003"  # 97112, 97110, 97535, ready
    url = f"/p/{pages.a}/claims/{number}"
    token = csrf_of(c.get(url).text)
    r = c.post(f"{url}/split", data={"csrf_token": token, "line": ["3"], "why": "97535 waits"})
    assert "New claim VC-0003-S1" in follow(c, r).text
    page = c.get(f"/p/{pages.a}/claims/{number}-S1")
    assert f'<option value="{number}">' in page.text  # offered as the claim to merge into
    r = c.post(
        f"/p/{pages.a}/claims/{number}-S1/merge",
        data={"csrf_token": token, "into": number, "why": "addendum signed"},
    )
    assert "now voided" in follow(c, r).text
    with session_scope(pages.engine) as s:
        assert [ln["code"] for ln in find(s, pages.a, number).doc["lines"]] == [
            "97112",
            "97110",
            "97535",
        ]
    # A sent claim: no split, and Medicare's correction is a reopening.
    sent = f"/p/{pages.a}/claims/{pages.a_denied}"
    refused = c.post(f"{sent}/split", data={"csrf_token": token, "line": ["1"], "why": "x"})
    assert refused.status_code == 409 and "only draft or ready" in refused.text
    r = c.post(f"{sent}/correct", data={"csrf_token": token, "why": "modifier was wrong"})
    assert "reopen" in follow(c, r).text
    with session_scope(pages.engine) as s:
        assert find(s, pages.a, pages.a_denied).state == "corrected"
    pdf = c.get(f"/api/practices/{pages.a}/claims/{pages.a_denied}/cms1500.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_build_submit_and_download_the_batch(pages: Pages) -> None:
    c = pages.client("a_biller")
    page = c.get(f"/p/{pages.a}/claims")
    token = csrf_of(page.text)
    r = c.post(f"/p/{pages.a}/claims/build", data={"csrf_token": token})
    assert "Claims built" in follow(c, r).text
    r = c.post(f"/p/{pages.a}/batches", data={"csrf_token": token})
    listing = follow(c, r)
    m = re.search(r"Batch (\d+) holds (\d+) claims", listing.text)
    assert m and int(m[2]) >= 1
    link = f"/api/practices/{pages.a}/batches/{m[1]}/837"
    assert link in listing.text
    assert c.get(link).content.startswith(b"ISA")
    again = c.post(f"/p/{pages.a}/batches", data={"csrf_token": token})
    assert again.status_code == 409 and "no ready claims" in again.text


def test_visits_are_imported_as_a_job_from_the_claims_page(pages: Pages) -> None:
    episode = api_world.episode_doc("1234567893", "PA-1", "VA")
    episode["visits"].append(dict(episode["visits"][0], id="VA-9001", date="2026-03-24"))
    c = pages.client("a_coder")
    token = csrf_of(c.get(f"/p/{pages.a}/claims").text)
    r = c.post(
        f"/p/{pages.a}/visits",
        data={"csrf_token": token},
        files={"file": ("visits.json", json.dumps(episode).encode())},
    )
    assert "Visits imported: 1 new, 0 changed" in text_of(follow(c, r).text)
    with session_scope(pages.engine) as s:
        assert s.scalar(select(t.Visit.id).where(t.Visit.ext_id == "VA-9001")) is not None


# --- the denial queue ------------------------------------------------------------------------


def test_the_queue_filters_in_the_address(pages: Pages) -> None:
    c = pages.client("a_biller")
    base = f"/p/{pages.a}/denials"
    r = c.get(base)
    assert r.status_code == 200 and f"{base}/{pages.a_item}" in r.text
    assert "CO-50" in r.text and "medical necessity" in r.text
    kept = c.get(f"{base}?cause=medical_necessity&reason=CO-50&payer=MCR-IL&min_age=0")
    assert f"{base}/{pages.a_item}?" in kept.text  # the item's link carries the filters
    assert "cause=medical_necessity" in kept.text
    for gone in ("cause=coding", "reason=CO-97", "state=closed", "assignee=nobody", "max_age=-1"):
        r = c.get(f"{base}?{gone}")
        assert f"{base}/{pages.a_item}" not in r.text or gone == "max_age=-1", gone
    assert c.get(f"{base}?sort=-amount").status_code == 200
    assert c.get(f"{base}?sort=number;drop").status_code == 200  # an unknown order is ignored


def test_work_an_item_assign_note_and_refusals(pages: Pages) -> None:
    c = pages.client("a_biller")
    url = f"/p/{pages.a}/denials/{pages.a_item}"
    page = c.get(f"{url}?cause=medical_necessity")
    assert page.status_code == 200 and 'id="assign-to"' in page.text
    token = csrf_of(page.text)
    r = c.post(
        f"{url}/assign", data={"csrf_token": token, "to": "ann", "back": "cause=medical_necessity"}
    )
    assert r.headers["location"] == f"{url}?state=open&cause=medical_necessity"
    assert "assigned to ann" in follow(c, r).text
    r = c.post(f"{url}/note", data={"csrf_token": token, "text": "called the MAC", "back": ""})
    assert "called the MAC" in follow(c, r).text
    bad = c.post(f"{url}/act", data={"csrf_token": token, "action": "write_off", "why": "small"})
    assert bad.status_code == 422 and "reason code" in bad.text
    with session_scope(pages.engine) as s:
        assert s.get(t.WorkItem, pages.a_item).state == "open"  # type: ignore[union-attr]
    assert c.get(f"/p/{pages.a}/denials?assignee=ann").text.count("Item ") >= 1


def test_work_a_denial_to_an_appeal_with_the_letter_previewed(pages: Pages) -> None:
    c = pages.client("a_biller")
    letter_url = f"/p/{pages.a}/denials/{pages.a_item}/letter?signer=Ann+Biller"
    letter = c.get(letter_url)
    assert letter.status_code == 200
    words = text_of(letter.text)
    assert "Ann Biller" in words and "CO-50" in words
    pdf_link = re.search(r'href="(/api/[^"]+letter\.pdf[^"]*)"', letter.text)
    assert pdf_link
    pdf = c.get(pdf_link[1].replace("&amp;", "&"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    r = c.post(
        f"/p/{pages.a}/denials/{pages.a_item}/act",
        data={
            "csrf_token": csrf_of(letter.text),
            "action": "appeal",
            "why": "the plan of care shows skilled need",
            "signer": "Ann Biller",
            "back": "",
        },
    )
    assert r.status_code == 303
    landed = c.get(r.headers["location"])
    assert "appeal" in landed.text
    with session_scope(pages.engine) as s:
        item = s.get(t.WorkItem, pages.a_item)
        assert item is not None and (item.state, item.outcome) == ("waiting", "appealed")
        (appeal,) = s.scalars(select(t.Appeal).where(t.Appeal.item_id == pages.a_item))
        filed = appeal.doc["letter"]
    assert filed["signature"][0].startswith("Ann Biller") or "Ann Biller" in str(filed)
    assert "the plan of care shows skilled need" in str(filed["sections"])


def test_an_auditor_reads_but_has_no_forms(pages: Pages) -> None:
    c = pages.client("a_auditor")
    r = c.get(f"/p/{pages.a}/denials/{pages.a_item}")
    assert r.status_code == 200 and 'id="assign-to"' not in r.text
    claim = c.get(f"/p/{pages.a}/claims/{pages.a_draft}")
    assert "/silence" not in claim.text
    refused = c.post(
        f"/p/{pages.a}/claims/{pages.a_draft}/silence",
        data={"csrf_token": csrf_of(claim.text), "rule": "OT-DOC-001", "why": "x"},
    )
    assert refused.status_code == 403 and "auditor may not" in refused.text


# --- remittances -----------------------------------------------------------------------------


def test_post_an_835_watch_it_and_match_a_payment_by_hand(pages: Pages, tmp_path: Path) -> None:
    with session_scope(pages.engine) as s:
        assert submit(s, pages.a, tmp_path / "more.837") is not None  # the VC- claims ready
    with session_scope(pages.engine) as s:
        sent = list_claims(s, pages.a, "submitted")
        claims = as_claims([c for c in sent if c.number.startswith("VC-")])
    assert [c.id for c in claims] == ["VC-0001", "VC-0003", "VC-0004", "VC-0005"]
    c = pages.client("a_biller")
    page = c.get(f"/p/{pages.a}/remittances")
    token = csrf_of(page.text)
    r = c.post(
        f"/p/{pages.a}/remittances",
        data={"csrf_token": token},
        files={"file": ("week2.835", era_text(claims, control=11).encode())},
    )
    assert r.status_code == 303 and "?job=" in r.headers["location"]
    job = int(r.headers["location"].rsplit("=", 1)[1])
    shown = c.get(r.headers["location"])
    assert "Posted:" in text_of(shown.text) and 'aria-live="polite"' in shown.text
    frag = c.get(f"/p/{pages.a}/jobs/{job}", headers={"HX-Request": "true"})
    assert "done" in frag.text and 'hx-swap-oob="true"' in frag.text  # the lists come along
    assert "every 1s" not in frag.text  # done: the polling stops
    # A broken file fails whole, and says why.
    r = c.post(
        f"/p/{pages.a}/remittances",
        data={"csrf_token": token},
        files={"file": ("broken.835", b"not an X12 file")},
    )
    assert "Not posted, nothing changed" in follow(c, r).text
    empty = c.post(f"/p/{pages.a}/remittances", data={"csrf_token": token})
    assert empty.status_code == 422 and "choose a file" in empty.text
    # The payment no claim was found for, matched by hand.
    listing = c.get(f"/p/{pages.a}/remittances")
    assert STRANGER in listing.text and f'for="match-{pages.a_unmatched}"' in listing.text
    wrong = c.post(
        f"/p/{pages.a}/unmatched/{pages.a_unmatched}/match",
        data={"csrf_token": token, "claim": "NO-SUCH"},
    )
    assert wrong.status_code == 422 and "NO-SUCH" in wrong.text
    r = c.post(
        f"/p/{pages.a}/unmatched/{pages.a_unmatched}/match",
        data={"csrf_token": token, "claim": "VA-0005"},
    )
    assert "Payment matched to claim VA-0005" in follow(c, r).text
    with session_scope(pages.engine) as s:
        assert s.get(t.Unmatched, pages.a_unmatched) is None
        assert find(s, pages.a, "VA-0005").state in ("paid", "partially_paid")


# --- eligibility and patients ----------------------------------------------------------------


def test_eligibility_a_270_and_a_271_read(pages: Pages) -> None:
    c = pages.client("a_front")
    page = c.get(f"/p/{pages.a}/eligibility")
    assert page.status_code == 200 and '<option value="PA-1">' in page.text
    token = csrf_of(page.text)
    r = c.post(
        f"/p/{pages.a}/eligibility/270",
        data={"csrf_token": token, "patient": "PA-1", "on": "2026-03-24"},
    )
    assert r.status_code == 200 and r.content.startswith(b"ISA")
    assert "attachment" in r.headers["content-disposition"]
    nobody = c.post(f"/p/{pages.a}/eligibility/270", data={"csrf_token": token, "on": "2031-01-01"})
    assert nobody.status_code == 422 and "no patient has a visit on 2031-01-01" in nobody.text
    r = c.post(
        f"/p/{pages.a}/eligibility/271",
        data={"csrf_token": token},
        files={"file": ("answer.271", A_271.encode())},
    )
    assert r.status_code == 200
    words = text_of(r.text)
    assert "PRICE, ELEANOR (ACM1): active" in words
    assert re.search(r"occupational therapy \(AD\) 30 18 \$40\.00 20%", words), words


def test_patients_balances_statement_and_a_payment(pages: Pages) -> None:
    c = pages.client("a_front")
    listing = c.get(f"/p/{pages.a}/patients")
    assert listing.status_code == 200 and f'href="/p/{pages.a}/patients/PA-1"' in listing.text
    page = c.get(f"/p/{pages.a}/patients/PA-1")
    owed = re.search(r"Owes <strong>\$([\d,.]+)</strong>", page.text)
    assert owed and Decimal(owed[1].replace(",", "")) > 0
    assert f"/api/practices/{pages.a}/patients/PA-1/statement.pdf" in page.text
    assert c.get(f"/api/practices/{pages.a}/patients/PA-1/statement.pdf").content.startswith(
        b"%PDF"
    )
    token = csrf_of(page.text)
    bad = c.post(
        f"/p/{pages.a}/patients/PA-1/payments",
        data={"csrf_token": token, "amount": "twenty", "method": "cash"},
    )
    assert bad.status_code == 422 and "not an amount" in bad.text and 'value="twenty"' in bad.text
    r = c.post(
        f"/p/{pages.a}/patients/PA-1/payments",
        data={
            "csrf_token": token,
            "amount": "$20.00",
            "method": "card",
            "received_on": "2026-04-02",
        },
    )
    after = follow(c, r)
    assert "of $20.00 received 2026-04-02 recorded for PA-1" in after.text
    now = re.search(r"Owes <strong>\$([\d,.]+)</strong>", after.text)
    assert now and Decimal(now[1].replace(",", "")) == Decimal(owed[1].replace(",", "")) - 20
