"""Where each CMS-1500 (02/12) item prints, and where the drawn form's boxes are.

The form is laid out for 10 characters per inch and 6 lines per inch on 8.5 x 11 inch paper, so
positions are (line, column) on that grid: 66 lines of 85 columns. The line numbers follow the
grid the print programs for the form have long used (item 1 on line 8, the six service lines of
item 24 on lines 44 to 54, items 25-30 on line 56, 32a and 33a on line 61). Data goes on the
bottom line of its box; the review version draws labels on the box's top line, so the two never
overlap. Keeping positions as data lets a practice nudge them for its printer (LEFT, TOP).
"""

from __future__ import annotations

from dataclasses import dataclass

LPI, CPI = 6, 10
PITCH = 72.0 / CPI  # points a character
LEAD = 72.0 / LPI  # points a line
PAGE_W, PAGE_H = 612.0, 792.0
LEFT = 18.0  # where column 1 starts: 0.25 in, inside the form's left border
TOP = 0.0


def col_x(col: int) -> float:
    """The left edge of a grid column (1-based)."""
    return LEFT + (col - 1) * PITCH


def line_top(line: float) -> float:
    """The y of the top edge of a grid line (1-based, line 1 at the top of the page)."""
    return PAGE_H - TOP - (line - 1) * LEAD


def xy(line: int, col: int) -> tuple[float, float]:
    """The baseline point of a grid cell: 3 points up, so descenders stay in the cell."""
    return col_x(col), line_top(line + 1) + 3.0


def band(top: int, bottom: int) -> tuple[float, float]:
    """The y extent (low, high) of grid lines top..bottom."""
    return line_top(bottom + 1), line_top(top)


def rule_x(col: int) -> float:
    """A rule just left of a column: in the gap a 10-point Courier glyph leaves in its cell."""
    return col_x(col) - 0.8


# Item -> (line, column) of its first character.
AT: dict[str, tuple[int, int]] = {
    "payer": (2, 50),
    "1.medicare": (8, 2), "1.medicaid": (8, 9), "1.tricare": (8, 16), "1.champva": (8, 25),
    "1.group": (8, 31), "1.feca": (8, 39), "1.other": (8, 45), "1a": (8, 50),
    "2": (10, 1), "3.dob": (10, 31), "3.m": (10, 43), "3.f": (10, 47), "4": (10, 50),
    "5.street": (12, 1), "6.self": (12, 33), "6.spouse": (12, 38), "6.child": (12, 42),
    "6.other": (12, 47), "7.street": (12, 50),
    "5.city": (14, 1), "5.state": (14, 26), "7.city": (14, 50), "7.state": (14, 74),
    "5.zip": (16, 1), "5.phone": (16, 15), "7.zip": (16, 50), "7.phone": (16, 65),
    "9": (18, 1), "11": (18, 50),
    "9a": (20, 1), "10a.yes": (20, 35), "10a.no": (20, 41), "11a.dob": (20, 53),
    "11a.m": (20, 68), "11a.f": (20, 75),
    "10b.yes": (22, 35), "10b.no": (22, 41), "10b.state": (22, 46), "11b.qual": (22, 50),
    "11b": (22, 54),
    "10c.yes": (24, 35), "10c.no": (24, 41), "11c": (24, 50),
    "9d": (26, 1), "10d": (26, 31), "11d.yes": (26, 52), "11d.no": (26, 57),
    "12": (29, 7), "12.date": (29, 37), "13": (29, 56),
    "14.date": (32, 2), "14.qual": (32, 16), "16.from": (32, 54), "16.to": (32, 68),
    "17.qual": (34, 1), "17": (34, 4), "17b": (34, 35), "18.from": (34, 54), "18.to": (34, 68),
    "19": (36, 1), "20.yes": (36, 52), "20.no": (36, 57),
    "21.ind": (37, 46),
    "21.A": (38, 3), "21.B": (38, 16), "21.C": (38, 29), "21.D": (38, 42),
    "21.E": (39, 3), "21.F": (39, 16), "21.G": (39, 29), "21.H": (39, 42),
    "21.I": (40, 3), "21.J": (40, 16), "21.K": (40, 29), "21.L": (40, 42),
    "22.code": (38, 50), "22.ref": (38, 62), "23": (40, 50),
    "25": (56, 1), "25.ssn": (56, 17), "25.ein": (56, 19), "26": (56, 22),
    "27.yes": (56, 37), "27.no": (56, 43),
    "33.phone": (57, 67), "32": (58, 23), "33": (58, 50), "31": (60, 1), "31.date": (61, 14),
    "32a": (61, 24), "32b": (61, 37), "33a": (61, 51), "33b": (61, 64),
}  # fmt: skip

