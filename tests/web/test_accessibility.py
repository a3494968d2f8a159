"""Accessibility of every page, read from the HTML as served (WCAG 2.2 AA where it can be read
without a person): a language, a title, a skip link to the main content first; one h1 and no
heading level skipped; every control labelled; every table header with its scope; no link or
button without words; tags closed. And the colours of the stylesheet: text 4.5:1 against its
background, the focus ring and control borders 3:1 (WCAG 1.4.3, 1.4.11)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from pagekit import Pages, pages_fixture

CSS = Path(__file__).resolve().parents[2] / "src" / "otbill" / "web" / "static" / "otbill.css"
VOID = {"meta", "link", "input", "br", "img", "hr", "source", "col", "wbr"}

pages = pages_fixture()


class Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.headings: list[int] = []
        self.labels: set[str] = set()
        self.controls: list[dict[str, Any]] = []
        self.ids: set[str] = set()
        self.first_link: dict[str, Any] | None = None
        self.html_lang = ""
        self.title = ""
        self._text: list[list[str]] = []  # words inside the open a, button, summary
        self._in_title = False
        self._in_label = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            if a["id"] in self.ids:
                self.problems.append(f"id {a['id']!r} twice")
            self.ids.add(a["id"])
        if tag == "html":
            self.html_lang = a.get("lang", "")
        if tag == "title":
            self._in_title = True
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "label":
            self._in_label += 1
            if a.get("for"):
                self.labels.add(a["for"])
        if tag in ("input", "select", "textarea"):
            kind = a.get("type", "text")
            if kind not in ("hidden", "submit", "button"):
                self.controls.append({**a, "tag": tag, "wrapped": self._in_label > 0})
        if tag == "th" and a.get("scope") not in ("col", "row", "colgroup", "rowgroup"):
            self.problems.append("a <th> without scope")
        if tag == "a" and self.first_link is None:
            self.first_link = a
        if tag in ("a", "button", "summary"):
            self._text.append([a.get("aria-label", "")])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag == "label":
            self._in_label -= 1
        words = self._text.pop() if tag in ("a", "button", "summary") and self._text else None
        if words is not None and not "".join(words).strip():
            self.problems.append(f"a <{tag}> without words")
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '?'}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        for words in self._text:
            words.append(data)

    def verdict(self) -> list[str]:
        out = list(self.problems)
        if self.html_lang != "en":
            out.append("no lang on <html>")
        if not self.title.strip():
            out.append("no title")
        if not self.first_link or self.first_link.get("href") != "#main":
            out.append("the first link is not the skip link")
        if "main" not in self.ids:
            out.append("no #main to skip to")
        if self.headings.count(1) != 1:
            out.append(f"{self.headings.count(1)} h1")
        for before, after in zip(self.headings, self.headings[1:], strict=False):
            if after > before + 1:
                out.append(f"h{before} then h{after}")
        for c in self.controls:
            named = c.get("aria-label") or c.get("aria-labelledby") or c["wrapped"]
            if not named and c.get("id") not in self.labels:
                out.append(f"<{c['tag']} name={c.get('name')!r}> has no label")
        if self.stack:
            out.append(f"left open: {self.stack}")
        return out


def urls(p: Pages) -> list[str]:
    a = p.a
    return [
        f"/p/{a}",
        f"/p/{a}/claims",
        f"/p/{a}/claims/{p.a_draft}",
        f"/p/{a}/claims/{p.a_denied}",
        f"/p/{a}/rules/OT-DOC-001",
        f"/p/{a}/denials",
        f"/p/{a}/denials/{p.a_item}",
        f"/p/{a}/denials/{p.a_item}/letter",
        f"/p/{a}/remittances",
        f"/p/{a}/eligibility",
        f"/p/{a}/patients",
        f"/p/{a}/patients/PA-1",
        f"/p/{a}/claims/NO-SUCH",  # the not-found page
        "/",
    ]


def test_every_page_reads_well_without_sight(pages: Pages) -> None:
    c = pages.client("company")  # in both practices: the first page is the practices' table
    seen = {}
    for url in urls(pages):
        r = c.get(url)
        assert r.status_code in (200, 404), (url, r.status_code)
        audit = Audit()
        audit.feed(r.text)
        seen[url] = audit.verdict()
    login = Audit()
    login.feed(pages.client().get("/login").text)
    seen["/login"] = login.verdict()
    assert {u: v for u, v in seen.items() if v} == {}


def test_the_audit_finds_what_it_looks_for() -> None:
    """The checks above fail on a page that breaks them (they are not vacuous)."""
    bad = (
        '<html><head><title></title></head><body><a href="/x">home</a><h1>A</h1><h3>B</h3>'
        '<input name="q"><table><tr><th>x</th></tr></table><button></button><div></body></html>'
    )
    audit = Audit()
    audit.feed(bad)
    got = audit.verdict()
    for want in (
        "no lang",
        "no title",
        "skip link",
        "no #main",
        "h1 then h3",
        "<input name='q'> has no label",
        "<th> without scope",
        "<button> without words",
        "closes",
    ):
        assert any(want in g for g in got), (want, got)


def _rgb(hex_colour: str) -> tuple[float, ...]:
    h = hex_colour.lstrip("#")
    return tuple(int(h[k : k + 2], 16) / 255 for k in (0, 2, 4))


def luminance(hex_colour: str) -> float:
    """Relative luminance, WCAG 2.2's definition (sRGB, linearized)."""
    r, g, b = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in _rgb(hex_colour)
    )
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_worked_example() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the AA grey


def test_the_stylesheet_colours_meet_aa() -> None:
    css = CSS.read_text()
    v = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    bar = re.search(r"\.top \{[^}]*background: (#[0-9a-f]{6})", css)
    assert bar
    text_pairs = {
        "ink on paper": (v["ink"], v["paper"]),
        "ink on panel": (v["ink"], v["panel"]),
        "muted on paper": (v["muted"], v["paper"]),
        "muted on panel": (v["muted"], v["panel"]),
        "link on paper": (v["link"], v["paper"]),
        "link on panel": (v["link"], v["panel"]),
        "warning on paper": (v["warn-ink"], v["paper"]),
        "message": (v["ok-ink"], v["ok-bg"]),
        "error": (v["bad-ink"], v["bad-bg"]),
        "primary button": ("#ffffff", v["accent"]),
        "top bar": ("#ffffff", bar[1]),
        "practice name in the bar": ("#d5e3f0", bar[1]),
    }
    low = {k: round(contrast(*p), 2) for k, p in text_pairs.items() if contrast(*p) < 4.5}
    assert low == {}
    ui_pairs = {
        "focus ring on paper": (v["focus"], v["paper"]),
        "focus ring on panel": (v["focus"], v["panel"]),
        "control border": (v["line"], v["paper"]),
        "focus ring in the bar": ("#ffb36b", bar[1]),
    }
    low = {k: round(contrast(*p), 2) for k, p in ui_pairs.items() if contrast(*p) < 3}
    assert low == {}
    assert re.search(r":focus-visible \{\s*outline: 3px solid var\(--focus\)", css)
