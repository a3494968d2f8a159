"""The reports' tables, folded from the ledger's append-only history.

A report over a million claim lines cannot read each claim's documents, nor sum two million
adjustments, in the two seconds a person waits: it reads narrow rows folded once from what the
ledger appends. ``refresh`` folds what is new since the last fold, by watermark: the claim events
(a claim's first ``submitted`` makes its report_claim row, a ``rejected`` or ``voided`` marks
it), then the postings (each one's adjustments, classified by the root-cause map, become denial
rows and the month's money; a claim's first posting is its first adjudication; a reversal marks
its posting's denials reversed and takes its money back in its own month).

The watermark is exact because the fold runs alone: on PostgreSQL it first takes SHARE locks on
posting and then claim_event, which wait for the transactions writing them to commit and keep
new ones waiting until the fold commits (a few hundred milliseconds once folded: only what is
new is read). Posters take posting before claim_event, so the order cannot deadlock. On SQLite
the fold's first statement is a write, which takes the database's one write lock. A new version
of the root-cause map (its file's hash) refolds everything.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import resources
from typing import Any

from sqlalchemy import case, delete, func, select, text, update
from sqlalchemy.orm import Session

from otbill.codesets import hcpcs
from otbill.codesets.thresholds import bucket
from otbill.denials.causes import CAUSES_FILE, Cause, classify
from otbill.ledger import schema as t
from otbill.ledger.db import IN_CHUNK, in_chunks, insert_rows, update_rows
from otbill.ledger.queue import payer_facts
from otbill.model import Discipline
from otbill.rules.functional import FR_YEARS

ZERO = Decimal("0.00")
# The scrubber's rule families a compliance report counts (their error findings, as sent).
COMPLIANCE = ("OT-POC-", "OT-PR-", "OT-FR-", "OT-KX-")
# The adjustment groups posting keeps that are money, not adjustments (paid, unplaced).
NOT_ADJUSTMENTS = frozenset({"PD"})
MONEY_ITEMS = ("paid", "contractual", "patient", "denied", "other")


def causes_version() -> str:
    raw = resources.files("otbill.codesets.data").joinpath(CAUSES_FILE).read_bytes()
    return hashlib.sha256(raw).hexdigest()


def month_of(d: date) -> date:
    return d.replace(day=1)


@dataclass
class FoldResult:
    claims: int = 0
    postings: int = 0
    denials: int = 0
    refolded: bool = False


def refresh(session: Session, practice_id: int) -> FoldResult:
    """Fold what the practice's history added since the last fold (see the module's text), in
    the caller's transaction; commit it to keep it."""
    out = FoldResult()
    version = causes_version()
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE posting IN SHARE MODE"))
        conn.execute(text("LOCK TABLE claim_event IN SHARE MODE"))
    mark = session.get(t.ReportMark, practice_id, with_for_update=True)
    if mark is None:
        mark = t.ReportMark(
            practice_id=practice_id, event_id=0, posting_id=0, causes=version, at=_now()
        )
        session.add(mark)
    else:
        mark.at = _now()  # SQLite: the fold's first statement writes, and holds the lock
    session.flush()
    if mark.causes != version:
        _forget(session, practice_id)
        mark.event_id, mark.posting_id, mark.causes = 0, 0, version
        out.refolded = True
    payers = payer_facts(session, practice_id)
    kinds = {ext: f.kind for ext, f in payers.items()}
    mark.event_id = _fold_events(session, practice_id, mark.event_id, payers, out)
    mark.posting_id = _fold_postings(session, practice_id, mark.posting_id, kinds, out)
    session.flush()
    return out


def _now() -> datetime:
    return datetime.now(UTC)


def _forget(session: Session, practice_id: int) -> None:
    for model in (t.ReportDenial, t.ReportVolume, t.ReportMoney, t.ReportMonth, t.ReportClaim):
        session.execute(delete(model).where(model.practice_id == practice_id))


# --- claims -------------------------------------------------------------------------------


