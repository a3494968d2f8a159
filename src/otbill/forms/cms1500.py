"""The CMS-1500 (02/12) claim form as PDF: data placed for the pre-printed red-ink form, or with
the form drawn for review on screen.

One page per claim, six service lines a page (item 24); a claim with more lines continues on
further pages with the header repeated and the total (item 28) on the last. Names print in
upper case without punctuation, as the NUCC manual asks of data printed on the form.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from reportlab.lib.colors import Color, black
from reportlab.pdfgen.canvas import Canvas

from otbill.forms.layout import (
    AT,
    BOXES,
    CENTS_28,
    CHARGE_END_28,
    COL_24,
    FIRST_LINE,
    LINES_PER_PAGE,
    PAGE_H,
    PAGE_W,
    band,
    col_x,
    xy,
)
from otbill.model import Claim, Coverage, Episode, PayerKind, Relationship

FORM_RED = Color(0.85, 0.1, 0.1)
LETTERS = "ABCDEFGHIJKL"
_PUNCT = re.compile(r"[^A-Z0-9 ]")


def _up(text: str) -> str:
    return _PUNCT.sub("", text.upper()).strip()


def _mdy(day: date | None, sep: str = " ") -> str:
    return "" if day is None else day.strftime(f"%m{sep}%d{sep}%y")


def _money(x: Decimal) -> tuple[str, str]:
    dollars, cents = f"{x:.2f}".split(".")
    return dollars, cents


class _Page:
    def __init__(self, canvas: Canvas) -> None:
        self.c = canvas

    def text(self, item: str, value: str) -> None:
        if value:
            line, col = AT[item]
            self.at(line, col, value)

    def at(self, line: int, col: int, value: str) -> None:
        x, y = xy(line, col)
        self.c.drawString(x, y, value)

    def right(self, line: int, end_col: int, value: str) -> None:
        self.at(line, end_col - len(value) + 1, value)

    def mark(self, item: str) -> None:
        self.text(item, "X")


def _coverage(ep: Episode, claim: Claim) -> Coverage:
    return next((c for c in ep.coverages if c.payer_id == claim.payer_id), ep.coverages[0])


def _draw_form(c: Canvas) -> None:
    """The review version: the form's boxes and labels in red, on the same grid as the data."""
    c.setStrokeColor(FORM_RED)
    c.setFillColor(FORM_RED)
    c.setLineWidth(0.6)
    c.setFont("Helvetica-Bold", 11)
    c.drawString(xy(5, 1)[0], xy(5, 1)[1] + 4, "HEALTH INSURANCE CLAIM FORM")
    c.setFont("Helvetica", 5.5)
    c.drawString(
        xy(6, 1)[0], xy(6, 1)[1] + 6, "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12"
    )
    for b in BOXES:
        low, high = band(b.top, b.bottom)
        left, right = col_x(b.left) - 2.0, col_x(min(b.right, 84)) - 2.0
        c.rect(left, low, right - left, high - low, stroke=1, fill=0)
        c.drawString(left + 1.5, high - 6.0, b.label)
    # Item 24's six rows: a shaded upper half for supplemental information, data below.
    left, right = col_x(1) - 2.0, col_x(84) - 2.0
    for n in range(LINES_PER_PAGE):
        row = FIRST_LINE + 2 * n
        low, high = band(row - 1, row - 1)
        c.setFillColor(Color(0.85, 0.1, 0.1, alpha=0.12))
        c.rect(left, low, right - left, high - low, stroke=0, fill=1)
        c.setFillColor(FORM_RED)
        low, high = band(row - 1, row)
        c.rect(left, low, right - left, high - low, stroke=1, fill=0)
        c.drawString(right - 8.0, low + 3.0, str(n + 1))
    c.setFillColor(black)


