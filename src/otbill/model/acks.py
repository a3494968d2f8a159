"""Acknowledgments and status: what a clearinghouse or payer says of claims sent (999, 277)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class SegmentError:
    """IK3 (and its IK4 elements): where in the acknowledged set the error is."""

    segment_id: str  # IK301
    position: int | None  # IK302, counted from ST = 1
    loop: str  # IK303
    code: str  # IK304 (code list 620)
    element_position: str = ""  # IK401
    element_reference: str = ""  # IK402
    element_code: str = ""  # IK403 (code list 621)
    bad_value: str = ""  # IK404


@dataclass(frozen=True, slots=True)
class SetAck:
    set_id: str  # AK201
    control: str  # AK202: the ST02 acknowledged
    status: str  # IK501: A accepted, E accepted with errors, R rejected, ...
    codes: tuple[str, ...]  # IK502..: syntax error codes (code list 718)
    errors: tuple[SegmentError, ...]

    @property
    def accepted(self) -> bool:
        return self.status in ("A", "E")


@dataclass(frozen=True, slots=True)
class FunctionalAck:
    """A 999: the group acknowledged (AK1), each set (AK2..IK5), and the group verdict (AK9)."""

    functional_id: str  # AK101
    group_control: str  # AK102: the GS06 acknowledged
    status: str  # AK901: A, E, P (partially accepted), R
    sets_included: int
    sets_received: int
    sets_accepted: int
    sets: tuple[SetAck, ...]

    @property
    def accepted(self) -> bool:
        return self.status in ("A", "E", "P")


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    """A claim's status in a 277 (claim status response) or 277CA (claim acknowledgment)."""

    patient_control_number: str  # TRN02 at the claim level
    payer_claim_number: str  # REF*1K
    category: str  # STC01-1: A1/A2 accepted, A3/A4/A6/A7/A8 rejected, P/F pending/finalized
    code: str  # STC01-2 (claim status code list 508)
    entity: str  # STC01-3
    status_date: date | None
    amount: Decimal | None  # STC04: total claim charge
    service_from: date | None
    service_to: date | None
    messages: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.category in ("A1", "A2", "A5")

    @property
    def rejected(self) -> bool:
        return self.category in ("A3", "A4", "A6", "A7", "A8")
