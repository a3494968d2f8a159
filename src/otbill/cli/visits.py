"""Reading the visits a command works on: every format `otbill import` reads (otbill JSON, a CSV
export, a FHIR R4 bundle), through one loader, and the claims coded from them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from otbill.errors import InputError

if TYPE_CHECKING:
    from otbill.codesets import CodeSets
    from otbill.model import Claim, Episode, Practice


def read_visits(path: Path) -> list[Episode]:
    """The file's episodes (a CSV or a bundle may hold many patients)."""
    from otbill.load.files import load_file  # jsonschema and the FHIR models, only here

    episodes = load_file(path)
    if not episodes:
        raise InputError(str(path), "holds no visits")
    return episodes


def coded(episodes: list[Episode], codesets: CodeSets | None = None) -> list[tuple[Claim, Episode]]:
    """Each episode's claims, a claim per day's visits (coded together), with the episode as
    coded (its same-day visits combined), in the file's order."""
    from otbill.coding.grouping import code_by_day

    out: list[tuple[Claim, Episode]] = []
    for ep in episodes:
        combined, claims = code_by_day(ep, codesets)
        out.extend((c, combined) for c in claims)
    return out


def one_practice(episodes: list[Episode], path: Path) -> Practice:
    """The practice all the file's visits belong to: one interchange has one submitter."""
    practices = {ep.practice.npi: ep.practice for ep in episodes}
    if len(practices) > 1:
        raise InputError(
            str(path),
            f"visits of {len(practices)} practices ({', '.join(sorted(practices))}): "
            "write one file per practice",
        )
    return next(iter(practices.values()))
