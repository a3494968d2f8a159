"""The CMS-1500 (02/12) claim form as PDF: data placed for the pre-printed red-ink form, or with
the form drawn for review on screen.

One page per claim, six service lines a page (item 24); a claim with more lines continues on
further pages with the header repeated and the total (item 28) on the last. Data prints in
upper case, without punctuation in names and addresses, in 10-point Courier spaced to the
form's 10 characters per inch, as the NUCC 1500 Reference Instruction Manual asks.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from reportlab.lib.colors import black
from reportlab.pdfgen.canvas import Canvas

from otbill.forms.drawing import draw_form as _draw_form
from otbill.forms.layout import AT, COL_24, DATA_LINE, LINES_PER_PAGE, MONEY, PAGE_H, PAGE_W, xy
from otbill.model import (
    Address,
    Claim,
    ClaimLine,
    Coverage,
    Episode,
    PayerKind,
    Person,
    Relationship,
    Sex,
)

LETTERS = "ABCDEFGHIJKL"
DATA_FONT, DATA_SIZE = "Courier", 10.0
COURIER_ADVANCE = 0.6 * DATA_SIZE  # every Courier glyph is 600/1000 of an em wide
_NOT_NAME = re.compile(r"[^A-Z0-9 -]")

# Item 1: the program the payer belongs to. FECA is the federal employees' compensation
# program, so state workers' compensation, auto and self-pay plans check "Other".
_PROGRAM = {
    PayerKind.MEDICARE: "1.medicare",
    PayerKind.MEDICAID: "1.medicaid",
    PayerKind.COMMERCIAL: "1.group",
    PayerKind.MEDICARE_ADVANTAGE: "1.group",
}
_RELATIONSHIP = {
    Relationship.SELF: "6.self",
    Relationship.SPOUSE: "6.spouse",
    Relationship.CHILD: "6.child",
}
_INJURY_KINDS = (PayerKind.WORKERS_COMP, PayerKind.AUTO)


def clean(text: str) -> str:
    """Upper case without punctuation (hyphens stay, as in hyphenated names)."""
    return " ".join(_NOT_NAME.sub(" ", text.upper().replace("&", " ")).split())


def fit(text: str, width: int) -> str:
    """Cut to the box: at the last word that fits, else mid-word."""
    if len(text) <= width:
        return text
    cut = text[: width + 1].rsplit(" ", 1)[0]
    return cut if 0 < len(cut) <= width else text[:width]


def mdy(day: date | None, year_digits: int = 2) -> str:
    """MM DD YY (or YYYY): the spaces fall on the form's dotted dividers."""
    if day is None:
        return ""
    return day.strftime("%m %d %y" if year_digits == 2 else "%m %d %Y")


def money(x: Decimal) -> tuple[str, str]:
    """Dollars and cents, each for its own sub-column (the form prints no decimal point)."""
    dollars, cents = f"{x.quantize(Decimal('0.01')):.2f}".split(".")
    return dollars, cents


def person_name(last: str, first: str) -> str:
    return f"{clean(last)}, {clean(first)}"


class _Page:
    """Data on one page: each value starts on its grid cell and keeps the 10-cpi pitch."""

    def __init__(self, canvas: Canvas) -> None:
        self.c = canvas

    def at(self, line: int, col: int, value: str) -> None:
        if not value:
            return
        x, y = xy(line, col)
        t = self.c.beginText(x, y)
        t.setFont(DATA_FONT, DATA_SIZE)
        # Courier 10 is 12 characters an inch; the spacing stretches it to the form's 10.
        t.setCharSpace(72.0 / 10 - COURIER_ADVANCE)
        t.setHorizScale(100)
        t.textOut(value)
        self.c.drawText(t)

    def squeezed(self, item: str, value: str, width: int) -> None:
        """The whole value within ``width`` columns, narrower than 10 cpi when it must be: an
        identifier cut short would no longer match the claim it names."""
        line, col = AT[item]
        if len(value) <= width:
            self.at(line, col, value)
            return
        x, y = xy(line, col)
        t = self.c.beginText(x, y)
        t.setFont(DATA_FONT, DATA_SIZE)
        t.setCharSpace(0)  # the PDF text state keeps the last spacing set: unset it
        t.setHorizScale(min(100.0, 100.0 * (width * 72.0 / 10 - 1.0) / (len(value) * 6.0)))
        t.textOut(value)
        self.c.drawText(t)

    def put(self, item: str, value: str, width: int = 80) -> None:
        line, col = AT[item]
        self.at(line, col, fit(value, width))

    def right(self, line: int, end_col: int, value: str) -> None:
        self.at(line, end_col - len(value) + 1, value)

    def mark(self, item: str) -> None:
        self.put(item, "X")

    def amount(self, line: int, dollars_end: int, cents_col: int, x: Decimal) -> None:
        dollars, cents = money(x)
        self.right(line, dollars_end, dollars)
        self.at(line, cents_col, cents)

    def address(self, prefix: str, addr: Address, street_width: int, city_width: int) -> None:
        street = " ".join(s for s in (addr.line1, addr.line2) if s)
        self.put(f"{prefix}.street", clean(street), street_width)
        self.put(f"{prefix}.city", clean(addr.city), city_width)
        self.put(f"{prefix}.state", clean(addr.state), 2)
        self.put(f"{prefix}.zip", addr.zip.replace("-", ""), 9)


