"""posting.reversed_by_id

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 07:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Postings reversed before this revision keep no link: they count as reversed on any day.
    with op.batch_alter_table("posting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reversed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_posting_reversed_by_id_posting", "posting", ["reversed_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("posting", schema=None) as batch_op:
        batch_op.drop_constraint("fk_posting_reversed_by_id_posting", type_="foreignkey")
        batch_op.drop_column("reversed_by_id")
