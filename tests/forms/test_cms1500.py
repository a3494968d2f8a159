"""The CMS-1500: its text, its pages, and where its ink falls when rendered to an image."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops

from otbill.coding.coder import code_episode
from otbill.errors import InputError
from otbill.forms.cli import cms1500_cmd
from otbill.forms.cms1500 import LETTERS, render_cms1500
from otbill.forms.layout import (
    AT,
    DATA_LINE,
    LAST_COL,
    PAGE_H,
    PAGE_W,
    col_x,
    line_top,
    rule_x,
)
from otbill.load.json_doc import load_path
from otbill.model import Claim, Episode, OtherPayer

EXAMPLES = Path(str(resources.files("otbill.schemas").joinpath("examples")))
SCALE = 1.5
Coded = tuple[Episode, tuple[Claim, ...]]
PixelBox = tuple[int, int, int, int]


def coded(name: str) -> Coded:
    ep = load_path(EXAMPLES / f"{name}.json")
    return ep, code_episode(ep)


@pytest.fixture(scope="module")
def wc() -> Coded:
    return coded("visit-workers-comp")


@pytest.fixture(scope="module")
def medicare() -> Coded:
    return coded("visit")


def pages(pdf: bytes) -> list[Image.Image]:
    doc = pdfium.PdfDocument(pdf)
    return [doc[i].render(scale=SCALE).to_pil().convert("RGB") for i in range(len(doc))]


def text_of(pdf: bytes, page: int = 0) -> str:
    return str(pdfium.PdfDocument(pdf)[page].get_textpage().get_text_range())


def region(first_line: int, last_line: int, first_col: int, last_col: int) -> PixelBox:
    """The pixel box of grid lines and columns (inclusive) in a rendered page."""
    return (
        int(col_x(first_col) * SCALE),
        int((PAGE_H - line_top(first_line)) * SCALE),
        int(col_x(last_col + 1) * SCALE),
        int((PAGE_H - line_top(last_line + 1)) * SCALE),
    )


Channel = Callable[[int], bool]


def count(img: Image.Image, box: PixelBox | None, r: Channel, g: Channel, b: Channel) -> int:
    """How many pixels (in ``box``) pass the test of each of their channels."""
    part = img.crop(box) if box else img
    masks = [
        ch.point(lambda v, t=t: 255 if t(v) else 0)
        for ch, t in zip(part.split(), (r, g, b), strict=True)
    ]
    both = ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2])
    return both.histogram()[255]


def _below_90(v: int) -> bool:
    return v < 90


def dark(img: Image.Image, box: PixelBox | None = None) -> int:
    return count(img, box, _below_90, _below_90, _below_90)


def red(img: Image.Image, box: PixelBox | None = None) -> int:
    return count(img, box, lambda v: v > 150, lambda v: v < 110, lambda v: v < 110)


def _line_of(text: str, code: str) -> str:
    return next(ln for ln in text.splitlines() if f" {code} " in f" {ln} ")


@pytest.mark.parametrize(("name", "claims", "page_count"), [
    ("visit", 1, 1), ("episode", 5, 5), ("visit-workers-comp", 1, 1),
])  # fmt: skip
def test_every_example_prints_its_data(name: str, claims: int, page_count: int) -> None:
    ep, coded_claims = coded(name)
    assert len(coded_claims) == claims
    pdf = render_cms1500(coded_claims, ep, draw_form=False)
    assert pdf.startswith(b"%PDF-")
    assert len(pdfium.PdfDocument(pdf)) == page_count
    for n, claim in enumerate(coded_claims):
        text = text_of(pdf, n)
        assert claim.member_id in text
        assert f"{ep.patient.last_name.upper()}, {ep.patient.first_name.upper()}" in text
        assert claim.rendering_npi in text and ep.practice.npi in text
        assert claim.referring_npi is not None and claim.referring_npi in text
        for dx in claim.diagnoses:
            assert dx.replace(".", "") in text
        for ln in claim.lines:
            row = _line_of(text, ln.code)
            assert re.search(rf"\b{ln.code} {' '.join(ln.modifiers)} ", row), row
            pointers = "".join(LETTERS[i - 1] for i in ln.diagnosis_pointers)
            dollars, cents = f"{ln.charge:.2f}".split(".")
            assert f" {pointers} {dollars} {cents} {ln.units} " in row, row
            assert row.rstrip().endswith(claim.rendering_npi)
        dollars, cents = f"{claim.total_charge:.2f}".split(".")
        assert f"{dollars} {cents}" in text


def test_workers_comp_items(wc: Coded) -> None:
    ep, claims = wc
    text = text_of(render_cms1500(claims, ep, draw_form=False))
    assert "SANGAMON CABINET WORKS" in text  # item 4: the employer is the insured
    assert "Y4 IL-26-0044182" in text  # item 11b: the carrier's claim number
    assert "01 19 26 431" in text  # item 14: date of injury, qualifier 431
    assert "DN MARCUS BELL DO" in text and "1777777776" in text  # items 17 and 17b
    assert "AUTH-559201" in text  # item 23
    assert "V-WC-0007" in text  # item 26
    assert "09 02 1986" in text  # item 3, an 8-digit birth date
    assert "SIGNATURE ON FILE" in text
    assert "DANA WHITFIELD OT" in text  # item 31
    assert "RIVERSIDE HAND OCCUPATIONAL" in text  # item 33, punctuation dropped, cut to fit
    assert "156 00" in text


def test_medicare_items(medicare: Coded) -> None:
    ep, claims = medicare
    text = text_of(render_cms1500(claims, ep, draw_form=False))
    assert "NONE" in text  # item 11: nothing primary to Medicare
    assert "22 OAK AVENUE" in text
    assert "V-2026-0310-0001" in text  # item 26 in full, though longer than the box's 14
    assert "Y4" not in text


def test_red_form_only_in_the_review_version(wc: Coded) -> None:
    ep, claims = wc
    (plain,) = pages(render_cms1500(claims, ep, draw_form=False))
    (review,) = pages(render_cms1500(claims, ep, draw_form=True))
    assert plain.size == (int(PAGE_W * SCALE), int(PAGE_H * SCALE))
    assert red(plain) == 0, "data-only pages print on the red-ink form: no red of their own"
    assert red(review) > 20_000, "the review version draws the form's boxes in red"
    # The form's outer border runs down the left edge of item 24, just left of column 1.
    _, top, _, bottom = region(DATA_LINE, DATA_LINE + 10, 1, 1)
    x = rule_x(1) * SCALE
    assert red(review, (int(x - 3), top, int(x + 3), bottom)) > 200


def test_data_sits_in_its_boxes(wc: Coded) -> None:
    ep, claims = wc
    (img,) = pages(render_cms1500(claims, ep, draw_form=False))
    line, col = AT["1a"]
    top_right = region(line, line, col, LAST_COL)
    top_left = region(line, line, 1, col - 1)
    assert dark(img, top_right) > 150  # item 1a, the member id
    assert dark(img, top_right) > 5 * dark(img, top_left)  # item 1's X is all on the left
    assert dark(img, region(1, line - 1, 1, col - 1)) == 0  # nothing above item 1 on the left
    first = region(DATA_LINE, DATA_LINE, 1, LAST_COL)  # item 24, service line 1
    assert dark(img, first) > 400
    for empty in (DATA_LINE - 1, DATA_LINE - 3, DATA_LINE + 6, DATA_LINE + 10):
        assert dark(img, region(empty, empty, 1, LAST_COL)) == 0, empty
    # Line 1's ink is spread across item 24's columns A to J, not bunched at the left.
    assert dark(img, region(DATA_LINE, DATA_LINE, 1, 9)) > 50  # 24A from
    assert dark(img, region(DATA_LINE, DATA_LINE, 67, LAST_COL)) > 50  # 24J NPI


def test_eight_lines_take_two_pages(wc: Coded) -> None:
    ep, claims = wc
    claim = claims[0]
    line = claim.lines[0]
    more = tuple(replace(line, code=c) for c in ("97110", "97112", "97530", "97535", "97150"))
    big = replace(claim, lines=(*claim.lines, *more))
    assert len(big.lines) == 8
    pdf = render_cms1500([big], ep, draw_form=True)
    imgs = pages(pdf)
    assert len(imgs) == 2
    first, second = text_of(pdf, 0), text_of(pdf, 1)
    assert "PAGE 1 OF 2" in first and "PAGE 2 OF 2" in second
    for t in (first, second):  # the header repeats
        assert "WC-2026-118822" in t and "GREER, TOMAS" in t
    assert "97530" in first and "97530" not in second  # the sixth line ends page 1
    for code in ("97535", "97150"):  # the seventh and eighth lines go on page 2
        assert code in second and code not in first
    total = f"{big.total_charge:.2f}".replace(".", " ")
    assert total not in first and total in second  # item 28 on the last page only
    assert dark(imgs[1], region(DATA_LINE + 2, DATA_LINE + 2, 1, LAST_COL)) > 400
    assert dark(imgs[1], region(DATA_LINE + 4, DATA_LINE + 4, 1, LAST_COL)) == 0


def test_secondary_claim_names_the_other_insured(wc: Coded) -> None:
    ep, claims = wc
    other = OtherPayer(
        "MCR-IL", "Medicare Part B (Illinois)", "1EG4TE5MK73", "Greer", "Tomas", "18", "MB",
        Decimal("80.00"),
    )  # fmt: skip
    sec = replace(claims[0], other_payers=(other,), responsibility="S")
    text = text_of(render_cms1500([sec], ep, draw_form=False))
    assert "1EG4TE5MK73" in text
    assert "MEDICARE PART B ILLINOIS" in text
    assert "80 00" in text  # item 29: what the earlier payer paid


def test_replacement_claim_gives_its_original(medicare: Coded) -> None:
    ep, claims = medicare
    repl = replace(claims[0], frequency_code="7", original_claim_number="ICN2026031000417")
    text = text_of(render_cms1500([repl], ep, draw_form=False))
    assert re.search(r"\b7 ICN2026031000417\b", text)


def test_deterministic(wc: Coded) -> None:
    ep, claims = wc
    assert render_cms1500(claims, ep, draw_form=True) == render_cms1500(claims, ep, draw_form=True)
    assert render_cms1500(claims, lambda _: ep, draw_form=False) == render_cms1500(
        claims, ep, draw_form=False
    )


def test_cli(tmp_path: Path) -> None:
    out = tmp_path / "claims.pdf"
    run = CliRunner().invoke(
        cms1500_cmd, [str(EXAMPLES / "episode.json"), "-o", str(out), "--form"]
    )
    assert run.exit_code == 0, run.output
    assert "5 claims on 5 pages" in run.output
    imgs = pages(out.read_bytes())
    assert len(imgs) == 5
    assert red(imgs[0]) > 20_000
    plain = tmp_path / "plain.pdf"
    assert CliRunner().invoke(cms1500_cmd, [str(EXAMPLES / "visit.json"), "-o", str(plain)])
    assert red(pages(plain.read_bytes())[0]) == 0


def test_cli_bad_input_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"document": "visit"}')
    run = CliRunner().invoke(cms1500_cmd, [str(bad), "-o", str(tmp_path / "x.pdf")])
    assert isinstance(run.exception, InputError)
    assert not (tmp_path / "x.pdf").exists()
