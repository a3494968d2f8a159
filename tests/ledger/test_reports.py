"""The reports over a small ledger built in the test (SQLite and PostgreSQL), every KPI checked
against figures worked by hand from the claims below.

The example episode's five Medicare claims (dates of service in March 2026):
  C1 235.00  97166 185.00, 97535 50.00       sent 03-20   paid 05-10
  C2 162.00  97530 110.00, 97112 52.00       sent 03-20   denied CO-50 N115 05-10, appealed
                                                          05-20, paid on appeal 06-15
  C3 202.00  97112 104.00, 97110 48.00,      sent 04-03   97112 denied CO-97 05-10, written
             97535 50.00                                  off 06-01; the others paid
  C4 165.00  97530 165.00                    sent 04-03   returned CO-16 M51 + MA130 05-10
  C5 230.00  97530 110.00, 97168 120.00      sent 04-03   (sent back to draft once) paid 06-15
Paid lines: allowed 80% of the charge, CO-45 the rest, PR-2 20% of the allowed.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from otbill.corpus.defects import Y16, M, add_services, with_doc
from otbill.corpus.scenarios import scenario
from otbill.ledger import schema as t
from otbill.ledger.accumulators import accumulators
from otbill.ledger.books import accounts_receivable
from otbill.ledger.claims import as_claims, build_claims, list_claims, move, submit
from otbill.ledger.db import session_scope
from otbill.ledger.denials import act, list_items
from otbill.ledger.payments import record_payment
from otbill.ledger.posting import post_835
from otbill.ledger.reports import build_report
from otbill.ledger.reports.compliance import kx_totals
from otbill.ledger.reports.facts import refresh
from otbill.ledger.store import import_episodes
from otbill.load.json_doc import load_document
from otbill.model import Claim, Service
from otbill.model.remittance import Adjustment, ClaimPayment, Remittance, ServicePayment
from otbill.x12.t835_write import build_835
from otbill.x12.writer import InterchangeInfo

ROOT = Path(__file__).resolve().parents[2]
D = Decimal
ZERO = D("0.00")
MAY_10, JUNE_15 = date(2026, 5, 10), date(2026, 6, 15)


def _at(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, 12, 0, tzinfo=UTC)


def svc(c: Claim, n: int, *, deny: tuple[str, str] | None = None,
        remarks: tuple[str, ...] = ()) -> ServicePayment:  # fmt: skip
    ln = c.lines[n]
    if deny is not None:
        adj: tuple[Adjustment, ...] = (Adjustment(deny[0], deny[1], ln.charge),)
        paid, allowed = ZERO, None
    else:
        allowed = (ln.charge * D("0.8")).quantize(D("0.01"))
        coins = (allowed * D("0.2")).quantize(D("0.01"))
        adj = (Adjustment("CO", "45", ln.charge - allowed), Adjustment("PR", "2", coins))
        paid = allowed - coins
    return ServicePayment(
        ln.code, ln.modifiers, ln.charge, paid, D(ln.units), None, (), None, date=ln.date,
        adjustments=adj, remarks=remarks, allowed=allowed,
    )  # fmt: skip


def pay(c: Claim, *services: ServicePayment, remarks: tuple[str, ...] = ()) -> ClaimPayment:
    paid = sum((s.paid for s in services), ZERO)
    pr = sum((a.amount for s in services for a in s.adjustments if a.group == "PR"), ZERO)
    return ClaimPayment(
        c.id, "1" if paid else "4", c.total_charge, paid, pr, "MB", f"PCN-{c.id}", "11", "1",
        "PRICE", "ELEANOR", c.member_id, services=services, remarks=remarks,
    )  # fmt: skip


def post(engine: Engine, pid: int, day: date, *payments: ClaimPayment) -> None:
    total = sum((p.paid for p in payments), ZERO)
    r = Remittance(
        "0001", "I", total, "C", "CHK", day, f"T{day:%Y%m%d}", "1999999999", "MEDICARE", "MCR",
        "PRACTICE", "1234567893", day, payments, (), (),
    )  # fmt: skip
    with session_scope(engine) as s:
        post_835(s, pid, build_835([r], InterchangeInfo("MCR", "P", 1, _at(day))), name=f"{day}")


def _clock(monkeypatch: pytest.MonkeyPatch, d: date) -> None:
    """The queue's "now" (when an item closes) on the day the story says."""
    for module in ("otbill.ledger.queue", "otbill.ledger.denials"):
        monkeypatch.setattr(f"{module}.now", lambda: _at(d))


