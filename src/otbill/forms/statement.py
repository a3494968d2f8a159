"""A patient statement as PDF: each service with what insurance paid and adjusted, the
patient's share and why, the patient's payments, what is owed aged from the remittance, and a
stub to send back.

Letter paper. The practice header repeats on every page; the table of services runs on over as
many pages as it needs, its heading repeated; the stub closes the last page. The same statement
gives the same bytes: no timestamps or random ids in the file.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, LongTable, Paragraph, SimpleDocTemplate, Spacer, Table

from otbill.ledger.patients import ClaimDetail, PatientBalance, Share, Statement
from otbill.ledger.payments import Received
from otbill.model.parties import Address

PAGE_W, PAGE_H = LETTER
MARGIN = 0.6 * inch
HEADER_H = 1.1 * inch
WIDTH = PAGE_W - 2 * MARGIN
FONT, BOLD = "Helvetica", "Helvetica-Bold"
GRID = colors.Color(0.75, 0.75, 0.75)
SHADE = colors.Color(0.93, 0.93, 0.93)

TEXT = ParagraphStyle("text", fontName=FONT, fontSize=9, leading=11)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=7.5, leading=9)
HEAD = ParagraphStyle("head", fontName=BOLD, fontSize=7.5, leading=9)
NOTE = ParagraphStyle("note", fontName=FONT, fontSize=7.5, leading=9.5)
# Date, service, charge, insurance paid, adjustments, your share, why.
COLUMNS = (52.0, 158.0, 52.0, 56.0, 58.0, 52.0, WIDTH - 428.0)


def usd(x: Decimal) -> str:
    return f"-${-x:,.2f}" if x < 0 else f"${x:,.2f}"


def address_lines(a: Address | None) -> list[str]:
    if a is None:
        return []
    return [s for s in (a.line1, a.line2) if s] + [f"{a.city}, {a.state} {a.zip}"]


def fitted(c: Canvas, x: float, y: float, text: str, font: str, size: float, width: float) -> None:
    """``text`` at ``size``, smaller when it would run past ``width`` into the next column."""
    natural = float(stringWidth(text, font, size))
    c.setFont(font, size if natural <= width else size * width / natural)
    c.drawString(x, y, text)


def render_statement(st: Statement) -> bytes:
    """PDF bytes. Built twice: the first pass counts the pages each page header names."""
    _, pages = _build(st, None)
    pdf, _ = _build(st, pages)
    return pdf


def _build(st: Statement, pages: int | None) -> tuple[bytes, int]:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_H,
        bottomMargin=MARGIN,
        title="Patient statement",
        creator="otbill",
        invariant=1,
        pageCompression=0,
    )

    def header(c: Canvas, d: Any) -> None:
        _header(c, st, d.page, pages)

    doc.build(_story(st), onFirstPage=header, onLaterPages=header)
    return buf.getvalue(), int(doc.page)


def _header(c: Canvas, st: Statement, page: int, pages: int | None) -> None:
    top = PAGE_H - MARGIN
    c.saveState()
    fitted(c, MARGIN, top - 12, st.practice_name, BOLD, 12, WIDTH - 170)
    for n, line in enumerate(address_lines(st.practice_address)):
        fitted(c, MARGIN, top - 26 - 11 * n, line, FONT, 9, WIDTH - 170)
    right = PAGE_W - MARGIN
    c.setFont(BOLD, 14)
    c.drawRightString(right, top - 13, "STATEMENT")
    c.setFont(FONT, 9)
    meta = (
        f"Statement date {st.as_of:%m/%d/%Y}",
        f"Account {st.balance.patient_id}",
        f"Page {page} of {pages or page}",
    )
    for n, line in enumerate(meta):
        c.drawRightString(right, top - 28 - 11 * n, line)
    c.setStrokeColor(GRID)
    c.line(MARGIN, top - HEADER_H + 14, right, top - HEADER_H + 14)
    c.restoreState()


def _p(text: str, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _story(st: Statement) -> list[Flowable]:
    b = st.balance
    who = "\n".join([f"{b.first_name} {b.last_name}", *address_lines(st.patient_address)])
    summary = Table(
        [
            # Paid beyond every share: a credit of the patient's, not a negative amount due.
            ["Your credit", usd(-b.owed)] if b.owed < 0 else ["Total due", usd(b.owed)],
            ["Your share", usd(b.shares)],
            ["Your payments", usd(-b.paid)],
            ["Pending insurance", usd(b.pending_insurance)],
        ],
        colWidths=(110, 80),
        style=[
            ("FONT", (0, 0), (-1, -1), FONT, 9),
            ("FONT", (0, 0), (-1, 0), BOLD, 11),
            ("ALIGN", (1, 0), (1, -1), "RIGHT"),
            ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ],
    )
    top = Table(
        [[_p(who, TEXT), summary]],
        colWidths=(WIDTH - 200, 200),
        style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "RIGHT")],
    )
    paid: list[Flowable] = [Spacer(0, 12), _payments(b.payments)] if b.payments else []
    return [
        top,
        Spacer(0, 16),
        _services(b.claims),
        *paid,
        Spacer(0, 12),
        _aging(b.aging, b.owed),
        Spacer(0, 8),
        _p(
            "Your share is what your insurance told us you owe, in the payment advice it sent "
            "us. Services pending insurance are not owed until your insurance has answered. "
            f"Your payments are those we received by {st.as_of:%m/%d/%Y}; they are taken off "
            "what you have owed longest." + _credit(b),
            NOTE,
        ),
        _Stub(st),
    ]


def _credit(b: PatientBalance) -> str:
    if b.owed >= 0:
        return ""
    if b.pending_claims:
        # Often a copay taken at the visit, before the insurance has said what the share is.
        return (
            f" You have a credit of {usd(-b.owed)} with us: it will go toward your share of "
            "the services pending insurance, and what is left we will refund."
        )
    return (
        f" You have a credit of {usd(-b.owed)} with us: we will refund it or apply it to your "
        "next visit, as you ask."
    )


def _payments(payments: Sequence[Received]) -> Table:
    rows: list[list[Any]] = [[_p(h, HEAD) for h in ("Date", "Your payment", "Amount")]]
    for r in payments:
        what = f"{r.method.capitalize()} {r.reference}".strip()
        if r.undoes is not None:
            what = f"Returned to you: {what}" + (f" ({r.why})" if r.why else "")
        rows.append([f"{r.received_on:%m/%d/%Y}", _p(what), usd(-r.amount)])
    total = sum((r.amount for r in payments), Decimal("0.00"))
    rows.append(["", _p("Total", HEAD), usd(-total)])
    return Table(
        rows,
        colWidths=(COLUMNS[0], WIDTH - COLUMNS[0] - 70, 70),
        style=[
            ("FONT", (0, 0), (-1, -1), FONT, 7.5),
            ("FONT", (0, -1), (-1, -1), BOLD, 7.5),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (2, 1), (2, -1), "RIGHT"),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
            ("LINEBELOW", (0, 1), (-1, -2), 0.3, GRID),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
        ],
    )


def _why(shares: Sequence[Share]) -> str:
    if len(shares) == 1:
        s = shares[0]
        return f"{s.why[:1].upper()}{s.why[1:]} ({s.group}-{s.reason})"
    return "\n".join(f"{usd(s.amount)} {s.why} ({s.group}-{s.reason})" for s in shares)


def _services(claims: Sequence[ClaimDetail]) -> LongTable:
    heads = ("Date", "Service", "Charge", "Insurance paid", "Adjustments", "Your share", "Why")
    rows: list[list[Any]] = [[_p(h, HEAD) for h in heads]]
    for d in claims:
        day = f"{d.date_of_service:%m/%d/%Y}"
        for ln in d.lines:
            service = _p(f"{ln.code} {ln.description}".strip())
            if d.pending:
                rows.append([day, service, usd(ln.charge), "", "", "", _p("Pending insurance")])
                continue
            amounts = (ln.insurance_paid, ln.adjusted, ln.patient_share)
            rows.append([day, service, usd(ln.charge), *map(usd, amounts), _p(_why(ln.shares))])
        if d.claim_paid or d.claim_adjusted or d.claim_shares:
            share = sum((s.amount for s in d.claim_shares), Decimal("0.00"))
            amounts = (d.claim_paid, d.claim_adjusted, share)
            rows.append([day, _p("Whole visit"), "", *map(usd, amounts), _p(_why(d.claim_shares))])
    if len(rows) == 1:
        rows.append(["", _p("No services to show"), "", "", "", "", ""])
    totals = (
        sum((d.charge for d in claims), Decimal("0.00")),
        sum((d.insurance_paid for d in claims), Decimal("0.00")),
        sum((d.adjusted for d in claims), Decimal("0.00")),
        sum((d.patient_share for d in claims), Decimal("0.00")),
    )
    rows.append(["", _p("Total", HEAD), *map(usd, totals), ""])
    return LongTable(
        rows,
        colWidths=COLUMNS,
        repeatRows=1,
        style=[
            ("FONT", (0, 0), (-1, -1), FONT, 7.5),
            ("FONT", (0, -1), (-1, -1), BOLD, 7.5),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (2, 1), (5, -1), "RIGHT"),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
            ("LINEBELOW", (0, 1), (-1, -2), 0.3, GRID),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
        ],
    )


def _aging(aging: Sequence[tuple[str, Decimal]], owed: Decimal) -> Table:
    zero = Decimal("0.00")
    heads = [f"{label[:1].upper()}{label[1:]} days" for label, _ in aging]
    heads.append("Your credit" if owed < zero else "Total due")
    values = [usd(max(amount, zero)) for _, amount in aging] + [usd(abs(owed))]
    return Table(
        [heads, values],
        colWidths=[WIDTH / len(heads)] * len(heads),
        style=[
            ("FONT", (0, 0), (-1, -1), FONT, 8),
            ("FONT", (0, 0), (-1, 0), BOLD, 7.5),
            ("FONT", (-1, 1), (-1, 1), BOLD, 9),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ],
    )


class _Stub(Flowable):  # type: ignore[misc]
    """The remittance stub: at the foot of the last page, or of a page of its own when the
    services leave no room for it. It takes the rest of the frame and draws at its bottom."""

    HEIGHT = 130.0

    def __init__(self, st: Statement) -> None:
        super().__init__()
        self.st = st

    def wrap(self, width: float, height: float) -> tuple[float, float]:
        self.width = width
        self.height = height if height >= self.HEIGHT else self.HEIGHT
        return width, self.height

    def draw(self) -> None:
        c, st, b = self.canv, self.st, self.st.balance
        top = self.HEIGHT - 8
        c.saveState()
        c.setDash(3, 3)
        c.line(0, top, self.width, top)
        c.setDash()
        c.setFont(FONT, 7)
        c.drawCentredString(
            self.width / 2, top - 10, "Please detach and return this part with your payment"
        )
        c.setFont(FONT, 7.5)
        c.drawString(0, top - 30, "Make your check payable to")
        left = self.width - 245
        fitted(c, 0, top - 43, st.practice_name, BOLD, 10, left)
        for n, line in enumerate(address_lines(st.practice_address)):
            fitted(c, 0, top - 56 - 11 * n, line, FONT, 9, left)
        fields = (
            ("Patient", f"{b.first_name} {b.last_name}"),
            ("Account number", b.patient_id),
            ("Statement date", f"{st.as_of:%m/%d/%Y}"),
            ("Amount due", usd(max(b.owed, Decimal("0.00")))),
            ("Amount enclosed", "$____________"),
        )
        label_x, value_x = self.width - 230, self.width - 130
        for n, (label, value) in enumerate(fields):
            y = top - 30 - 15 * n
            c.setFont(FONT, 8)
            c.drawString(label_x, y, label)
            font = BOLD if label == "Amount due" else FONT
            fitted(c, value_x, y, value, font, 9.5, self.width - value_x)
        c.restoreState()
