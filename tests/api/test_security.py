"""The walls around patient data, tested the way they are broken (shared/reference/security-web-
scale.md §2.4): every route authorized by construction; A's user with B's ids, every route and
method; a body naming another practice; sessions expired, forged, revoked; CSRF; disabled users;
lock-out; the second factor; API tokens; an audit row for each access and refusal, and the chain
that shows a row altered."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyotp
import pytest
from sqlalchemy import select, text

from conftest import PASSWORD, World, audit_rows
from otbill.access.audit import verify
from otbill.api.app import create_app
from otbill.api.routes import PUBLIC, api_routes, authorized
from otbill.ledger import schema as t
from otbill.ledger.db import session_scope
from otbill.ledger.posting import payment_doc
from otbill.model.remittance import ClaimPayment

A_ONLY = "a_biller"


def routes(world: World) -> list[Any]:
    return api_routes(create_app(world.engine))


def test_every_route_is_authorized_or_public(world: World) -> None:
    for r in routes(world):
        public = r.path in PUBLIC or any(r.path.startswith(p + "/") for p in PUBLIC)
        assert authorized(r) or public, f"{sorted(r.methods)} {r.path} has no authorization"
        assert not (authorized(r) and r.path == "/api/health")


# A request for every practice route: the values its path takes and a body that passes
# validation. A new route without a row here fails test_the_matrix_covers_every_route.
def samples(w: World, ids: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    why = {"json": {"why": "test"}}
    return {
        ("GET", ""): {},
        ("GET", "/claims"): {},
        ("GET", "/claims/{number}"): {},
        ("POST", "/claims/{number}/correct"): why,
        ("POST", "/claims/{number}/void"): why,
        ("POST", "/claims/{number}/close"): why,
        ("POST", "/claims/{number}/silence"): {"json": {"rule": "OT-DOC-001", "why": "test"}},
        ("POST", "/claims/{number}/split"): {"json": {"lines": [1], "why": "test"}},
        ("POST", "/claims/{number}/merge"): {"json": {"into": w.a_claim, "why": "test"}},
        ("GET", "/dashboard"): {},
        ("POST", "/claims/build"): {},
        ("POST", "/batches"): {},
        ("GET", "/batches"): {},
        ("GET", "/batches/{batch_id}/837"): {},
        ("GET", "/claims/{number}/cms1500.pdf"): {},
        ("GET", "/denials"): {},
        ("GET", "/denials/{item_id}"): {},
        ("POST", "/denials/{item_id}/assign"): {"json": {"to": "x"}},
        ("POST", "/denials/{item_id}/note"): {"json": {"text": "x"}},
        ("POST", "/denials/{item_id}/act"): {"json": {"action": "close", "why": "x"}},
        ("GET", "/denials/{item_id}/letter.pdf"): {"params": {"signer": "x"}},
        ("POST", "/remittances"): {"files": {"file": ("a.835", b"ISA")}},
        ("POST", "/acks"): {"files": {"file": ("a.999", b"ISA")}},
        ("POST", "/visits"): {"files": {"file": ("v.json", b"{}")}},
        ("GET", "/jobs/{job_id}"): {},
        ("GET", "/remittances"): {},
        ("GET", "/unmatched"): {},
        ("POST", "/unmatched/{unmatched_id}/match"): {"json": {"claim": w.a_claim}},
        ("GET", "/patients"): {},
        ("GET", "/patients/{patient}"): {},
        ("GET", "/patients/{patient}/statement.pdf"): {},
        ("POST", "/patients/{patient}/payments"): {"json": {"amount": "1.00", "method": "cash"}},
        ("POST", "/eligibility/270"): {"params": {"patient": ids["patient"]}},
        ("POST", "/eligibility/271"): {"files": {"file": ("a.271", b"ISA")}},
        ("GET", "/users"): {},
        ("POST", "/users"): {
            "json": {"username": "new.user", "password": PASSWORD * 2, "role": "biller"}
        },
        ("PUT", "/users/{username}/role"): {"json": {"role": "coder"}},
        ("POST", "/users/{username}/disable"): {},
        ("GET", "/tokens"): {},
        ("POST", "/tokens"): {"json": {"name": "x", "role": "auditor"}},
        ("DELETE", "/tokens/{token_id}"): {},
        ("GET", "/audit"): {},
        ("GET", "/audit/verify"): {},
        ("GET", "/reports/{kind}"): {},
        ("GET", "/visits"): {},
        ("GET", "/visits/{visit}"): {},
        ("GET", "/eligibility"): {},
        ("GET", "/eligibility/{check_id}"): {},
    }


def b_objects(w: World) -> dict[str, Any]:
    """One object of practice B of each kind a path can name."""
    return objects_of(w, w.b, w.b_claim, "b_biller", "PB-1")


def objects_of(w: World, practice: int, number: str, username: str, patient: str) -> dict[str, Any]:
    """One object of the practice of each kind a path can name (a remittance, an unmatched
    payment, a work item, a job, a token and an eligibility check made for the purpose)."""
    with session_scope(w.engine) as s:
        b_user = s.scalar(select(t.AppUser).where(t.AppUser.username == username))
        assert b_user is not None
        claim = s.scalar(select(t.Claim).where(t.Claim.number == number))
        assert claim is not None
        batch = s.scalar(select(t.Batch.id).where(t.Batch.practice_id == practice))
        remit = t.Remittance(
            practice_id=practice,
            sha256=f"{practice:064d}",
            trace_number="B1",
            payer_name="P",
            amount=0,
            paid_on=None,
            posted_at=datetime.now(UTC),
            file_name="b",
        )
        s.add(remit)
        s.flush()
        unmatched = t.Unmatched(
            practice_id=practice,
            remittance_id=remit.id,
            patient_control_number="X",
            payer_claim_number="Y",
            paid=0,
            reason="test",
            doc=payment_doc(ClaimPayment("X", "1", Decimal(0), Decimal(0), None, "MB", "Y")),
        )
        item = t.WorkItem(
            practice_id=practice,
            key=f"item-{practice}",
            claim_id=claim.id,
            kind="denial",
            category="coding",
            action="appeal",
            amount=1,
            opened_on=claim.date_of_service,
            level=1,
            payer_ext=claim.payer_ext,
            rendering_npi="",
            state="open",
            doc={},
        )
        job = t.Job(
            practice_id=practice,
            kind="835",
            state="done",
            file_name="b.835",
            sha256="0" * 64,
            created_by=b_user.id,
            created_at=datetime.now(UTC),
            result={},
            error="",
        )
        token = t.ApiToken(
            token_hash=f"{practice:064x}",
            name="b",
            user_id=b_user.id,
            practice_id=practice,
            role="biller",
            created_at=datetime.now(UTC),
        )
        check = t.EligibilityCheck(
            practice_id=practice,
            member_id="B1",
            payer="P",
            active=True,
            received_at=datetime.now(UTC),
            who="b_biller",
            file_sha256="d" * 64,
            doc={},
        )
        visit = s.scalar(select(t.Visit.ext_id).where(t.Visit.practice_id == practice))
        s.add_all([unmatched, item, job, token, check])
        s.flush()
        return {
            "number": number,
            "batch_id": batch,
            "item_id": item.id,
            "job_id": job.id,
            "unmatched_id": unmatched.id,
            "patient": patient,
            "username": username,
            "token_id": token.id,
            "kind": "claims",
            "visit": visit,
            "check_id": check.id,
        }


def call(c: Any, method: str, path: str, extra: dict[str, Any]) -> Any:
    return c.request(method, path, **extra)


def fill(path: str, practice: int, ids: dict[str, Any]) -> str:
    return re.sub(
        r"\{(\w+)\}", lambda m: str(practice if m[1] == "practice_id" else ids[m[1]]), path
    )


def practice_routes(world: World) -> list[tuple[str, str]]:
    prefix = "/api/practices/{practice_id}"
    return [
        (m, r.path.removeprefix(prefix))
        for r in routes(world)
        if r.path.startswith(prefix)
        for m in r.methods
    ]


def test_the_matrix_covers_every_route(world: World) -> None:
    table = samples(world, {"patient": "PB-1"})
    assert set(practice_routes(world)) == set(table)


def test_a_user_of_a_sees_nothing_of_b(world: World) -> None:
    """A's biller, every practice route and method: B's practice in the path is not found; A's
    practice in the path with B's ids is not found; never 200, never 403 (which would tell)."""
    ids = b_objects(world)
    table = samples(world, ids)
    c = world.client(A_ONLY)
    for method, suffix in practice_routes(world):
        path = "/api/practices/{practice_id}" + suffix
        r = call(c, method, fill(path, world.b, ids), table[(method, suffix)])
        assert r.status_code == 404, (method, path, r.status_code, r.text[:200])
        assert r.headers["content-type"].startswith("application/problem+json")
        # The route names an object: B's object under A's practice. (A report's kind is a name,
        # the same in every practice, not an object of one.)
        if set(re.findall(r"\{(\w+)\}", suffix)) - {"kind"}:
            r = call(c, method, fill(path, world.a, ids), table[(method, suffix)])
            assert r.status_code in (403, 404), (method, path, r.status_code, r.text[:200])