def ledger(
    engine: Engine, tmp: Path, monkeypatch: pytest.MonkeyPatch, until: date = JUNE_15
) -> int:
    """The story of the module's text, through the ledger's own steps, to ``until``."""
    doc = json.loads((ROOT / "schemas/examples/episode.json").read_text())
    with session_scope(engine) as s:
        pid = import_episodes(s, [load_document(doc)]).practice_id
        build_claims(s, pid, date(2026, 3, 20))
        rows = {r.number: r for r in list_claims(s, pid)}
        c5 = rows["V-2026-0005"]
        # Sent back to draft once (a biller's rework), then ready again: not clean.
        move(s, c5, "draft", "ann", "the note needs the therapist's signature")
        move(s, c5, "ready", "ann", "signed")
        # What the scrubber found on two of them as they went out (for the compliance report).
        rows["V-2026-0003"].findings = _finding("OT-PR-001")
        c5.findings = _finding("OT-POC-003")
        # C3-C5 wait for April's batch (held without an event: the lifecycle has no "held").
        later = ["V-2026-0003", "V-2026-0004", "V-2026-0005"]
        s.execute(update(t.Claim).where(t.Claim.number.in_(later)).values(state="draft"))
    with session_scope(engine) as s:
        submit(s, pid, tmp / "march.837", when=_at(date(2026, 3, 20)))
        s.execute(update(t.Claim).where(t.Claim.number.in_(later)).values(state="ready"))
    with session_scope(engine) as s:
        submit(s, pid, tmp / "april.837", when=_at(date(2026, 4, 3)))
        c1, c2, c3, c4, c5m = as_claims(list_claims(s, pid))
    _clock(monkeypatch, MAY_10)
    post(
        engine, pid, MAY_10,
        pay(c1, svc(c1, 0), svc(c1, 1)),
        pay(c2, svc(c2, 0, deny=("CO", "50"), remarks=("N115",)),
            svc(c2, 1, deny=("CO", "50"), remarks=("N115",))),
        pay(c3, svc(c3, 0, deny=("CO", "97")), svc(c3, 1), svc(c3, 2)),
        pay(c4, svc(c4, 0, deny=("CO", "16"), remarks=("M51",)), remarks=("MA130",)),
    )  # fmt: skip
    with session_scope(engine) as s:
        record_payment(s, pid, doc["patient"]["id"], D("50.00"), date(2026, 5, 20), "card")
        (c2_item,) = list_items(s, pid, MAY_10, reason="CO-50", state="open")[:1]
        _clock(monkeypatch, date(2026, 5, 20))
        act(s, pid, c2_item.id, "appeal", "ann", "the plan of care supports it", date(2026, 5, 20))
    if until < JUNE_15:
        return pid
    with session_scope(engine) as s:
        (c3_item,) = list_items(s, pid, MAY_10, reason="CO-97", state="open")
        _clock(monkeypatch, date(2026, 6, 1))
        act(s, pid, c3_item.id, "write_off", "ann", "no modifier applies", date(2026, 6, 1),
            code="NA")  # fmt: skip
    _clock(monkeypatch, JUNE_15)
    post(engine, pid, JUNE_15, pay(c2, svc(c2, 0), svc(c2, 1)), pay(c5m, svc(c5m, 0), svc(c5m, 1)))
    return pid


