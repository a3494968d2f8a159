"""The X12 core: delimiters from the ISA, a streaming segment reader, errors and issues.

The ISA segment names the delimiters: its fourth character is the element separator, ISA11 the
repetition separator (5010), ISA16 the component separator, and the character after ISA16 the
segment terminator. Files may carry line breaks after terminators, a UTF-8 byte-order mark, or
leading whitespace before segments (pretty-printed samples); the reader accepts these.

Problems come in two kinds. An :class:`X12Error` is raised when the data cannot be read at all
(not X12, a segment that is not a segment, a truncated set). Problems the data can be read
despite (an envelope count that is off, a missing final terminator, a claim that does not
balance) are collected as issues, each an X12Error with a level, so a reader reports them
instead of failing; with ``strict`` the first one is raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from otbill.errors import OtbillError

CHUNK = 1 << 20
Elements = list[str]  # [segment id, element 1, element 2, ...]


class X12Error(OtbillError):
    """Malformed X12: names the transaction, the segment's position and id, and the element."""

    def __init__(
        self,
        problem: str,
        *,
        transaction: str = "",
        position: int | None = None,
        segment: str = "",
        element: str = "",
        level: str = "error",
    ) -> None:
        self.problem = problem
        self.transaction = transaction
        self.position = position
        self.segment = segment
        self.element = element
        self.level = level
        where = []
        if transaction:
            where.append(transaction)
        if position is not None:
            where.append(f"segment {position}" + (f" ({segment})" if segment else ""))
        elif segment:
            where.append(segment)
        head = " ".join(where)
        what = f"{element} {problem}" if element else problem
        super().__init__(f"{head}: {what}" if head else what)


@dataclass
class Issues:
    """Problems found while reading that did not stop it. ``strict`` raises the first error."""

    strict: bool = False
    items: list[X12Error] = field(default_factory=list)

    def add(self, issue: X12Error) -> None:
        if self.strict and issue.level == "error":
            raise issue
        self.items.append(issue)

    @property
    def errors(self) -> list[X12Error]:
        return [i for i in self.items if i.level == "error"]


def element(seg: Elements, n: int) -> str:
    return seg[n] if n < len(seg) else ""


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"

    def all(self) -> str:
        return self.element + self.component + self.repetition + self.segment


def _is_delim(ch: str) -> bool:
    return len(ch) == 1 and not ch.isalnum() and ch != " "


def delimiters_from_isa(head: str, issues: Issues | None = None) -> Delimiters:
    """The delimiters named by the ISA segment at the start of ``head``."""
    if not head.startswith("ISA") or len(head) < 16:
        raise X12Error("an interchange starts with an ISA segment", position=1, segment="ISA")
    sep = head[3]
    if not _is_delim(sep):
        raise X12Error(f"element separator {sep!r} is not a delimiter", position=1, segment="ISA")
    fields = head.split(sep, 16)
    if len(fields) < 17 or len(fields[16]) < 2:
        raise X12Error(
            "ISA is cut short: expected 16 elements and a terminator", position=1, segment="ISA"
        )
    component, terminator = fields[16][0], fields[16][1]
    if not _is_delim(component) or component == sep:
        raise X12Error(
            f"{component!r} is not a component separator",
            position=1,
            segment="ISA",
            element="ISA16",
        )
    if terminator.isalnum() or terminator in (sep, component, " "):
        raise X12Error(f"{terminator!r} is not a segment terminator", position=1, segment="ISA")
    version = fields[12]
    repetition = fields[11] if version >= "00501" and _is_delim(fields[11]) else ""
    if repetition and repetition in (sep, component, terminator):
        # Read on without repetitions (the clash makes them ambiguous), and say so.
        if issues is not None:
            issues.add(
                X12Error(
                    f"repetition separator {repetition!r} is also another delimiter",
                    position=1,
                    segment="ISA",
                    element="ISA11",
                )
            )
        repetition = ""
    if issues is not None and len(sep.join(fields[:16])) + 3 != 106:
        issues.add(
            X12Error(
                "is not the fixed 106 characters wide", position=1, segment="ISA", level="warning"
            )
        )
    return Delimiters(sep, component, repetition, terminator)


