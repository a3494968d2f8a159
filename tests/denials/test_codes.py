"""CARC and RARC lists: otbill's own, and a downloaded X12 list read from CSV or saved HTML."""

from __future__ import annotations

from datetime import date

import pytest

from otbill.denials.codes import describe, merged, read_code_list, shipped
from otbill.errors import InputError

HTML = """<!DOCTYPE html><html><body><table>
<tr><th>Code</th><th>Description</th></tr>
<tr><td>16</td><td>Claim/service lacks information or has submission/billing error(s).
Usage: Refer to the 835 Healthcare Policy Identification Segment, if present.<br>
Start: 01/01/1995 | Last Modified: 03/01/2018 Notes: Do not use this code for claims
attachment(s)/other documentation.</td></tr>
<tr><td>15</td><td>The authorization number is missing, invalid, or does not apply.
Start: 01/01/1995 | Stop: 10/16/2003</td></tr>
<tr><td>B7</td><td>This provider was not certified/eligible to be paid.
Start: 01/01/1997 | Last Modified: 09/30/2007</td></tr>
</table></body></html>"""


def test_a_saved_x12_page_reads_with_its_dates() -> None:
    entries = {e.code: e for e in read_code_list("CARC", HTML, "carc.html")}
    assert set(entries) == {"16", "15", "B7"}
    e16 = entries["16"]
    assert e16.description.startswith("Claim/service lacks information")
    assert e16.description.endswith("if present.")
    assert (e16.start, e16.last_modified, e16.stop) == (date(1995, 1, 1), date(2018, 3, 1), None)
    assert e16.notes.startswith("Do not use this code for claims")
    assert entries["15"].stop == date(2003, 10, 16)
    assert not entries["15"].in_force(date(2026, 1, 1)) and entries["15"].in_force(date(2000, 1, 1))


def test_a_csv_list_with_its_own_columns() -> None:
    text = "RARC Code,Description,Start Date,Stop Date\nN999,A new remark.,2026-03-01,\n"
    (e,) = read_code_list("RARC", text, "rarc.csv")
    assert (e.code, e.description, e.start, e.source) == (
        "N999",
        "A new remark.",
        date(2026, 3, 1),
        "rarc.csv",
    )
    # The loaded list overlays otbill's own words, which stay for the codes it does not hold.
    table = merged("RARC", [e])
    assert table["N999"].description == "A new remark."
    assert table["MA130"].source == "otbill"
    assert describe("RARC", "N999", table) == e
    assert describe("RARC", "MA130") == shipped("RARC")["MA130"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("code,meaning\n16,x\n", "a code column and a description column"),
        ("Code,Description,Start\n16,x,someday\n", "line 2: not a date"),
        ("<html><table><tr><td>not a code</td><td>x</td></tr></table></html>", "no CARC codes"),
    ],
)
def test_bad_lists_name_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        read_code_list("CARC", text, "list")
