"""The tables. Every row belongs to a practice; money is exact (NUMERIC on PostgreSQL, integer
cents on SQLite, whose NUMERIC would store a float); history tables are append-only."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

CENT = Decimal("0.01")


class Money(TypeDecorator[Decimal]):
    """Dollars and cents, exactly, on every database."""

    impl = Numeric(14, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(14, 2, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        q = Decimal(value).quantize(CENT)
        return int(q * 100) if dialect.name == "sqlite" else q

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / 100).quantize(CENT)
        return Decimal(value).quantize(CENT)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON}  # noqa: RUF012 - SQLAlchemy reads it here


class Practice(Base):
    __tablename__ = "practice"
    id: Mapped[int] = mapped_column(primary_key=True)
    npi: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    doc: Mapped[dict[str, Any]]


class Provider(Base):
    __tablename__ = "provider"
    __table_args__ = (UniqueConstraint("practice_id", "npi"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    npi: Mapped[str] = mapped_column(String(10))
    doc: Mapped[dict[str, Any]]


class Payer(Base):
    __tablename__ = "payer"
    __table_args__ = (UniqueConstraint("practice_id", "ext_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    ext_id: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    doc: Mapped[dict[str, Any]]


class Patient(Base):
    __tablename__ = "patient"
    __table_args__ = (UniqueConstraint("practice_id", "ext_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    ext_id: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(120))
    first_name: Mapped[str] = mapped_column(String(120))
    doc: Mapped[dict[str, Any]]


class Coverage(Base):
    __tablename__ = "coverage"
    __table_args__ = (UniqueConstraint("patient_id", "payer_ext", "member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    payer_ext: Mapped[str] = mapped_column(String(80))
    member_id: Mapped[str] = mapped_column(String(80))
    doc: Mapped[dict[str, Any]]


class PlanOfCare(Base):
    __tablename__ = "plan_of_care"
    __table_args__ = (UniqueConstraint("patient_id", "ext_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    ext_id: Mapped[str] = mapped_column(String(80))
    doc: Mapped[dict[str, Any]]


class Authorization(Base):
    __tablename__ = "authorization"
    __table_args__ = (UniqueConstraint("patient_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    number: Mapped[str] = mapped_column(String(80))
    doc: Mapped[dict[str, Any]]


class Visit(Base):
    __tablename__ = "visit"
    __table_args__ = (UniqueConstraint("practice_id", "ext_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    ext_id: Mapped[str] = mapped_column(String(80))
    date_of_service: Mapped[date] = mapped_column(Date, index=True)
    doc: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Batch(Base):
    """An 837P submission: its interchange control number and what it carried."""

    __tablename__ = "batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    interchange_control: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    claim_count: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # the 837P, for download


class Claim(Base):
    __tablename__ = "claim"
    __table_args__ = (UniqueConstraint("practice_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    number: Mapped[str] = mapped_column(String(38))  # patient control number (CLM01)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), index=True)
    payer_ext: Mapped[str] = mapped_column(String(80), index=True)
    member_id: Mapped[str] = mapped_column(String(80))
    date_of_service: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    frequency: Mapped[str] = mapped_column(String(1), default="1")
    original_number: Mapped[str | None] = mapped_column(String(80))
    payer_claim_number: Mapped[str | None] = mapped_column(String(80), index=True)
    total_charge: Mapped[Decimal] = mapped_column(Money())
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    doc: Mapped[dict[str, Any]]  # the claim as coded (lines, modifiers, pointers, explanation)
    findings: Mapped[dict[str, Any]]  # the scrubber's findings when last checked


class ClaimLine(Base):
    __tablename__ = "claim_line"
    __table_args__ = (UniqueConstraint("claim_id", "line_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(5))
    modifiers: Mapped[str] = mapped_column(String(11))  # "GO:CO"
    units: Mapped[int] = mapped_column(Integer)
    charge: Mapped[Decimal] = mapped_column(Money())
    allowed: Mapped[Decimal | None] = mapped_column(Money())  # estimate, then the 835's
    paid: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    adjusted: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))  # CO, OA, PI, CR
    patient_resp: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))  # PR
    # What the fee schedule or contract allows, as the claim was built (the underpayment check
    # compares the 835's allowed with it; ``allowed`` takes the 835's figure once posted).
    expected_allowed: Mapped[Decimal | None] = mapped_column(Money())


class ClaimEvent(Base):
    """Append-only history of a claim's states: who, when, from, to, why."""

    __tablename__ = "claim_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    who: Mapped[str] = mapped_column(String(80))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    why: Mapped[str] = mapped_column(Text)