def _finding(rule: str) -> dict[str, Any]:
    return {"as_of": "2026-03-20", "items": [{"rule": rule, "severity": "error", "message": ""}]}


def report(engine: Engine, pid: int, kind: str, start: date, end: date, as_of: date,
           **kw: Any) -> Any:  # fmt: skip
    with session_scope(engine) as s:
        return build_report(s, pid, kind, start, end, as_of, **kw)


@pytest.fixture
def story(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Engine, int]:
    return engine, ledger(engine, tmp_path, monkeypatch)


def test_initial_denial_rates_follow_hfma_over_the_three_months_before(
    story: tuple[Engine, int],
) -> None:
    engine, pid = story
    r = report(engine, pid, "denials", date(2026, 5, 1), date(2026, 5, 31), date(2026, 5, 31))
    claims, lines, dollars, unprocessable = r.section("initial").figures
    # May's denominators: the months before it that the practice sent claims in are March
    # (C1, C2: 2 claims, 4 lines, $397) and April (C3-C5: 3 claims, 6 lines, $597); February
    # is before the first claim and is not averaged in. Average: 2.5 claims, 5 lines, $497.
    # Denied on May's 835 (initial): C2 (both lines) and C3 (one line), not C4 (returned).
    assert (claims.numerator, claims.denominator, claims.value) == (2, D("2.5"), D("80.00"))
    assert (lines.numerator, lines.denominator, lines.value) == (3, D("5.0"), D("60.00"))
    # Gross charges of the claims denied: 162 + 202 = 364; 364 / 497 = 73.239...%.
    assert (dollars.numerator, dollars.denominator, dollars.value) == (
        D("364.00"), D("497.00"), D("73.24"))  # fmt: skip
    # C4, CO-16 with MA130, apart: 1 / 2.5.
    assert (unprocessable.numerator, unprocessable.value) == (1, D("40.00"))
    (may,) = r.section("initial").table("initial_denials_by_month").rows
    assert may[0] == "2026-05" and may[-1] == D("266.00")  # denied: 110 + 52 + 104
    by_code = {row[0]: row for row in r.section("by_code").tables[0].rows}
    # 97112: denied on C2 and C3 (52 + 104); lines of it sent: 1 in March, 1 in April, so the
    # HFMA denominator is 1 and the rate 200%: May denied lines sent before May.
    assert by_code["97112"][2:5] == (2, 2, D("156.00"))
    assert (by_code["97112"][6], by_code["97112"][7]) == (D("1.0"), D("200.00"))
    # 97530: C2's line; sent once in March, twice in April (C4, C5): 1 / 1.5.
    assert (by_code["97530"][3], by_code["97530"][7]) == (1, D("66.67"))
    causes = {row[0]: row[2:5] for row in r.section("by_cause").tables[0].rows}
    assert causes == {"medical_necessity": (1, 2, D("162.00")), "bundling": (1, 1, D("104.00"))}
    carcs = {row[0]: row[3] for row in r.section("by_carc").tables[0].rows}
    assert carcs == {"CO-50": 2, "CO-97": 1}
    rarcs = {row[0]: row[2:4] for row in r.section("by_rarc").tables[0].rows}
    assert rarcs == {"N115": (1, 2)}
    (payer,) = r.section("by_payer").tables[0].rows
    assert payer[0] == "MCR-IL" and payer[3] == 3 and payer[7] == D("60.00")
    (therapist,) = r.section("by_therapist").tables[0].rows
    assert therapist[0] == "1987654328" and therapist[2] == 2
    (returned,) = r.section("unprocessable").table("unprocessable_by_remark").rows
    assert returned[0] == "M51" and returned[2] == 1
    # June: no initial denial (C2's payment came on appeal, C5's was clean).
    june = report(engine, pid, "denials", date(2026, 6, 1), date(2026, 6, 30), date(2026, 6, 30))
    assert june.section("initial").figures[0].numerator == 0


