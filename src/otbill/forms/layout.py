"""Where each CMS-1500 (02/12) item prints.

The NUCC form is laid out for 10 characters per inch and 6 lines per inch on 8.5 x 11 inch
paper, so positions are (line, column) on that grid: 66 lines, 85 columns. Data goes on the
bottom line of its box; service lines (item 24) use the unshaded lower half of each of their six
rows. Keeping the positions as data lets a practice nudge them for its printer.
"""

from __future__ import annotations

from dataclasses import dataclass

LPI, CPI = 6, 10
PAGE_W, PAGE_H = 612.0, 792.0  # points
LEFT = 14.4  # 0.2 in: where column 1 starts on the printed form
TOP = 0.0


def xy(line: int, col: int) -> tuple[float, float]:
    """The baseline point of a grid cell (line 1 at the top)."""
    return LEFT + (col - 1) * 72.0 / CPI, PAGE_H - TOP - line * 72.0 / LPI + 3.0


def band(top: int, bottom: int) -> tuple[float, float]:
    """The y extent (low, high) of grid lines top..bottom."""
    return PAGE_H - TOP - bottom * 72.0 / LPI, PAGE_H - TOP - (top - 1) * 72.0 / LPI


def col_x(col: int) -> float:
    """The left edge of a grid column (columns 1..85)."""
    return LEFT + (col - 1) * 72.0 / CPI


# Item -> (line, column) of the first character.
AT: dict[str, tuple[int, int]] = {
    "payer": (2, 50),
    "1.medicare": (8, 2), "1.medicaid": (8, 9), "1.tricare": (8, 16), "1.champva": (8, 25),
    "1.group": (8, 31), "1.feca": (8, 39), "1.other": (8, 45), "1a": (8, 50),
    "2": (10, 1), "3.dob": (10, 31), "3.m": (10, 42), "3.f": (10, 47), "4": (10, 50),
    "5.street": (12, 1), "6.self": (12, 33), "6.spouse": (12, 38), "6.child": (12, 42),
    "6.other": (12, 47), "7.street": (12, 50),
    "5.city": (14, 1), "5.state": (14, 26), "7.city": (14, 50), "7.state": (14, 74),
    "5.zip": (16, 1), "7.zip": (16, 50),
    "9": (18, 1), "9a": (20, 1), "9d": (26, 1), "11": (18, 50),
    "10a.yes": (20, 35), "10a.no": (20, 41), "11a.dob": (20, 53), "11a.m": (20, 68),
    "11a.f": (20, 75),
    "10b.yes": (22, 35), "10b.no": (22, 41), "10b.state": (22, 45), "11b": (22, 50),
    "10c.yes": (24, 35), "10c.no": (24, 41), "11c": (24, 50),
    "11d.yes": (26, 52), "11d.no": (26, 57),
    "12": (29, 7), "12.date": (29, 38), "13": (29, 56),
    "14.date": (32, 2), "14.qual": (32, 15),
    "17.qual": (34, 1), "17": (34, 4), "17b": (34, 34),
    "21.ind": (37, 46),
    "21.A": (38, 3), "21.B": (38, 16), "21.C": (38, 29), "21.D": (38, 42),
    "21.E": (39, 3), "21.F": (39, 16), "21.G": (39, 29), "21.H": (39, 42),
    "21.I": (40, 3), "21.J": (40, 16), "21.K": (40, 29), "21.L": (40, 42),
    "22.code": (38, 50), "22.ref": (38, 62), "23": (40, 50),
    "25": (58, 1), "25.ssn": (58, 17), "25.ein": (58, 19), "26": (58, 23),
    "27.yes": (58, 37), "27.no": (58, 42), "28": (58, 52), "29": (58, 64),
    "31": (61, 1), "31.date": (63, 12), "32": (60, 23), "32a": (63, 24),
    "33.phone": (59, 66), "33": (60, 50), "33a": (63, 51),
}  # fmt: skip

# Item 24: six service lines; line n prints on grid line FIRST_LINE + 2 (n - 1).
FIRST_LINE = 45
LINES_PER_PAGE = 6
COL_24 = {
    "from": 1, "to": 10, "pos": 19, "emg": 22, "cpt": 25, "mod1": 32, "mod2": 35, "mod3": 38,
    "mod4": 41, "pointer": 45, "charge_end": 56, "cents": 58, "units_end": 63, "npi": 69,
}  # fmt: skip
CHARGE_END_28 = 57  # item 28's dollars end here; cents follow after the printed divider
CENTS_28 = 58


@dataclass(frozen=True, slots=True)
class Box:
    """A box of the drawn form (review version): grid lines top..bottom, columns left..right."""

    label: str
    top: int
    left: int
    bottom: int
    right: int


