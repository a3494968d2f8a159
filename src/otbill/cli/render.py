"""Plain-text tables for people. Diagnosis pointers show as letters, as on the CMS-1500."""

from __future__ import annotations

from otbill.model import Claim, Episode

LETTERS = "ABCDEFGHIJKL"


def claim_table(c: Claim, episode: Episode) -> str:
    payer = episode.payers[c.payer_id]
    p = episode.patient
    out = [
        f"Claim {c.id}  {c.date_of_service}  POS {c.place_of_service}  "
        f"{p.last_name}, {p.first_name} ({p.id})  {payer.name} [{c.member_id}]",
        "  Diagnoses: " + "  ".join(f"{LETTERS[i]} {d}" for i, d in enumerate(c.diagnoses)),
        f"  {'code':<7}{'modifiers':<14}{'units':>5}{'minutes':>9}{'charge':>10}"
        f"{'pointers':>10}{'expected':>10}",
    ]
    for ln in c.lines:
        ptr = "".join(LETTERS[i - 1] for i in ln.diagnosis_pointers)
        exp = "-" if ln.expected_payment is None else f"{ln.expected_payment:.2f}"
        out.append(
            f"  {ln.code:<7}{' '.join(ln.modifiers):<14}{ln.units:>5}{ln.minutes:>9}"
            f"{ln.charge:>10.2f}{ptr:>10}{exp:>10}"
        )
    exp_total = c.expected_payment
    out.append(
        f"  {'total':<21}{sum(ln.units for ln in c.lines):>5}{sum(ln.minutes for ln in c.lines):>9}"
        f"{c.total_charge:>10.2f}"
        f"{'':>10}{'-' if exp_total is None else f'{exp_total:.2f}':>10}"
    )
    out.append("  Why:")
    out.extend(f"   - {s}" for s in c.explanation)
    for ln in c.lines:
        out.extend(f"   - {s}" for s in ln.explanation)
    return "\n".join(out) + "\n"
