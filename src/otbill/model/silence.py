"""A finding silenced for one claim: who decided it and why. Nothing is silenced without both."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Silence:
    rule: str
    claim_id: str
    by: str
    why: str

    def __post_init__(self) -> None:
        if not self.by.strip() or not self.why.strip():
            raise ValueError(f"silencing {self.rule} on {self.claim_id} needs who and why")