def _fold_events(
    session: Session, practice_id: int, after: int, payers: dict[str, Any], out: FoldResult
) -> int:
    """Claims first sent get their row; rejections and voids mark theirs. The new mark."""
    E, C = t.ClaimEvent, t.Claim
    # Under the lock no lower id can still appear: the mark moves to the highest there is, and
    # only the events that change a report are read (a practice has millions of them).
    last = session.scalar(select(func.max(E.id))) or after
    sent: dict[int, date] = {}
    marks: dict[str, set[int]] = {"rejected": set(), "voided": set()}
    for cid, to_state, at in session.execute(
        select(E.claim_id, E.to_state, E.at)
        .join(C, C.id == E.claim_id)
        .where(
            C.practice_id == practice_id,
            E.id > after,
            E.id <= last,
            E.to_state.in_(("submitted", "rejected", "voided")),
        )
        .order_by(E.id)
    ):
        if to_state == "submitted":
            sent.setdefault(cid, _day(at))
        elif to_state in marks:
            marks[to_state].add(cid)
    have = set()
    for ids in _chunks(sorted(sent)):
        have |= set(
            session.scalars(select(t.ReportClaim.claim_id).where(t.ReportClaim.claim_id.in_(ids)))
        )
    new = {cid: day for cid, day in sent.items() if cid not in have}
    months = _Months()
    if new:
        rows = _claim_rows(session, practice_id, new, payers)
        insert_rows(session, t.ReportClaim, rows)
        _add_volume(session, practice_id, rows)
        for r in rows:
            months.add(
                r["submitted_on"], r["payer_ext"], r["rendering_npi"], sent=1,
                sent_lines=r["lines"], sent_charge=r["charge"], clean=int(r["clean"]),
                original_charge=r["charge"] if r["original"] else ZERO,
            )  # fmt: skip
        out.claims += len(rows)
    # A clean claim rejected later is clean no more: its month counts one fewer.
    for day, payer, npi in _newly_rejected(session, sorted(marks["rejected"])):
        months.add(day, payer, npi, clean=-1)
    months.write(session, practice_id)
    for state, column in (("rejected", "rejected"), ("voided", "gone")):
        for ids in _chunks(sorted(marks[state])):
            session.execute(
                update(t.ReportClaim)
                .where(t.ReportClaim.claim_id.in_(ids))
                .values({column: True})
                .execution_options(synchronize_session=False)
            )
    return last


def _newly_rejected(session: Session, ids: Sequence[int]) -> list[tuple[date, str, str]]:
    """The sent month's key of each claim counted clean that is now rejected."""
    R = t.ReportClaim
    out = []
    for chunk in _chunks(ids):
        out += [
            (day, payer, npi)
            for day, payer, npi in session.execute(
                select(R.submitted_on, R.payer_ext, R.rendering_npi).where(
                    R.claim_id.in_(chunk), R.clean.is_(True), R.rejected.is_(False)
                )
            )
        ]
    return out


MONTH_COUNTS = ("sent", "sent_lines", "clean", "adjudicated", "first_pass")
MONTH_MONEY = ("sent_charge", "original_charge")


class _Months:
    """Increments to report_month, written at once."""

    def __init__(self) -> None:
        self.add_to: dict[tuple[date, str, str], dict[str, Any]] = {}

    def add(self, day: date, payer: str, npi: str, **inc: Any) -> None:
        key = (month_of(day), payer, npi)
        acc = self.add_to.setdefault(
            key, {**dict.fromkeys(MONTH_COUNTS, 0), **dict.fromkeys(MONTH_MONEY, ZERO)}
        )
        for k, v in inc.items():
            acc[k] += v

    def write(self, session: Session, practice_id: int) -> None:
        if not self.add_to:
            return
        M = t.ReportMonth
        cols = (*MONTH_COUNTS, *MONTH_MONEY)
        have = {
            (r.month, r.payer_ext, r.rendering_npi): r
            for r in session.execute(
                select(M.month, M.payer_ext, M.rendering_npi, *(getattr(M, c) for c in cols)).where(
                    M.practice_id == practice_id,
                    M.month.in_(sorted({k[0] for k in self.add_to})),
                )
            )
        }
        fresh = []
        for (m, payer, npi), inc in self.add_to.items():
            before = have.get((m, payer, npi))
            if before is None:
                fresh.append(
                    {"practice_id": practice_id, "month": m, "payer_ext": payer,
                     "rendering_npi": npi, **inc}
                )  # fmt: skip
                continue
            session.execute(
                update(M)
                .where(
                    M.practice_id == practice_id,
                    M.month == m,
                    M.payer_ext == payer,
                    M.rendering_npi == npi,
                )
                .values({c: getattr(before, c) + inc[c] for c in cols})
            )
        insert_rows(session, M, fresh)
        self.add_to.clear()


