"""Reading otbill's own data files: CSV with '#' comment lines that carry provenance."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from importlib import resources

from otbill.errors import CodeSetError


def data_rows(name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row of the packaged file ``name``."""
    text = resources.files("otbill.codesets.data").joinpath(name).read_text(encoding="utf-8")
    lines = text.splitlines()
    numbered = [(i + 1, line) for i, line in enumerate(lines) if line and not line.startswith("#")]
    reader = csv.DictReader(line for _, line in numbered)
    for (lineno, _), row in zip(numbered[1:], reader, strict=True):
        if None in row or any(v is None for v in row.values()):
            raise CodeSetError(f"{name} line {lineno}: wrong number of columns")
        yield lineno, row
