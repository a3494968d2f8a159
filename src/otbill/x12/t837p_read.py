"""Reading an 837P (005010X222A1) back into claims, checking the structure as it goes.

What the 837P carries of a claim comes back as a Claim (the patient's own id, the visits and the
explanation are not in the file). Structure problems are issues naming segment and element: a
billing provider loop without its NPI name segment or address, a subscriber without NM1*IL or a
payer NM1*PR, a claim without diagnoses or service lines, an HL whose parent is unknown, an NM1
without its entity codes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from otbill.model import Claim, ClaimLine, OtherPayer, OtherPayerLine
from otbill.model.remittance import Adjustment
from otbill.x12.core import Elements, X12Error, decimal, element
from otbill.x12.envelope import Transaction

TX = "837"
# NM101 entity codes of the 837P (X222A1).
ENTITIES = frozenset(
    {
        "41",
        "40",
        "85",
        "87",
        "PE",
        "IL",
        "PR",
        "QC",
        "DN",
        "DK",
        "DQ",
        "82",
        "77",
        "PW",
        "45",
        "2B",
        "36",
        "GW",
        "P3",
        "QD",
        "DJ",
        "DD",
        "PX",
    }
)


@dataclass(frozen=True, slots=True)
class ReceivedClaim:
    claim: Claim
    payer_name: str
    subscriber_name: str
    patient_name: str  # the subscriber's name when the patient is the subscriber


def _d8(text: str, pos: int, seg: Elements, n: int) -> date:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise X12Error(
            f"is not a date CCYYMMDD: {text!r}",
            transaction=TX,
            position=pos,
            segment=seg[0],
            element=f"{seg[0]}{n:02d}",
        ) from None


class _Other:
    """An earlier payer's adjudication on the claim (loops 2320, 2330A/B)."""

    def __init__(self, sbr: Elements) -> None:
        self.sbr = sbr
        self.adjustments: list[Adjustment] = []
        self.paid = Decimal(0)
        self.member = self.last = self.first = self.payer_id = self.payer_name = ""
        self.paid_date: date | None = None


class _Svd:
    """An earlier payer's line adjudication (loop 2430)."""

    def __init__(self, svd: Elements, pos: int, line: int) -> None:
        self.svd, self.pos, self.line = svd, pos, line
        self.adjustments: list[Adjustment] = []
        self.paid_date: date | None = None


class _Claim:
    def __init__(self, clm: Elements, pos: int, responsibility: str) -> None:
        self.clm, self.pos = clm, pos
        self.responsibility = responsibility
        self.others: list[_Other] = []
        self.svds: list[_Svd] = []
        self.in_other = False
        self.diagnoses: list[str] = []
        self.lines: list[tuple[Elements, int, date | None]] = []
        self.refs: dict[str, str] = {}
        self.referring: str | None = None
        self.rendering: str | None = None