def _day(at: datetime | str) -> date:
    return at.date() if isinstance(at, datetime) else datetime.fromisoformat(at).date()


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for k in range(0, len(ids), IN_CHUNK):
        yield list(ids[k : k + IN_CHUNK])


def _claim_rows(
    session: Session, practice_id: int, sent: dict[int, date], payers: dict[str, Any]
) -> list[dict[str, Any]]:
    """A report_claim row for each claim first sent (its id -> the day it was sent)."""
    C, L, E = t.Claim, t.ClaimLine, t.ClaimEvent
    ids = sorted(sent)
    gcodes = sorted(hcpcs.functional_gcodes())
    lines: dict[int, tuple[int, int, Decimal, int, int]] = {}
    for cid, n, kx, allowed, unpriced, g in in_chunks(
        session,
        select(
            L.claim_id,
            func.count(),
            func.sum(case((L.modifiers.like("%KX%"), 1), else_=0)),
            func.sum(L.allowed),
            func.sum(case((L.allowed.is_(None), 1), else_=0)),
            func.sum(case((L.code.in_(gcodes), 1), else_=0)),
        ).group_by(L.claim_id),
        L.claim_id,
        ids,
    ):
        lines[cid] = (int(n), int(kx or 0), allowed or ZERO, int(unpriced or 0), int(g or 0))
    # Went out clean: ready in the build that made it (its first events share one stamp) and
    # never sent back to draft before it was sent.
    created = case((E.from_state.is_(None), E.at))
    ready = case((E.to_state == "ready", E.at))
    back = case(((E.to_state == "draft") & E.from_state.isnot(None), 1), else_=0)
    clean: dict[int, bool] = {}
    for cid, made, first_ready, reworked in in_chunks(
        session,
        select(E.claim_id, func.min(created), func.min(ready), func.sum(back)).group_by(E.claim_id),
        E.claim_id,
        ids,
    ):
        clean[cid] = made is not None and made == first_ready and not reworked
    replacing = set(
        session.scalars(
            select(t.ClaimEdit.target_number).where(
                t.ClaimEdit.practice_id == practice_id,
                t.ClaimEdit.kind.in_(("replace", "resubmit")),
            )
        )
    )
    plans = {
        (pid, ext): doc.get("discipline")
        for pid, ext, doc in session.execute(
            select(t.PlanOfCare.patient_id, t.PlanOfCare.ext_id, t.PlanOfCare.doc).where(
                t.PlanOfCare.practice_id == practice_id
            )
        )
    }
    rows = []
    for r in in_chunks(
        session,
        select(
            C.id,
            C.number,
            C.patient_id,
            C.payer_ext,
            C.date_of_service,
            C.total_charge,
            C.frequency,
            C.original_number,
            C.doc["rendering_npi"].as_string(),
            C.doc["responsibility"].as_string(),
            C.doc["plan_of_care_id"].as_string(),
            C.doc["other_payers"].as_json(),
            C.findings,
        ),
        C.id,
        ids,
    ):
        (cid, number, patient, payer_ext, dos, charge, freq, orig, npi, resp, plan, others,
         findings) = r  # fmt: skip
        facts = payers.get(payer_ext)
        profile = facts.profile if facts else None
        n, kx, allowed, unpriced, g = lines.get(cid, (0, 0, ZERO, 0, 0))
        secondary = resp in ("S", "T") or bool(others)
        discipline = plans.get((patient, plan))
        kx_bucket = ""
        if profile is not None and profile.kx_applies and discipline:
            kx_bucket = bucket(Discipline(discipline))
        errors = _errors(findings)
        functional = ""
        if profile is not None and profile.functional_reporting and FR_YEARS.contains(dos):
            if "OT-FR-001" in errors:
                functional = "missing"
            elif "OT-FR-002" in errors:
                functional = "severity"
            elif g:
                functional = "reported"
        rows.append(
            {
                "claim_id": cid,
                "practice_id": practice_id,
                "patient_id": patient,
                "payer_ext": payer_ext,
                "payer_kind": facts.kind if facts else "",
                "rendering_npi": npi or "",
                "date_of_service": dos,
                "submitted_on": sent[cid],
                "charge": charge,
                "lines": n,
                "original": not secondary and freq == "1" and not orig and number not in replacing,
                "secondary": secondary,
                "clean": clean.get(cid, False),
                "rejected": False,
                "gone": freq == "8",
                "first_posting_id": None,
                "first_on": None,
                "first_denied": None,
                "kx_bucket": kx_bucket,
                "kx_lines": kx,
                "allowed": allowed,
                "unpriced": unpriced,
                "rules": " ".join(sorted(e for e in errors if e.startswith(COMPLIANCE)))[:200],
                "progress_applies": bool(profile and profile.progress_reports),
                "functional": functional,
            }
        )
    return rows


