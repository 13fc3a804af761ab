"""Mutes, bans and slow mode: ``memberships.muted_until``, ``bans``,
``chat_groups.slow_mode_s``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "bans",
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("by_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["circle_id"], ["circles.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("circle_id", "user_id"),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("muted_until", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("chat_groups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("slow_mode_s", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("chat_groups", schema=None) as batch_op:
        batch_op.drop_column("slow_mode_s")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("muted_until")
    op.drop_table("bans")
