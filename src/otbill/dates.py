"""Periods in force.

Every rule, code and figure in otbill carries the dates it is in force, and every check asks
with the date of service, never with today's date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta


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


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it has fewer)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def filing_deadline(start: date, limit: str) -> date:
    """The last day of a window: "12m" is 12 months from ``start`` (Medicare's timely filing:
    one calendar year from the date of service), "90d" is 90 days."""
    m = re.fullmatch(r"(\d+)([md])", limit)
    if m is None:
        raise ValueError(f"a limit of {limit!r}: expected e.g. 12m or 90d")
    n = int(m.group(1))
    return add_months(start, n) if m.group(2) == "m" else start + timedelta(days=n)
