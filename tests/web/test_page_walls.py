"""The pages hold the API's walls (the same dependencies, so the same answers): no session goes
to the sign-in page; A's user with B's practice or B's records in the address is not found,
every page route and method; every unsafe request needs the session's CSRF token; every form
that changes anything posts it; GETs only read; no script or style is inline (the CSP)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from sqlalchemy import select

from otbill.api.app import create_app
from otbill.api.routes import PUBLIC, api_routes, authorized
from otbill.ledger import schema as t
from otbill.ledger.db import session_scope
from pagekit import A_271, Pages, csrf_of, pages_fixture

STATIC = Path(__file__).resolve().parents[2] / "src" / "otbill" / "web" / "static"
PREFIX = "/p/{practice_id}"
OBJECTS = ("number", "item_id", "unmatched_id", "job_id", "patient")

pages = pages_fixture()


def page_routes(p: Pages) -> list[tuple[str, str]]:
    return sorted(
        (m, r.path.removeprefix(PREFIX))
        for r in api_routes(create_app(p.engine))
        if r.path.startswith(PREFIX)
        for m in r.methods
    )


def samples(token: str) -> dict[tuple[str, str], dict[str, Any]]:
    """A request for every page route of a practice: the form it posts (with the CSRF token,
    so that only who may see what decides the answer). A new page route without a row here
    fails test_the_table_covers_every_page_route."""
    form = {"csrf_token": token}
    why = {**form, "why": "test"}
    upload = {"data": form, "files": {"file": ("x.835", b"ISA")}}
    return {
        ("GET", ""): {},
        ("GET", "/claims"): {},
        ("POST", "/claims/build"): {"data": form},
        ("POST", "/batches"): {"data": form},
        ("POST", "/visits"): {"data": form, "files": {"file": ("v.json", b"{}")}},
        ("GET", "/claims/{number}"): {},
        ("POST", "/claims/{number}/silence"): {"data": {**why, "rule": "OT-DOC-001"}},
        ("POST", "/claims/{number}/split"): {"data": {**why, "line": "1"}},
        ("POST", "/claims/{number}/merge"): {"data": {**why, "into": "x"}},
        ("POST", "/claims/{number}/correct"): {"data": why},
        ("POST", "/claims/{number}/void"): {"data": why},
        ("POST", "/claims/{number}/close"): {"data": why},
        ("GET", "/rules/{rule_id}"): {},
        ("GET", "/denials"): {},
        ("GET", "/denials/{item_id}"): {},
        ("POST", "/denials/{item_id}/assign"): {"data": {**form, "to": "x"}},
        ("POST", "/denials/{item_id}/note"): {"data": {**form, "text": "x"}},
        ("POST", "/denials/{item_id}/act"): {"data": {**why, "action": "close"}},
        ("GET", "/denials/{item_id}/letter"): {},
        ("GET", "/remittances"): {},
        ("POST", "/remittances"): upload,
        ("POST", "/acks"): upload,
        ("GET", "/jobs/{job_id}"): {},
        ("POST", "/unmatched/{unmatched_id}/match"): {"data": {**form, "claim": "x"}},
        ("GET", "/eligibility"): {},
        ("POST", "/eligibility/270"): {"data": {**form, "patient": "PB-1"}},
        ("POST", "/eligibility/271"): {"data": form, "files": {"file": ("a.271", A_271)}},
        ("GET", "/patients"): {},
        ("GET", "/patients/{patient}"): {},
        ("POST", "/patients/{patient}/payments"): {
            "data": {**form, "amount": "1.00", "method": "cash"}
        },
    }


def b_ids(p: Pages) -> dict[str, Any]:
    with session_scope(p.engine) as s:
        user = s.scalar(select(t.AppUser.id).where(t.AppUser.username == "b_biller"))
        job = t.Job(
            practice_id=p.b,
            kind="835",
            state="done",
            file_name="b.835",
            sha256="0" * 64,
            created_by=user,
            created_at=datetime.now(UTC),
            result={},
            error="",
        )
        s.add(job)
        s.flush()
        job_id = job.id
    return {
        "number": p.b_denied,
        "item_id": p.b_item,
        "unmatched_id": p.b_unmatched,
        "job_id": job_id,
        "patient": "PB-1",
        "rule_id": "OT-DOC-001",
    }


def fill(path: str, practice: int, ids: dict[str, Any]) -> str:
    return re.sub(
        r"\{(\w+)\}", lambda m: str(practice if m[1] == "practice_id" else ids[m[1]]), path
    )


def test_every_page_route_is_authorized_or_public(pages: Pages) -> None:
    for r in api_routes(create_app(pages.engine)):
        public = r.path in PUBLIC or any(r.path.startswith(x + "/") for x in PUBLIC)
        assert authorized(r) or public, f"{sorted(r.methods)} {r.path} has no authorization"
    assert {p for p in PUBLIC if not p.startswith("/api")} == {"/login", "/static"}


def test_the_table_covers_every_page_route(pages: Pages) -> None:
    assert set(page_routes(pages)) == set(samples("x"))


def test_a_user_of_a_sees_nothing_of_b_on_any_page(pages: Pages) -> None:
    """A's manager (every permission but users), every page route and method: B's practice in
    the address is not found, and so is A's practice with B's records; never a 200, never a
    403 that would tell a record exists."""
    ids = b_ids(pages)
    c = pages.client("a_manager")
    table = samples(pages.csrf(c))
    for method, suffix in page_routes(pages):
        path = PREFIX + suffix
        r = c.request(method, fill(path, pages.b, ids), **table[(method, suffix)])
        assert r.status_code == 404, (method, path, r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith("text/html")
        assert "Not found" in r.text
        if any("{" + k + "}" in suffix for k in OBJECTS):
            r = c.request(method, fill(path, pages.a, ids), **table[(method, suffix)])
            assert r.status_code == 404, (method, path, r.status_code, r.text[:300])


def test_without_a_session_every_page_goes_to_sign_in(pages: Pages) -> None:
    ids = {**b_ids(pages), "number": "VA-0001", "patient": "PA-1"}
    c = pages.client()
    table = samples("no-session")
    for method, suffix in page_routes(pages):
        url = fill(PREFIX + suffix, pages.a, ids)
        r = c.request(method, url, **table[(method, suffix)])
        assert r.status_code == 303, (method, url, r.status_code)
        want = f"/login?next={url}" if method == "GET" else "/login"
        assert r.headers["location"].replace("%2F", "/") == want, (method, url)
    for url in ("/", "/logout"):
        assert c.request("GET" if url == "/" else "POST", url).status_code == 303
    # htmx asks for a fragment: the whole window is sent to sign in.
    r = c.get(f"/p/{pages.a}/jobs/1", headers={"HX-Request": "true"})
    assert r.status_code == 401 and r.headers["hx-redirect"].startswith("/login")
    # The API still answers its own problem document.
    assert c.get(f"/api/practices/{pages.a}/claims").status_code == 401


def test_every_unsafe_page_request_needs_the_csrf_token(pages: Pages) -> None:
    c = pages.client("a_manager")
    token = pages.csrf(c)
    ids = {**b_ids(pages), "number": pages.a_draft, "item_id": pages.a_item, "patient": "PA-1"}
    for method, suffix in page_routes(pages):
        if method != "POST":
            continue
        url = fill(PREFIX + suffix, pages.a, ids)
        sent = samples(token)[(method, suffix)]
        data = {k: v for k, v in sent["data"].items() if k != "csrf_token"}
        for bad in ({}, {"csrf_token": "forged"}):
            r = c.post(url, data={**data, **bad}, files=sent.get("files"))
            assert r.status_code == 403, (url, bad, r.status_code)
            assert "CSRF" in r.text and r.headers["content-type"].startswith("text/html")
        other_site = {"Origin": "https://evil.example"}
        r = c.post(url, data=sent["data"], files=sent.get("files"), headers=other_site)
        assert r.status_code == 403 and "another site" in r.text
    # Sign-in itself takes no form from another site (login CSRF).
    r = pages.client().post(
        "/login", data={"username": "a_biller", "password": "x"}, headers=other_site
    )
    assert r.status_code == 403


class Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (a.get("method") or "get").lower(), **a, "fields": []})
        elif tag in ("input", "button", "select", "textarea") and self.forms:
            self.forms[-1]["fields"].append(a)
        if tag == "script" and not a.get("src"):
            self.inline.append("an inline script")
        if "style" in a:
            self.inline.append(f"a style attribute on <{tag}>")
        self.inline += [f"{k} on <{tag}>" for k in a if k.startswith("on")]
        if tag == "style":
            self.inline.append("a <style> element")


def test_forms_that_change_anything_post_with_the_token_and_gets_only_read(
    pages: Pages,
) -> None:
    c = pages.client("a_manager")
    ids = {
        "number": pages.a_draft,
        "item_id": pages.a_item,
        "patient": "PA-1",
        "rule_id": "OT-DOC-001",
        "job_id": 0,
    }
    gets = [s for m, s in page_routes(pages) if m == "GET" and "{job_id}" not in s]
    posts = {re.sub(r"\{\w+\}", "[^/]+", s) for m, s in page_routes(pages) if m == "POST"}
    urls = [fill(PREFIX + s, pages.a, ids) for s in gets] + [
        fill(PREFIX + "/claims/{number}", pages.a, {"number": pages.a_denied}),
    ]
    seen_post = 0
    for url in urls:
        r = c.get(url)
        assert r.status_code == 200, (url, r.status_code)
        parser = Forms()
        parser.feed(r.text)
        assert parser.inline == [], (url, parser.inline)
        for f in parser.forms:
            tokens = [x for x in f["fields"] if x.get("name") == "csrf_token"]
            action = f.get("action") or url
            if f["method"] == "get":
                assert not tokens, (url, action)  # a token never goes into an address
                assert not any(re.fullmatch(rf"/p/\d+{p}", action) for p in posts), (url, action)
            else:
                assert f["method"] == "post", (url, f)
                assert [x.get("value") for x in tokens] == [csrf_of(r.text)], (url, action)
                seen_post += 1
    assert seen_post >= 15
    with session_scope(pages.engine) as s:
        rows = list(s.scalars(select(t.AuditEvent).where(t.AuditEvent.username == "a_manager")))
    page_reads = [r for r in rows if r.detail.get("path", "").startswith("/p/")]
    assert page_reads and {r.action for r in page_reads} == {"R"}


def test_static_files_and_the_vendored_htmx(pages: Pages) -> None:
    c = pages.client()
    js = c.get("/static/htmx/htmx.min.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    noted = re.search(
        r"sha256 of htmx.min.js: ([0-9a-f]{64})", (STATIC / "htmx/SOURCE.md").read_text()
    )
    assert noted and hashlib.sha256(js.content).hexdigest() == noted[1]
    assert "Zero-Clause BSD" in (STATIC / "htmx/LICENSE").read_text()
    assert c.get("/static/otbill.css").status_code == 200
    page = c.get("/login")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"


def test_an_address_that_does_not_validate_is_a_page_not_a_document(pages: Pages) -> None:
    c = pages.client("a_biller")
    for url in (f"/p/{pages.a}/denials/not-a-number", f"/p/{pages.a}/claims?page=x"):
        r = c.get(url)
        assert r.status_code == 422 and r.headers["content-type"].startswith("text/html"), url
        assert "not valid" in r.text
    api = c.get(f"/api/practices/{pages.a}/denials/not-a-number")
    assert api.status_code == 422 and api.headers["content-type"].startswith(
        "application/problem+json"
    )
