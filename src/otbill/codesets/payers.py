"""Default payer profiles by kind, and the profile in force for a payer."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from otbill.codesets._csv import data_rows
from otbill.model import Payer, PayerKind, PayerProfile, UnitMethod


@cache
def default_profiles() -> dict[PayerKind, PayerProfile]:
    out = {}
    for _, r in data_rows("payer_profiles.csv"):
        yes = {k: v == "yes" for k, v in r.items()}
        out[PayerKind(r["kind"])] = PayerProfile(
            unit_method=UnitMethod(r["unit_method"]),
            therapy_modifiers=yes["therapy_modifiers"],
            assistant_modifiers=yes["assistant_modifiers"],
            kx_applies=yes["kx_applies"],
            functional_reporting=yes["functional_reporting"],
            authorization_required=yes["authorization_required"],
            follows_ncci=yes["follows_ncci"],
            mbi_member_id=yes["mbi_member_id"],
            certification=yes["certification"],
            progress_reports=yes["progress_reports"],
            timely_filing=r["timely_filing"] or None,
            replacement_claims=yes["replacement_claims"],
            appeal_window=r["appeal_window"] or None,
            corrected_claim_window=r["corrected_claim_window"] or None,
        )
    return out


def profile_for(payer: Payer) -> PayerProfile:
    """The payer's own profile, else its kind's defaults with the payer's unit method."""
    if payer.profile is not None:
        return payer.profile
    return replace(default_profiles()[payer.kind], unit_method=payer.unit_method)


# Claim filing indicator (837P SBR09, 835 CLP06; X12 code list 1032) by payer kind.
FILING = {
    PayerKind.MEDICARE: "MB",
    PayerKind.MEDICARE_ADVANTAGE: "16",
    PayerKind.MEDICAID: "MC",
    PayerKind.COMMERCIAL: "CI",
    PayerKind.WORKERS_COMP: "WC",
    PayerKind.AUTO: "AM",
    PayerKind.SELF_PAY: "ZZ",
}
