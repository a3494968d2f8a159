"""A practice's own pre-bill edits, one payer each: what that payer has been seen to deny, as
data the scrubber applies (rule OT-EDIT-001) before the next claim goes out.

Three kinds, each made from a denial pattern (otbill.denials.prevention) or written by hand:
``pair`` (the payer denies ``code`` billed with ``other`` on the same day unless ``code``
carries one of ``modifiers``), ``code`` (the payer denies ``code`` unless it carries one of
``modifiers``; with none, it does not pay the code at all), ``units`` (more than ``max_units`` of
``code`` on a day are denied).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from otbill.errors import InputError

KINDS = ("pair", "code", "units")


@dataclass(frozen=True, slots=True)
class PayerEdit:
    id: str  # stable: "PE-3" for the practice's third edit
    payer: str  # the payer's id
    kind: str
    code: str
    other: str = ""
    modifiers: tuple[str, ...] = ()
    max_units: int | None = None
    reason: str = ""  # the denial it prevents, e.g. "CO-236"
    why: str = ""  # the practice's words
    evidence: str = ""  # e.g. "denied on claims V1, V2 (835s of 2026-03-27, 2026-04-20)"
    start: date | None = None  # from this date of service; None: any

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InputError(
                "kind", f"a payer edit is one of {', '.join(KINDS)}, not {self.kind!r}"
            )
        if self.kind == "pair" and not self.other:
            raise InputError("other", "a pair edit names the other code billed the same day")
        if self.kind == "units" and (self.max_units is None or self.max_units < 0):
            raise InputError("max_units", "a units edit gives the most units the payer pays")

    def describe(self) -> str:
        mods = "/".join(self.modifiers)
        if self.kind == "pair":
            return f"{self.payer} denies {self.code} with {self.other} on the same day" + (
                f" without {mods}" if mods else ""
            )
        if self.kind == "code":
            return f"{self.payer} denies {self.code}" + (f" without {mods}" if mods else "")
        return f"{self.payer} pays at most {self.max_units} units of {self.code} a day"

    def as_doc(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "payer": self.payer,
            "kind": self.kind,
            "code": self.code,
            "other": self.other,
            "modifiers": list(self.modifiers),
            "max_units": self.max_units,
            "reason": self.reason,
            "why": self.why,
            "evidence": self.evidence,
            "start": self.start.isoformat() if self.start else None,
        }


def edit_from_doc(d: Mapping[str, Any], where: str = "payer edit") -> PayerEdit:
    try:
        return PayerEdit(
            id=str(d["id"]),
            payer=str(d["payer"]),
            kind=str(d["kind"]),
            code=str(d["code"]),
            other=str(d.get("other") or ""),
            modifiers=tuple(str(m) for m in d.get("modifiers") or ()),
            max_units=None if d.get("max_units") is None else int(d["max_units"]),
            reason=str(d.get("reason") or ""),
            why=str(d.get("why") or ""),
            evidence=str(d.get("evidence") or ""),
            start=date.fromisoformat(d["start"]) if d.get("start") else None,
        )
    except (KeyError, TypeError, ValueError) as e:
        raise InputError(where, f"not a payer edit: {e}") from None


@dataclass
class PayerEdits:
    """The practice's edits by payer."""

    by_payer: dict[str, list[PayerEdit]] = field(default_factory=dict)

    @classmethod
    def of(cls, edits: Iterable[PayerEdit]) -> PayerEdits:
        out = cls()
        for e in edits:
            out.by_payer.setdefault(e.payer, []).append(e)
        return out

    def for_payer(self, payer: str, day: date) -> Sequence[PayerEdit]:
        return [e for e in self.by_payer.get(payer, ()) if e.start is None or e.start <= day]

    def __bool__(self) -> bool:
        return bool(self.by_payer)
