"""Recognize what an X12 file holds and read every transaction set in it."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from otbill.x12.core import Issues
from otbill.x12.envelope import Header, transactions
from otbill.x12.t270 import read_271
from otbill.x12.t277 import read_277
from otbill.x12.t835 import read_835
from otbill.x12.t837p_read import read_837p
from otbill.x12.t999 import read_999

READERS: dict[str, Any] = {
    "835": read_835,
    "837": read_837p,
    "999": read_999,
    "277": read_277,
    "271": read_271,
}
NAMES = {
    "835": "835 claim payment/advice",
    "837": "837P professional claims",
    "999": "999 implementation acknowledgment",
    "277": "277 claim status / acknowledgment",
    "271": "271 eligibility response",
    "270": "270 eligibility inquiry",
    "276": "276 claim status inquiry",
}


@dataclass
class ReadSet:
    header: Header
    result: Any  # the reader's model; None for a set otbill writes but does not read


@dataclass
class X12File:
    sets: list[ReadSet] = field(default_factory=list)
    issues: Issues = field(default_factory=Issues)

    @property
    def kinds(self) -> list[str]:
        return sorted({s.header.set_id for s in self.sets})


def read_x12(source: str | Path | IO[str] | IO[bytes], strict: bool = False) -> X12File:
    out = X12File(issues=Issues(strict=strict))
    # A remittance builds hundreds of thousands of small objects and no reference cycles; the
    # cyclic collector would walk them over and over (more than half the reading time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for tx in transactions(source, out.issues):
            reader = READERS.get(tx.header.set_id)
            out.sets.append(ReadSet(tx.header, reader(tx) if reader else None))
    finally:
        if collecting:
            gc.enable()
    return out
