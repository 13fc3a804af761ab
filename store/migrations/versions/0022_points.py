"""Points: ``point_rules`` and ``point_entries``.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "point_rules",
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("rules", sa.String(length=2000), nullable=False),
        sa.Column("exclude_managers", sa.Boolean(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("circle_id"),
    )
    op.create_table(
        "point_entries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("circle_id", "action", "source_id", "user_id", name="uq_point_entries"),
    )
    with op.batch_alter_table("point_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_point_entries_member", ["circle_id", "user_id", "created", "id"], unique=False
        )
        batch_op.create_index("ix_point_entries_time", ["circle_id", "created"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("point_entries")
    op.drop_table("point_rules")
