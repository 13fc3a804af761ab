"""Paid terms: ``memberships.ends_at``/``removes_at``, ``access_codes.period_months``/
``deadline``, ``payment_events``.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ends_at", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("removes_at", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_memberships_removes_at"), ["removes_at"], unique=False)
    with op.batch_alter_table("access_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("period_months", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("deadline", sa.BigInteger(), nullable=True))
    op.create_table(
        "payment_events",
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("payment_events")
    with op.batch_alter_table("access_codes", schema=None) as batch_op:
        batch_op.drop_column("deadline")
        batch_op.drop_column("period_months")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_removes_at"))
        batch_op.drop_column("removes_at")
        batch_op.drop_column("ends_at")