def read_837p(tx: Transaction) -> list[ReceivedClaim]:
    comp = tx.delimiters.component
    issues = tx.issues
    hl_levels: dict[str, str] = {}
    billing_npi = ""
    billing_ok: dict[str, set[str]] = {}
    member = payer_id = payer_name = sub_name = pat_name = ""
    current_hl = ""
    responsibility = "P"
    claims: list[tuple[_Claim, tuple[str, str, str, str, str, str]]] = []
    claim: _Claim | None = None
    last_nm1 = ""
    prev = ""

    def err(problem: str, pos: int, seg: Elements, n: int = 0) -> None:
        issues.add(
            X12Error(
                problem,
                transaction=TX,
                position=pos,
                segment=seg[0],
                element=f"{seg[0]}{n:02d}" if n else "",
            )
        )

    for pos, seg in tx:
        sid = seg[0]
        try:
            if sid == "HL":
                hid, parent, level = element(seg, 1), element(seg, 2), element(seg, 3)
                if not hid or level not in ("20", "22", "23"):
                    err(f"level code {level!r} is not 20, 22 or 23", pos, seg, 3)
                if parent and parent not in hl_levels:
                    err(f"parent {parent!r} is not an earlier HL", pos, seg, 2)
                if level == "22" and parent and hl_levels.get(parent) != "20":
                    err("a subscriber HL's parent is a billing provider HL", pos, seg, 2)
                hl_levels[hid] = level
                _close_hl(current_hl, hl_levels, billing_ok, pos, seg, err)
                current_hl = hid
                billing_ok[hid] = set()
                claim = None
                if level == "22":
                    member = payer_id = payer_name = sub_name = pat_name = ""
            elif (
                claim is not None
                and (claim.in_other or sid in ("SBR", "SVD"))
                and _cob(claim, seg, pos, comp)
            ):
                pass
            elif sid == "SBR":
                responsibility = element(seg, 1) or "P"
            elif sid == "NM1":
                code = element(seg, 1)
                if code not in ENTITIES:
                    err(f"is not an 837P entity code: {code!r}", pos, seg, 1)
                    continue
                if element(seg, 2) not in ("1", "2"):
                    err(f"entity type must be 1 or 2, got {element(seg, 2)!r}", pos, seg, 2)
                last_nm1 = code
                billing_ok.setdefault(current_hl, set()).add(code)
                name = " ".join(x for x in (element(seg, 3), element(seg, 4)) if x)
                if code == "85":
                    billing_npi = element(seg, 9)
                elif code == "IL":
                    member, sub_name = element(seg, 9), name
                    pat_name = name
                elif code == "PR":
                    payer_name, payer_id = element(seg, 3), element(seg, 9)
                elif code == "QC":
                    pat_name = name
                elif code == "DN" and claim is not None:
                    claim.referring = element(seg, 9)
                elif code == "82" and claim is not None:
                    claim.rendering = element(seg, 9)
            elif sid in ("N3", "N4"):
                billing_ok.setdefault(current_hl, set()).add(f"{last_nm1}:{sid}")
                if sid == "N4" and prev != "N3" and last_nm1 == "85":
                    err("follows no N3 (the billing provider address)", pos, seg)
            elif sid == "CLM":
                if claim is not None:
                    _check_claim(claim, err)
                if not element(seg, 1) or not element(seg, 2):
                    err("needs the patient control number and charge", pos, seg, 1)
                    continue
                claim = _Claim(seg, pos, responsibility)
                claims.append(
                    (claim, (billing_npi, member, payer_id, payer_name, sub_name, pat_name))
                )
            elif claim is not None:
                if sid == "HI":
                    for n, c in enumerate(seg[1:], start=1):
                        if c:
                            _, _, code = c.partition(comp)
                            if not code:
                                err("has a qualifier without a code", pos, seg, n)
                            claim.diagnoses.append(code)
                elif sid == "SV1":
                    claim.lines.append((seg, pos, None))
                elif sid == "CAS" and claim.svds and claim.svds[-1].line == len(claim.lines):
                    claim.svds[-1].adjustments.extend(_cas(seg, pos))
                elif sid == "DTP" and element(seg, 1) == "573" and claim.svds:
                    claim.svds[-1].paid_date = _d8(element(seg, 3), pos, seg, 3)
                elif sid == "DTP" and element(seg, 1) == "472" and claim.lines:
                    s, p, _ = claim.lines[-1]
                    text = element(seg, 3)
                    claim.lines[-1] = (s, p, _d8(text[:8], pos, seg, 3))
                elif sid == "REF":
                    claim.refs[element(seg, 1)] = element(seg, 2)
            prev = sid
        except X12Error as e:
            issues.add(e)
    _close_hl(current_hl, hl_levels, billing_ok, tx.header.start, ["SE"], err)
    if claim is not None:
        _check_claim(claim, err)
    out = []
    for pending, (npi, mem, pid, pname, sname, ptname) in claims:
        try:
            out.append(ReceivedClaim(_build(pending, npi, mem, pid, comp), pname, sname, ptname))
        except X12Error as e:
            issues.add(e)
    return out


def _cas(seg: Elements, pos: int) -> list[Adjustment]:
    out = []
    for i in range(2, min(len(seg), 20), 3):
        if seg[i]:
            qty = decimal(seg, i + 2, TX, pos) if element(seg, i + 2) else None
            out.append(Adjustment(seg[1], seg[i], decimal(seg, i + 1, TX, pos), qty))
    return out


def _cob(c: _Claim, seg: Elements, pos: int, comp: str) -> bool:
    """Take a segment of the other-payer loops; False when it is not one of theirs."""
    sid = seg[0]
    if sid == "SBR":
        c.others.append(_Other(seg))
        c.in_other = True
        return True
    if sid == "SVD":
        c.svds.append(_Svd(seg, pos, len(c.lines)))
        return True
    if not c.in_other or not c.others:
        return False
    o = c.others[-1]
    if sid == "CAS":
        o.adjustments.extend(_cas(seg, pos))
    elif sid == "AMT" and element(seg, 1) == "D":
        o.paid = decimal(seg, 2, TX, pos)
    elif sid == "NM1" and element(seg, 1) == "IL":
        o.last, o.first, o.member = element(seg, 3), element(seg, 4), element(seg, 9)
    elif sid == "NM1" and element(seg, 1) == "PR":
        o.payer_name, o.payer_id = element(seg, 3), element(seg, 9)
    elif sid == "DTP" and element(seg, 1) == "573":
        o.paid_date = _d8(element(seg, 3), pos, seg, 3)
    elif sid in ("OI", "MOA", "N3", "N4", "REF", "DTP", "AMT"):
        pass
    else:
        c.in_other = False  # a segment past the other payer's loops
        return False
    return True


