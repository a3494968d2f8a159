"""Options shared by the commands that code claims: a practice's own code-set files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from otbill.codesets import CodeSets

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
# (option, parameter, many, help): the files a practice loads beside the shipped code sets.
_OPTIONS = [
    (
        "--pfs",
        "pfs_files",
        True,
        "A CMS PPRRVU relative value file (CSV) for a year's Medicare fee schedule.",
    ),
    ("--gpci", "gpci", False, "The CMS GPCI file for --pfs (localities)."),
    (
        "--icd10",
        "icd10_files",
        True,
        "A CMS icd10cm_order_YYYY.txt or icd10cm_codes_YYYY.txt (beside the bundled one).",
    ),
    (
        "--ptp",
        "ptp_files",
        True,
        "A CMS practitioner NCCI PTP file (ccipra-v*-f*.TXT); give each part.",
    ),
    (
        "--mue",
        "mue_files",
        True,
        "A CMS practitioner MUE table (MCR_MUE_PractitionerServices_Eff_*.csv).",
    ),
]


def codeset_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for flag, name, many, text in reversed(_OPTIONS):
        f = click.option(flag, name, multiple=many, type=_FILE, help=text)(f)
    return f


def build_codesets(
    pfs_files: tuple[Path, ...],
    gpci: Path | None,
    icd10_files: tuple[Path, ...],
    ptp_files: tuple[Path, ...] = (),
    mue_files: tuple[Path, ...] = (),
) -> CodeSets:
    from otbill.codesets import CodeSets
    from otbill.codesets.icd10 import load_file as load_icd10
    from otbill.codesets.ncci import load_mue, load_ptp
    from otbill.codesets.pfs import load_fee_schedule

    cs = CodeSets()
    for p in ptp_files:
        cs.ncci.add_ptp(load_ptp(p), p.name)
    for p in mue_files:
        cs.ncci.add_mue(load_mue(p), p.name)
    for p in pfs_files:
        cs.add_fee_schedule(load_fee_schedule(p, gpci))
    for p in icd10_files:
        cs.icd10.add(load_icd10(p))
    return cs
