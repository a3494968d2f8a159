"""patient payments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import otbill.ledger.schema

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patient_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("amount", otbill.ledger.schema.Money(precision=14, scale=2), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("reference", sa.String(length=50), nullable=False),
        sa.Column("undoes_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=80), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["practice_id"], ["practice.id"]),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.ForeignKeyConstraint(["undoes_id"], ["patient_payment.id"]),
        sa.PrimaryKeyConstraint("id"),
        # One undoing per payment: a check returned twice is refused by the database too.
        sa.UniqueConstraint("undoes_id"),
    )
    with op.batch_alter_table("patient_payment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patient_payment_practice_id"), ["practice_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_patient_payment_patient_id"), ["patient_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("patient_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_payment_patient_id"))
        batch_op.drop_index(batch_op.f("ix_patient_payment_practice_id"))
    op.drop_table("patient_payment")
