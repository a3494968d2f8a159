"""What a payer wants, as data: one profile per payer instead of forks in code."""

from __future__ import annotations

from dataclasses import dataclass

from otbill.model.enums import UnitMethod


@dataclass(frozen=True, slots=True)
class PayerProfile:
    unit_method: UnitMethod
    therapy_modifiers: bool  # GO/GP/GN on therapy lines
    assistant_modifiers: bool  # CO/CQ for assistant services
    kx_applies: bool  # the Medicare therapy KX threshold
    functional_reporting: bool  # G-codes on 2013-2018 dates of service
    authorization_required: bool
    follows_ncci: bool
    mbi_member_id: bool  # member ids are Medicare Beneficiary Identifiers
    certification: bool  # plan of care certified by a physician/NPP, recertified by 90 days
    progress_reports: bool  # a progress report at least every 10 treatment days
    timely_filing: str | None  # "12m" months or "90d" days from the date of service; None: none
    visit_limit_per_year: int | None = None
    # Takes frequency 7 (replacement) and 8 (void) claims. Medicare Part B does not: a corrected
    # claim there is a reopening request or a new claim (Pub. 100-04 ch.34 §10).
    replacement_claims: bool = True
    # Windows from the remittance's date, "180d" or "6m": to appeal a denial, and to send a
    # corrected claim. None: not on file (Medicare Part A/B's appeal levels are in regulation;
    # without a corrected-claim window the filing limit from the date of service applies).
    appeal_window: str | None = None
    corrected_claim_window: str | None = None