# Money: (line, column the dollars end in, column the cents start in); a rule parts the two.
MONEY = {"28": (56, 56, 58), "29": (56, 66, 68)}

# Item 24: six service lines; line n's data prints on DATA_LINE + 2 (n - 1), the shaded
# supplemental half of its row on the line above.
HEADER_24 = 41
DATA_LINE = 44
LINES_PER_PAGE = 6
COL_24 = {
    "from": 1, "to": 10, "pos": 19, "emg": 22, "cpt": 25, "mod1": 32, "mod2": 35, "mod3": 38,
    "mod4": 41, "pointer": 45, "dollars_end": 54, "cents": 56, "units": 59, "epsdt": 62,
    "qual": 65, "npi": 68,
}  # fmt: skip

FIRST_COL, LAST_COL = 1, 79  # the columns inside the form's outer border


@dataclass(frozen=True, slots=True)
class Box:
    """A box of the drawn form: grid lines top..bottom, columns left..right (inclusive)."""

    label: str
    top: int
    left: int
    bottom: int
    right: int


@dataclass(frozen=True, slots=True)
class Label:
    """Printed text of the form outside a box's own label: sub-labels, column heads, notes."""

    text: str
    line: float  # fractional lines sit between the grid's lines
    col: float
    size: float = 5.0
    low: bool = False  # on the lower part of the line (beside data) rather than the top


@dataclass(frozen=True, slots=True)
class Check:
    """A check box: the X for ``item`` prints in it; its label sits left, right or above."""

    item: str
    label: str
    side: str = "right"


@dataclass(frozen=True, slots=True)
class Rule:
    """A vertical rule inside a box (between sub-fields); dotted ones part digits of a field."""

    x_col: float  # the rule's x as a (fractional) column: 5.5 is the middle of column 5
    top: int
    bottom: int
    dotted: bool = False


L, M, R = 1, 30, 50  # the form's three blocks: patient (left), middle, insured (right)

