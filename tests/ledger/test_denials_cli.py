"""The denial queue and the code lists through the command line a biller uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from test_denials import PAID_ON, pay, post, sent, svc

from otbill.cli import main

CARC_PAGE = """<html><body><table>
<tr><td>50</td><td>These are non-covered services because this is not deemed a 'medical
necessity' by the payer. Start: 01/01/1995 | Last Modified: 07/01/2017</td></tr>
<tr><td>300</td><td>A code otbill does not ship. Start: 11/01/2025</td></tr>
</table></body></html>"""


@pytest.fixture
def cli(engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    monkeypatch.setenv("OTBILL_DATABASE_URL", engine.url.render_as_string(hide_password=False))

    def run(*args: str, code: int = 0) -> str:
        got = main(list(args))
        out, err = capsys.readouterr()
        assert got == code, err
        return out if code == 0 else err

    return run


def test_work_the_queue_from_the_command_line(engine: Engine, tmp_path: Path, cli: Any) -> None:
    pid, claims = sent(engine, tmp=tmp_path)
    c = claims[3]
    post(engine, pid, PAID_ON, pay(c, svc(c, 0, "0.00", ("CO", "50", str(c.lines[0].charge)),
                                          remarks=("N115",))))  # fmt: skip
    listed = json.loads(cli("denials", "list", "--json", "--as-of", "2026-04-01"))
    (item,) = listed
    assert (item["reason"], item["category"], item["due_on"], item["days_left"]) == (
        "CO-50", "medical_necessity", "2026-07-30", 120,
    )  # fmt: skip
    text = cli("denials", "list", "--as-of", "2026-04-01")
    assert "2026-07-30 (120d)" in text and "1 items, $165.00 at stake" in text
    n = str(item["id"])
    cli("denials", "assign", n, "--to", "dana")
    cli("denials", "note", n, "asked the therapist for the progress notes")
    shown = cli("denials", "show", n, "--as-of", "2026-04-01")
    assert "RARC N115: The decision was based on a Local Coverage Determination" in shown
    assert "assignee  dana" in shown and "note: asked the therapist" in shown
    # X12's wording, once its list is loaded, answers for the code.
    page = tmp_path / "carc.html"
    page.write_text(CARC_PAGE)
    assert "2 CARCs loaded from carc.html (2 new, 0 replaced)" in cli(
        "codes", "load-carc", str(page)
    )
    shown = cli("denials", "show", n, "--as-of", "2026-04-01")
    assert "CARC 50: These are non-covered services because this is not deemed" in shown
    assert "from 1995-01-01" in cli("codes", "show", "50", "--kind", "CARC")
    assert "A code otbill does not ship" in cli("codes", "show", "300")
    done = json.loads(cli("denials", "act", n, "appeal", "--why", "skilled care", "--json"))
    assert (done["state"], done["claim_state"]) == ("waiting", "appealed")
    assert json.loads(cli("denials", "list", "--json")) == []
    waiting = json.loads(cli("denials", "list", "--state", "waiting", "--json"))
    assert [w["id"] for w in waiting] == [item["id"]]
    err = cli("denials", "act", n, "write_off", "--why", "x", code=2)
    assert "no action" not in err and "otbill: error:" in err


def test_bad_input_names_what_is_wrong(engine: Engine, tmp_path: Path, cli: Any) -> None:
    sent(engine, tmp=tmp_path)
    assert "no work item 99" in cli("denials", "show", "99", code=2)
    bad = tmp_path / "bad.csv"
    bad.write_text("code,meaning\n1,x\n")
    assert "a code column and a description column" in cli("codes", "load-rarc", str(bad), code=2)
    assert "not in otbill's codes" in cli("codes", "show", "ZZ9", code=2)
