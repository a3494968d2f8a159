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
PFS_RVU_FILES = Source(
    "CMS PFS relative value files (RVUyyA January, B April, C July, D October; each for dates "
    "of service from the first day of its quarter)",
    "https://www.cms.gov/medicare/payment/fee-schedules/physician/pfs-relative-value-files",
)
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
MBPM_15_220_1_2 = Source("Pub. 100-02 ch. 15 §220.1.2 (establishing the plan of care)", _MBPM15)
MBPM_15_220_1_3 = Source("Pub. 100-02 ch. 15 §220.1.3 (certification and recertification)", _MBPM15)
MBPM_15_220_1_1 = Source("Pub. 100-02 ch. 15 §220.1.1 (who may certify)", _MBPM15)
MBPM_15_220_3_C = Source("Pub. 100-02 ch. 15 §220.3.C (re-evaluation)", _MBPM15)
MBPM_15_220_3_D = Source("Pub. 100-02 ch. 15 §220.3.D (progress report)", _MBPM15)
MBPM_15_220_3_E = Source("Pub. 100-02 ch. 15 §220.3.E (treatment note)", _MBPM15)
MBPM_15_220_4 = Source("Pub. 100-02 ch. 15 §220.4 (functional reporting, 2013-2018)", _MBPM15)
MBPM_15_230_4 = Source("Pub. 100-02 ch. 15 §230.4 (therapists in private practice)", _MBPM15)
CPM_5_10_3_3 = Source("Pub. 100-04 ch. 5 §10.3.3 (KX modifier use)", _CPM5)
CPM_5_10_3_4 = Source("Pub. 100-04 ch. 5 §10.3.4 (targeted medical review, $3,000)", _CPM5)
NCCI_CH1_V = Source("NCCI Policy Manual ch. 1 §V (medically unlikely edits)", _NCCI)
NCCI_PTP_TABLE = Source(
    "Medicare NCCI practitioner PTP edit table (quarterly) and NCCI Policy Manual ch. 1",
    "https://www.cms.gov/medicare/coding-billing/national-correct-coding-initiative-ncci-edits/"
    "medicare-ncci-procedure-procedure-ptp-edits",
)
ICD10_GUIDELINES = Source(
    "ICD-10-CM Official Guidelines for Coding and Reporting, Section I.A.13 (etiology and "
    "manifestation), I.C.20 (external causes); ICD-10-CM tabular list"
)
HIPAA_ICD10 = Source(
    "45 CFR 162.1002 (ICD-10-CM as the HIPAA code set; only codes valid on the date of service)"
)
X12_837P_CLAIM = Source("ASC X12 005010X222A1 (837P): HI segment, 12 diagnoses; SV107, 4 pointers")
CFR_424_44 = Source(
    "42 CFR 424.44 and Pub. 100-04 ch. 1 §70 (Medicare: 12 months from the date of service)"
)
PAYER_POLICY = Source("The payer's profile in otbill (contract or plan policy)")
MBI_FORMAT = Source(
    "CMS Medicare Beneficiary Identifier (MBI) format specification",
    "https://www.cms.gov/medicare/new-medicare-card/understanding-the-mbi.pdf",
)
X12_837P_SUBSCRIBER = Source(
    "ASC X12 005010X222A1 (837P) loops 2000B/2000C: SBR02 and PAT01 relationship codes"
)
X12_837P_PROVIDERS = Source(
    "ASC X12 005010X222A1 (837P): NM109 NPI and PRV03 taxonomy for billing and rendering "
    "providers; 45 CFR 162.410"
)
WC_BILLING = Source(
    "State workers' compensation billing rules (837P loop 2300 DTP*439 accident date, "
    "REF*Y4 claim number; employer in the payer's policy)"
)
CMS_DUPLICATE = Source("CARC 18 (exact duplicate claim/service); Pub. 100-04 ch. 1 §120")

_ECFR_405 = "https://www.ecfr.gov/current/title-42/chapter-IV/subchapter-B/part-405/subpart-I"
CFR_405_942 = Source(
    "42 CFR 405.942 (redetermination: 120 days from receipt of the initial determination, "
    "presumed 5 days after the notice)",
    _ECFR_405,
)
CFR_405_944 = Source(
    "42 CFR 405.944(b) (a redetermination request names the beneficiary, the Medicare number, "
    "the services and dates, and the party or representative)",
    _ECFR_405,
)
CFR_405_962 = Source("42 CFR 405.962 (reconsideration: 180 days from receipt)", _ECFR_405)
CFR_405_1014 = Source("42 CFR 405.1014 (ALJ hearing: 60 days from receipt)", _ECFR_405)
CFR_405_1102 = Source("42 CFR 405.1102 (Appeals Council review: 60 days from receipt)", _ECFR_405)
CFR_405_1136 = Source("42 CFR 405.1136 (judicial review: 60 days from receipt)", _ECFR_405)
CFR_405_980 = Source(
    "42 CFR 405.980(b)(1) and Pub. 100-04 ch. 34 §10 (reopening within one year of the "
    "initial determination)",
    _ECFR_405,
)
MA130_UNPROCESSABLE = Source(
    "RARC MA130 and Pub. 100-04 ch. 1 §80.3.2 (an unprocessable claim has no appeal rights: "
    "send a new claim)"
)
HFMA_DENIALS = Source(
    "HFMA Claim Integrity Task Force, standard denial metrics (hfm, March 2021); HFMA MAP Keys"
)
PRACTICE_EDIT = Source(
    "The practice's own payer edit, made from that payer's denials (otbill edits list)"
)