BOXES: tuple[Box, ...] = (
    Box("1.", 7, L, 8, R - 1),
    Box("1a. INSURED'S I.D. NUMBER                    (For Program in Item 1)", 7, R, 8, 79),
    Box("2. PATIENT'S NAME (Last Name, First Name, Middle Initial)", 9, L, 10, M - 1),
    Box("3. PATIENT'S BIRTH DATE        SEX", 9, M, 10, R - 1),
    Box("4. INSURED'S NAME (Last Name, First Name, Middle Initial)", 9, R, 10, 79),
    Box("5. PATIENT'S ADDRESS (No., Street)", 11, L, 12, M - 1),
    Box("6. PATIENT RELATIONSHIP TO INSURED", 11, M, 12, R - 1),
    Box("7. INSURED'S ADDRESS (No., Street)", 11, R, 12, 79),
    Box("CITY", 13, L, 14, 24),
    Box("STATE", 13, 25, 14, M - 1),
    Box("8. RESERVED FOR NUCC USE", 13, M, 16, R - 1),
    Box("CITY", 13, R, 14, 72),
    Box("STATE", 13, 73, 14, 79),
    Box("ZIP CODE", 15, L, 16, 13),
    Box("TELEPHONE (Include Area Code)", 15, 14, 16, M - 1),
    Box("ZIP CODE", 15, R, 16, 63),
    Box("TELEPHONE (Include Area Code)", 15, 64, 16, 79),
    Box("9. OTHER INSURED'S NAME (Last Name, First Name, Middle Initial)", 17, L, 18, M - 1),
    Box("10. IS PATIENT'S CONDITION RELATED TO:", 17, M, 26, R - 1),
    Box("11. INSURED'S POLICY GROUP OR FECA NUMBER", 17, R, 18, 79),
    Box("a. OTHER INSURED'S POLICY OR GROUP NUMBER", 19, L, 20, M - 1),
    Box("a. INSURED'S DATE OF BIRTH                         SEX", 19, R, 20, 79),
    Box("b. RESERVED FOR NUCC USE", 21, L, 22, M - 1),
    Box("b. OTHER CLAIM ID (Designated by NUCC)", 21, R, 22, 79),
    Box("c. RESERVED FOR NUCC USE", 23, L, 24, M - 1),
    Box("c. INSURANCE PLAN NAME OR PROGRAM NAME", 23, R, 24, 79),
    Box("d. INSURANCE PLAN NAME OR PROGRAM NAME", 25, L, 26, M - 1),
    Box("d. IS THERE ANOTHER HEALTH BENEFIT PLAN?", 25, R, 26, 79),
    Box("READ BACK OF FORM BEFORE COMPLETING & SIGNING THIS FORM.", 27, L, 29, R - 1),
    Box("13. INSURED'S OR AUTHORIZED PERSON'S SIGNATURE I authorize", 27, R, 29, 79),
    Box("14. DATE OF CURRENT ILLNESS, INJURY, or PREGNANCY (LMP)", 31, L, 32, M - 1),
    Box("15. OTHER DATE", 31, M, 32, R - 1),
    Box("16. DATES PATIENT UNABLE TO WORK IN CURRENT OCCUPATION", 31, R, 32, 79),
    Box("17. NAME OF REFERRING PROVIDER OR OTHER SOURCE", 33, L, 34, M - 1),
    Box("17a.", 33, M, 33, R - 1),
    Box("17b.  NPI", 34, M, 34, R - 1),
    Box("18. HOSPITALIZATION DATES RELATED TO CURRENT SERVICES", 33, R, 34, 79),
    Box("19. ADDITIONAL CLAIM INFORMATION (Designated by NUCC)", 35, L, 36, R - 1),
    Box("20. OUTSIDE LAB?                  $ CHARGES", 35, R, 36, 79),
    Box("21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY Relate A-L to service line below (24E)",
        37, L, 40, R - 1),
    Box("22. RESUBMISSION CODE", 37, R, 38, 60),
    Box("ORIGINAL REF. NO.", 37, 61, 38, 79),
    Box("23. PRIOR AUTHORIZATION NUMBER", 39, R, 40, 79),
    Box("", HEADER_24, L, DATA_LINE + 2 * LINES_PER_PAGE - 2, 79),
    Box("25. FEDERAL TAX I.D. NUMBER", 55, L, 56, 21),
    Box("26. PATIENT'S ACCOUNT NO.", 55, 22, 56, 35),
    Box("27. ACCEPT ASSIGNMENT?", 55, 36, 56, R - 1),
    Box("28. TOTAL CHARGE", 55, R, 56, 60),
    Box("29. AMOUNT PAID", 55, 61, 56, 70),
    Box("30. Rsvd for NUCC Use", 55, 71, 56, 79),
    Box("31. SIGNATURE OF PHYSICIAN OR SUPPLIER", 57, L, 61, 21),
    Box("32. SERVICE FACILITY LOCATION INFORMATION", 57, 22, 61, R - 1),
    Box("33. BILLING PROVIDER INFO & PH #", 57, R, 61, 79),
)  # fmt: skip

CHECKS: tuple[Check, ...] = (
    Check("1.medicare", "MEDICARE", "above"), Check("1.medicaid", "MEDICAID", "above"),
    Check("1.tricare", "TRICARE", "above"), Check("1.champva", "CHAMPVA", "above"),
    Check("1.group", "GROUP HEALTH PLAN", "above"), Check("1.feca", "FECA BLK LUNG", "above"),
    Check("1.other", "OTHER", "above"),
    Check("3.m", "M", "left"), Check("3.f", "F", "left"),
    Check("6.self", "Self", "left"), Check("6.spouse", "Spouse", "left"),
    Check("6.child", "Child", "left"), Check("6.other", "Other", "left"),
    Check("10a.yes", "YES"), Check("10a.no", "NO"), Check("10b.yes", "YES"),
    Check("10b.no", "NO"), Check("10c.yes", "YES"), Check("10c.no", "NO"),
    Check("11a.m", "M", "left"), Check("11a.f", "F", "left"),
    Check("11d.yes", "YES"), Check("11d.no", "NO"),
    Check("20.yes", "YES"), Check("20.no", "NO"),
    Check("25.ssn", "SSN", "above"), Check("25.ein", "EIN", "above"),
    Check("27.yes", "YES"), Check("27.no", "NO"),
)  # fmt: skip

