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
    with op.batch_alter_table("posting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reversed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_posting_reversed_by_id_posting", "posting", ["reversed_by_id"], ["id"]
        )
    # The postings already reversed get their link: each reversal (status 22) undid the latest
    # reversed posting of its claim before it that no later reversal claims, as posting does.
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, claim_id, status, reversed FROM posting ORDER BY claim_id, id")
    ).fetchall()
    undone: dict[int, list[int]] = {}
    links = []
    for posting_id, claim_id, status, reversed_ in rows:
        if status == "22":
            waiting = undone.get(claim_id)
            if waiting:
                links.append({"p": waiting.pop(), "r": posting_id})
        elif reversed_:
            undone.setdefault(claim_id, []).append(posting_id)
    if links:
        conn.execute(sa.text("UPDATE posting SET reversed_by_id = :r WHERE id = :p"), links)


def downgrade() -> None:
    with op.batch_alter_table("posting", schema=None) as batch_op:
        batch_op.drop_constraint("fk_posting_reversed_by_id_posting", type_="foreignkey")
        batch_op.drop_column("reversed_by_id")