def _text_chunks(source: str | Path | IO[str] | IO[bytes]) -> Iterator[str]:
    if isinstance(source, str):
        yield source
        return
    if isinstance(source, Path):
        with source.open("rb") as f:
            yield from _text_chunks(f)
        return
    while True:
        chunk = source.read(CHUNK)
        if not chunk:
            return
        if isinstance(chunk, bytes):
            try:
                yield chunk.decode("utf-8")
            except UnicodeDecodeError:
                yield chunk.decode("latin-1")
        else:
            yield chunk


_BLANK = " \t\r\n"


class SegmentStream:
    """Segments of one or more interchanges, streamed a chunk at a time; the n-th segment
    yielded is segment n of the file (for messages). The delimiters are known as soon as the
    stream is made. A file of bare ST..SE sets with no envelope is read too, with an issue."""

    def __init__(
        self, source: str | Path | IO[str] | IO[bytes], issues: Issues | None = None
    ) -> None:
        self.issues = issues if issues is not None else Issues()
        self._chunks = _text_chunks(source)
        buf = ""
        for text in self._chunks:
            buf += text
            if len(buf) >= 512:
                break
        buf = buf.lstrip("\ufeff" + _BLANK)
        if buf.startswith("ISA"):
            self.delimiters = delimiters_from_isa(buf[:512], self.issues)
        elif buf.startswith("ST") and len(buf) > 2 and _is_delim(buf[2]):
            term = "~" if "~" in buf else "\n"
            self.delimiters = Delimiters(buf[2], ":", "^", term)
            self.issues.add(
                X12Error("no ISA/GS envelope: bare ST..SE sets", position=1, level="warning")
            )
        else:
            raise X12Error(f"not X12: the file starts with {buf[:20]!r}", position=1)
        self._first = buf

    def __iter__(self) -> Iterator[Elements]:
        term, sep = self.delimiters.segment, self.delimiters.element
        position = 0
        pending = self._first
        known: set[str] = set()  # segment ids already checked: the check runs once per id
        while True:
            parts = pending.split(term)
            pending = parts.pop()
            for raw in parts:
                raw = raw.strip(_BLANK)
                if not raw:
                    continue
                position += 1
                elements = raw.split(sep)
                sid = elements[0]
                if sid not in known:
                    if len(sid) > 3 or not sid.isalnum() or not sid[0].isalpha():
                        raise X12Error(f"not a segment id: {sid[:10]!r}", position=position)
                    known.add(sid)
                yield elements
            nxt = next(self._chunks, None)
            if nxt is None:
                break
            pending += nxt
        tail = pending.strip(_BLANK + "\x00\x1a")
        if tail:
            elements = tail.split(sep)
            if elements[0] != "IEA" or len(elements) != 3:
                raise X12Error(
                    f"the file ends inside a segment (no terminator {term!r}): {tail[:30]!r}",
                    position=position + 1,
                )
            self.issues.add(
                X12Error(
                    f"the last segment has no terminator {term!r}",
                    position=position + 1,
                    segment="IEA",
                    level="warning",
                )
            )
            yield elements


def read_segments(
    source: str | Path | IO[str] | IO[bytes], issues: Issues | None = None
) -> Iterator[Elements]:
    return iter(SegmentStream(source, issues))


_NUMERIC = frozenset("0123456789.-")


def amount_or_error(seg: Elements, n: int, transaction: str, position: int) -> Decimal:
    """The hot-path amount reader: X12 decimals are digits, one point and a leading minus, and
    anything else gets the full check's error."""
    text = seg[n] if n < len(seg) else ""
    if text and _NUMERIC.issuperset(text):
        try:
            return Decimal(text)
        except InvalidOperation:
            pass
    return decimal(seg, n, transaction, position)


def decimal(
    seg: Elements, n: int, transaction: str, position: int, required: bool = True
) -> Decimal:
    text = seg[n] if n < len(seg) else ""
    if not text:
        if required:
            raise X12Error(
                "is required",
                transaction=transaction,
                position=position,
                segment=seg[0],
                element=f"{seg[0]}{n:02d}",
            )
        return Decimal(0)
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or "e" in text or "E" in text:
        raise X12Error(
            f"is not a decimal: {text!r}",
            transaction=transaction,
            position=position,
            segment=seg[0],
            element=f"{seg[0]}{n:02d}",
        )
    return value


def as_text(segments: Iterable[Elements], delims: Delimiters, newline: bool = False) -> str:
    end = delims.segment + ("\n" if newline else "")
    return "".join(delims.element.join(s) + end for s in segments)
