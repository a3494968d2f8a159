"""Explanations: every result says, step by step, why it is what it is, and on whose authority."""

from __future__ import annotations

from dataclasses import dataclass

from otbill.sources import Source


@dataclass(frozen=True, slots=True)
class Step:
    text: str
    source: Source | None = None

    def __str__(self) -> str:
        return f"{self.text} [{self.source.cite}]" if self.source else self.text


Explanation = tuple[Step, ...]


def render(steps: Explanation) -> list[str]:
    return [str(s) for s in steps]