def _coverage(ep: Episode, claim: Claim) -> Coverage:
    return next((c for c in ep.coverages if c.payer_id == claim.payer_id), ep.coverages[0])


def _sex(p: _Page, prefix: str, sex: Sex) -> None:
    if sex is not Sex.U:
        p.mark(f"{prefix}.{sex.value.lower()}")


def _patient_and_insured(p: _Page, claim: Claim, ep: Episode) -> None:
    """Items 1 to 13."""
    payer = ep.payers[claim.payer_id]
    cov = _coverage(ep, claim)
    pt = ep.patient
    sub: Person | None = cov.subscriber
    injury = cov.injury if payer.kind in _INJURY_KINDS else None
    p.put("payer", clean(payer.name), 30)
    p.mark(_PROGRAM.get(payer.kind, "1.other"))
    p.put("1a", claim.member_id, 29)
    p.put("2", person_name(pt.last_name, pt.first_name), 28)
    p.put("3.dob", mdy(pt.birth_date, 4))
    _sex(p, "3", pt.sex)
    # Item 4: on workers' compensation the insured is the employer.
    if payer.kind is PayerKind.WORKERS_COMP and cov.injury is not None and cov.injury.employer:
        p.put("4", clean(cov.injury.employer), 29)
    elif sub is not None:
        p.put("4", person_name(sub.last_name, sub.first_name), 29)
    else:
        p.put("4", person_name(pt.last_name, pt.first_name), 29)
    if pt.address is not None:
        p.address("5", pt.address, 28, 24)
    p.mark(_RELATIONSHIP.get(cov.relationship, "6.other"))
    insured_address = sub.address if sub is not None else pt.address
    if insured_address is not None and payer.kind is not PayerKind.WORKERS_COMP:
        p.address("7", insured_address, 29, 23)
    if claim.other_payers:
        # Items 9, 9a and 9d: the other insured, here the payer billed before this one.
        other = claim.other_payers[0]
        p.put("9", person_name(other.subscriber_last, other.subscriber_first), 28)
        p.put("9a", other.member_id, 28)
        p.put("9d", clean(other.payer_name), 28)
    p.mark("10a.yes" if payer.kind is PayerKind.WORKERS_COMP else "10a.no")
    p.mark("10b.yes" if payer.kind is PayerKind.AUTO else "10b.no")
    p.mark("10c.no")
    # Medicare asks for NONE when no insurance is primary to it.
    group = cov.group or ("NONE" if payer.kind is PayerKind.MEDICARE else "")
    p.put("11", clean(group), 29)
    if sub is not None:
        p.put("11a.dob", mdy(sub.birth_date, 4))
        _sex(p, "11a", sub.sex)
    if injury is not None and injury.claim_number:
        # Y4: the property and casualty claim number the carrier assigned.
        p.put("11b.qual", "Y4")
        p.put("11b", clean(injury.claim_number).replace(" ", ""), 25)
    p.put("11c", clean(payer.name), 29)
    p.mark("11d.yes" if claim.other_payers else "11d.no")
    p.put("12", "SIGNATURE ON FILE")
    p.put("13", "SIGNATURE ON FILE")