def test_lists_hold_only_the_practice_of_the_path(world: World) -> None:
    c = world.client("company")  # in both practices
    a = c.get(f"/api/practices/{world.a}/claims").json()["items"]
    b = c.get(f"/api/practices/{world.b}/claims").json()["items"]
    assert {x["number"] for x in a}.isdisjoint({x["number"] for x in b})
    assert all(x["number"].startswith("VA") for x in a)
    patients = c.get(f"/api/practices/{world.a}/patients").json()
    assert all(p["patient"] != "PB-1" for p in patients)


def test_a_body_naming_another_practice_is_ignored(world: World) -> None:
    c = world.client("a_admin")
    body = {"username": "sneaky", "password": PASSWORD, "role": "biller", "practice_id": world.b}
    assert c.post(f"/api/practices/{world.a}/users", json=body).status_code == 201
    with session_scope(world.engine) as s:
        user = s.scalar(select(t.AppUser).where(t.AppUser.username == "sneaky"))
        assert user is not None
        roles = dict(
            s.execute(
                select(t.Membership.practice_id, t.Membership.role).where(
                    t.Membership.user_id == user.id
                )
            ).all()
        )
    assert roles == {world.a: "biller"}


def test_roles_limit_what_a_member_may_do(world: World) -> None:
    front = world.client("a_front")
    assert front.get(f"/api/practices/{world.a}/claims").status_code == 403
    assert front.get(f"/api/practices/{world.a}/patients").status_code == 200
    auditor = world.client("a_auditor")
    assert auditor.get(f"/api/practices/{world.a}/audit").status_code == 200
    r = auditor.post(f"/api/practices/{world.a}/claims/{world.a_claim}/close", json={"why": "x"})
    assert r.status_code == 403 and "auditor may not" in r.json()["detail"]
    assert world.client(A_ONLY).get(f"/api/practices/{world.a}/users").status_code == 403


