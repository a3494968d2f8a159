"""CARC and RARC descriptions: otbill's own short words for the codes it ships, and a reader for
the full lists a user downloads from X12 (a CSV, or the published page saved as HTML), which
carry X12's wording and each code's start, last-modified and stop dates.

X12 publishes both lists (https://x12.org/codes/claim-adjustment-reason-codes and
.../remittance-advice-remark-codes); no permissively licensed copy exists, so otbill ships only
the codes with its own descriptions and reads the rest from the user's download.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from html.parser import HTMLParser

from otbill.codesets._csv import data_rows
from otbill.errors import InputError

KINDS = ("CARC", "RARC")
_FILES = {"CARC": "carc.csv", "RARC": "rarc.csv"}


@dataclass(frozen=True, slots=True)
class CodeEntry:
    kind: str  # CARC or RARC
    code: str
    description: str
    start: date | None = None
    last_modified: date | None = None
    stop: date | None = None
    notes: str = ""
    source: str = "otbill"  # otbill's shipped words, or the file a list was loaded from

    def in_force(self, on: date) -> bool:
        return (self.start is None or self.start <= on) and (self.stop is None or on < self.stop)


@cache
def shipped(kind: str) -> Mapping[str, CodeEntry]:
    out = {}
    for _, r in data_rows(_FILES[kind]):
        out[r["code"]] = CodeEntry(
            kind,
            r["code"],
            r["description"],
            _date(r["start"]) if r["start"] else None,
            None,
            _date(r["stop"]) if r["stop"] else None,
        )
    return out


def describe(
    kind: str, code: str, loaded: Mapping[str, CodeEntry] | None = None
) -> CodeEntry | None:
    """A code's entry: the loaded list's (X12's wording) first, then otbill's own."""
    if loaded and code in loaded:
        return loaded[code]
    return shipped(kind).get(code)


# --- reading a downloaded list -------------------------------------------------------------

_DATES = re.compile(
    r"(Start|Last Modified|Stop)\s*:\s*(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})", re.I
)
_NOTES = re.compile(r"\bNotes?\s*:\s*(.*)$", re.I | re.S)
_CODE = re.compile(r"^[A-Z]{0,2}\d{1,4}$")


def _date(text: str) -> date:
    text = text.strip()
    for fmt in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def _entry(kind: str, code: str, text: str, source: str, extra: Mapping[str, str]) -> CodeEntry:
    """One code from its description cell, which may carry 'Start: ... | Last Modified: ... |
    Stop: ...' and 'Notes: ...' (as the X12 page prints them), or from separate columns."""
    dates: dict[str, date] = {}
    for label, value in _DATES.findall(text):
        dates[label.lower()] = _date(value)
    for label, key in (("start", "start"), ("last modified", "last_modified"), ("stop", "stop")):
        if extra.get(key):
            dates[label] = _date(extra[key])
    notes = extra.get("notes", "")
    m = _NOTES.search(text)
    if m:
        notes = notes or m.group(1).strip()
        text = text[: m.start()]
    cut = _DATES.search(text)
    if cut:
        text = text[: cut.start()]
    description = " ".join(text.replace("|", " ").split()).strip()
    return CodeEntry(
        kind,
        code,
        description,
        dates.get("start"),
        dates.get("last modified"),
        dates.get("stop"),
        " ".join(notes.split()),
        source,
    )


def _csv_entries(kind: str, text: str, source: str) -> list[CodeEntry]:
    reader = csv.DictReader(io.StringIO(text))
    heads = {h.strip().lower(): h for h in (reader.fieldnames or []) if h}

    def col(*names: str) -> str | None:
        for n in names:
            for h, orig in heads.items():
                if h == n or h.replace("_", " ") == n:
                    return orig
        return None

    code_col = col("code", f"{kind.lower()} code", "reason code", "remark code")
    desc_col = col("description", "desc", "text", "definition")
    if code_col is None or desc_col is None:
        raise InputError(source, "a CSV code list needs a code column and a description column")
    optional = {
        "start": col("start", "start date", "effective date"),
        "last_modified": col("last modified", "last modified date", "modified"),
        "stop": col("stop", "stop date", "end date", "deactivated"),
        "notes": col("notes", "note"),
    }
    out = []
    for n, row in enumerate(reader, start=2):
        code = (row.get(code_col) or "").strip()
        if not code:
            continue
        extra = {k: (row.get(c) or "").strip() for k, c in optional.items() if c}
        try:
            out.append(_entry(kind, code, row.get(desc_col) or "", source, extra))
        except ValueError as e:
            raise InputError(f"{source} line {n}", str(e)) from None
    return out


class _Cells(HTMLParser):
    """The text of each table row's cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _html_entries(kind: str, text: str, source: str) -> list[CodeEntry]:
    parser = _Cells()
    parser.feed(text)
    out = []
    for cells in parser.rows:
        if len(cells) < 2 or not _CODE.match(cells[0].strip()):
            continue
        try:
            out.append(_entry(kind, cells[0].strip(), " ".join(cells[1:]), source, {}))
        except ValueError as e:
            raise InputError(f"{source} code {cells[0]}", str(e)) from None
    return out


def read_code_list(kind: str, text: str, source: str) -> list[CodeEntry]:
    """The entries of a downloaded CARC or RARC list: CSV, or the X12 page saved as HTML."""
    if kind not in KINDS:
        raise InputError("kind", f"must be CARC or RARC, got {kind!r}")
    head = text.lstrip()[:200].lower()
    is_html = head.startswith(("<!doctype", "<html")) or "<table" in text[:5000].lower()
    entries = _html_entries(kind, text, source) if is_html else _csv_entries(kind, text, source)
    if not entries:
        raise InputError(
            source,
            f"no {kind} codes found (a CSV with code and description "
            "columns, or the X12 code list page saved as HTML)",
        )
    seen: dict[str, CodeEntry] = {}
    for e in entries:
        seen[e.code] = e  # a code listed twice: the later row wins
    return list(seen.values())


def merged(kind: str, loaded: Iterable[CodeEntry]) -> dict[str, CodeEntry]:
    """otbill's codes overlaid with a loaded list's (whose wording and dates win)."""
    out = dict(shipped(kind))
    out.update({e.code: e for e in loaded})
    return out
