"""Plain-text tables for people. Diagnosis pointers show as letters, as on the CMS-1500."""

from __future__ import annotations

from decimal import Decimal

from otbill.model import Claim, Episode

LETTERS = "ABCDEFGHIJKL"


# One width per column, shared by the heading, the lines and the total, so no row can drift
# out from under its heading.
COLUMNS = (
    ("code", "<7"),
    ("modifiers", "<14"),
    ("units", ">5"),
    ("minutes", ">9"),
    ("charge", ">10"),
    ("pointers", ">10"),
    ("expected", ">10"),
)


def _row(*cells: object) -> str:
    return "  " + "".join(
        f"{cell!s:{spec}}" for cell, (_, spec) in zip(cells, COLUMNS, strict=True)
    )


def _money(amount: Decimal | None) -> str:
    return "-" if amount is None else f"{amount:.2f}"


def claim_table(c: Claim, episode: Episode) -> str:
    payer = episode.payers[c.payer_id]
    p = episode.patient
    out = [
        f"Claim {c.id}  {c.date_of_service}  POS {c.place_of_service}  "
        f"{p.last_name}, {p.first_name} ({p.id})  {payer.name} [{c.member_id}]",
        "  Diagnoses: " + "  ".join(f"{LETTERS[i]} {d}" for i, d in enumerate(c.diagnoses)),
        _row(*(name for name, _ in COLUMNS)),
    ]
    for ln in c.lines:
        ptr = "".join(LETTERS[i - 1] for i in ln.diagnosis_pointers)
        mods = " ".join(ln.modifiers)
        charge, expected = _money(ln.charge), _money(ln.expected_payment)
        out.append(_row(ln.code, mods, ln.units, ln.minutes, charge, ptr, expected))
    units = sum(ln.units for ln in c.lines)
    minutes = sum(ln.minutes for ln in c.lines)
    out.append(
        _row("total", "", units, minutes, _money(c.total_charge), "", _money(c.expected_payment))
    )
    out.append("  Why:")
    out.extend(f"   - {s}" for s in c.explanation)
    for ln in c.lines:
        out.extend(f"   - {s}" for s in ln.explanation)
    return "\n".join(out) + "\n"
