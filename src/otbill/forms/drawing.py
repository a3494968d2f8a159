"""The CMS-1500 itself, drawn in red for the review version, on the grid the data uses.

Only the review version calls this: the print version goes onto the pre-printed red-ink form,
whose scanners drop the red and read the black, so the print version must carry no red at all.
"""

from __future__ import annotations

from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from otbill.forms.layout import (
    AT,
    BOXES,
    CHECKS,
    DATA_LINE,
    FIRST_COL,
    LABELS,
    LAST_COL,
    LINES_PER_PAGE,
    PITCH,
    RULES,
    Box,
    Label,
    col_x,
    line_top,
    rule_x,
    xy,
)

FORM_RED = Color(0.86, 0.1, 0.12)
SHADE = Color(0.98, 0.87, 0.87)  # the pink of the supplemental half of item 24's rows
FONT, BOLD = "Helvetica", "Helvetica-Bold"
LABEL_SIZE = 5.0


def _fit(text: str, size: float, width: float) -> float:
    """The largest font size up to ``size`` at which ``text`` fits ``width``."""
    w = float(stringWidth(text, FONT, size))
    return size if w <= width else size * width / w


def _label_y(line: float, size: float, low: bool) -> float:
    return xy(int(line), 1)[1] + 0.5 if low else line_top(line) - size - 0.6


def _box(c: Canvas, b: Box) -> None:
    left, right = rule_x(b.left), rule_x(b.right + 1)
    low, high = line_top(b.bottom + 1), line_top(b.top)
    c.rect(left, low, right - left, high - low, stroke=1, fill=0)
    if b.label:
        size = _fit(b.label, LABEL_SIZE, right - left - 3.0)
        c.setFont(FONT, size)
        c.drawString(left + 1.5, high - size - 0.6, b.label)


def _label(c: Canvas, lb: Label) -> None:
    font = BOLD if lb.size >= 10 else FONT
    c.setFont(font, lb.size)
    c.drawString(col_x(1) + (lb.col - 1) * PITCH, _label_y(lb.line, lb.size, lb.low), lb.text)


def _checks(c: Canvas) -> None:
    for ch in CHECKS:
        line, col = AT[ch.item]
        x, y = xy(line, col)
        c.rect(x - 0.6, y - 1.6, 7.2, 8.4, stroke=1, fill=0)
        c.setFont(FONT, 5.0)
        if ch.side == "right":
            c.drawString(x + 8.0, y + 0.5, ch.label)
        elif ch.side == "left":
            c.drawRightString(x - 1.6, y + 0.5, ch.label)
        else:
            # Above: on the lower part of the line over the box, clear of the box's label.
            c.drawString(x - 0.6, xy(line - 1, col)[1] + 0.5, ch.label)


def _item_24_rows(c: Canvas) -> None:
    left, right = rule_x(FIRST_COL), rule_x(LAST_COL + 1)
    for n in range(LINES_PER_PAGE):
        data = DATA_LINE + 2 * n
        low, high = line_top(data), line_top(data - 1)
        c.setFillColor(SHADE)
        c.rect(left, low, rule_x(67) - left, high - low, stroke=0, fill=1)
        c.setFillColor(FORM_RED)
        c.line(left, line_top(data + 1), right, line_top(data + 1))
        c.setLineWidth(0.3)
        c.line(left, low, rule_x(67), low)
        c.setLineWidth(0.6)
        c.setFont(FONT, 4.5)
        c.drawString(rule_x(64) + 1.5, xy(data, 1)[1] + 0.5, "NPI")
        # The row numbers stand outside the form's left border, as on the printed form.
        c.setFont(BOLD, 7.0)
        c.drawRightString(left - 2.0, xy(data, 1)[1], str(n + 1))


def _rules(c: Canvas) -> None:
    for r in RULES:
        x = col_x(1) + (r.x_col - 1) * PITCH
        if r.x_col == int(r.x_col):
            x = rule_x(int(r.x_col))
        c.setDash(*((0.6, 1.2) if r.dotted else ((), 0)))
        c.line(x, line_top(r.bottom + 1), x, line_top(r.top))
    c.setDash()


def _margins(c: Canvas) -> None:
    """The bracketed section names down the right margin."""
    x = rule_x(LAST_COL + 1) + 9.0
    c.setFont(BOLD, 6.0)
    for text, top, bottom in (
        ("CARRIER", 1, 6),
        ("PATIENT AND INSURED INFORMATION", 7, 29),
        ("PHYSICIAN OR SUPPLIER INFORMATION", 31, 61),
    ):
        high, low = line_top(top), line_top(bottom + 1)
        c.line(x - 4.0, high, x - 4.0, low)
        c.saveState()
        c.translate(x, (high + low) / 2)
        c.rotate(-90)
        c.drawCentredString(0, 0, text)
        c.restoreState()


def draw_form(c: Canvas) -> None:
    """Draw the form's boxes, labels and check boxes in red on the current page."""
    c.saveState()
    c.setStrokeColor(FORM_RED)
    c.setFillColor(FORM_RED)
    c.setLineWidth(0.6)
    # The outer border, heavier, from item 1 to the bottom of items 31-33.
    c.setLineWidth(1.2)
    c.rect(
        rule_x(FIRST_COL),
        line_top(62),
        rule_x(LAST_COL + 1) - rule_x(FIRST_COL),
        line_top(7) - line_top(62),
    )
    c.setLineWidth(0.6)
    _item_24_rows(c)
    for b in BOXES:
        _box(c, b)
    for lb in LABELS:
        _label(c, lb)
    _checks(c)
    _rules(c)
    _margins(c)
    # A heavy rule parts the patient and insured section from the provider section.
    c.setLineWidth(1.6)
    y = line_top(31) + (line_top(30) - line_top(31)) / 2
    c.line(rule_x(FIRST_COL), y, rule_x(LAST_COL + 1), y)
    c.restoreState()
