"""A demo payer: adjudicates claims into a balanced 835 (for demos, tests and benchmarks).

It is a stand-in, not a model of any payer: it allows a fixed share of the charge (CO-45 takes
the rest), applies 20% coinsurance (PR-2), and denies a seeded few lines (CO-50 with N115).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from otbill.model import Claim
from otbill.model.remittance import Adjustment, ClaimPayment, Remittance, ServicePayment

CENT = Decimal("0.01")
ALLOWED_SHARE = Decimal("0.62")
COINSURANCE = Decimal("0.20")


def _c(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def adjudicate(claim: Claim, rng: random.Random, payer_claim_number: str) -> ClaimPayment:
    services = []
    for ln in claim.lines:
        if rng.random() < 0.02:
            adj: tuple[Adjustment, ...] = (Adjustment("CO", "50", ln.charge),)
            services.append(
                ServicePayment(
                    ln.code,
                    ln.modifiers,
                    ln.charge,
                    Decimal("0.00"),
                    Decimal(ln.units),
                    None,
                    (),
                    None,
                    date=ln.date,
                    adjustments=adj,
                    remarks=("N115",),
                )
            )
            continue
        allowed = _c(ln.charge * ALLOWED_SHARE)
        coins = _c(allowed * COINSURANCE)
        paid = allowed - coins
        adj = (Adjustment("CO", "45", ln.charge - allowed), Adjustment("PR", "2", coins))
        services.append(
            ServicePayment(
                ln.code,
                ln.modifiers,
                ln.charge,
                paid,
                Decimal(ln.units),
                None,
                (),
                None,
                date=ln.date,
                adjustments=adj,
                allowed=allowed,
            )
        )
    paid = sum((s.paid for s in services), Decimal("0.00"))
    pr = sum(
        (a.amount for s in services for a in s.adjustments if a.group == "PR"), Decimal("0.00")
    )
    return ClaimPayment(
        claim.id,
        "1" if paid > 0 else "4",
        claim.total_charge,
        paid,
        pr,
        "MB",
        payer_claim_number,
        "11",
        "1",
        "PATIENT",
        "DEMO",
        claim.member_id,
        services=tuple(services),
    )


def remittance(
    claims: Sequence[Claim], seed: int = 7, paid_on: date | None = None, payer: str = "DEMO PAYER"
) -> Remittance:
    rng = random.Random(seed)
    day = paid_on or (
        max((c.date_of_service for c in claims), default=date(2026, 1, 1)) + timedelta(days=14)
    )
    payments = tuple(adjudicate(c, rng, f"22{day:%y%j}{n:08d}") for n, c in enumerate(claims))
    total = sum((p.paid for p in payments), Decimal("0.00"))
    npi = claims[0].billing_npi if claims else "1234567893"
    return Remittance(
        "0001",
        "I",
        total,
        "C",
        "CHK",  # a check: an ACH payment needs the banks' routing details, which a demo lacks
        day,
        f"{day:%Y%m%d}{seed:06d}",
        "1999999999",
        payer,
        "DEMO",
        "DEMO PRACTICE",
        npi,
        day,
        payments,
        (),
        (),
    )
