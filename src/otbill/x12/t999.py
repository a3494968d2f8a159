"""999 (005010X231A1) implementation acknowledgment: accepted or rejected, and each error with
its segment and element."""

from __future__ import annotations

from otbill.model.acks import FunctionalAck, SegmentError, SetAck
from otbill.x12.core import X12Error, element
from otbill.x12.envelope import Transaction

TX = "999"


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 0


def read_999(tx: Transaction) -> FunctionalAck:
    ak1: list[str] = []
    ak9: list[str] = []
    sets: list[SetAck] = []
    ak2: list[str] | None = None
    errors: list[SegmentError] = []
    for pos, seg in tx:
        sid = seg[0]
        if sid == "AK1":
            ak1 = seg
        elif sid == "AK2":
            ak2, errors = seg, []
        elif sid == "IK3":
            position = element(seg, 2)
            errors.append(
                SegmentError(
                    element(seg, 1),
                    int(position) if position.isdigit() else None,
                    element(seg, 3),
                    element(seg, 4),
                )
            )
        elif sid == "IK4" and errors:
            last = errors[-1]
            errors[-1] = SegmentError(
                last.segment_id,
                last.position,
                last.loop,
                last.code,
                element(seg, 1),
                element(seg, 2),
                element(seg, 3),
                element(seg, 4),
            )
        elif sid == "IK5":
            if ak2 is None:
                tx.issues.add(
                    X12Error("comes before any AK2", transaction=TX, position=pos, segment="IK5")
                )
                continue
            sets.append(
                SetAck(
                    element(ak2, 1),
                    element(ak2, 2),
                    element(seg, 1),
                    tuple(c for c in seg[2:] if c),
                    tuple(errors),
                )
            )
            ak2 = None
        elif sid == "AK9":
            ak9 = seg
    if not ak1 or not ak9:
        raise X12Error("needs AK1 and AK9", transaction=TX, position=tx.header.start)
    return FunctionalAck(
        element(ak1, 1),
        element(ak1, 2),
        element(ak9, 1),
        _int(element(ak9, 2)),
        _int(element(ak9, 3)),
        _int(element(ak9, 4)),
        tuple(sets),
    )
