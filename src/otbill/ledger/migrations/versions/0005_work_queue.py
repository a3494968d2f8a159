"""work queue, appeals, payer edits, code lists, contract rates; claim_line.expected_allowed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 14:48:18
"""

from __future__ import annotations

import json
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

import otbill.ledger.schema

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "adjustment_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("last_modified", sa.Date(), nullable=True),
        sa.Column("stop", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "code"),
    )
    op.create_table(
        "contract_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("payer_ext", sa.String(length=80), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("modifier", sa.String(length=2), nullable=False),
        sa.Column("rate", otbill.ledger.schema.Money(precision=14, scale=2), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contract_rate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contract_rate_payer_ext"), ["payer_ext"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contract_rate_practice_id"), ["practice_id"], unique=False
        )

    op.create_table(
        "payer_edit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("payer_ext", sa.String(length=80), nullable=False),
        sa.Column("doc", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=80), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("payer_edit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payer_edit_payer_ext"), ["payer_ext"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_payer_edit_practice_id"), ["practice_id"], unique=False
        )

    op.create_table(
        "work_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("claim_line_id", sa.Integer(), nullable=True),
        sa.Column("posting_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("group_code", sa.String(length=2), nullable=False),
        sa.Column("reason", sa.String(length=5), nullable=False),
        sa.Column("remarks", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("amount", otbill.ledger.schema.Money(precision=14, scale=2), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("payer_ext", sa.String(length=80), nullable=False),
        sa.Column("rendering_npi", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("assignee", sa.String(length=80), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("write_off_code", sa.String(length=10), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("doc", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
        ),
        sa.ForeignKeyConstraint(
            ["claim_line_id"],
            ["claim_line.id"],
        ),
        sa.ForeignKeyConstraint(
            ["posting_id"],
            ["posting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("practice_id", "key"),
    )
    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_item_assignee"), ["assignee"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_item_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_item_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_item_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_item_payer_ext"), ["payer_ext"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_item_posting_id"), ["posting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_item_practice_id"), ["practice_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_work_item_rendering_npi"), ["rendering_npi"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_work_item_state"), ["state"], unique=False)

    op.create_table(
        "appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("decision", sa.String(length=12), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=80), nullable=False),
        sa.Column("doc", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["work_item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeal_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeal_practice_id"), ["practice_id"], unique=False)

    op.create_table(
        "work_item_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["work_item.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("work_item_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_item_event_item_id"), ["item_id"], unique=False)

    with op.batch_alter_table("claim_line", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "expected_allowed", otbill.ledger.schema.Money(precision=14, scale=2), nullable=True
            )
        )
    _expected_allowed_from_the_claims()


def _expected_allowed_from_the_claims() -> None:
    """Claims built before this revision: each line's expected allowed amount is the coder's,
    kept in the claim's document (the line's own ``allowed`` may hold the 835's since)."""
    conn = op.get_bind()
    lines = sa.table(
        "claim_line",
        sa.column("claim_id", sa.Integer),
        sa.column("line_no", sa.Integer),
        sa.column("expected_allowed", otbill.ledger.schema.Money()),
    )
    rows = []
    for claim_id, doc in conn.execute(sa.text("SELECT id, doc FROM claim")):
        data = json.loads(doc) if isinstance(doc, str) else doc
        for n, line in enumerate((data or {}).get("lines", []), start=1):
            if line.get("allowed") is not None:
                rows.append({"c": claim_id, "n": n, "a": Decimal(line["allowed"])})
    if rows:
        conn.execute(
            lines.update()
            .where(lines.c.claim_id == sa.bindparam("c"), lines.c.line_no == sa.bindparam("n"))
            .values(expected_allowed=sa.bindparam("a")),
            rows,
        )


def downgrade() -> None:
    with op.batch_alter_table("claim_line", schema=None) as batch_op:
        batch_op.drop_column("expected_allowed")

    with op.batch_alter_table("work_item_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_item_event_item_id"))

    op.drop_table("work_item_event")
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_practice_id"))
        batch_op.drop_index(batch_op.f("ix_appeal_item_id"))
        batch_op.drop_index(batch_op.f("ix_appeal_claim_id"))

    op.drop_table("appeal")
    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_item_state"))
        batch_op.drop_index(batch_op.f("ix_work_item_rendering_npi"))
        batch_op.drop_index(batch_op.f("ix_work_item_practice_id"))
        batch_op.drop_index(batch_op.f("ix_work_item_posting_id"))
        batch_op.drop_index(batch_op.f("ix_work_item_payer_ext"))
        batch_op.drop_index(batch_op.f("ix_work_item_due_on"))
        batch_op.drop_index(batch_op.f("ix_work_item_claim_id"))
        batch_op.drop_index(batch_op.f("ix_work_item_category"))
        batch_op.drop_index(batch_op.f("ix_work_item_assignee"))

    op.drop_table("work_item")
    with op.batch_alter_table("payer_edit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payer_edit_practice_id"))
        batch_op.drop_index(batch_op.f("ix_payer_edit_payer_ext"))

    op.drop_table("payer_edit")
    with op.batch_alter_table("contract_rate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_rate_practice_id"))
        batch_op.drop_index(batch_op.f("ix_contract_rate_payer_ext"))

    op.drop_table("contract_rate")
    op.drop_table("adjustment_code")
