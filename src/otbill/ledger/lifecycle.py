"""The claim lifecycle: states and the transitions between them (pure; no database).

draft -> ready (no error findings) -> submitted (in an 837P batch) -> accepted / rejected (999,
277CA) -> paid / partially_paid / denied (835) -> appealed, corrected, voided, closed.
A claim returned as unprocessable (CO-16 with MA130) is fixed and sent as a new claim, not
appealed: it goes to ``rejected`` and a new claim is built.
"""

from __future__ import annotations

from otbill.errors import OtbillError

STATES = (
    "draft",
    "ready",
    "submitted",
    "accepted",
    "rejected",
    "paid",
    "partially_paid",
    "denied",
    "appealed",
    "corrected",
    "voided",
    "closed",
)

# The states a payer's 835 leaves a claim in: what corrections and secondary claims start from.
ADJUDICATED = frozenset({"paid", "partially_paid", "denied"})

ALLOWED: dict[str, frozenset[str]] = {
    "draft": frozenset({"ready", "voided"}),
    "ready": frozenset({"draft", "submitted", "voided"}),
    "submitted": frozenset({"accepted", "rejected", "paid", "partially_paid", "denied"}),
    "accepted": frozenset({"paid", "partially_paid", "denied", "rejected"}),
    "rejected": frozenset({"draft", "voided", "closed"}),
    # A paid claim may still be appealed: a line denied beside the lines paid, or underpaid.
    "paid": frozenset(
        {"closed", "corrected", "voided", "partially_paid", "denied", "accepted", "appealed"}
    ),
    "partially_paid": frozenset(
        {"paid", "appealed", "corrected", "voided", "closed", "denied", "accepted"}
    ),
    "denied": frozenset(
        {
            "appealed",
            "corrected",
            "voided",
            "closed",
            "paid",
            "partially_paid",
            "rejected",
            "accepted",
        }
    ),
    "appealed": frozenset({"paid", "partially_paid", "denied", "closed"}),
    # A reopening's answer comes as an 835 on the corrected claim itself.
    "corrected": frozenset(
        {"submitted", "voided", "closed", "paid", "partially_paid", "denied", "accepted"}
    ),
    "voided": frozenset({"closed"}),
    "closed": frozenset(),
}


class TransitionError(OtbillError):
    """A move the lifecycle does not allow."""


def check_transition(claim: str, current: str, target: str) -> None:
    if target not in ALLOWED:
        raise TransitionError(f"claim {claim}: {target!r} is not a claim state")
    if target not in ALLOWED.get(current, frozenset()):
        allowed = ", ".join(sorted(ALLOWED.get(current, ()))) or "none: it is final"
        raise TransitionError(
            f"claim {claim}: cannot go from {current} to {target} (from {current}: {allowed})"
        )
