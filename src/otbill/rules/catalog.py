"""Importing this module registers every rule (one module per category)."""

from otbill.rules import (  # noqa: F401
    authorization,
    diagnosis,
    documentation,
    evaluation,
    filing,
    functional,
    kx,
    modifiers,
    ncci,
    parties,
    payer_edits,
    plan_of_care,
    progress,
    units,
)
