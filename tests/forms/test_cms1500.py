"""The CMS-1500: its text, its pages, and how it looks rendered to an image."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from otbill.cli import main
from otbill.coding.coder import code_episode
from otbill.forms.cms1500 import render_cms1500
from otbill.forms.layout import AT, FIRST_LINE, PAGE_H, PAGE_W, xy
from otbill.load.json_doc import load_path

EXAMPLES = Path(__file__).resolve().parents[2] / "schemas" / "examples"
SCALE = 2.0


@pytest.fixture(scope="module")
def wc():  # type: ignore[no-untyped-def]
    ep = load_path(EXAMPLES / "visit-workers-comp.json")
    return ep, code_episode(ep)


def pages(pdf: bytes) -> list[Image.Image]:
    doc = pdfium.PdfDocument(pdf)
    return [doc[i].render(scale=SCALE).to_pil().convert("RGB") for i in range(len(doc))]


def text_of(pdf: bytes, page: int = 0) -> str:
    return str(pdfium.PdfDocument(pdf)[page].get_textpage().get_text_range())


def region(line_from: int, line_to: int, col_from: int, col_to: int) -> tuple[int, ...]:
    x0, _ = xy(line_from, col_from)
    x1, _ = xy(line_to, col_to)
    top = (PAGE_H - xy(line_from, 1)[1] - 9) * SCALE
    bottom = (PAGE_H - xy(line_to, 1)[1] + 3) * SCALE
    return int(x0 * SCALE), int(top), int(x1 * SCALE), int(bottom)


def pixels(img: Image.Image) -> list[tuple[int, int, int]]:
    raw = img.tobytes()
    return [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]


def dark(img: Image.Image, box: tuple[int, ...]) -> int:
    return sum(1 for px in pixels(img.crop(box)) if sum(px) < 200)


def red(img: Image.Image) -> int:
    return sum(1 for r, g, b in pixels(img) if r > 150 and g < 110 and b < 110)


def test_data_in_the_text(wc) -> None:  # type: ignore[no-untyped-def]
    ep, claims = wc
    pdf = render_cms1500(claims, ep, draw_form=False)
    text = text_of(pdf)
    for want in (
        "WC-2026-118822",
        "GREER, TOMAS",
        "97140",
        "97760",
        "GO",
        "AB",
        "46 00",
        "1987654328",
        "1234567893",
        "S62101D",
        "AUTH-559201",
        "V-WC-0007",
        "SANGAMON CABINET WORKS",
        "1777777776",
        "156 00",
    ):
        assert want in text, want


def test_red_form_only_in_the_review_version(wc) -> None:  # type: ignore[no-untyped-def]
    ep, claims = wc
    (plain,) = pages(render_cms1500(claims, ep, draw_form=False))
    (review,) = pages(render_cms1500(claims, ep, draw_form=True))
    assert plain.size == (int(PAGE_W * SCALE), int(PAGE_H * SCALE))
    assert red(plain) == 0, "data-only pages print on the red-ink form: no red of their own"
    assert red(review) > 20_000, "the review version draws the form's boxes in red"


def test_data_sits_in_its_boxes(wc) -> None:  # type: ignore[no-untyped-def]
    ep, claims = wc
    (img,) = pages(render_cms1500(claims, ep, draw_form=False))
    line, col = AT["1a"]
    assert dark(img, region(line, line, col, col + 14)) > 50  # item 1a, top right
    assert dark(img, region(line, line, 1, 30)) < dark(img, region(line, line, col, col + 14))
    first = region(FIRST_LINE, FIRST_LINE, 1, 84)  # item 24, service line 1
    assert dark(img, first) > 300
    seventh = region(FIRST_LINE - 2, FIRST_LINE - 2, 1, 84)  # the band above line 1
    assert dark(img, seventh) == 0
    fourth = region(FIRST_LINE + 6, FIRST_LINE + 6, 1, 84)  # only three lines on this claim
    assert dark(img, fourth) == 0


def test_eight_lines_take_two_pages(wc) -> None:  # type: ignore[no-untyped-def]
    ep, claims = wc
    claim = claims[0]
    line = claim.lines[0]
    more = tuple(replace(line, code=c) for c in ("97110", "97112", "97140", "97530", "97535"))
    big = replace(claim, lines=(*claim.lines, *more))
    assert len(big.lines) == 8
    pdf = render_cms1500([big], ep, draw_form=True)
    imgs = pages(pdf)
    assert len(imgs) == 2
    assert "PAGE 2 OF 2" in text_of(pdf, 1)
    # The total charge prints once, on the last page.
    assert "156 00" not in text_of(pdf, 0)
    second_page_lines = region(FIRST_LINE, FIRST_LINE + 2, 1, 84)
    assert dark(imgs[1], second_page_lines) > 300
    assert dark(imgs[1], region(FIRST_LINE + 4, FIRST_LINE + 4, 1, 84)) == 0


def test_deterministic(wc) -> None:  # type: ignore[no-untyped-def]
    ep, claims = wc
    assert render_cms1500(claims, ep, draw_form=True) == render_cms1500(claims, ep, draw_form=True)


def test_cli(tmp_path: Path) -> None:
    out = tmp_path / "claims.pdf"
    assert main(["cms1500", str(EXAMPLES / "episode.json"), "-o", str(out), "--form"]) == 0
    assert len(pdfium.PdfDocument(out.read_bytes())) == 5


def test_secondary_claim_names_the_other_insured(wc) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from otbill.model import OtherPayer

    ep, claims = wc
    other = OtherPayer(
        "MCR-IL",
        "Medicare Part B (Illinois)",
        "1EG4TE5MK73",
        "Greer",
        "Tomas",
        "18",
        "MB",
        Decimal("80.00"),
    )
    sec = replace(claims[0], other_payers=(other,), responsibility="S")
    text = text_of(render_cms1500([sec], ep, draw_form=False))
    assert "1EG4TE5MK73" in text
    assert "MEDICARE PART B ILLINOIS" in text
