"""Small builders for episodes, so each test states only the facts it is about."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

from otbill.model import (
    Address,
    Coverage,
    Credential,
    Discipline,
    Episode,
    Patient,
    Payer,
    PayerKind,
    PlanOfCare,
    Practice,
    Provider,
    Service,
    Sex,
    UnitMethod,
    Visit,
    make_npi,
)

OT_NPI = make_npi("198765432")
OTA_NPI = make_npi("155555555")
MD_NPI = make_npi("166666666")
PRACTICE_NPI = make_npi("123456789")

CHARGES = {
    c: Decimal(v)
    for c, v in {
        "97110": "48.00", "97112": "52.00", "97116": "45.00", "97140": "46.00",
        "97530": "55.00", "97535": "50.00", "97035": "30.00", "97150": "35.00",
        "97165": "160.00", "97166": "185.00", "97167": "210.00", "97168": "120.00",
        "97010": "15.00", "G0283": "25.00",
    }.items()
}  # fmt: skip

PAYERS = {
    "MCR": Payer("MCR", "Medicare Part B", PayerKind.MEDICARE, UnitMethod.CMS),
    "ACME": Payer("ACME", "Acme Health", PayerKind.COMMERCIAL, UnitMethod.AMA),
    "MA": Payer("MA", "Senior Advantage", PayerKind.MEDICARE_ADVANTAGE, UnitMethod.CMS),
}


def episode(
    *visits: Visit,
    payer: str = "MCR",
    discipline: Discipline = Discipline.OT,
    plan_start: date = date(2022, 1, 3),
    locality: str | None = None,
) -> Episode:
    practice = Practice(
        "Test Therapy",
        PRACTICE_NPI,
        "861234567",
        "225X00000X",
        Address("1 Main St", "Springfield", "IL", "62701"),
        MappingProxyType(CHARGES),
        locality,
    )
    providers = {
        OT_NPI: Provider(OT_NPI, "Dana", "Whitfield", Credential.OT),
        OTA_NPI: Provider(OTA_NPI, "Luis", "Ortega", Credential.OTA),
        MD_NPI: Provider(MD_NPI, "Priya", "Raman", Credential.MD),
    }
    return Episode(
        practice=practice,
        providers=MappingProxyType(providers),
        payers=MappingProxyType(PAYERS),
        patient=Patient("P1", "Eleanor", "Price", date(1948, 3, 14), Sex.F),
        coverages=(Coverage(payer, "1EG4TE5MK73"),),
        plans_of_care=(
            PlanOfCare(
                "POC1",
                discipline,
                plan_start,
                MD_NPI,
                plan_start,
                None,
                None,
                2,
                12,
                ("I69.351", "M62.81"),
            ),
        ),
        authorizations=(),
        visits=visits,
    )


def visit(day: date, *services: Service, vid: str = "V1") -> Visit:
    return Visit(
        vid, day, OT_NPI, assistant_npi=OTA_NPI, diagnoses=("I69.351", "M62.81"),
        services=services,
    )  # fmt: skip


def x12valid(path: Path) -> str:
    exe = shutil.which("x12valid", path=str(Path(sys.executable).parent))
    assert exe, "pyx12's x12valid is installed with the dev extras"
    proc = subprocess.run([exe, "-q", str(path)], capture_output=True, text=True, check=False)
    # Its exit code means nothing; the verdict is the stderr line "FILE: OK".
    return proc.stderr
