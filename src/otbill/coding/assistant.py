"""CO/CQ: which billed units were furnished "in part" by an assistant.

The de minimis standard (CY 2020 PFS final rule, 84 FR 62702-62707; CPM ch.5 §20.1): a unit
carries CO (OT) or CQ (PT) when the assistant furnished more than 10% of it on their own. Time the
therapist furnished with the assistant's help counts as the therapist's. The standard is applied
per billed unit of a timed code, and per service for an untimed code.

How minutes are placed in units, for a timed code billed for U units:
1. each full 15 minutes the therapist furnished alone is a unit without the modifier; each full 15
   the assistant furnished is a unit with it (the code's units are never fewer than these, because
   a code gets at least one unit per full 15 minutes under both unit methods);
2. a last unit made of both people's left-over minutes carries the modifier when the assistant's
   share of that unit is more than 10%;
3. two units made of left-over minutes go one to each: one with the modifier, one without (the
   CY 2022 PFS refinement for a therapist and an assistant who each furnish 9 to 14 minutes).
"""

from __future__ import annotations

from dataclasses import dataclass

from otbill.model.explain import Step
from otbill.sources import CY2020_PFS_DE_MINIMIS, CY2022_PFS_DE_MINIMIS

UNIT = 15


@dataclass(frozen=True, slots=True)
class AssistantSplit:
    units: int
    assistant_units: int  # of ``units``, how many carry CO/CQ
    steps: tuple[Step, ...]


def _over_de_minimis(assistant: int, total: int) -> bool:
    return total > 0 and assistant * 10 > total  # "more than 10%", in integers


def split_timed(code: str, units: int, therapist: int, assistant: int, mod: str) -> AssistantSplit:
    if units == 0 or assistant == 0:
        return AssistantSplit(units, 0, ())
    if therapist == 0:
        step = Step(
            f"{code}: the assistant furnished all {assistant} minutes on their own: "
            f"{mod} on all {units} unit{'s' if units != 1 else ''}.",
            CY2020_PFS_DE_MINIMIS,
        )
        return AssistantSplit(units, units, (step,))
    full_t, full_a = therapist // UNIT, assistant // UNIT
    left_t, left_a = therapist % UNIT, assistant % UNIT
    remaining = units - full_t - full_a
    steps = [
        Step(
            f"{code}: therapist {therapist} min ({full_t} full unit{'s' if full_t != 1 else ''}"
            f", {left_t} left), assistant alone {assistant} min ({full_a} full unit"
            f"{'s' if full_a != 1 else ''}, {left_a} left); {units} unit"
            f"{'s' if units != 1 else ''} billed.",
            CY2020_PFS_DE_MINIMIS,
        )
    ]
    with_mod = full_a
    if full_a:
        steps.append(
            Step(
                f"{code}: {full_a} unit{'s' if full_a != 1 else ''} of the assistant's own full "
                f"15 minutes: {mod}.",
                CY2020_PFS_DE_MINIMIS,
            )
        )
    if remaining < 0:
        # Cannot happen with either unit method (see the module note); fail loudly if it does.
        raise AssertionError(f"{code}: {units} units but {full_t + full_a} full 15-minute units")
    if remaining == 1:
        share = left_a
        total = left_t + left_a
        if _over_de_minimis(share, total):
            with_mod += 1
            steps.append(
                Step(
                    f"{code}: the last unit is {left_t} therapist + {left_a} assistant minutes; "
                    f"the assistant's {left_a} is more than 10% of {total}: {mod} on it.",
                    CY2020_PFS_DE_MINIMIS,
                )
            )
        else:
            steps.append(
                Step(
                    f"{code}: the last unit is {left_t} therapist + {left_a} assistant minutes; "
                    f"the assistant's share is 10% or less: no {mod} on it.",
                    CY2020_PFS_DE_MINIMIS,
                )
            )
    elif remaining == 2:
        with_mod += 1
        steps.append(
            Step(
                f"{code}: two units remain from {left_t} therapist and {left_a} assistant minutes: "
                f"one with {mod}, one without.",
                CY2022_PFS_DE_MINIMIS,
            )
        )
    elif remaining > 2:
        raise AssertionError(f"{code}: {remaining} units from left-over minutes")
    return AssistantSplit(units, with_mod, tuple(steps))


def split_untimed(
    code: str, units: int, therapist: int, assistant: int, mod: str
) -> AssistantSplit:
    total = therapist + assistant
    if units == 0 or assistant == 0:
        return AssistantSplit(units, 0, ())
    if _over_de_minimis(assistant, total):
        step = Step(
            f"{code} (untimed): the assistant furnished {assistant} of {total} minutes alone, "
            f"more than 10%: {mod}.",
            CY2020_PFS_DE_MINIMIS,
        )
        return AssistantSplit(units, units, (step,))
    step = Step(
        f"{code} (untimed): the assistant furnished {assistant} of {total} minutes alone, "
        f"10% or less: no {mod}.",
        CY2020_PFS_DE_MINIMIS,
    )
    return AssistantSplit(units, 0, (step,))
