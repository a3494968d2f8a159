"""Envelopes: ISA/IEA, GS/GE and ST/SE, their control numbers and counts, checked as the
segments stream past. Each transaction set reaches its reader as an iterator of segments."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from otbill.x12.core import Delimiters, Elements, Issues, SegmentStream, X12Error, element

_ENVELOPE = frozenset({"ISA", "IEA", "GS", "GE", "ST"})
# GS01 functional identifier code for each transaction set (X12 code list 479).
FUNCTIONAL_ID = {
    "835": "HP",
    "837": "HC",
    "270": "HS",
    "271": "HB",
    "276": "HR",
    "277": "HN",
    "999": "FA",
    "997": "FA",
}


@dataclass(frozen=True, slots=True)
class Header:
    """Where a transaction set sits: its interchange, group and set identifiers."""

    sender: str  # ISA06
    receiver: str  # ISA08
    interchange_control: str  # ISA13
    usage: str  # ISA15: P production, T test
    functional_id: str  # GS01 (HP 835, HC 837, HS 270, HB 271, HR 276, HN 277, FA 999)
    group_control: str  # GS06
    version: str  # GS08, e.g. 005010X221A1
    set_id: str  # ST01
    set_control: str  # ST02
    start: int  # position of the ST segment in the file


class _Cursor:
    def __init__(self, source: str | Path | IO[str] | IO[bytes], issues: Issues) -> None:
        self.issues = issues
        stream = SegmentStream(source, issues)
        self.delimiters: Delimiters = stream.delimiters
        self.it: Iterator[Elements] = iter(stream)
        self.pos: int = 0  # of the current segment in the file
        self.seg: Elements | None = None
        self.advance()

    def advance(self) -> None:
        self.seg = next(self.it, None)
        self.pos += 1


def _err(problem: str, pos: int, seg: Elements, el: str = "", tx: str = "") -> X12Error:
    return X12Error(problem, transaction=tx, position=pos, segment=seg[0], element=el)


class Transaction:
    """One ST..SE set. Iterate it once for (position, segment) pairs, ST and SE included, the
    position counted from ST = 1 (as a 999 reports it); the SE count and control number are
    checked when the iteration reaches SE."""

    def __init__(self, header: Header, cursor: _Cursor) -> None:
        self.header = header
        self.delimiters = cursor.delimiters
        self.issues = cursor.issues
        self._body = self._read(cursor)

    def __iter__(self) -> Iterator[tuple[int, Elements]]:
        return self._body

    def drain(self) -> None:
        for _ in self._body:
            pass

    def _read(self, c: _Cursor) -> Iterator[tuple[int, Elements]]:
        tx, control = self.header.set_id, self.header.set_control
        it = c.it
        seg = c.seg
        count = 0
        while True:
            if seg is None:
                c.seg, c.pos = None, c.pos + count
                c.issues.add(
                    X12Error(
                        "the file ends inside the transaction set (no SE)",
                        transaction=tx,
                        position=count + 1,
                    )
                )
                return
            count += 1
            sid = seg[0]
            if sid == "SE":
                yield count, seg
                if element(seg, 2) != control:
                    c.issues.add(
                        _err(
                            f"{element(seg, 2)!r} does not match ST02 {control!r}",
                            count,
                            seg,
                            "SE02",
                            tx,
                        )
                    )
                if element(seg, 1) != str(count):
                    c.issues.add(
                        _err(
                            f"says {element(seg, 1)} segments, the set has {count}",
                            count,
                            seg,
                            "SE01",
                            tx,
                        )
                    )
                c.pos += count - 1
                c.advance()
                return
            if sid in _ENVELOPE and count > 1:
                raise _err(f"{sid} before the SE closing set {control}", count, seg, tx=tx)
            # Positions inside a set count from ST = 1, as a 999's IK3 reports them.
            yield count, seg
            seg = next(it, None)


def transactions(
    source: str | Path | IO[str] | IO[bytes], issues: Issues | None = None
) -> Iterator[Transaction]:
    """Every transaction set of every interchange in ``source``, envelopes checked: a count or
    control number that does not match is an issue; a missing envelope segment is an error.
    Each set is read fully (by the caller, or here) before the next is made."""
    c = _Cursor(source, issues if issues is not None else Issues())
    if c.seg is None:
        raise X12Error("empty: no segments", position=1)
    if c.seg[0] == "ST":  # bare sets, no envelope (the reader has said so)
        while c.seg is not None and c.seg[0] == "ST":
            st = c.seg
            header = Header("", "", "", "", "", "", element(st, 3), st[1], element(st, 2), c.pos)
            tx = Transaction(header, c)
            yield tx
            tx.drain()
        if c.seg is not None:
            raise _err(f"expected ST, found {c.seg[0]}", c.pos, c.seg)
        return
    while c.seg is not None:
        isa, isa_pos = c.seg, c.pos
        if isa[0] != "ISA":
            raise _err(f"expected ISA, found {isa[0]}", c.pos, isa)
        if len(isa) != 17:
            raise _err(f"has {len(isa) - 1} elements, expected 16", isa_pos, isa)
        c.advance()
        groups = 0
        while c.seg is not None and c.seg[0] == "GS":
            gs = c.seg
            groups += 1
            sets = 0
            c.advance()
            while c.seg is not None and c.seg[0] == "ST":
                sets += 1
                st = c.seg
                want = FUNCTIONAL_ID.get(element(st, 1))
                if want and element(gs, 1) != want:
                    c.issues.add(
                        _err(
                            f"{element(gs, 1)!r} is not the functional id of a "
                            f"{element(st, 1)} ({want})",
                            c.pos,
                            st,
                            "GS01",
                        )
                    )
                header = Header(
                    isa[6].strip(),
                    isa[8].strip(),
                    isa[13],
                    isa[15],
                    element(gs, 1),
                    element(gs, 6),
                    element(gs, 8),
                    element(st, 1),
                    element(st, 2),
                    c.pos,
                )
                tx = Transaction(header, c)
                yield tx
                tx.drain()
            seg = c.seg
            if seg is None:
                c.issues.add(
                    X12Error("the file ends inside a functional group (no GE)", position=c.pos)
                )
                return
            if seg[0] != "GE":
                raise _err(f"expected ST or GE, found {seg[0]}", c.pos, seg)
            if element(seg, 2) != element(gs, 6):
                c.issues.add(
                    _err(
                        f"{element(seg, 2)!r} does not match GS06 {element(gs, 6)!r}",
                        c.pos,
                        seg,
                        "GE02",
                    )
                )
            if element(seg, 1) != str(sets):
                c.issues.add(
                    _err(
                        f"says {element(seg, 1)} transaction sets, the group has {sets}",
                        c.pos,
                        seg,
                        "GE01",
                    )
                )
            c.advance()
        seg = c.seg
        if seg is None:
            c.issues.add(X12Error("the file ends inside an interchange (no IEA)", position=c.pos))
            return
        if seg[0] != "IEA":
            raise _err(f"expected GS or IEA, found {seg[0]}", c.pos, seg)
        if element(seg, 2) != isa[13]:
            c.issues.add(
                _err(f"{element(seg, 2)!r} does not match ISA13 {isa[13]!r}", c.pos, seg, "IEA02")
            )
        if element(seg, 1) != str(groups):
            c.issues.add(
                _err(
                    f"says {element(seg, 1)} functional groups, the interchange has {groups}",
                    c.pos,
                    seg,
                    "IEA01",
                )
            )
        c.advance()
