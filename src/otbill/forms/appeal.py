"""An appeal or reopening request as PDF: the sender and the payer, the identifiers 42 CFR
405.944(b) requires in a table, the argument from the record in sections, the documents to
enclose as a checklist, the due date and the signature. Letter paper; the same letter gives the
same bytes (no timestamps or random ids in the file)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from otbill.denials.appeals import Letter

MARGIN = 0.8 * inch
WIDTH = LETTER[0] - 2 * MARGIN
FONT, BOLD = "Helvetica", "Helvetica-Bold"
TEXT = ParagraphStyle("text", fontName=FONT, fontSize=9.5, leading=12.5, spaceAfter=4)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=8.5, leading=11)
HEAD = ParagraphStyle("head", fontName=BOLD, fontSize=10.5, leading=13, spaceBefore=8)
TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=12.5, leading=15, spaceAfter=6)
GRID = colors.Color(0.75, 0.75, 0.75)


def _p(text: str, style: ParagraphStyle = TEXT) -> Paragraph:
    return Paragraph(escape(text), style)


def _story(letter: Letter) -> list[Flowable]:
    story: list[Flowable] = [
        *(_p(line, SMALL) for line in letter.sender),
        Spacer(1, 10),
        _p(str(letter.date)),
        *(_p(line) for line in letter.to),
        Spacer(1, 8),
        _p(letter.title, TITLE),
    ]
    ids = Table(
        [[_p(k, SMALL), _p(v, SMALL)] for k, v in letter.identifiers],
        colWidths=(1.6 * inch, WIDTH - 1.6 * inch),
    )
    ids.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (0, -1), BOLD),
            ]
        )
    )
    story += [ids, Spacer(1, 4)]
    for heading, paragraphs in letter.sections:
        block: list[Flowable] = [_p(heading, HEAD), *(_p(t) for t in paragraphs)]
        story.append(KeepTogether(block[:2]))
        story += block[2:]
    story.append(_p("Enclosed", HEAD))
    story += [_p(f"[  ]  {d}") for d in letter.enclosures]
    story += [
        _p(letter.due, HEAD),
        Spacer(1, 18),
        _p("_" * 40),
        *(_p(line) for line in letter.signature),
        Spacer(1, 8),
        _p("Required elements: " + "; ".join(letter.sources), SMALL),
    ]
    return story


def render_letter(letter: Letter) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=letter.title,
        creator="otbill",
        invariant=1,
        pageCompression=0,
    )

    def page_number(c: Canvas, d: SimpleDocTemplate) -> None:
        c.setFont(FONT, 8)
        c.drawRightString(LETTER[0] - MARGIN, MARGIN / 2, f"page {d.page}")

    doc.build(_story(letter), onFirstPage=page_number, onLaterPages=page_number)
    return buf.getvalue()