def _header(p: _Page, claim: Claim, ep: Episode) -> None:
    payer = ep.payers[claim.payer_id]
    cov = _coverage(ep, claim)
    pt = ep.patient
    p.at(AT["payer"][0], AT["payer"][1], _up(payer.name))
    kind_item = {
        PayerKind.MEDICARE: "1.medicare",
        PayerKind.MEDICAID: "1.medicaid",
        # FECA is the federal employees' program; other workers' compensation is "Other".
        PayerKind.WORKERS_COMP: "1.other",
        PayerKind.COMMERCIAL: "1.group",
        PayerKind.MEDICARE_ADVANTAGE: "1.group",
    }.get(payer.kind, "1.other")
    p.mark(kind_item)
    p.text("1a", claim.member_id)
    p.text("2", f"{_up(pt.last_name)}, {_up(pt.first_name)}")
    p.text("3.dob", _mdy(pt.birth_date))
    if pt.sex.value in ("M", "F"):
        p.mark(f"3.{pt.sex.value.lower()}")
    sub = cov.subscriber
    if cov.relationship is Relationship.EMPLOYEE and cov.injury is not None:
        insured = _up(cov.injury.employer)
    elif sub is not None:
        insured = f"{_up(sub.last_name)}, {_up(sub.first_name)}"
    else:
        insured = f"{_up(pt.last_name)}, {_up(pt.first_name)}"
    p.text("4", insured)
    if pt.address is not None:
        p.text("5.street", _up(pt.address.line1))
        p.text("5.city", _up(pt.address.city))
        p.text("5.state", pt.address.state)
        p.text("5.zip", pt.address.zip)
    rel = {
        Relationship.SELF: "6.self",
        Relationship.SPOUSE: "6.spouse",
        Relationship.CHILD: "6.child",
    }.get(cov.relationship, "6.other")
    p.mark(rel)
    addr = (sub.address if sub is not None else pt.address) if cov.injury is None else None
    if addr is not None:
        p.text("7.street", _up(addr.line1))
        p.text("7.city", _up(addr.city))
        p.text("7.state", addr.state)
        p.text("7.zip", addr.zip)
    p.text("11", cov.group or ("NONE" if payer.kind is PayerKind.MEDICARE else ""))
    work = cov.injury is not None and cov.relationship is Relationship.EMPLOYEE
    p.mark("10a.yes" if work else "10a.no")
    p.mark("10b.no")
    p.mark("10c.no")
    if sub is not None:
        p.text("11a.dob", _mdy(sub.birth_date))
        if sub.sex.value in ("M", "F"):
            p.mark(f"11a.{sub.sex.value.lower()}")
    if claim.other_payers:
        # Items 9, 9a and 9d: the other insured, here the payer billed before this one.
        other = claim.other_payers[0]
        p.text("9", f"{_up(other.subscriber_last)}, {_up(other.subscriber_first)}")
        p.text("9a", other.member_id)
        p.text("9d", _up(other.payer_name)[:28])
    p.text("11c", _up(payer.name)[:28])
    p.mark("11d.yes" if claim.other_payers else "11d.no")
    p.text("12", "SIGNATURE ON FILE")
    p.text("13", "SIGNATURE ON FILE")
    if cov.injury is not None and cov.injury.date_of_injury is not None:
        p.text("14.date", _mdy(cov.injury.date_of_injury))
        p.text("14.qual", "431")
    ref = ep.providers.get(claim.referring_npi or "")
    if ref is not None:
        p.text("17.qual", "DN")
        p.text("17", f"{_up(ref.first_name)} {_up(ref.last_name)}")
        p.text("17b", ref.npi)
    p.text("21.ind", "0")
    for i, dx in enumerate(claim.diagnoses[:12]):
        p.text(f"21.{LETTERS[i]}", dx.replace(".", ""))
    if claim.frequency_code in ("7", "8"):
        p.text("22.code", claim.frequency_code)
        p.text("22.ref", claim.original_claim_number or "")
    p.text("23", claim.authorization_number or "")


def _footer(p: _Page, claim: Claim, ep: Episode, last: bool) -> None:
    pr = ep.practice
    p.text("25", pr.tax_id)
    p.mark("25.ein")
    p.text("26", claim.id)
    p.mark("27.yes")
    if last:
        dollars, cents = _money(claim.total_charge)
        line = AT["28"][0]
        p.right(line, CHARGE_END_28, dollars)
        p.at(line, CENTS_28, cents)
    rendering = ep.providers.get(claim.rendering_npi)
    if rendering is not None:
        p.at(AT["31"][0], AT["31"][1], _up(f"{rendering.first_name} {rendering.last_name}"))
        p.at(AT["31"][0] + 1, AT["31"][1], rendering.credential.value)
    for item in ("32", "33"):
        line, col = AT[item]
        p.at(line, col, _up(pr.name)[:26])
        p.at(line + 1, col, _up(pr.address.line1)[:26])
        p.at(line + 2, col, f"{_up(pr.address.city)} {pr.address.state} {pr.address.zip}"[:26])
    p.text("32a", pr.npi)
    p.text("33a", pr.npi)


def _lines(p: _Page, claim: Claim, ep: Episode, chunk: Sequence[int]) -> None:
    for row_n, i in enumerate(chunk):
        ln = claim.lines[i]
        row = FIRST_LINE + 2 * row_n
        p.at(row, COL_24["from"], _mdy(ln.date))
        p.at(row, COL_24["to"], _mdy(ln.date))
        p.at(row, COL_24["pos"], claim.place_of_service)
        p.at(row, COL_24["cpt"], ln.code)
        for m, mod in enumerate(ln.modifiers[:4], start=1):
            p.at(row, COL_24[f"mod{m}"], mod)
        p.at(row, COL_24["pointer"], "".join(LETTERS[x - 1] for x in ln.diagnosis_pointers[:4]))
        dollars, cents = _money(ln.charge)
        p.right(row, COL_24["charge_end"], dollars)
        p.at(row, COL_24["cents"], cents)
        p.right(row, COL_24["units_end"], str(ln.units))
        p.at(row, COL_24["npi"], claim.rendering_npi)


def render_cms1500(
    claims: Sequence[Claim],
    episode_for: Callable[[Claim], Episode] | Episode,
    *,
    draw_form: bool,
) -> bytes:
    """PDF bytes: each claim on as many pages as its lines need (six a page)."""
    buf = io.BytesIO()
    # invariant: no timestamps or random ids in the file, so the same claims give the same bytes
    c = Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=0)
    c.setTitle("CMS-1500 (02/12)")
    for claim in claims:
        ep = episode_for(claim) if callable(episode_for) else episode_for
        idx = list(range(len(claim.lines))) or [0]
        chunks = [idx[k : k + LINES_PER_PAGE] for k in range(0, len(idx), LINES_PER_PAGE)]
        for n, chunk in enumerate(chunks):
            if draw_form:
                _draw_form(c)
            c.setFont("Courier", 10)
            c.setFillColor(black)
            page = _Page(c)
            _header(page, claim, ep)
            if claim.lines:
                _lines(page, claim, ep, chunk)
            _footer(page, claim, ep, last=n == len(chunks) - 1)
            if len(chunks) > 1:
                c.setFont("Helvetica", 7)
                c.drawString(*xy(65, 60), f"PAGE {n + 1} OF {len(chunks)}")
            c.showPage()
    c.save()
    return buf.getvalue()
