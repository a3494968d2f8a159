"""The workbench in a real browser: Debian's Chromium driven by Playwright, against the server
as `otbill serve` runs it (uvicorn on 127.0.0.1, a free port, the server's own job thread) over
a new SQLite ledger of the demo practice whose week of claims was sent and whose 835 is not
posted yet. A biller signs in, posts the 835 through the upload form and watches it post,
matches the payment no claim was found for, works a denial from the queue by keyboard to an
appeal (the letter read on the page, its PDF downloaded, the appeal filed), and sees the
dashboard; every page is kept as a screenshot (OTBILL_SCREENSHOTS, default build/screenshots),
at 1280 px and a tablet's 768 px. No console error on any page: htmx under the CSP included.

Chromium comes from the system (`apt-get install chromium`): Playwright's own browser download
is not used. Without it the test is skipped, except in CI (CI set), where it fails."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from otbill.access.accounts import create_user, enroll_totp, grant
from otbill.api.app import create_app
from otbill.demo.practice import generate_practice
from otbill.demo.remit import remittance
from otbill.ledger import schema as t
from otbill.ledger.claims import as_claims, build_claims, list_claims, submit
from otbill.ledger.db import make_engine, session_scope
from otbill.ledger.jobs import ThreadRunner
from otbill.ledger.migrate import upgrade
from otbill.ledger.store import import_episodes
from otbill.load.json_doc import load_document
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo
from pagekit import A_271, PASSWORD, api_world

ROOT = Path(__file__).resolve().parents[2]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
UNMATCHED = "NOT-OURS-1"


def chromium() -> str:
    """The system's Chromium, or skip (fail in CI: the browser test is part of the proof)."""
    found = os.environ.get("OTBILL_CHROMIUM") or shutil.which("chromium")
    found = found or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        found, why = None, "Playwright for Python is not installed (pip install -e '.[dev]')"
    else:
        why = "no Chromium found: apt-get install -y chromium (or set OTBILL_CHROMIUM)"
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return found


@dataclass
class Served:
    url: str
    engine: Any
    practice_id: int
    era: Path
    unmatched_claim: str  # the claim the stray payment belongs to
    totp_secret: str


def demo_ledger(folder: Path) -> tuple[Any, int, Path, str, str]:
    """The demo practice's week of March 9, 2026 built and sent (as run_ledger_demo does it),
    the demo payer's 835 written to a file with one payment's claim number changed so that no
    claim is found for it; a biller to sign in."""
    practice = generate_practice(seed=7, patients=60, year=2026)
    end, as_of = date(2026, 3, 15), date(2026, 3, 18)  # the week of March 9, billed Wednesday
    episodes = [
        replace(e, visits=tuple(v for v in e.visits if v.date <= end))
        for e in practice.episodes
        if any(v.date <= end for v in e.visits)
    ]
    engine = make_engine(f"sqlite:///{folder / 'otbill.db'}")
    upgrade(engine)
    with session_scope(engine) as s:
        pid = import_episodes(s, episodes).practice_id
    with session_scope(engine) as s:
        build_claims(s, pid, as_of)
    when = datetime.combine(as_of, clock(9), tzinfo=UTC)
    with session_scope(engine) as s:
        assert submit(s, pid, folder / "claims.837", when=when) is not None
    with session_scope(engine) as s:
        sent = as_claims(list_claims(s, pid, "submitted"))
        create_user(s, "demo.biller", "Dana Biller", PASSWORD)
        user = s.scalar(select(t.AppUser).where(t.AppUser.username == "demo.biller"))
        assert user is not None
        grant(s, user, pid, "biller")
        # A second practice the biller works for (the example episode): the first page
        # shows both side by side. And an admin, who proves a TOTP code at sign-in.
        other = import_episodes(
            s, [load_document(api_world.episode_doc("1245319599", "PB-1", "VB"))]
        )
        build_claims(s, other.practice_id, as_of)
        grant(s, user, other.practice_id, "manager")
        admin = create_user(s, "demo.admin", "Alex Admin", PASSWORD)
        grant(s, admin, pid, "admin")
        secret = pyotp.parse_uri(enroll_totp(s, admin)).secret
    era = remittance(sent, seed=11)
    stray = era.claims[-1]
    claims = (
        *era.claims[:-1],
        replace(stray, patient_control_number=UNMATCHED, payer_claim_number="X1", patient_id=""),
    )
    era = replace(era, claims=claims, amount=sum((c.paid for c in claims), Decimal("0.00")))
    path = folder / "week.835"
    path.write_text(build_835([era], InterchangeInfo("DEMO", "P", 1, when)))
    return engine, pid, path, stray.patient_control_number, secret


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    import uvicorn

    chromium()  # skip before building anything when there is no browser
    folder = tmp_path_factory.mktemp("browser")
    engine, pid, era, claim, secret = demo_ledger(folder)
    port = free_port()
    app = create_app(engine, ThreadRunner(engine))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "the server did not start"
    yield Served(f"http://127.0.0.1:{port}", engine, pid, era, claim, secret)
    server.should_exit = True
    thread.join(10)
    engine.dispose()


