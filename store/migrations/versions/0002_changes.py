"""The circle change log: ``changes`` and ``circles.last_rev``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "changes",
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("rev", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("circle_id", "rev"),
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index("ix_changes_ts", ["ts"], unique=False)
    with op.batch_alter_table("circles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_rev", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("circles", schema=None) as batch_op:
        batch_op.drop_column("last_rev")
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index("ix_changes_ts")
    op.drop_table("changes")