def _errors(findings: Any) -> set[str]:
    items = (findings or {}).get("items", []) if isinstance(findings, dict) else []
    return {f["rule"] for f in items if f.get("severity") == "error" and not f.get("silenced")}


def _add_volume(session: Session, practice_id: int, rows: list[dict[str, Any]]) -> None:
    """The claims' lines added to the month's denominators, by payer, therapist and code."""
    L = t.ClaimLine
    who = {r["claim_id"]: r for r in rows}
    add: dict[tuple[date, str, str, str], list[Any]] = defaultdict(lambda: [0, 0, ZERO])
    for cid, code, n, charge in in_chunks(
        session,
        select(L.claim_id, L.code, func.count(), func.sum(L.charge)).group_by(L.claim_id, L.code),
        L.claim_id,
        sorted(who),
    ):
        r = who[cid]
        acc = add[(month_of(r["submitted_on"]), r["payer_ext"], r["rendering_npi"], code)]
        acc[0] += 1
        acc[1] += int(n)
        acc[2] += charge or ZERO
    V = t.ReportVolume
    have = {
        (m, p, npi, code): (claims, n, charge)
        for m, p, npi, code, claims, n, charge in session.execute(
            select(
                V.month, V.payer_ext, V.rendering_npi, V.code, V.claims, V.lines, V.charge
            ).where(V.practice_id == practice_id, V.month.in_(sorted({k[0] for k in add})))
        )
    }
    fresh, changed = [], []
    for (m, p, npi, code), (claims, n, charge) in add.items():
        key = {"practice_id": practice_id, "month": m, "payer_ext": p, "rendering_npi": npi}
        before = have.get((m, p, npi, code))
        if before is None:
            fresh.append({**key, "code": code, "claims": claims, "lines": n, "charge": charge})
        else:
            changed.append(
                (key | {"code": code}, before[0] + claims, before[1] + n, before[2] + charge)
            )
    insert_rows(session, V, fresh)
    for key, claims, n, charge in changed:
        session.execute(
            update(V)
            .where(*(getattr(V, k) == v for k, v in key.items()))
            .values(claims=claims, lines=n, charge=charge)
        )


# --- postings -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Adj:
    id: int
    posting_id: int
    claim_id: int
    line_id: int | None
    group: str
    reason: str
    amount: Decimal
    remarks: tuple[str, ...]  # the line's
    code: str
    line_charge: Decimal | None


def _fold_postings(
    session: Session, practice_id: int, after: int, kinds: dict[str, str], out: FoldResult
) -> int:
    P, R, C = t.Posting, t.Remittance, t.Claim
    posts = list(
        session.execute(
            select(
                P.id,
                P.claim_id,
                P.status,
                P.paid,
                func.coalesce(R.paid_on, func.date(R.posted_at)),
                P.doc["remarks"].as_json(),
                C.payer_ext,
            )
            .join(R, R.id == P.remittance_id)
            .join(C, C.id == P.claim_id)
            .where(R.practice_id == practice_id, P.id > after)
            .order_by(P.id)
        )
    )
    if not posts:
        return after
    out.postings += len(posts)
    money: dict[tuple[date, str, str], Decimal] = defaultdict(lambda: ZERO)
    cache: dict[tuple[str, str, tuple[str, ...], str], Cause] = {}
    # A chunk at a time: a first fold reads every posting and its adjustments (millions).
    for k in range(0, len(posts), POSTING_CHUNK):
        _fold_chunk(session, practice_id, posts[k : k + POSTING_CHUNK], kinds, out, money, cache)
    _add_money(session, practice_id, money)
    return int(posts[-1][0])


POSTING_CHUNK = 20_000


