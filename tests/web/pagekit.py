"""What the page tests share: the API tests' world (practices A and B, users of every role; read
from tests/api/conftest.py by its path) with an 835 posted to each practice that denies one
claim (CO-50, medical necessity) and pays one no claim is found for; a draft claim held for an
unsigned note in A; clients that sign in through the login page; and the CSRF token read from a
page as a browser would.

tests/web has no conftest.py: a second module named conftest after tests/api's would be the one
`from conftest import ...` finds when tests/api's tests import it lazily. Each test module
takes the fixture with ``pages = pages_fixture()``."""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from otbill.api.app import create_app
from otbill.demo.remit import remittance
from otbill.ledger import schema as t
from otbill.ledger.claims import as_claims, build_claims, list_claims
from otbill.ledger.db import session_scope
from otbill.ledger.jobs import InlineRunner
from otbill.ledger.posting import post_835
from otbill.ledger.store import import_episodes
from otbill.load.json_doc import load_document
from otbill.model.remittance import Adjustment, Remittance
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo

HERE = Path(__file__).resolve().parent


def _api_world() -> Any:
    name = "otbill_tests_api_world"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE.parent / "api" / "conftest.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


api_world = _api_world()
PASSWORD: str = api_world.PASSWORD
DENIED = "-0003"  # the claim of each practice the 835 denies
STRANGER = "NOT-OURS-5"  # the patient control number of the payment no claim is found for


def era(claims: list[Any], seed: int = 3) -> Remittance:
    """The demo payer's answer, with the third claim denied CO-50 (not medically necessary,
    RARC N115) and the fifth claim's payment naming a claim number the practice never sent."""
    r = remittance(claims, seed=seed)
    out = []
    for cp in r.claims:
        if cp.patient_control_number.endswith(DENIED):
            services = tuple(
                replace(
                    s, paid=Decimal("0.00"), adjustments=(Adjustment("CO", "50", s.charge),),
                    remarks=("N115",), allowed=None,
                )
                for s in cp.services
            )  # fmt: skip
            cp = replace(
                cp, status="4", paid=Decimal("0.00"), patient_responsibility=Decimal("0.00"),
                services=services,
            )  # fmt: skip
        elif cp.patient_control_number.endswith("-0005"):
            cp = replace(cp, patient_control_number=STRANGER, payer_claim_number="PCN-STRANGER")
        out.append(cp)
    total = sum((cp.paid for cp in out), Decimal("0.00"))
    return replace(r, claims=tuple(out), amount=total)


def era_text(claims: list[Any], seed: int = 3, control: int = 9) -> str:
    info = InterchangeInfo("MCR", "P", control, datetime(2026, 4, 1, tzinfo=UTC))
    return build_835([era(claims, seed)], info)


@dataclass
class Pages:
    """The world of the API tests, with each practice's 835 posted."""

    world: Any
    engine: Engine
    a: int
    b: int
    a_denied: str  # claim numbers
    b_denied: str
    a_draft: str  # A's claim held for an unsigned note (OT-DOC-001)
    a_item: int  # the open denial item of each practice
    b_item: int
    a_unmatched: int
    b_unmatched: int

    def client(self, username: str | None = None, totp: bool = True) -> TestClient:
        """A browser-like client: signed in through the login page (and the code page for an
        admin), no CSRF header of its own (forms carry the token)."""
        app = create_app(self.engine, InlineRunner(self.engine))
        c = TestClient(app, base_url="https://testserver", follow_redirects=False)
        if username:
            r = c.post("/login", data={"username": username, "password": PASSWORD})
            assert r.status_code == 303, r.text
            if r.headers["location"].startswith("/login/totp") and totp:
                form = c.get(r.headers["location"])
                code = pyotp.TOTP(self.world.totp_secret).now()
                r = c.post("/login/totp", data={"code": code, "csrf_token": csrf_of(form.text)})
                assert r.status_code == 303, r.text
        return c

    def csrf(self, c: TestClient) -> str:
        """The session's CSRF token, as a page carries it in its forms."""
        r = c.get(f"/p/{self.a}/patients")
        assert r.status_code == 200, r.text
        return csrf_of(r.text)


def pages_fixture() -> Any:
    """The ``pages`` fixture, for a test module to take as its own."""

    @pytest.fixture(name="pages")
    def pages(engine: Engine, tmp_path: Path) -> Pages:
        return make_pages(engine, tmp_path)

    return pages


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m[1]


def _post_era(engine: Engine, pid: int) -> None:
    with session_scope(engine) as s:
        claims = as_claims(list_claims(s, pid, "submitted"))
    with session_scope(engine) as s:
        post_835(s, pid, era_text(claims), "week.835")


def make_pages(engine: Engine, tmp: Path) -> Pages:
    w = api_world.make_world(engine, tmp)
    for pid in (w.a, w.b):
        _post_era(engine, pid)
    doc = api_world.episode_doc("1234567893", "PA-2", "VC")
    doc["visits"][1]["documentation"]["note_signed"] = False
    with session_scope(engine) as s:
        import_episodes(s, [load_document(doc)])
        build_claims(s, w.a, date(2026, 3, 20))
    with session_scope(engine) as s:
        items = {
            pid: s.scalar(
                select(t.WorkItem.id)
                .where(t.WorkItem.practice_id == pid, t.WorkItem.state == "open")
                .order_by(t.WorkItem.id)
            )
            for pid in (w.a, w.b)
        }
        unmatched = {
            pid: s.scalar(select(t.Unmatched.id).where(t.Unmatched.practice_id == pid))
            for pid in (w.a, w.b)
        }
    assert None not in items.values() and None not in unmatched.values()
    return Pages(
        w,
        engine,
        w.a,
        w.b,
        f"VA{DENIED}",
        f"VB{DENIED}",
        doc["visits"][1]["id"],
        items[w.a],
        items[w.b],
        unmatched[w.a],
        unmatched[w.b],
    )


# A 271 of the project's own writing (tests/x12/test_eligibility.py): active, OT visits 30
# allowed and 18 left, a $40 co-pay and 20% co-insurance for OT, the plan's deductible.
A_271 = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *260301*1200*^*"
    "00501*000000001*0*P*:~GS*HB*PAYER*CLINIC*20260301*1200*1*X*005010X279A1~"
    "ST*271*0001*005010X279A1~BHT*0022*11*REF1*20260301*1200~HL*1**20*1~"
    "NM1*PR*2*ACME HEALTH*****PI*ACME~HL*2*1*21*1~NM1*1P*2*RIVERSIDE OT*****XX*1234567893~"
    "HL*3*2*22*0~TRN*2*T1*1861234567~NM1*IL*1*PRICE*ELEANOR****MI*ACM1~"
    "DTP*346*D8*20260101~EB*1**30**PPO GOLD~"
    "EB*C*IND*30***23*1500~EB*C*IND*30***29*1200.50~"
    "EB*G*IND*30***23*6000~EB*G*IND*30***29*5100~"
    "EB*A*IND*AD***27**0.2~EB*B*IND*AD***27*40~"
    "EB*F**AD***23***VS*30~EB*F**AD***29***VS*18~MSG*VISITS COMBINED WITH PT~"
    "EB*CB**AD********Y~SE*22*0001~GE*1*1~IEA*1*000000001~"
)