def test_claims_kpis(story: tuple[Engine, int]) -> None:
    engine, pid = story
    r = report(engine, pid, "claims", date(2026, 3, 1), date(2026, 6, 30), date(2026, 6, 30))
    f = {x.formula.key: x for x in r.section("claims").figures}
    # Clean: C1, C2, C3 (ready when built, never reworked, never returned); C4 was returned
    # unprocessable, C5 went back to draft. 3 / 5.
    assert (f["clean_claim_rate"].numerator, f["clean_claim_rate"].denominator) == (3, 5)
    assert f["clean_claim_rate"].value == D("60.00")
    # First adjudications: C1-C4 in May, C5 in June; nothing denied on C1's and C5's: 2 / 5.
    assert f["first_pass_resolution_rate"].value == D("40.00")
    assert f["denial_rate"].value == D("60.00")
    # One appeal decided, overturned (C2, paid 06-15).
    assert (f["denial_overturn_rate"].numerator, f["denial_overturn_rate"].value) == (
        1,
        D("100.00"),
    )
    # C2 denied 05-10, appealed 05-20: 10 days.
    assert f["days_denial_to_appeal"].value == D("10.0")
    # Resolved: C2's two lines (05-10 to 06-15, 36 days each), C3's line (05-10 to 06-01 written
    # off, 22 days): (36 + 36 + 22) / 3 = 31.33.
    assert f["days_denial_to_resolution"].value == D("31.3")
    assert f["days_denial_to_resolution"].denominator == 3
    # Payments: May C1 150.40 + C3 62.72; June C2 103.68 + C5 147.20; the patient's 50.00:
    # 514.00. Charges of the five claims 994.00 less CO-45 145.00 (May 112.60, June 32.40):
    # 849.00. 514 / 849 = 60.54%.
    ncr = f["net_collection_rate"]
    assert (ncr.numerator, ncr.denominator, ncr.value) == (D("514.00"), D("849.00"), D("60.54"))
    # C3's 97112 written off: 104 / 849 = 12.25%.
    assert (f["denial_write_off_rate"].numerator, f["denial_write_off_rate"].value) == (
        D("104.00"), D("12.25"))  # fmt: skip
    months = {row[0]: row for row in r.section("claims").table("claims_by_month").rows}
    assert months["2026-03"][1:4] == (2, 2, D("100.00"))
    assert months["2026-04"][1:4] == (3, 1, D("33.33"))
    assert months["2026-05"][4:7] == (4, 1, D("25.00"))
    # May's payments: 150.40 + 62.72 from payers and 50.00 from the patient.
    assert months["2026-05"][7] == D("263.12")