def _fold_chunk(
    session: Session,
    practice_id: int,
    posts: Sequence[Any],
    kinds: dict[str, str],
    out: FoldResult,
    money: dict[tuple[date, str, str], Decimal],
    cache: dict[tuple[str, str, tuple[str, ...], str], Cause],
) -> None:
    claims = sorted({p[1] for p in posts})
    rc: dict[int, tuple[int | None, str, Decimal]] = {}
    for cid, first, npi, charge in in_chunks(
        session,
        select(
            t.ReportClaim.claim_id,
            t.ReportClaim.first_posting_id,
            t.ReportClaim.rendering_npi,
            t.ReportClaim.charge,
        ),
        t.ReportClaim.claim_id,
        claims,
    ):
        rc[cid] = (first, npi, charge)
    standing = [p for p in posts if p[2] != "22"]
    reversals = [p for p in posts if p[2] == "22"]
    adjustments = _adjustments(session, [p[0] for p in standing])
    by_posting: dict[int, list[_Adj]] = defaultdict(list)
    for a in adjustments:
        by_posting[a.posting_id].append(a)
    denials: list[dict[str, Any]] = []
    firsts: list[dict[str, Any]] = []
    payer_of: dict[int, str] = {}
    for pid_, cid, _, paid, day, remarks, payer_ext in standing:
        day = _as_date(day)
        payer_of[cid] = payer_ext
        kind = kinds.get(payer_ext, "")
        claim_remarks = tuple(remarks or ())
        mine = by_posting.get(pid_, [])
        returned = _unprocessable(mine, claim_remarks)
        first, npi, claim_charge = rc.get(cid, (None, "", ZERO))
        initial = cid in rc and first is None
        if initial:
            rc[cid] = (pid_, npi, claim_charge)
        money[(month_of(day), payer_ext, "paid")] += paid
        denied_here = False
        for a in mine:
            said = (*a.remarks, *claim_remarks) if a.line_id is not None else claim_remarks
            cause = _classify(cache, a.group, a.reason, said, kind)
            item = _item(a, cause)
            money[(month_of(day), payer_ext, item)] += a.amount
            if item != "denied":
                continue
            denied_here = True
            denials.append(
                {
                    "adjustment_id": a.id,
                    "practice_id": practice_id,
                    "claim_id": cid,
                    "claim_line_id": a.line_id,
                    "posting_id": pid_,
                    "notice_on": day,
                    "payer_ext": payer_ext,
                    "payer_kind": kind,
                    "rendering_npi": npi,
                    "code": a.code,
                    "line_charge": a.line_charge if a.line_id is not None else claim_charge,
                    "claim_charge": claim_charge,
                    "group_code": a.group,
                    "reason": a.reason,
                    "remarks": " ".join(dict.fromkeys(said))[:200],
                    "amount": a.amount,
                    "initial": initial,
                    "unprocessable": returned,
                    "reversed": False,
                }
            )
        if initial:
            firsts.append(
                {
                    "claim_id": cid,
                    "first_posting_id": pid_,
                    "first_on": day,
                    "first_denied": denied_here,
                }
            )
    insert_rows(session, t.ReportDenial, denials)
    out.denials += len(denials)
    update_rows(session, t.ReportClaim, firsts, key="claim_id")
    months = _Months()
    for f in firsts:
        _, npi, _ = rc[f["claim_id"]]
        months.add(f["first_on"], payer_of[f["claim_id"]], npi, adjudicated=1,
                   first_pass=0 if f["first_denied"] else 1)  # fmt: skip
    months.write(session, practice_id)
    if reversals:
        _fold_reversals(session, reversals, kinds, money, cache)
    _refresh_allowed(session, claims)


def _as_date(d: date | str) -> date:
    return d if isinstance(d, date) else date.fromisoformat(str(d)[:10])


def _adjustments(session: Session, posting_ids: Sequence[int]) -> list[_Adj]:
    A, L = t.Adjustment, t.ClaimLine
    out = []
    for r in in_chunks(
        session,
        select(
            A.id,
            A.posting_id,
            A.claim_id,
            A.claim_line_id,
            A.group_code,
            A.reason,
            A.amount,
            A.remarks,
            L.code,
            L.charge,
        )
        .outerjoin(L, L.id == A.claim_line_id)
        .order_by(A.id),
        A.posting_id,
        list(posting_ids),
    ):
        if r.group_code in NOT_ADJUSTMENTS:
            continue
        out.append(
            _Adj(
                r.id,
                r.posting_id,
                r.claim_id,
                r.claim_line_id,
                r.group_code,
                r.reason,
                r.amount,
                tuple((r.remarks or "").split()),
                r.code or "",
                r.charge,
            )
        )
    return out


def _classify(
    cache: dict[tuple[str, str, tuple[str, ...], str], Cause],
    group: str,
    reason: str,
    remarks: tuple[str, ...],
    kind: str,
) -> Cause:
    """The few distinct (group, reason, remarks, payer kind) a practice's 835s hold are each
    classified once."""
    key = (group, reason, remarks, kind)
    cause = cache.get(key)
    if cause is None:
        cause = cache[key] = classify(group, reason, remarks, kind)
    return cause