# --- the deny paths --------------------------------------------------------------------------


def test_no_session_and_forged_sessions_are_401(world: World) -> None:
    c = world.client()
    r = c.get(f"/api/practices/{world.a}/claims")
    assert r.status_code == 401 and r.json()["type"].endswith("/unauthenticated")
    c.cookies.set("__Host-otbill", "forged-token-value")
    assert c.get(f"/api/practices/{world.a}/claims").status_code == 401
    assert c.get("/api/me").status_code == 401


def _age_session(world: World, username: str, **delta: timedelta) -> None:
    with session_scope(world.engine) as s:
        user = s.scalar(select(t.AppUser).where(t.AppUser.username == username))
        assert user is not None
        for row in s.scalars(select(t.UserSession).where(t.UserSession.user_id == user.id)):
            if "idle" in delta:
                row.last_seen_at = datetime.now(UTC) - delta["idle"]
            if "absolute" in delta:
                row.expires_at = datetime.now(UTC) - delta["absolute"]


def test_idle_and_absolute_timeouts(world: World) -> None:
    c = world.client(A_ONLY)
    assert c.get("/api/me").status_code == 200
    _age_session(world, A_ONLY, idle=timedelta(minutes=16))
    assert c.get("/api/me").status_code == 401
    c = world.client(A_ONLY)
    _age_session(world, A_ONLY, absolute=timedelta(seconds=1))
    assert c.get("/api/me").status_code == 401


