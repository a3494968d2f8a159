"""Periods in force.

Every rule, code and figure in otbill carries the dates it is in force, and every check asks
with the date of service, never with today's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Period:
    """A closed range of dates; ``end=None`` means still in force."""

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat() if self.end else 'now'}"


ALWAYS = Period(date(1900, 1, 1))


def parse_date(text: str) -> date:
    """ISO dates only (YYYY-MM-DD); anything else is an error rather than a guess."""
    return date.fromisoformat(text)