def test_ar_is_the_books_figure(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = ledger(engine, tmp_path, monkeypatch, until=date(2026, 5, 31))
    # On 05-31 only C5 (230.00, of 03-17) is still with the payer: 75 days old. The last 90
    # days (from 03-02) charged all five claims, 994.00: 230 / (994 / 90) = 20.8 days.
    as_of = date(2026, 5, 31)
    with session_scope(engine) as s:
        books = accounts_receivable(s, pid, as_of)
    r = report(engine, pid, "ar", date(2026, 5, 1), as_of, as_of)
    sec = r.section("ar")
    f = {x.formula.key: x for x in sec.figures}
    assert f["days_in_ar"].value == D("20.8") == books.days_in_ar
    assert f["days_in_ar"].numerator == D("230.00") == books.total
    assert f["ar_over_90"].value == D("0.00")
    mcr, _total = sec.table("aging_by_payer_dos").rows
    assert mcr[0] == "MCR-IL" and mcr[2:] == (ZERO, ZERO, D("230.00"), ZERO, ZERO, D("230.00"))
    assert dict(zip(books.by_payer_dos["MCR-IL"].buckets, mcr[2:7], strict=True)) == (
        books.by_payer_dos["MCR-IL"].buckets
    )
    (patient,) = sec.table("top_patients").rows
    assert patient[1] == D("230.00")


def test_compliance_and_kx(story: tuple[Engine, int]) -> None:
    engine, pid = story
    r = report(engine, pid, "compliance", date(2026, 3, 1), date(2026, 3, 31), date(2026, 6, 30))
    poc, progress, functional = r.section("compliance").figures
    # Five claims sent; C5 went out with OT-POC-003, C3 with OT-PR-001 (Medicare requires
    # progress reports): 4 / 5 each. No 2013-2018 date of service: no functional reporting.
    assert (poc.numerator, poc.denominator, poc.value) == (4, 5, D("80.00"))
    assert (progress.numerator, progress.denominator, progress.value) == (4, 5, D("80.00"))
    assert functional.value is None and functional.denominator == 0
    rules = {row[0]: row[1] for row in r.section("compliance").table("findings_by_rule").rows}
    assert rules == {"OT-POC-003": 1, "OT-PR-001": 1}
    # KX: the same dollars as `otbill accumulators` (the 835's allowed where posted).
    with session_scope(engine) as s:
        (acc,) = accumulators(s, pid, date(2026, 6, 30))
        (ours,) = kx_totals(s, pid, 2026, date(2026, 6, 30)).values()
    (kx,) = acc.kx
    assert ours[0] == kx.total and kx.bucket == "OT"


def test_functional_reporting_compliance_of_2016_dates_of_service(
    engine: Engine, tmp_path: Path
) -> None:
    """A Medicare episode of March 2016 (the corpus's): G-codes with severity on its first
    day; on the fourth, G8987 without one (OT-FR-002); the sixth a discharge without G-codes
    (OT-FR-001). Reported correctly 1 of the 3 days that needed or carried them: 33.33%."""
    s = scenario(M, Y16)
    s = add_services(s, 3, Service("G8987", modifiers=()), Service("G8988", modifiers=("CI",)))
    s = with_doc(s, 5, discharge=True)
    ep = s.episode
    with session_scope(engine) as ss:
        pid = import_episodes(ss, [ep]).practice_id
        build_claims(ss, pid, ep.visits[-1].date)
        for row in list_claims(ss, pid):
            row.state = "ready"  # sent as they are, findings and all
    with session_scope(engine) as ss:
        submit(ss, pid, tmp_path / "2016.837", when=_at(date(2016, 3, 28)))
    r = report(engine, pid, "compliance", date(2016, 3, 1), date(2016, 3, 31), date(2016, 3, 31))
    fr = r.section("compliance").figure("functional_reporting_compliance")
    assert (fr.numerator, fr.denominator, fr.value) == (1, 3, D("33.33"))
    assert fr.note.startswith("1 missing (OT-FR-001), 1 without a severity modifier")
    (march,) = r.section("compliance").table("compliance_by_month").rows
    assert march[5:] == (3, D("33.33"))


def test_refresh_folds_once_and_a_reversal_takes_the_denial_back(
    story: tuple[Engine, int],
) -> None:
    engine, pid = story
    with session_scope(engine) as s:
        first = refresh(s, pid)
    with session_scope(engine) as s:
        again = refresh(s, pid)
        n = len(list(s.scalars(select(t.ReportDenial))))
    # Five claims sent; six claim payments (four in May, two in June); four denied adjustments.
    assert (first.claims, first.postings, first.denials) == (5, 6, 4)
    assert (again.claims, again.postings, again.denials) == (0, 0, 0)
    with session_scope(engine) as s:
        months = {
            (m.month, m.sent, m.clean, m.adjudicated, m.first_pass, m.original_charge)
            for m in s.scalars(select(t.ReportMonth))
        }
    # Sent in March C1, C2 (both clean, 397.00), in April C3-C5 (C3 clean; C4 returned, C5
    # reworked); first adjudicated in May C1-C4 (C1 resolved), in June C5 (resolved).
    assert months == {
        (date(2026, 3, 1), 2, 2, 0, 0, D("397.00")),
        (date(2026, 4, 1), 3, 1, 0, 0, D("597.00")),
        (date(2026, 5, 1), 0, 0, 4, 1, ZERO),
        (date(2026, 6, 1), 0, 0, 1, 1, ZERO),
    }
    assert n == 4  # C2's two lines, C3's one, C4's return
    with session_scope(engine) as s:
        c3 = next(c for c in as_claims(list_claims(s, pid)) if c.id == "V-2026-0003")
    paid = pay(c3, svc(c3, 0, deny=("CO", "97")), svc(c3, 1), svc(c3, 2))
    undo = replace(
        paid, status="22", charge=-paid.charge, paid=-paid.paid,
        patient_responsibility=-(paid.patient_responsibility or ZERO),
        services=tuple(
            replace(x, charge=-x.charge, paid=-x.paid, allowed=None,
                    adjustments=tuple(replace(a, amount=-a.amount) for a in x.adjustments))
            for x in paid.services
        ),
    )  # fmt: skip
    post(engine, pid, date(2026, 7, 1), undo)
    r = report(engine, pid, "denials", date(2026, 5, 1), date(2026, 5, 31), date(2026, 7, 1))
    assert r.section("initial").figures[1].numerator == 2  # C2's two lines left
    # The reversal takes C3's payment (62.72) and its CO-45 (19.60) back in July.
    c = report(engine, pid, "claims", date(2026, 7, 1), date(2026, 7, 31), date(2026, 7, 31))
    assert c.section("claims").table("claims_by_month").rows[0][7] == D("-62.72")
    with session_scope(engine) as s:
        july = dict(
            s.execute(
                select(t.ReportMoney.item, t.ReportMoney.amount).where(
                    t.ReportMoney.month == date(2026, 7, 1)
                )
            ).all()
        )
    assert july["contractual"] == D("-19.60") and july["denied"] == D("-104.00")


def test_bad_input_names_the_field(story: tuple[Engine, int]) -> None:
    from otbill.errors import InputError

    engine, pid = story
    with pytest.raises(InputError, match="KIND"):
        report(engine, pid, "revenue", date(2026, 5, 1), date(2026, 5, 31), date(2026, 5, 31))
    with pytest.raises(InputError, match="--by"):
        report(engine, pid, "denials", date(2026, 5, 1), date(2026, 5, 31), date(2026, 5, 31),
               by=frozenset({"zip"}))  # fmt: skip


# --- the command -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def story_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The story in a SQLite file, built once for the command's tests."""
    from otbill.ledger.db import make_engine
    from otbill.ledger.migrate import upgrade

    tmp = tmp_path_factory.mktemp("report-cli")
    engine = make_engine(f"sqlite:///{tmp / 'ledger.db'}")
    upgrade(engine)
    with pytest.MonkeyPatch.context() as mp:
        ledger(engine, tmp, mp)
    engine.dispose()
    return str(tmp / "ledger.db")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from otbill.cli import main

    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


PERIOD = ("--from", "2026-03", "--to", "2026-06", "--as-of", "2026-06-30")


@pytest.mark.parametrize("kind", ["denials", "claims", "ar", "compliance", "monthly"])
def test_each_report_as_text_json_and_csv(
    story_db: str, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    import csv
    import io

    rc, text, _ = run(capsys, "report", kind, "--db", story_db, *PERIOD)
    assert rc == 0 and "Riverbend" not in text  # the example practice, not the demo's
    rc, raw, _ = run(capsys, "report", kind, "--db", story_db, *PERIOD, "--json")
    doc = json.loads(raw)
    assert rc == 0 and doc["kind"] == kind and doc["sections"]
    rc, raw, _ = run(capsys, "report", kind, "--db", story_db, *PERIOD, "--csv")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert (
        rc == 0 and rows and set(rows[0]) == {"section", "table", "row", "column", "value", "unit"}
    )
    figures: dict[tuple[str, str], str] = {}
    for r in rows:
        if r["table"] == "figures":  # the first of each, as the JSON lists them
            figures.setdefault((r["row"], r["column"]), r["value"])
    first = doc["sections"][0]["figures"]
    if first:
        assert figures[(first[0]["key"], "value")] == (first[0]["value"] or "")
    if kind == "claims":
        assert "Clean claim rate: 60.00% (3 / 5)" in text
        assert figures[("net_collection_rate", "value")] == "60.54"
    if kind == "monthly":
        assert doc["from"] == "2026-06-01" and doc["to"] == "2026-06-30"


@pytest.mark.parametrize("kind", ["denials", "claims", "ar", "compliance", "monthly"])
def test_each_report_as_pdf_html_and_svg(
    story_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    import xml.etree.ElementTree as ET

    import pypdfium2 as pdfium

    for suffix in ("pdf", "html", "svg"):
        rc, out, _ = run(capsys, "report", kind, "--db", story_db, *PERIOD, "-o",
                         str(tmp_path / f"r.{suffix}"))  # fmt: skip
        assert rc == 0 and out.startswith("wrote ")
    pdf = pdfium.PdfDocument(str(tmp_path / "r.pdf"))
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    html = (tmp_path / "r.html").read_text()
    svg = ET.fromstring((tmp_path / "r.svg").read_text())
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.tag == f"{ns}svg"
    titles = [e.text for e in svg.iter(f"{ns}title")]
    descs = [e.text for e in svg.iter(f"{ns}desc")]
    expect = {
        "denials": ("Initial denial rate", "80.00%", "Denials by root cause"),
        "claims": ("Clean claim rate", "60.00%", "Clean claim and first-pass rates by month"),
        "ar": ("Days in A/R", "A/R aging by payer", "A/R aging by payer"),
        "compliance": ("Plan-of-care compliance", "80.00%", "Plan-of-care and progress"),
        "monthly": ("This month", "Initial denial rate", "Payments by month"),
    }[kind]
    assert expect[0] in text and expect[1] in text
    assert expect[0] in html and "<svg" in html and "<table>" in html
    assert any(expect[2] in (x or "") for x in titles) and all(descs)
    # Every chart's values are text in the drawing too, and its data table is beside it.
    assert any(e.text == "Data" for e in svg.iter(f"{ns}text"))
    # The same report, the same bytes.
    run(capsys, "report", kind, "--db", story_db, *PERIOD, "-o", str(tmp_path / "again.pdf"))
    assert (tmp_path / "again.pdf").read_bytes() == (tmp_path / "r.pdf").read_bytes()


def test_the_monthly_pdf_reads_back_its_month(
    story_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import pypdfium2 as pdfium

    out = tmp_path / "may.pdf"
    rc, _, _ = run(capsys, "report", "monthly", "--db", story_db, "--month", "2026-05", "-o",
                   str(out))  # fmt: skip
    assert rc == 0
    pdf = pdfium.PdfDocument(str(out))
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "Monthly practice report" in text and "2026-05-01 to 2026-05-31" in text
    # May's HFMA figures, as worked above: 80.00% of claims, 60.00% of lines.
    assert "80.00%" in text and "60.00%" in text
    assert "Denials by root cause" in text and "medical necessity" in text


def test_bad_arguments_are_one_line_and_exit_2(
    story_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rc, _, err = run(capsys, "report", "claims", "--db", story_db, "-o", str(tmp_path / "x.doc"))
    assert rc == 2 and err.strip().splitlines() == [
        "otbill: error: -o: x.doc: write a .pdf, .html or .svg file"
    ]
    rc, _, err = run(capsys, "report", "compliance", "--db", story_db, "--near", "2")
    assert rc == 2 and "--near" in err
    rc, _, err = run(capsys, "report", "denials", "--db", story_db, "--from", "2026-06",
                     "--to", "2026-03")  # fmt: skip
    assert rc == 2 and "--from" in err
    assert not list(tmp_path.iterdir())  # nothing half-written
