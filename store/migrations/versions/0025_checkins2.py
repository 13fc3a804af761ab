"""Check-ins, second slice: make-up, leave, strict mode, the review queue and
reminders of challenges; a check-in's kind, make-up flag and reviewer; a
circle's quiet hours.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("circles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quiet_from", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("quiet_to", sa.String(length=5), nullable=True))
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("makeup_days", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("makeup_quota", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "makeup_per", sa.String(length=16), server_default="challenge", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("leave_days", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("strict", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("review", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("remind_at", sa.Integer(), nullable=True))
    with op.batch_alter_table("challenge_members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminders", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column("reminded_on", sa.String(length=10), nullable=True))
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="checkin", nullable=False)
        )
        batch_op.add_column(
            sa.Column("makeup", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("granted_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=32), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        for column in ("reviewed_by", "granted_by", "makeup", "kind"):
            batch_op.drop_column(column)
    with op.batch_alter_table("challenge_members", schema=None) as batch_op:
        for column in ("reminded_on", "reminders"):
            batch_op.drop_column(column)
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        for column in (
            "remind_at",
            "review",
            "strict",
            "leave_days",
            "makeup_per",
            "makeup_quota",
            "makeup_days",
        ):
            batch_op.drop_column(column)
    # Plain ALTER TABLE (SQLite 3.35+): a batch copy of circles breaks its foreign keys.
    op.execute("ALTER TABLE circles DROP COLUMN quiet_to")
    op.execute("ALTER TABLE circles DROP COLUMN quiet_from")