def test_logout_ends_the_session_at_once(world: World) -> None:
    c = world.client(A_ONLY)
    cookie = c.cookies.get("__Host-otbill")
    assert c.delete("/api/session").status_code == 200
    again = world.client()
    again.cookies.set("__Host-otbill", cookie)
    assert again.get("/api/me").status_code == 401


def test_csrf_is_required_on_every_unsafe_request(world: World) -> None:
    c = world.client(A_ONLY)
    path = f"/api/practices/{world.a}/claims/build"
    token = c.headers.pop("X-CSRF-Token")
    r = c.post(path)
    assert r.status_code == 403 and r.json()["type"].endswith("/csrf")
    assert c.post(path, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    evil = {"X-CSRF-Token": token, "Origin": "https://evil.example"}
    assert c.post(path, headers=evil).status_code == 403
    assert c.post(path, headers={"X-CSRF-Token": token}).status_code == 200
    # The token in a form field serves as well as the header (a plain HTML form).
    assert c.post(path, data={"csrf_token": token}).status_code == 200


def test_a_disabled_user_is_out_at_once(world: World) -> None:
    c = world.client(A_ONLY)
    admin = world.client("a_admin")
    assert admin.post(f"/api/practices/{world.a}/users/{A_ONLY}/disable").status_code == 200
    assert c.get("/api/me").status_code == 401
    r = world.client().post("/api/session", json={"username": A_ONLY, "password": PASSWORD})
    assert r.status_code == 401


def test_lock_out_after_five_failures_and_one_message_for_all(world: World) -> None:
    c = world.client()
    messages = set()
    for _ in range(5):
        r = c.post("/api/session", json={"username": A_ONLY, "password": "wrong password!"})
        assert r.status_code == 401
        messages.add(r.json()["detail"])
    r = c.post("/api/session", json={"username": A_ONLY, "password": PASSWORD})
    assert r.status_code == 401  # locked: even the right password
    messages.add(r.json()["detail"])
    r = c.post("/api/session", json={"username": "no.such.user", "password": PASSWORD})
    messages.add(r.json()["detail"])
    assert len(messages) == 1  # no enumeration: the same words whatever the reason
    with session_scope(world.engine) as s:
        reasons = [
            r.detail["why"]
            for r in s.scalars(select(t.AuditEvent).where(t.AuditEvent.event == "login"))
        ]
    assert "wrong password; the account is now locked" in reasons
    assert "the account is locked" in reasons and "no such user" in reasons


def test_an_admin_proves_a_second_factor(world: World) -> None:
    c = world.client("a_admin", totp=False)
    assert c.get("/api/me").status_code == 401  # password alone is not enough
    first = c.cookies.get("__Host-otbill")
    assert c.post("/api/session/totp", json={"code": "000000"}).status_code == 401
    code = pyotp.TOTP(world.totp_secret).now()
    assert c.post("/api/session/totp", json={"code": code}).status_code == 200
    assert c.cookies.get("__Host-otbill") != first  # a new session id: no fixation
    assert c.get("/api/me").json()["practices"][0]["role"] == "admin"
    old = world.client()
    old.cookies.set("__Host-otbill", first)
    assert old.get("/api/me").status_code == 401


def test_api_tokens_scoped_revocable_and_never_more_than_their_owner(world: World) -> None:
    admin = world.client("a_admin")
    made = admin.post(
        f"/api/practices/{world.a}/tokens", json={"name": "export", "role": "auditor"}
    ).json()
    machine = world.client()
    machine.headers["Authorization"] = f"Bearer {made['token']}"
    assert machine.get(f"/api/practices/{world.a}/claims").status_code == 200
    assert machine.get(f"/api/practices/{world.b}/claims").status_code == 404
    r = machine.post(f"/api/practices/{world.a}/claims/{world.a_claim}/close", json={"why": "x"})
    assert r.status_code == 403  # an auditor token reads only; no CSRF needed, no cookie sent
    with session_scope(world.engine) as s:
        row = s.get(t.ApiToken, made["id"])
        assert row is not None and made["token"] not in (row.token_hash,)
    assert admin.delete(f"/api/practices/{world.a}/tokens/{made['id']}").status_code == 200
    assert machine.get(f"/api/practices/{world.a}/claims").status_code == 401
    forged = world.client()
    forged.headers["Authorization"] = "Bearer otb_forged"
    assert forged.get(f"/api/practices/{world.a}/claims").status_code == 401
    # A biller cannot mint an admin's token.
    biller = world.client(A_ONLY)
    r = biller.post(f"/api/practices/{world.a}/tokens", json={"name": "x", "role": "admin"})
    assert r.status_code == 403


def test_security_headers_and_problem_documents(world: World) -> None:
    r = world.client(A_ONLY).get(f"/api/practices/{world.a}/claims/NOPE")
    assert r.status_code == 404
    body = r.json()
    assert set(body) >= {"type", "title", "status", "detail", "instance"}
    h = r.headers
    assert (
        "default-src 'self'" in h["content-security-policy"]
        and "frame-ancestors 'none'" in h["content-security-policy"]
    )
    assert h["strict-transport-security"].startswith("max-age=31536000")
    assert h["x-content-type-options"] == "nosniff" and h["cache-control"] == "no-store"
    # otbill's own static files may be cached (no patient's data), with the same headers.
    static = world.client().get("/static/otbill.css")
    assert static.status_code == 200 and static.headers["cache-control"] == "public, max-age=3600"
    assert static.headers["x-content-type-options"] == "nosniff"
    assert (
        "secure"
        in world.client()
        .post("/api/session", json={"username": A_ONLY, "password": PASSWORD})
        .headers["set-cookie"]
        .lower()
    )


def test_sort_keys_are_allow_listed(world: World) -> None:
    c = world.client(A_ONLY)
    assert c.get(f"/api/practices/{world.a}/claims", params={"sort": "-charge"}).status_code == 200
    r = c.get(f"/api/practices/{world.a}/claims", params={"sort": "number; DROP TABLE claim"})
    assert r.status_code == 400 and "sort by" in r.json()["detail"]


# --- the audit log ---------------------------------------------------------------------------


def test_an_audit_row_for_each_access_and_refusal(world: World) -> None:
    c = world.client(A_ONLY)
    before = len(audit_rows(world.engine))
    c.get(f"/api/practices/{world.a}/claims/{world.a_claim}")
    c.get(f"/api/practices/{world.b}/claims/{world.b_claim}")
    rows = audit_rows(world.engine)[before:]
    assert [(r.event, r.outcome, r.action) for r in rows] == [
        ("claim.read", "success", "R"),
        ("claim.read", "denied", "R"),
    ]
    read = rows[0]
    assert (read.username, read.practice_id, read.resource) == (
        A_ONLY,
        world.a,
        f"claim {world.a_claim}",
    )
    assert read.patient_id is not None and read.ip and read.request_id
    assert rows[1].practice_id == world.b and rows[1].detail["status"] == 404


def test_the_audit_log_is_append_only_and_an_altered_row_is_caught(world: World) -> None:
    world.client(A_ONLY).get(f"/api/practices/{world.a}/claims")
    with session_scope(world.engine) as s:
        n, breaks = verify(s)
        assert n >= 2 and breaks == []
    # The database refuses a change, whoever the application is.
    with pytest.raises(Exception, match="append-only"), session_scope(world.engine) as s:
        s.execute(text("UPDATE audit_event SET username = 'someone' WHERE id = 2"))
    # Someone with the database's keys drops the wall and edits a row: the chain shows it.
    pg = world.engine.dialect.name == "postgresql"
    with session_scope(world.engine) as s:
        s.execute(
            text(
                "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"
                if pg
                else "DROP TRIGGER audit_event_no_update"
            )
        )
        s.execute(text("UPDATE audit_event SET username = username || '!' WHERE id = 2"))
    with session_scope(world.engine) as s:
        _, breaks = verify(s)
    assert breaks and breaks[0].id == 2 and "changed" in breaks[0].problem
    r = world.client("a_auditor").get(f"/api/practices/{world.a}/audit/verify").json()
    assert r["intact"] is False and r["breaks"][0]["id"] == 2


# --- a request naming another practice in its body, its query or its file ----------------------


def rows_of(w: World, practice: int) -> dict[str, list[str]]:
    """Every row the practice owns: its own (a practice's id) and its claims' (a claim's id)."""
    out: dict[str, list[str]] = {}
    with session_scope(w.engine) as s:
        claims = list(s.scalars(select(t.Claim.id).where(t.Claim.practice_id == practice)))
        for table in t.Base.metadata.sorted_tables:
            if "practice_id" in table.c:
                q = select(table).where(table.c.practice_id == practice)
            elif "claim_id" in table.c:
                q = select(table).where(table.c.claim_id.in_(claims))
            else:
                continue
            out[table.name] = sorted(repr(tuple(r)) for r in s.execute(q))
    return out


def test_every_write_of_a_naming_b_in_its_body_or_query_leaves_b_alone(world: World) -> None:
    """A's admin, every unsafe route of A's practice with A's own objects, and B's id put in
    the body (as practice_id and practice) and the query: B's rows stay as they were, and
    nothing answers with a server error. The practice is the path's, never the payload's."""
    w = world
    ids = objects_of(w, w.a, w.a_claim, "a_biller", "PA-1")
    table = samples(w, ids)
    with session_scope(w.engine) as s:  # a claim still open to silencing, splitting
        s.execute(text("UPDATE claim SET state = 'ready' WHERE number = :n"), {"n": w.a_claim})
    before = rows_of(w, w.b)
    c = w.client("a_admin")
    done = 0
    last = ("/close", "/void", "/batches")  # the claim's other actions first
    for method, suffix in sorted(practice_routes(w), key=lambda r: (r[1].endswith(last), r)):
        if method == "GET":
            continue
        extra = dict(table[(method, suffix)])
        extra["params"] = {**extra.get("params", {}), "practice_id": w.b}
        if "json" in extra:
            extra["json"] = {**extra["json"], "practice_id": w.b, "practice": w.b}
        if "files" in extra:
            extra["data"] = {"practice_id": str(w.b)}
        r = call(c, method, fill("/api/practices/{practice_id}" + suffix, w.a, ids), extra)
        assert r.status_code < 500, (method, suffix, r.status_code, r.text[:200])
        done += r.status_code < 300
    assert done >= 15  # most were carried out, in A: the test is not of refusals
    assert rows_of(w, w.b) == before


def test_a_file_of_b_posted_to_a_changes_nothing_of_b(world: World) -> None:
    """The other way in: the payload is a file. B's visits uploaded to A fail the job and
    write nothing; an 835 paying B's claims, posted to A, finds none of A's claims to pay."""
    import json

    from conftest import episode_doc
    from otbill.demo.remit import remittance
    from otbill.ledger.claims import as_claims, list_claims
    from otbill.x12.t835_write import build_835
    from otbill.x12.writer import InterchangeInfo

    w = world
    before = rows_of(w, w.b)
    c = w.client("a_manager")
    doc = json.dumps(episode_doc("1245319599", "PB-1", "VB")).encode()  # B's NPI
    r = c.post(f"/api/practices/{w.a}/visits", files={"file": ("b.json", doc)})
    job = c.get(r.json()["progress"]).json()
    assert job["state"] == "failed" and "another practice's" in job["error"], job
    with session_scope(w.engine) as s:
        b_claims = as_claims(list_claims(s, w.b, "submitted"))
    era = remittance(b_claims, seed=3)
    text_835 = build_835([era], InterchangeInfo("MCR", "P", 9, datetime(2026, 4, 1, tzinfo=UTC)))
    r = c.post(f"/api/practices/{w.a}/remittances", files={"file": ("b.835", text_835.encode())})
    job = c.get(r.json()["progress"]).json()
    assert job["state"] == "done", job
    assert job["result"]["claims_posted"] == 0, job["result"]
    assert rows_of(w, w.b) == before