def _item(a: _Adj, cause: Cause) -> str:
    if cause.denial and a.amount > ZERO:
        return "denied"
    if cause.category == "contractual":
        return "contractual"
    if a.group == "PR":
        return "patient"
    return "other"


def _unprocessable(adjustments: Sequence[_Adj], claim_remarks: tuple[str, ...]) -> bool:
    """CO-16 with MA130 anywhere on the claim payment (as otbill.denials.queue.unprocessable)."""
    remarks = set(claim_remarks).union(*(a.remarks for a in adjustments))
    return "MA130" in remarks and any(a.group == "CO" and a.reason == "16" for a in adjustments)


def _fold_reversals(
    session: Session,
    reversals: Sequence[Any],
    kinds: dict[str, str],
    money: dict[tuple[date, str, str], Decimal],
    cache: dict[tuple[str, str, tuple[str, ...], str], Cause],
) -> None:
    """A reversal's own payment (negative) is its month's; the posting it undid has its
    denials marked reversed and its adjustments taken back in the reversal's month."""
    P = t.Posting
    undone: dict[int, tuple[date, str]] = {}
    remarks: dict[int, tuple[str, ...]] = {}
    for _, _, _, paid, day, _, payer_ext in reversals:
        money[(month_of(_as_date(day)), payer_ext, "paid")] += paid
    by_reversal = {r[0]: r for r in reversals}
    for target, reversal, doc_remarks in in_chunks(
        session,
        select(P.id, P.reversed_by_id, P.doc["remarks"].as_json()),
        P.reversed_by_id,
        sorted(by_reversal),
    ):
        r = by_reversal[reversal]
        undone[target] = (_as_date(r[4]), r[6])
        remarks[target] = tuple(doc_remarks or ())
    for ids in _chunks(sorted(undone)):
        session.execute(
            update(t.ReportDenial)
            .where(t.ReportDenial.posting_id.in_(ids))
            .values(reversed=True)
            .execution_options(synchronize_session=False)
        )
    for a in _adjustments(session, sorted(undone)):
        day, payer_ext = undone[a.posting_id]
        said = (
            (*a.remarks, *remarks[a.posting_id]) if a.line_id is not None else remarks[a.posting_id]
        )
        cause = _classify(cache, a.group, a.reason, said, kinds.get(payer_ext, ""))
        money[(month_of(day), payer_ext, _item(a, cause))] -= a.amount


def _add_money(
    session: Session, practice_id: int, money: dict[tuple[date, str, str], Decimal]
) -> None:
    M = t.ReportMoney
    have = {
        (m, p, item): amount
        for m, p, item, amount in session.execute(
            select(M.month, M.payer_ext, M.item, M.amount).where(
                M.practice_id == practice_id, M.month.in_(sorted({k[0] for k in money}))
            )
        )
    }
    fresh = []
    for (m, p, item), amount in money.items():
        if (m, p, item) in have:
            session.execute(
                update(M)
                .where(M.practice_id == practice_id, M.month == m, M.payer_ext == p, M.item == item)
                .values(amount=have[(m, p, item)] + amount)
            )
        else:
            fresh.append(
                {"practice_id": practice_id, "month": m, "payer_ext": p, "item": item,
                 "amount": amount}
            )  # fmt: skip
    insert_rows(session, M, fresh)


def _refresh_allowed(session: Session, claims: Sequence[int]) -> None:
    """The lines' allowed amounts as posting left them (the 835's, where it sent one)."""
    L = t.ClaimLine
    rows = [
        {"claim_id": cid, "allowed": allowed or ZERO, "unpriced": int(unpriced or 0)}
        for cid, allowed, unpriced in in_chunks(
            session,
            select(
                L.claim_id, func.sum(L.allowed), func.sum(case((L.allowed.is_(None), 1), else_=0))
            ).group_by(L.claim_id),
            L.claim_id,
            list(claims),
        )
    ]
    have = set()
    for ids in _chunks([r["claim_id"] for r in rows]):
        have |= set(
            session.scalars(select(t.ReportClaim.claim_id).where(t.ReportClaim.claim_id.in_(ids)))
        )
    update_rows(session, t.ReportClaim, [r for r in rows if r["claim_id"] in have], key="claim_id")
