"""Citations. Every rule, step and figure names one of these, so a biller can open the page.

Keep each as the manual's own numbering; the URL is where CMS publishes the current copy.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Source:
    cite: str
    url: str = ""

    def __str__(self) -> str:
        return self.cite


_CPM5 = "https://www.cms.gov/Regulations-and-Guidance/Guidance/Manuals/Downloads/clm104c05.pdf"
_MBPM15 = "https://www.cms.gov/Regulations-and-Guidance/Guidance/Manuals/Downloads/bp102c15.pdf"
_NCCI = (
    "https://www.cms.gov/medicare/coding-billing/national-correct-coding-initiative-ncci-edits/"
    "medicare-ncci-policy-manual"
)

CPM_5_10_2 = Source("Pub. 100-04 ch. 5 §10.2 (KX modifier threshold)", _CPM5)
CPM_5_10_3 = Source("Pub. 100-04 ch. 5 §10.3 (therapy thresholds, targeted review)", _CPM5)
CPM_5_10_6 = Source("Pub. 100-04 ch. 5 §10.6 (functional reporting)", _CPM5)
CPM_5_10_7 = Source("Pub. 100-04 ch. 5 §10.7 (therapy MPPR)", _CPM5)
CPM_5_20 = Source("Pub. 100-04 ch. 5 §20 (therapy code list)", _CPM5)
CPM_5_20_1 = Source("Pub. 100-04 ch. 5 §20.1 (GO/GP/GN, CO/CQ)", _CPM5)
CPM_5_20_2 = Source("Pub. 100-04 ch. 5 §20.2 (reporting of service units)", _CPM5)
MBPM_15_220_3 = Source("Pub. 100-02 ch. 15 §220.3 (documentation)", _MBPM15)
NCCI_CH11_P = Source("NCCI Policy Manual ch. 11 §P (physical medicine)", _NCCI)
NCCI_CH1_E = Source("NCCI Policy Manual ch. 1 §E (modifiers 59, XE, XS, XP, XU)", _NCCI)
CY2020_PFS_DE_MINIMIS = Source(
    "CY 2020 PFS final rule, 84 FR 62702-62707 (CQ/CO 10% de minimis standard)",
    "https://www.cms.gov/medicare/coding-billing/therapy-services/"
    "billing-examples-using-cq/co-modifiers-services-furnished-whole-or-part-ptas-and-otas",
)
CY2022_PFS_DE_MINIMIS = Source(
    "CY 2022 PFS final rule (CQ/CO: remaining-unit refinement; 85% payment from 2022-01-01)",
    "https://www.federalregister.gov/documents/2021/11/19/2021-23972",
)
AMA_CPT_TIME = Source(
    "AMA CPT time rule (a unit of time is attained when the midpoint is passed); "
    "payer policy for commercial plans"
)
NPI_CHECK_DIGIT = Source(
    "45 CFR 162.406 and the CMS NPI check-digit standard (Luhn over 80840 + NPI)",
    "https://www.cms.gov/Regulations-and-Guidance/Administrative-Simplification/"
    "NationalProvIdentStand/Downloads/NPIcheckdigit.pdf",
)
X12_837P_POINTERS = Source("ASC X12 005010X222A1 SV107: at most 4 diagnosis code pointers")