BOXES: list[Box] = [
    Box("1. MEDICARE  MEDICAID  TRICARE  CHAMPVA  GROUP HEALTH PLAN  FECA  OTHER", 7, 1, 8, 49),
    Box("1a. INSURED'S I.D. NUMBER", 7, 49, 8, 86),
    Box("2. PATIENT'S NAME (Last, First, MI)", 9, 1, 10, 30),
    Box("3. PATIENT'S BIRTH DATE   SEX", 9, 30, 10, 49),
    Box("4. INSURED'S NAME (Last, First, MI)", 9, 49, 10, 86),
    Box("5. PATIENT'S ADDRESS (No., Street)", 11, 1, 12, 30),
    Box("6. PATIENT RELATIONSHIP TO INSURED", 11, 30, 12, 49),
    Box("7. INSURED'S ADDRESS (No., Street)", 11, 49, 12, 86),
    Box("CITY                     STATE", 13, 1, 14, 30),
    Box("8. RESERVED FOR NUCC USE", 13, 30, 16, 49),
    Box("CITY                    STATE", 13, 49, 14, 86),
    Box("ZIP CODE      TELEPHONE", 15, 1, 16, 30),
    Box("ZIP CODE      TELEPHONE", 15, 49, 16, 86),
    Box("9. OTHER INSURED'S NAME", 17, 1, 18, 30),
    Box("10. IS PATIENT'S CONDITION RELATED TO:", 17, 30, 26, 49),
    Box("11. INSURED'S POLICY GROUP OR FECA NUMBER", 17, 49, 18, 86),
    Box("9a. OTHER INSURED'S POLICY OR GROUP NUMBER", 19, 1, 20, 30),
    Box("11a. INSURED'S DATE OF BIRTH        SEX", 19, 49, 20, 86),
    Box("9b. RESERVED FOR NUCC USE", 21, 1, 22, 30),
    Box("11b. OTHER CLAIM ID", 21, 49, 22, 86),
    Box("9c. RESERVED FOR NUCC USE", 23, 1, 24, 30),
    Box("11c. INSURANCE PLAN NAME OR PROGRAM NAME", 23, 49, 24, 86),
    Box("9d. INSURANCE PLAN NAME OR PROGRAM NAME", 25, 1, 26, 30),
    Box("11d. IS THERE ANOTHER HEALTH BENEFIT PLAN?", 25, 49, 26, 86),
    Box("12. PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE", 27, 1, 29, 49),
    Box("13. INSURED'S OR AUTHORIZED PERSON'S SIGNATURE", 27, 49, 29, 86),
    Box("14. DATE OF CURRENT ILLNESS, INJURY, or PREGNANCY (LMP)", 31, 1, 32, 30),
    Box("15. OTHER DATE", 31, 30, 32, 49),
    Box("16. DATES PATIENT UNABLE TO WORK IN CURRENT OCCUPATION", 31, 49, 32, 86),
    Box("17. NAME OF REFERRING PROVIDER OR OTHER SOURCE   17b. NPI", 33, 1, 34, 49),
    Box("18. HOSPITALIZATION DATES RELATED TO CURRENT SERVICES", 33, 49, 34, 86),
    Box("19. ADDITIONAL CLAIM INFORMATION", 35, 1, 36, 49),
    Box("20. OUTSIDE LAB?   $ CHARGES", 35, 49, 36, 86),
    Box(
        "21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY (relate A-L to line below, 24E)  ICD Ind.",
        37,
        1,
        40,
        49,
    ),
    Box("22. RESUBMISSION CODE    ORIGINAL REF. NO.", 37, 49, 38, 86),
    Box("23. PRIOR AUTHORIZATION NUMBER", 39, 49, 40, 86),
    Box(
        "24. A. DATE(S) OF SERVICE  B. POS  C. EMG  D. PROCEDURES (CPT/HCPCS  MODIFIER)  "
        "E. DIAG POINTER  F. $ CHARGES  G. UNITS  H. EPSDT  I. ID QUAL  J. RENDERING NPI",
        41,
        1,
        43,
        86,
    ),
    Box("25. FEDERAL TAX I.D. NUMBER  SSN EIN", 57, 1, 58, 22),
    Box("26. PATIENT'S ACCOUNT NO.", 57, 22, 58, 35),
    Box("27. ACCEPT ASSIGNMENT?", 57, 35, 58, 49),
    Box("28. TOTAL CHARGE", 57, 49, 58, 62),
    Box("29. AMOUNT PAID", 57, 62, 58, 74),
    Box("30. Rsvd for NUCC Use", 57, 74, 58, 86),
    Box("31. SIGNATURE OF PHYSICIAN OR SUPPLIER", 59, 1, 63, 22),
    Box("32. SERVICE FACILITY LOCATION INFORMATION", 59, 22, 63, 49),
    Box("33. BILLING PROVIDER INFO & PH #", 59, 49, 63, 86),
]
