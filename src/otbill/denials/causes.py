"""Root causes: what an adjustment on an 835 means for the work, as data.

An adjustment is a group (CO, PR, OA, PI), a reason (CARC) and the remarks (RARCs) of its line or
claim. ``classify`` looks it up in otbill's own map (codesets/data/denial_causes.csv): the root
cause a biller works, whether it is a denial at all (CO-45 and the patient's share are not),
whether a pre-bill edit could have prevented it, whether it can be appealed, the default action,
and the scrubber rules that cover the cause. An adjustment the map does not name is
``unclassified``, never dropped: a denial if it took money the claim was owed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from otbill.codesets._csv import data_rows
from otbill.errors import CodeSetError

# Root-cause categories: id -> what a biller calls it.
CATEGORIES: dict[str, str] = {
    "eligibility": "eligibility and registration",
    "authorization": "authorization and visit limits",
    "coding": "coding and units",
    "modifiers": "modifiers",
    "medical_necessity": "medical necessity",
    "documentation": "documentation",
    "plan_of_care": "plan of care and certification",
    "kx_threshold": "therapy threshold (KX)",
    "duplicate": "duplicate",
    "timely_filing": "timely filing",
    "cob": "coordination of benefits",
    "bundling": "bundling (NCCI)",
    "enrollment": "provider enrollment",
    "claim_data": "claim data missing or invalid",
    "contractual": "contractual",
    "patient_responsibility": "patient responsibility",
    "unclassified": "unclassified",
}
# What to do about it: id -> the words of the work queue.
ACTIONS: dict[str, str] = {
    "resubmit": "fix and send as a new claim",
    "correct": "correct the claim (frequency 7, or a reopening where the payer takes none)",
    "appeal": "appeal",
    "bill_patient": "bill the patient",
    "bill_secondary": "bill the secondary payer",
    "write_off": "write off",
    "none": "nothing to do",
}
CAUSES_FILE = "denial_causes.csv"
_TERNARY = ("yes", "no", "partly")


@dataclass(frozen=True, slots=True)
class Cause:
    category: str
    denial: bool  # counts in denial rates (HFMA leaves out CO-45, PR-1/2/3, OA-23)
    preventable: str  # yes, no, partly: a pre-bill edit could have caught it
    appealable: str  # yes, no, partly
    action: str
    rules: tuple[str, ...]  # scrubber rules covering the cause; empty: none does
    note: str
    matched: str  # the map's row that decided it, e.g. "CO-16 + MA130", or "" when none did

    @property
    def label(self) -> str:
        return CATEGORIES[self.category]

    @property
    def action_label(self) -> str:
        return ACTIONS[self.action]


@dataclass(frozen=True, slots=True)
class _Row:
    group: str
    carc: str
    rarc: str
    kinds: frozenset[str]
    cause: Cause


@cache
def _rows() -> tuple[_Row, ...]:
    out = []
    for lineno, r in data_rows(CAUSES_FILE):
        where = f"{CAUSES_FILE} line {lineno}"
        if r["category"] not in CATEGORIES:
            raise CodeSetError(f"{where}: unknown category {r['category']!r}")
        if r["action"] not in ACTIONS:
            raise CodeSetError(f"{where}: unknown action {r['action']!r}")
        if r["denial"] not in ("yes", "no"):
            raise CodeSetError(f"{where}: denial must be yes or no")
        for col in ("preventable", "appealable"):
            if r[col] not in _TERNARY:
                raise CodeSetError(f"{where}: {col} must be yes, no or partly")
        name = f"{r['group'] + '-' if r['group'] else ''}{r['carc']}"
        if r["rarc"]:
            name += f" + {r['rarc']}"
        if r["payer_kinds"]:
            name += f" ({r['payer_kinds']})"
        out.append(
            _Row(
                r["group"],
                r["carc"],
                r["rarc"],
                frozenset(r["payer_kinds"].split()),
                Cause(
                    r["category"],
                    r["denial"] == "yes",
                    r["preventable"],
                    r["appealable"],
                    r["action"],
                    tuple(r["rules"].split()),
                    r["note"],
                    name,
                ),
            )
        )
    return tuple(out)


def _score(row: _Row, group: str, remarks: Sequence[str], kind: str) -> tuple[int, ...] | None:
    """How specifically a row fits, or None when it does not: a RARC, then the group, then the
    payer kind make a row more specific. MA130 only says "unprocessable"; the other remark
    on such a claim names what is wrong, so it decides first."""
    if row.group and row.group != group:
        return None
    if row.kinds and kind not in row.kinds:
        return None
    rarc_rank = 0
    if row.rarc:
        if row.rarc not in remarks:
            return None
        rarc_rank = 1 if row.rarc == "MA130" else 2
    return (rarc_rank, 1 if row.group else 0, 1 if row.kinds else 0)


@cache
def _by_carc() -> dict[str, tuple[_Row, ...]]:
    out: dict[str, list[_Row]] = {}
    for row in _rows():
        out.setdefault(row.carc, []).append(row)
    return {k: tuple(v) for k, v in out.items()}


def classify(group: str, reason: str, remarks: Iterable[str] = (), payer_kind: str = "") -> Cause:
    """The root cause of one adjustment (see the module's text)."""
    notes = tuple(remarks)
    best: tuple[tuple[int, ...], _Row] | None = None
    for row in _by_carc().get(reason, ()):
        score = _score(row, group, notes, payer_kind)
        if score is not None and (best is None or score > best[0]):
            best = (score, row)
    if best is not None:
        return best[1].cause
    owed = group in ("CO", "OA", "PI")
    return Cause(
        "unclassified",
        owed,
        "partly",
        "partly",
        "appeal" if owed else "bill_patient",
        (),
        f"{group}-{reason} is not in otbill's root-cause map: read the reason and its remarks",
        "",
    )


def covering_rules() -> dict[str, tuple[str, ...]]:
    """Category -> every scrubber rule the map names for it (what prevention reports)."""
    out: dict[str, list[str]] = {}
    for row in _rows():
        bucket = out.setdefault(row.cause.category, [])
        bucket.extend(r for r in row.cause.rules if r not in bucket)
    return {k: tuple(v) for k, v in out.items()}