LABELS: tuple[Label, ...] = (
    Label("HEALTH INSURANCE CLAIM FORM", 4, 1, 11.0),
    Label("APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12", 5, 1, 5.5),
    Label("PICA", 6, 1, 6.0, low=True), Label("PICA", 6, 75, 6.0, low=True),
    Label("(Medicare#)", 8, 3.3, low=True), Label("(Medicaid#)", 8, 10.3, low=True),
    Label("(ID#/DoD#)", 8, 17.3, low=True), Label("(Member ID#)", 8, 26.3, low=True),
    Label("(ID#)", 8, 32.3, low=True), Label("(ID#)", 8, 40.3, low=True),
    Label("(ID#)", 8, 46.3, low=True),
    Label("MM     DD      YY", 9.6, 31), Label("MM     DD      YY", 19.6, 53),
    Label("a. EMPLOYMENT? (Current or Previous)", 19, M),
    Label("b. AUTO ACCIDENT?", 21, M), Label("PLACE (State)", 21, 44.5, 4.5, low=True),
    Label("c. OTHER ACCIDENT?", 23, M),
    Label("10d. CLAIM CODES (Designated by NUCC)", 25, M),
    Label("If yes, complete items 9, 9a, and 9d.", 26, 61, 4.5, low=True),
    Label("12. PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE I authorize the release of any "
          "medical or other information", 28, L, 4.5),
    Label("necessary to process this claim. I also request payment of government benefits "
          "either to myself or to the party who accepts assignment below.", 28.5, L, 4.0),
    Label("SIGNED", 29, L, low=True), Label("DATE", 29, 33, low=True),
    Label("payment of medical benefits to the undersigned physician or supplier for", 28, R,
          4.5),
    Label("services described below.", 28.5, R, 4.0),
    Label("SIGNED", 29, R, low=True),
    Label("QUAL.", 32, 12.5, 4.5, low=True), Label("QUAL.", 32, M, 4.5, low=True),
    Label("FROM", 32, R, 4.5, low=True), Label("TO", 32, 65, 4.5, low=True),
    Label("FROM", 34, R, 4.5, low=True), Label("TO", 34, 65, 4.5, low=True),
    Label("ICD Ind.", 37, 41.5, 4.5, low=True),
    Label("A.", 38, 1.2, low=True), Label("B.", 38, 14.2, low=True),
    Label("C.", 38, 27.2, low=True), Label("D.", 38, 40.2, low=True),
    Label("E.", 39, 1.2, low=True), Label("F.", 39, 14.2, low=True),
    Label("G.", 39, 27.2, low=True), Label("H.", 39, 40.2, low=True),
    Label("I.", 40, 1.2, low=True), Label("J.", 40, 14.2, low=True),
    Label("K.", 40, 27.2, low=True), Label("L.", 40, 40.2, low=True),
    # Item 24's column heads, on its two header lines.
    Label("24. A.     DATE(S) OF SERVICE", 41, 1), Label("B.", 41, 19.3),
    Label("C.", 41, 22.3), Label("D. PROCEDURES, SERVICES, OR SUPPLIES", 41, 25.3),
    Label("E.", 41, 44.3), Label("F.", 41, 50.3), Label("G.", 41, 58.3), Label("H.", 41, 62.2),
    Label("I.", 41, 64.3), Label("J.", 41, 67.3),
    Label("From", 41.5, 3), Label("To", 41.5, 13),
    Label("(Explain Unusual Circumstances)", 41.5, 25.3, 4.5),
    Label("DIAGNOSIS", 41.5, 44.3, 4.5), Label("DAYS", 41.5, 58.3, 4.5),
    Label("EPSDT", 41.5, 62.2, 4.0), Label("ID.", 41.5, 64.3, 4.5),
    Label("RENDERING", 41.5, 69.5, 4.5),
    Label("MM   DD   YY   MM   DD   YY", 42, 1.3, 4.5, low=True),
    Label("PLACE OF SERVICE", 42, 19.2, 3.0), Label("EMG", 42, 22.3, 4.5, low=True),
    Label("CPT/HCPCS", 42, 25.3, 4.5, low=True), Label("MODIFIER", 42, 35, 4.5, low=True),
    Label("POINTER", 42, 44.3, 4.5, low=True), Label("$ CHARGES", 42, 51.5, 4.5, low=True),
    Label("UNITS", 42, 58.3, 4.5, low=True), Label("Plan", 42, 62.2, 4.0, low=True),
    Label("QUAL.", 42, 64.3, 4.0, low=True), Label("PROVIDER ID. #", 42, 69.5, 4.5, low=True),
    Label("(For govt. claims, see back)", 55.5, 37, 4.0),
    Label("$", 56, 50.3, 6.0, low=True), Label("$", 56, 61.3, 6.0, low=True),
    Label("INCLUDING DEGREES OR CREDENTIALS", 57.55, L, 4.5),
    Label("(I certify that the statements on the reverse", 58.1, L, 4.0),
    Label("apply to this bill and are made a part thereof.)", 58.55, L, 4.0),
    Label("SIGNED", 61, L, 4.5, low=True), Label("DATE", 61, 12, 4.5, low=True),
    Label("(      )", 57, 66, 6.0, low=True),
    Label("a.", 61, 22.3, 5.0, low=True), Label("b.", 61, 35.3, 5.0, low=True),
    Label("a.", 61, 50.3, 5.0, low=True), Label("b.", 61, 62.3, 5.0, low=True),
    Label("(      )", 16, 14, 6.0, low=True), Label("(      )", 16, 64, 6.0, low=True),
    Label("NUCC Instruction Manual available at: www.nucc.org", 62, L, 5.5),
    Label("PLEASE PRINT OR TYPE", 62, 33, 6.5),
    Label("APPROVED OMB-0938-1197 FORM 1500 (02-12)", 62, 60, 5.5),
)  # fmt: skip

