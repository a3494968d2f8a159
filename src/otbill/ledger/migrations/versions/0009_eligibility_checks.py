"""eligibility checks kept: each 271 answer read, per subscriber

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:13:28

Behind the practices' wall on PostgreSQL, as every table with a practice's id.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "eligibility_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.String(length=80), nullable=False),
        sa.Column("payer", sa.String(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=80), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("doc", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.ForeignKeyConstraint(["practice_id"], ["practice.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("eligibility_check", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eligibility_check_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_eligibility_check_practice_id"), ["practice_id"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            'ALTER TABLE "eligibility_check" ENABLE ROW LEVEL SECURITY; '
            'CREATE POLICY tenant ON "eligibility_check" TO otbill_app '
            "USING (practice_id = ANY (otbill_practices())) "
            "WITH CHECK (practice_id = ANY (otbill_practices()))"
        )


def downgrade() -> None:
    with op.batch_alter_table("eligibility_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eligibility_check_practice_id"))
        batch_op.drop_index(batch_op.f("ix_eligibility_check_patient_id"))
    op.drop_table("eligibility_check")