def _others(c: _Claim, comp: str) -> tuple[OtherPayer, ...]:
    out = []
    for o in c.others:
        lines = []
        for v in c.svds:
            if element(v.svd, 1) != o.payer_id:
                continue
            proc = element(v.svd, 3).split(comp)
            units = element(v.svd, 5)
            lines.append(
                OtherPayerLine(
                    v.line,
                    proc[1] if len(proc) > 1 else "",
                    tuple(filter(None, proc[2:6])),
                    int(Decimal(units)) if units else 1,
                    decimal(v.svd, 2, TX, v.pos),
                    tuple(v.adjustments),
                    v.paid_date or date.min,
                )
            )
        out.append(
            OtherPayer(
                payer_id=o.payer_id,
                payer_name=o.payer_name,
                member_id=o.member,
                subscriber_last=o.last,
                subscriber_first=o.first,
                relationship=element(o.sbr, 2),
                filing_indicator=element(o.sbr, 9),
                paid=o.paid,
                claim_adjustments=tuple(o.adjustments),
                lines=tuple(lines),
                responsibility=element(o.sbr, 1) or "P",
                paid_date=o.paid_date,
            )
        )
    return tuple(out)


ErrFn = Callable[[str, int, Elements], None]


def _close_hl(
    hl: str,
    levels: dict[str, str],
    seen: dict[str, set[str]],
    pos: int,
    seg: Elements,
    err: ErrFn,
) -> None:
    """Required loops of the HL just ended: 2010AA name and address; 2010BA and 2010BB."""
    if not hl:
        return
    got = seen.get(hl, set())
    level = levels.get(hl)
    if level == "20":
        if "85" not in got:
            err(f"billing provider HL {hl} has no NM1*85 (loop 2010AA)", pos, seg)
        elif "85:N3" not in got or "85:N4" not in got:
            err(f"billing provider HL {hl} lacks its address (N3/N4 of 2010AA)", pos, seg)
    elif level == "22":
        if "IL" not in got:
            err(f"subscriber HL {hl} has no NM1*IL (loop 2010BA)", pos, seg)
        if "PR" not in got:
            err(f"subscriber HL {hl} has no payer NM1*PR (loop 2010BB)", pos, seg)


def _check_claim(c: _Claim, err: ErrFn) -> None:
    if not c.diagnoses:
        err(f"claim {c.clm[1]} has no diagnosis (HI)", c.pos, c.clm)
    if not c.lines:
        err(f"claim {c.clm[1]} has no service line (SV1)", c.pos, c.clm)


def _build(c: _Claim, billing: str, member: str, payer: str, comp: str) -> Claim:
    clm = c.clm
    facility = element(clm, 5).split(comp)
    lines = []
    day0: date | None = None
    for seg, spos, day in c.lines:
        proc = element(seg, 1).split(comp)
        if len(proc) < 2 or not proc[1]:
            raise X12Error(
                "has no procedure code",
                transaction=TX,
                position=spos,
                segment="SV1",
                element="SV101",
            )
        if day is None:
            raise X12Error(
                "has no DTP*472 service date", transaction=TX, position=spos, segment="SV1"
            )
        day0 = day0 or day
        pointers = tuple(int(p) for p in element(seg, 7).split(comp) if p.isdigit())
        lines.append(
            ClaimLine(
                code=proc[1],
                units=int(decimal(seg, 4, TX, spos)),
                modifiers=tuple(m for m in proc[2:6] if m),
                charge=decimal(seg, 2, TX, spos).quantize(Decimal("0.01")),
                diagnosis_pointers=pointers,
                date=day,
            )
        )
    diagnoses = tuple(d if len(d) <= 3 else f"{d[:3]}.{d[3:]}" for d in c.diagnoses)
    return Claim(
        id=clm[1],
        visit_ids=(),
        patient_id="",
        payer_id=payer,
        member_id=member,
        date_of_service=day0 or date.min,
        place_of_service=facility[0],
        billing_npi=billing,
        rendering_npi=c.rendering or billing,
        diagnoses=diagnoses,
        lines=tuple(lines),
        referring_npi=c.referring,
        authorization_number=c.refs.get("G1"),
        frequency_code=facility[2] if len(facility) > 2 else "1",
        original_claim_number=c.refs.get("F8"),
        other_payers=_others(c, comp),
        responsibility=c.responsibility,
    )
