"""A biller's edits to the claims, replayed on every rebuild so that coding a visit again keeps
them: lines split off, claims merged, a claim replaced by a corrected one (frequency 7), sent
again as a new claim, or voided; and a finding silenced on one claim, with who and why, which
changes no line but is handed to the checks (``silences``). Pure: the rows are read by the
caller."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from otbill.coding.grouping import GroupingError, merge, split
from otbill.model import Claim
from otbill.model.explain import Step
from otbill.model.silence import Silence

KINDS = ("split", "merge", "replace", "resubmit", "void", "silence")


@dataclass(frozen=True, slots=True)
class Edit:
    kind: str
    claim_number: str
    target_number: str
    data: dict[str, Any] = field(default_factory=dict)
    who: str = ""
    why: str = ""


def silences(edits: Iterable[Edit]) -> list[Silence]:
    """The findings silenced by the edits, each on its claim with who and why (a later one of
    the same rule and claim stands in place of the earlier: the rule engine keeps the last)."""
    return [
        Silence(e.data["rule"], e.claim_number, e.who, e.why) for e in edits if e.kind == "silence"
    ]


def apply_edits(claims: Iterable[Claim], edits: Sequence[Edit]) -> tuple[list[Claim], list[str]]:
    """The claims after the edits, in order; and a note for each edit that no longer fits (its
    visit changed so that the lines it names are gone), which is skipped, not forced."""
    by_id = {c.id: c for c in claims}
    notes: list[str] = []
    for e in edits:
        c = by_id.get(e.claim_number)
        if c is None:
            continue
        if e.kind == "split":
            picks = [(code, tuple(m.split(":")) if m else ()) for code, m in e.data["lines"]]
            try:
                kept, other = split(c, picks, e.target_number)
            except GroupingError as err:
                notes.append(f"split of {c.id} to {e.target_number} not applied: {err}")
                continue
            by_id[c.id], by_id[other.id] = kept, other
        elif e.kind == "merge":
            target = by_id.get(e.target_number)
            if target is None:
                notes.append(f"merge of {c.id} into {e.target_number} not applied: no such claim")
                continue
            try:
                merged = merge([target, c], target.id)
            except GroupingError as err:
                notes.append(f"merge of {c.id} into {e.target_number} not applied: {err}")
                continue
            del by_id[c.id]
            by_id[target.id] = merged
        elif e.kind in ("replace", "resubmit"):
            del by_id[c.id]
            frequency = "7" if e.kind == "replace" else "1"
            why = (
                f"Replaces claim {c.id} (payer claim {e.data.get('original')}), frequency 7."
                if e.kind == "replace"
                else f"Sent again as a new claim in place of {c.id}."
            )
            by_id[e.target_number] = replace(
                c,
                id=e.target_number,
                frequency_code=frequency,
                original_claim_number=e.data.get("original") if e.kind == "replace" else None,
                explanation=(*c.explanation, Step(why)),
            )
        elif e.kind == "void":
            del by_id[c.id]
        elif e.kind == "silence":
            continue  # no line changes: the checks read it (silences)
        else:  # pragma: no cover - the table only holds KINDS
            raise ValueError(f"unknown claim edit {e.kind!r}")
    return list(by_id.values()), notes