def shots() -> Path:
    folder = Path(os.environ.get("OTBILL_SCREENSHOTS") or ROOT / "build" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_biller_posts_an_835_works_a_denial_to_an_appeal_and_sees_the_dashboard(
    served: Served,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    out = shots()
    base, pid = served.url, served.practice_id
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=ARGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        def shot(name: str) -> None:
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)

        # Signing in, sent there from the page asked for and back to it after.
        page.goto(f"{base}/p/{pid}/denials")
        expect(page).to_have_url(f"{base}/login?next=/p/{pid}/denials")
        assert page.evaluate("document.activeElement.id") == "username"
        shot("01-login")
        page.get_by_label("Username").fill("demo.biller")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{base}/p/{pid}/denials")
        empty = page.locator("table.queue caption").inner_text()
        assert empty.startswith("0 items"), empty  # nothing denied before the 835
        # The focus order starts at the skip link, which takes you past the navigation; the
        # focus is visible.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert ring == "solid"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"

        # The dashboard before: the week sent, nothing paid yet.
        page.get_by_role("link", name="Dashboard").click()
        expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
        assert "submitted" in page.locator("#states-h + .table-wrap").inner_text()
        shot("02-dashboard-before")

        # Post the 835 through the form; the job's progress is polled until it is posted.
        page.get_by_role("link", name="Remittances").click()
        page.get_by_label("An 835 remittance (ERA)").set_input_files(str(served.era))
        page.get_by_role("button", name="Post the 835").click()
        status = page.locator("#job-status")
        expect(status).to_have_attribute("aria-live", "polite")
        expect(status).to_contain_text("Posted:", timeout=20_000)
        # The lists came with the last poll, swapped in place (no reload).
        expect(page.locator("#unmatched-list")).to_contain_text(UNMATCHED)
        assert "No remittance posted yet" not in page.locator("#remits-list").inner_text()
        shot("03-remittance-posted")

        # Match the stray payment by hand to its claim.
        page.locator("#unmatched-list input[name=claim]").first.fill(served.unmatched_claim)
        page.get_by_role("button", name="Post it there").first.click()
        expect(page.get_by_role("status")).to_contain_text(
            f"Payment matched to claim {served.unmatched_claim}"
        )
        shot("04-remittances-matched")

        # The queue, by keyboard: j to the first item, Enter opens it.
        page.get_by_role("link", name="Denials").click()
        caption = page.locator("table.queue caption").inner_text()
        assert not caption.startswith("0 items"), caption
        shot("05-denial-queue")
        page.wait_for_load_state()  # the keys' script has run
        page.keyboard.press("j")
        first = page.evaluate("document.activeElement.textContent")
        assert first.startswith("Item "), first
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text(first)
        page.wait_for_load_state()
        page.keyboard.press("a")
        assert page.evaluate("document.activeElement.id") == "assign-to"
        page.keyboard.type("demo.biller")
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_contain_text("assigned to demo.biller")
        shot("06-denial-item")

        # The appeal letter, read on the page; its PDF downloaded; then the appeal filed.
        page.get_by_role("link", name="preview the appeal letter").click()
        expect(page.locator("article.letter")).to_contain_text("Dana Biller")
        shot("07-appeal-letter")
        with page.expect_download() as got:
            page.get_by_role("link", name="Download the letter (PDF)").click()
        pdf = Path(got.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF") and len(pdf) > 2000
        (out / "appeal-letter.pdf").write_bytes(pdf)
        page.get_by_label("Why the denial is wrong").fill(
            "The plan of care and the progress note show the skilled need for each unit."
        )
        page.get_by_role("button", name="File the appeal with this letter").click()
        expect(page.get_by_role("status")).to_contain_text("appeal")
        shot("08-after-appeal")
        item_id = int(first.split()[1])
        with session_scope(served.engine) as s:
            item = s.get(t.WorkItem, item_id)
            assert item is not None and item.outcome == "appealed"
            appeal = s.scalar(select(t.Appeal).where(t.Appeal.item_id == item_id))
            assert appeal is not None and appeal.doc["letter"]["title"]

        # A claim with its findings, the claims, patients, eligibility.
        with session_scope(served.engine) as s:
            draft = s.scalar(
                select(t.Claim.number).where(t.Claim.practice_id == pid, t.Claim.state == "draft")
            )
            owing = s.scalar(select(t.Patient.ext_id).where(t.Patient.practice_id == pid))
        page.goto(f"{base}/p/{pid}/claims/{draft}")
        expect(page.get_by_role("heading", name="Findings")).to_be_visible()
        page.locator("details summary").first.click()
        shot("09-claim-with-findings")
        page.goto(f"{base}/p/{pid}/claims")
        shot("10-claims")
        page.goto(f"{base}/p/{pid}/patients?owing=true")
        shot("11-patients")
        page.goto(f"{base}/p/{pid}/patients/{owing}")
        shot("12-patient")
        page.goto(f"{base}/p/{pid}/eligibility")
        answer = out / "answer.271"
        answer.write_text(A_271)
        page.get_by_label("A 271 eligibility response").set_input_files(str(answer))
        page.get_by_role("button", name="Read it").click()
        expect(page.locator("article.coverage")).to_contain_text("occupational therapy (AD)")
        shot("13-eligibility-271")
        page.goto(f"{base}/p/{pid}/rules/OT-DOC-001")
        shot("13-rule")
        before = len(errors)
        page.goto(f"{base}/p/{pid}/claims/NO-SUCH-CLAIM")
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        shot("13-not-found")
        del errors[before:]  # the browser logs the 404 asked for here as an error

        # The dashboard after: money posted, the queue's size and deadlines.
        page.goto(f"{base}/p/{pid}")
        assert "paid" in page.locator("#states-h + .table-wrap").inner_text()
        expect(page.locator("#queue-h + .table-wrap tbody tr").first).to_contain_text("CO-")
        shot("14-dashboard-after")

        # The first page: each practice the biller works for, side by side.
        page.goto(f"{base}/")
        expect(page.get_by_role("heading", name="Your practices")).to_be_visible()
        assert page.locator("tbody tr").count() == 2
        shot("16-practices")

        # A tablet held upright: the same pages, nothing wider than the screen.
        page.set_viewport_size({"width": 768, "height": 1024})
        for name, path in (
            ("dashboard", ""),
            ("denial-queue", "/denials"),
            ("claim", f"/claims/{draft}"),
        ):
            page.goto(f"{base}/p/{pid}{path}")
            shot(f"15-tablet-{name}")
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 768, (name, wide)
            # The queue and the dashboard's tables fit without scrolling sideways.
            if name != "claim":
                spill = page.evaluate(
                    "[...document.querySelectorAll('.table-wrap')]"
                    ".filter(w => w.scrollWidth > w.clientWidth).length"
                )
                assert spill == 0, (name, spill)
            shot(f"15-tablet-{name}")

        # An admin signs in with the code of an authenticator app.
        admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        admin.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        admin.goto(f"{base}/login")
        admin.get_by_label("Username").fill("demo.admin")
        admin.get_by_label("Password").fill(PASSWORD)
        admin.get_by_role("button", name="Sign in").click()
        expect(admin.get_by_role("heading", name="Your authenticator code")).to_be_visible()
        admin.screenshot(path=str(out / "17-second-factor.png"), full_page=True)
        admin.get_by_label("Code").fill(pyotp.TOTP(served.totp_secret).now())
        admin.get_by_role("button", name="Continue").click()
        expect(admin.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
        browser.close()
    assert errors == [], errors