_ROWS_24 = (DATA_LINE, DATA_LINE + 2 * LINES_PER_PAGE - 2)  # the data lines of item 24
RULES: tuple[Rule, ...] = (
    # Dates as MM | DD | YY(YY), parted by dotted rules where pre-printed forms part them.
    Rule(33.5, 10, 10, True), Rule(36.5, 10, 10, True),
    Rule(55.5, 20, 20, True), Rule(58.5, 20, 20, True),
    Rule(4.5, 32, 32, True), Rule(7.5, 32, 32, True),
    Rule(56.5, 32, 32, True), Rule(59.5, 32, 32, True), Rule(65, 32, 32),
    Rule(70.5, 32, 32, True), Rule(73.5, 32, 32, True),
    Rule(56.5, 34, 34, True), Rule(59.5, 34, 34, True), Rule(65, 34, 34),
    Rule(70.5, 34, 34, True), Rule(73.5, 34, 34, True),
    Rule(33, 34, 34, True), Rule(61, 35, 36),
    Rule(57.5, 56, 56, True), Rule(67.5, 56, 56, True),
    Rule(35, 61, 61), Rule(62, 61, 61), Rule(53, 21, 22, True),
    # Item 24: its columns through the header and the unshaded data half of each row.
    *(Rule(c, HEADER_24, HEADER_24 + 1) for c in (10, 19, 22, 25, 44, 50, 58, 62, 64, 67)),
    *(Rule(c, HEADER_24 + 1, HEADER_24 + 1, True) for c in (32,)),
    *(
        Rule(c, row, row, dotted)
        for row in range(_ROWS_24[0], _ROWS_24[1] + 1, 2)
        for c, dotted in (
            (3.5, True), (6.5, True), (10, False), (12.5, True), (15.5, True), (19, False),
            (22, False), (25, False), (32, False), (35, True), (38, True), (41, True),
            (44, False), (50, False), (55.5, True), (58, False), (62, False), (64, False),
        )
    ),
    *(Rule(67, row - 1, row) for row in range(_ROWS_24[0], _ROWS_24[1] + 1, 2)),
)  # fmt: skip