class Remittance(Base):
    """A posted 835 file; its hash makes posting it again a no-op."""

    __tablename__ = "remittance"
    __table_args__ = (UniqueConstraint("practice_id", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    trace_number: Mapped[str] = mapped_column(String(80), index=True)
    payer_name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money())
    paid_on: Mapped[date | None] = mapped_column(Date)
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    file_name: Mapped[str] = mapped_column(Text)


class Posting(Base):
    """One CLP of a remittance, posted to a claim (a reversal undoes an earlier posting)."""

    __tablename__ = "posting"
    id: Mapped[int] = mapped_column(primary_key=True)
    remittance_id: Mapped[int] = mapped_column(ForeignKey("remittance.id"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    status: Mapped[str] = mapped_column(String(3))
    charge: Mapped[Decimal] = mapped_column(Money())
    paid: Mapped[Decimal] = mapped_column(Money())
    patient_resp: Mapped[Decimal] = mapped_column(Money())
    payer_claim_number: Mapped[str] = mapped_column(String(80))
    reversed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The reversal (CLP02 22) that undid it: a balance as of an earlier day still counts it.
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"))
    doc: Mapped[dict[str, Any]]  # the CLP as read: lines, adjustments, remarks


class Adjustment(Base):
    """A posted CAS amount, on a claim line when the 835 put it there."""

    __tablename__ = "adjustment"
    # Claim-level adjustments are few among millions of line ones: A/R and the books find a
    # claim's by this partial index (migration 0006), not by a scan.
    __table_args__ = (
        Index(
            "ix_adjustment_claim_level",
            "claim_id",
            postgresql_where=text("claim_line_id IS NULL"),
            sqlite_where=text("claim_line_id IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    claim_line_id: Mapped[int | None] = mapped_column(ForeignKey("claim_line.id"))
    group_code: Mapped[str] = mapped_column(String(2))
    reason: Mapped[str] = mapped_column(String(5))
    amount: Mapped[Decimal] = mapped_column(Money())
    remarks: Mapped[str] = mapped_column(String(200), default="")  # RARCs of the line


class PatientPayment(Base):
    """Money a patient paid the practice. Append-only: a returned check or a refund is a row of
    its own, with the amount negative, naming the payment it undoes."""

    __tablename__ = "patient_payment"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    method: Mapped[str] = mapped_column(String(10))  # cash, check, card, other
    reference: Mapped[str] = mapped_column(String(50), default="")  # check or receipt number
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("patient_payment.id"), unique=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    who: Mapped[str] = mapped_column(String(80))
    why: Mapped[str] = mapped_column(Text, default="")


class Unmatched(Base):
    """A CLP no claim could be found for: kept, with the reason, for a person to work."""

    __tablename__ = "unmatched"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    remittance_id: Mapped[int] = mapped_column(ForeignKey("remittance.id"), index=True)
    patient_control_number: Mapped[str] = mapped_column(String(80))
    payer_claim_number: Mapped[str] = mapped_column(String(80))
    paid: Mapped[Decimal] = mapped_column(Money())
    reason: Mapped[str] = mapped_column(Text)
    doc: Mapped[dict[str, Any]]


class ClaimEdit(Base):
    """A biller's change to how visits become claims, kept so that rebuilding the claims from
    their visits keeps it (append-only): lines split off to another claim, a claim merged into
    another, a claim replaced by a corrected one or sent again as a new one."""

    __tablename__ = "claim_edit"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # split, merge, replace, resubmit, void
    claim_number: Mapped[str] = mapped_column(String(38), index=True)
    target_number: Mapped[str] = mapped_column(String(38))
    lines: Mapped[dict[str, Any]]  # split: {"lines": [[code, "GO:CO"], ...]}
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    who: Mapped[str] = mapped_column(String(80))
    why: Mapped[str] = mapped_column(Text)


class WorkItem(Base):
    """A piece of denial work: a denied, partly denied, unprocessable, rejected or underpaid
    claim line (or claim), with its root cause, suggested action, amount and deadline. ``key``
    makes re-posting a file or refreshing the queue never open it twice."""

    __tablename__ = "work_item"
    __table_args__ = (UniqueConstraint("practice_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    claim_line_id: Mapped[int | None] = mapped_column(ForeignKey("claim_line.id"))
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # rejection, unprocessable, denial, ...
    line_no: Mapped[int | None] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(5), default="")
    group_code: Mapped[str] = mapped_column(String(2), default="")
    reason: Mapped[str] = mapped_column(String(5), default="")
    remarks: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(30), index=True)
    action: Mapped[str] = mapped_column(String(20))  # the suggested action
    amount: Mapped[Decimal] = mapped_column(Money())
    opened_on: Mapped[date] = mapped_column(Date)  # the remittance's or acknowledgment's date
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    level: Mapped[int] = mapped_column(Integer, default=1)  # the appeal level it would be
    payer_ext: Mapped[str] = mapped_column(String(80), index=True)
    rendering_npi: Mapped[str] = mapped_column(String(10), default="", index=True)
    # open: to be worked; waiting: acted on, the payer's answer pending; closed: done.
    state: Mapped[str] = mapped_column(String(10), index=True)
    assignee: Mapped[str | None] = mapped_column(String(80), index=True)
    outcome: Mapped[str | None] = mapped_column(String(20))
    write_off_code: Mapped[str | None] = mapped_column(String(10))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    doc: Mapped[dict[str, Any]]  # the explanation: cause, matched map row, deadline's rule


class WorkItemEvent(Base):
    """Append-only history of a work item: opened, assigned, noted, acted on, closed."""

    __tablename__ = "work_item_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    who: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))  # opened, assigned, note, action, closed, ...
    text: Mapped[str] = mapped_column(Text)


class Appeal(Base):
    """An appeal filed for a claim: its level, when it was filed and due, and the decision."""

    __tablename__ = "appeal"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(40))  # redetermination, reconsideration, appeal...
    filed_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    # pending, then overturned (paid), upheld (denied again) or partly (paid in part).
    decision: Mapped[str] = mapped_column(String(12), default="pending")
    decided_on: Mapped[date | None] = mapped_column(Date)
    next_due_on: Mapped[date | None] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    who: Mapped[str] = mapped_column(String(80))
    doc: Mapped[dict[str, Any]]  # the letter's content, as sent


class PayerEdit(Base):
    """A practice's own pre-bill edit for one payer, made from a denial pattern: e.g. this payer
    denies 97530 with 97150 on the same day without 59. The scrubber applies it to that payer's
    claims before they go out."""

    __tablename__ = "payer_edit"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    payer_ext: Mapped[str] = mapped_column(String(80), index=True)
    doc: Mapped[dict[str, Any]]  # the edit as data (denials.edits.PayerEdit)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    who: Mapped[str] = mapped_column(String(80))
    why: Mapped[str] = mapped_column(Text)


class AdjustmentCode(Base):
    """A CARC or RARC with X12's wording and dates, loaded from the list a user downloads
    (otbill codes load-carc|load-rarc); otbill's own words answer for the codes not loaded."""

    __tablename__ = "adjustment_code"
    __table_args__ = (UniqueConstraint("kind", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(4))  # CARC, RARC
    code: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    start: Mapped[date | None] = mapped_column(Date)
    last_modified: Mapped[date | None] = mapped_column(Date)
    stop: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ContractRate(Base):
    """What a payer's contract allows per unit of a code, for the underpayment check of payers
    that are not priced by the Medicare fee schedule."""

    __tablename__ = "contract_rate"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    payer_ext: Mapped[str] = mapped_column(String(80), index=True)
    code: Mapped[str] = mapped_column(String(5))
    modifier: Mapped[str] = mapped_column(String(2), default="")
    rate: Mapped[Decimal] = mapped_column(Money())
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text, default="")


# --- people, sessions, tokens and the audit log (the workbench) -----------------------------


class AppUser(Base):
    """A person who signs in (HIPAA 164.312(a)(2)(i): one account each, never shared). Disabled,
    never deleted, so the audit log's references stay whole."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Membership(Base):
    """A user's role in a practice; a billing company's user belongs to several."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "practice_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # admin, manager, biller, coder, ...


class UserSession(Base):
    """A signed-in browser: only the token's hash is kept; idle and absolute limits, ended at
    once by logout or an admin."""

    __tablename__ = "user_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    mfa_done: Mapped[bool] = mapped_column(Boolean, default=False)
    csrf_token: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A machine client's token: hashed at rest, scoped to one practice and role, revocable."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """Every sign-in attempt, for throttling and login monitoring (164.308(a)(5)(ii)(C))."""

    __tablename__ = "login_attempt"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    ok: Mapped[bool] = mapped_column(Boolean)


class AuditEvent(Base):
    """Append-only and hash-chained: who, when, what, from where, and the outcome, of every
    read and write of patient data, every sign-in and every refusal (164.312(b), (c))."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), default="")
    practice_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(1))  # C, R, U, D, E (RFC 3881)
    event: Mapped[str] = mapped_column(String(60))  # e.g. claim.read, login, denial.act
    resource: Mapped[str] = mapped_column(String(200), default="")  # e.g. claim V-2026-0001
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    outcome: Mapped[str] = mapped_column(String(10))  # success, denied, failure, error
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    request_id: Mapped[str] = mapped_column(String(40), default="")
    detail: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Job(Base):
    """A file posted to be worked in the background (an 835, a visits file...): its progress,
    what it did or why it failed. The upload is kept with it until the job is done."""

    __tablename__ = "job"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # 835, ack, 271, visits
    state: Mapped[str] = mapped_column(String(10), index=True)  # queued, running, done, failed
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[dict[str, Any]]
    error: Mapped[str] = mapped_column(Text, default="")


# The reports' own tables (otbill.ledger.reports): what the reports read, folded from the
# append-only history (claim_event, posting and adjustment) by a watermark, so that a report over
# a million claim lines reads a few narrow rows per claim, not the claims' documents.


class ReportMark(Base):
    """How far the reports' tables have folded a practice's history, and with which version of
    the root-cause map (a new map refolds everything)."""

    __tablename__ = "report_mark"
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer)  # the last claim_event folded
    posting_id: Mapped[int] = mapped_column(Integer)  # the last posting folded
    causes: Mapped[str] = mapped_column(String(64))  # sha256 of the root-cause map
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReportClaim(Base):
    """A claim as the reports count it, from the day it was first sent: whom it billed, who
    rendered it, what it charged, whether it went out clean, and its first adjudication."""

    __tablename__ = "report_claim"
    __table_args__ = (
        Index("ix_report_claim_sent", "practice_id", "submitted_on"),
        Index("ix_report_claim_first", "practice_id", "first_on"),
        Index("ix_report_claim_dos", "practice_id", "date_of_service"),
    )
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"))
    patient_id: Mapped[int] = mapped_column(Integer)
    payer_ext: Mapped[str] = mapped_column(String(80))
    payer_kind: Mapped[str] = mapped_column(String(20))
    rendering_npi: Mapped[str] = mapped_column(String(10))
    date_of_service: Mapped[date] = mapped_column(Date)
    submitted_on: Mapped[date] = mapped_column(Date)
    charge: Mapped[Decimal] = mapped_column(Money())
    lines: Mapped[int] = mapped_column(Integer)
    # A service's first bill: not a secondary claim, a replacement or a new claim sent again.
    original: Mapped[bool] = mapped_column(Boolean)
    secondary: Mapped[bool] = mapped_column(Boolean)
    clean: Mapped[bool] = mapped_column(Boolean)  # ready when built: passed every edit first time
    rejected: Mapped[bool] = mapped_column(Boolean)  # by a 999/277CA or unprocessable
    gone: Mapped[bool] = mapped_column(Boolean)  # voided
    first_posting_id: Mapped[int | None] = mapped_column(Integer)
    first_on: Mapped[date | None] = mapped_column(Date)  # its first remittance's date
    first_denied: Mapped[bool | None] = mapped_column(Boolean)
    kx_bucket: Mapped[str] = mapped_column(String(6))  # OT, PT+SLP; "" when KX does not apply
    kx_lines: Mapped[int] = mapped_column(Integer)  # lines with the KX modifier
    allowed: Mapped[Decimal] = mapped_column(Money())  # the lines' allowed (estimate, then 835)
    unpriced: Mapped[int] = mapped_column(Integer)  # lines with no allowed amount
    # The scrubber's findings on the claim as sent, for compliance: rule ids of the plan of
    # care, progress report, functional reporting and KX families, space-separated.
    rules: Mapped[str] = mapped_column(String(200))
    progress_applies: Mapped[bool] = mapped_column(Boolean)
    # Functional reporting (2013-2018): "" not due and not reported, reported, missing, severity.
    functional: Mapped[str] = mapped_column(String(10))


class ReportDenial(Base):
    """A denied adjustment (one the root-cause map counts as a denial), with what the denial
    reports group it by."""

    __tablename__ = "report_denial"
    __table_args__ = (
        Index("ix_report_denial_notice", "practice_id", "notice_on"),
        Index("ix_report_denial_posting", "posting_id"),
    )
    adjustment_id: Mapped[int] = mapped_column(ForeignKey("adjustment.id"), primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"))
    claim_id: Mapped[int] = mapped_column(Integer)
    claim_line_id: Mapped[int | None] = mapped_column(Integer)
    posting_id: Mapped[int] = mapped_column(Integer)
    notice_on: Mapped[date] = mapped_column(Date)  # the remittance's date
    payer_ext: Mapped[str] = mapped_column(String(80))
    payer_kind: Mapped[str] = mapped_column(String(20))
    rendering_npi: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(5))  # the line's; "" at the claim level
    group_code: Mapped[str] = mapped_column(String(2))
    reason: Mapped[str] = mapped_column(String(5))
    remarks: Mapped[str] = mapped_column(String(200))  # the line's and the claim's RARCs
    amount: Mapped[Decimal] = mapped_column(Money())  # denied
    line_charge: Mapped[Decimal] = mapped_column(Money())  # the line's charge (the claim's)
    claim_charge: Mapped[Decimal] = mapped_column(Money())
    initial: Mapped[bool] = mapped_column(Boolean)  # on the claim's first adjudication
    unprocessable: Mapped[bool] = mapped_column(Boolean)  # CO-16 with MA130: returned
    reversed: Mapped[bool] = mapped_column(Boolean)  # its posting was reversed


class ReportVolume(Base):
    """What was sent, by the month it was first sent, payer, therapist and code: the
    denominators of the denial rates (claims counts each claim once per code it carries)."""

    __tablename__ = "report_volume"
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    payer_ext: Mapped[str] = mapped_column(String(80), primary_key=True)
    rendering_npi: Mapped[str] = mapped_column(String(10), primary_key=True)
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    claims: Mapped[int] = mapped_column(Integer)
    lines: Mapped[int] = mapped_column(Integer)
    charge: Mapped[Decimal] = mapped_column(Money())


class ReportMoney(Base):
    """What the remittances of a month did, by payer: paid, and adjusted as contractual, the
    patient's share, denied, or other (a reversal takes its posting's amounts back in its own
    month)."""

    __tablename__ = "report_money"
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    payer_ext: Mapped[str] = mapped_column(String(80), primary_key=True)
    item: Mapped[str] = mapped_column(String(12), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Money())


class ReportMonth(Base):
    """A month's claims by payer and therapist: sent (first sent that month: how many, their
    lines and gross charges, how many clean, the charges of services billed the first time) and
    first adjudicated (how many, how many with nothing denied)."""

    __tablename__ = "report_month"
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    payer_ext: Mapped[str] = mapped_column(String(80), primary_key=True)
    rendering_npi: Mapped[str] = mapped_column(String(10), primary_key=True)
    sent: Mapped[int] = mapped_column(Integer)
    sent_lines: Mapped[int] = mapped_column(Integer)
    sent_charge: Mapped[Decimal] = mapped_column(Money())
    clean: Mapped[int] = mapped_column(Integer)
    original_charge: Mapped[Decimal] = mapped_column(Money())
    adjudicated: Mapped[int] = mapped_column(Integer)
    first_pass: Mapped[int] = mapped_column(Integer)


class EligibilityCheck(Base):
    """A 271's answer for one subscriber, as read (ledger/eligibility.summary), kept so the
    front desk and the biller see what the payer said and when: matched to the practice's
    patient by the member id on file, when one is."""

    __tablename__ = "eligibility_check"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), index=True)
    member_id: Mapped[str] = mapped_column(String(80), default="")
    payer: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool | None] = mapped_column(Boolean)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    who: Mapped[str] = mapped_column(String(80))
    file_sha256: Mapped[str] = mapped_column(String(64))
    doc: Mapped[dict[str, Any]]  # the summary: plan dates, therapy benefits, visits left