def _condition_and_providers(p: _Page, claim: Claim, ep: Episode) -> None:
    """Items 14 to 23."""
    injury = _coverage(ep, claim).injury
    if injury is not None and injury.date_of_injury is not None:
        p.put("14.date", mdy(injury.date_of_injury))
        p.put("14.qual", "431")  # onset of current symptoms or illness
    ref = ep.providers.get(claim.referring_npi or "")
    if ref is not None:
        p.put("17.qual", "DN")  # referring provider
        name = clean(f"{ref.first_name} {ref.last_name} {ref.credential.value}")
        p.put("17", name, 25)
        p.put("17b", ref.npi)
    elif claim.referring_npi:
        p.put("17.qual", "DN")
        p.put("17b", claim.referring_npi)
    p.put("21.ind", "0")  # ICD-10-CM
    for i, dx in enumerate(claim.diagnoses[: len(LETTERS)]):
        p.put(f"21.{LETTERS[i]}", dx.replace(".", ""), 7)
    if claim.frequency_code in ("7", "8"):
        p.put("22.code", claim.frequency_code)
        p.put("22.ref", claim.original_claim_number or "", 18)
    p.put("23", claim.authorization_number or "", 29)


def _service_lines(p: _Page, claim: Claim, lines: Sequence[ClaimLine]) -> None:
    """Item 24, A to J, on the unshaded half of each row."""
    for n, ln in enumerate(lines):
        row = DATA_LINE + 2 * n
        p.at(row, COL_24["from"], mdy(ln.date))
        p.at(row, COL_24["to"], mdy(ln.date))
        p.at(row, COL_24["pos"], claim.place_of_service)
        p.at(row, COL_24["cpt"], ln.code)
        for m, mod in enumerate(ln.modifiers[:4], start=1):
            p.at(row, COL_24[f"mod{m}"], mod)
        p.at(row, COL_24["pointer"], "".join(LETTERS[x - 1] for x in ln.diagnosis_pointers[:4]))
        p.amount(row, COL_24["dollars_end"], COL_24["cents"], ln.charge)
        p.at(row, COL_24["units"], str(ln.units))
        p.at(row, COL_24["npi"], claim.rendering_npi)


def _billing(p: _Page, claim: Claim, ep: Episode, last: bool) -> None:
    """Items 25 to 33."""
    pr = ep.practice
    p.put("25", pr.tax_id.replace("-", ""), 15)
    p.mark("25.ein")
    p.squeezed("26", claim.id, 14)
    p.mark("27.yes")
    if last:
        p.amount(*MONEY["28"], claim.total_charge)
        paid = sum((o.paid for o in claim.other_payers), Decimal("0.00"))
        if paid:
            p.amount(*MONEY["29"], paid)
    rendering = ep.providers.get(claim.rendering_npi)
    if rendering is not None:
        who = f"{rendering.first_name} {rendering.last_name} {rendering.credential.value}"
        p.put("31", clean(who), 20)
    for item, width in (("32", 26), ("33", 29)):
        line, col = AT[item]
        street = " ".join(s for s in (pr.address.line1, pr.address.line2) if s)
        city = f"{clean(pr.address.city)} {clean(pr.address.state)} {pr.address.zip}"
        p.at(line, col, fit(clean(pr.name), width))
        p.at(line + 1, col, fit(clean(street), width))
        p.at(line + 2, col, fit(city.replace("-", ""), width))
    p.put("32a", pr.npi)
    p.put("33a", pr.npi)


def render_cms1500(
    claims: Sequence[Claim],
    episode_for: Callable[[Claim], Episode] | Episode,
    *,
    draw_form: bool,
) -> bytes:
    """PDF bytes: each claim on as many pages as its lines need (six a page).

    ``episode_for`` gives the episode a claim was coded from (or is that episode, when all
    claims share one): the form names people and places the claim only refers to.
    """
    buf = io.BytesIO()
    # invariant: no timestamps or random ids in the file, so the same claims give the same bytes
    c = Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=0)
    c.setTitle("CMS-1500 (02/12)")
    c.setCreator("otbill")
    for claim in claims:
        ep = episode_for if isinstance(episode_for, Episode) else episode_for(claim)
        chunks = [
            claim.lines[k : k + LINES_PER_PAGE]
            for k in range(0, max(len(claim.lines), 1), LINES_PER_PAGE)
        ]
        for n, chunk in enumerate(chunks):
            if draw_form:
                _draw_form(c)
            c.setFillColor(black)
            page = _Page(c)
            _patient_and_insured(page, claim, ep)
            _condition_and_providers(page, claim, ep)
            _service_lines(page, claim, chunk)
            _billing(page, claim, ep, last=n == len(chunks) - 1)
            if len(chunks) > 1:
                # Below the form: which page of the claim this is, since each repeats the header.
                page.at(64, 60, f"PAGE {n + 1} OF {len(chunks)}")
            c.showPage()
    c.save()
    return buf.getvalue()
