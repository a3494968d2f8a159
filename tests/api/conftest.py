"""A workbench world for the API tests: practices A and B, each with the example episode's
claims built and sent, and users of each role; a billing company's user in both; an admin of A
who proves a TOTP code. Clients speak HTTPS to the app (the session cookie is __Host-, so
Secure)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from otbill.access.accounts import create_user, enroll_totp, grant
from otbill.api.app import create_app
from otbill.ledger import schema as t
from otbill.ledger.claims import build_claims, list_claims, submit
from otbill.ledger.db import session_scope
from otbill.ledger.jobs import InlineRunner
from otbill.ledger.store import import_episodes
from otbill.load.json_doc import load_document

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
WHEN = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def episode_doc(npi: str, patient: str, visit_prefix: str) -> dict[str, Any]:
    doc = json.loads((ROOT / "schemas/examples/episode.json").read_text())
    doc = copy.deepcopy(doc)
    doc["practice"]["npi"] = npi
    doc["patient"]["id"] = patient
    for v in doc["visits"]:
        v["id"] = v["id"].replace("V-2026", visit_prefix)
    return doc


@dataclass
class World:
    engine: Engine
    a: int  # practice ids
    b: int
    a_claim: str  # a claim number of each
    b_claim: str
    totp_secret: str

    def client(
        self, username: str | None = None, totp: bool = True, runner: Any = None
    ) -> TestClient:
        app = create_app(self.engine, runner or InlineRunner(self.engine))
        c = TestClient(app, base_url="https://testserver")
        if username:
            r = c.post("/api/session", json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            if r.json()["mfa_required"] and totp:
                code = pyotp.TOTP(self.totp_secret).now()
                r = c.post("/api/session/totp", json={"code": code})
                assert r.status_code == 200, r.text
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return c


def make_world(engine: Engine, tmp: Path) -> World:
    with session_scope(engine) as s:
        a = import_episodes(s, [load_document(episode_doc("1234567893", "PA-1", "VA"))]).practice_id
        b = import_episodes(s, [load_document(episode_doc("1245319599", "PB-1", "VB"))]).practice_id
        for pid in (a, b):
            build_claims(s, pid, date(2026, 3, 20))
    for pid in (a, b):
        with session_scope(engine) as s:
            submit(s, pid, tmp / f"{pid}.837", when=WHEN)
    with session_scope(engine) as s:
        users = {}
        for name in (
            "a_biller",
            "b_biller",
            "company",
            "a_admin",
            "a_auditor",
            "a_front",
            "a_coder",
            "a_manager",
            "nobody",
        ):
            users[name] = create_user(s, name, name.replace("_", " ").title(), PASSWORD)
        grant(s, users["a_biller"], a, "biller")
        grant(s, users["b_biller"], b, "biller")
        grant(s, users["company"], a, "biller")
        grant(s, users["company"], b, "manager")
        grant(s, users["a_admin"], a, "admin")
        grant(s, users["a_auditor"], a, "auditor")
        grant(s, users["a_front"], a, "front_desk")
        grant(s, users["a_coder"], a, "coder")
        grant(s, users["a_manager"], a, "manager")
        uri = enroll_totp(s, users["a_admin"])
        secret = pyotp.parse_uri(uri).secret
        a_claim = list_claims(s, a)[0].number
        b_claim = list_claims(s, b)[0].number
    return World(engine, a, b, a_claim, b_claim, secret)


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> World:
    return make_world(engine, tmp_path)


def audit_rows(engine: Engine) -> list[t.AuditEvent]:
    from sqlalchemy import select

    with session_scope(engine) as s:
        rows = list(s.scalars(select(t.AuditEvent).order_by(t.AuditEvent.id)))
        s.expunge_all()
    return rows
