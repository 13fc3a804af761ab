"""Streak-at-risk nudges (COMMUNITY-OPS.md rule 7): ``challenges.nudge_at``, the
minute of the circle's evening the nudge goes out (20:00 unless set; none: off),
and ``challenge_members.nudged_on``, the day of a member's last nudge
(store/checkin_reminders.py).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("nudge_at", sa.Integer(), server_default="1200", nullable=True)
        )
    with op.batch_alter_table("challenge_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nudged_on", sa.String(length=10), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("challenge_members", schema=None) as batch_op:
        batch_op.drop_column("nudged_on")
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_column("nudge_at")
