"""Check-in challenges: a circle's time zone and day close; ``challenges``,
``challenge_members``, ``checkins``, ``checkin_media``.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("circles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "time_zone", sa.String(length=64), server_default="Asia/Shanghai", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("day_closes_after", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "challenges",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("schedule", sa.String(length=8000), nullable=False),
        sa.Column("starts_on", sa.String(length=10), nullable=False),
        sa.Column("ends_on", sa.String(length=10), nullable=True),
        sa.Column("required_days", sa.Integer(), nullable=True),
        sa.Column("min_text", sa.Integer(), nullable=False),
        sa.Column("media_kinds", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.create_index("ix_challenges_circle", ["circle_id", "created", "id"], unique=False)
    op.create_table(
        "challenge_members",
        sa.Column("challenge_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("joined", sa.BigInteger(), nullable=False),
        sa.Column("streak", sa.Integer(), nullable=False),
        sa.Column("streak_last", sa.String(length=10), nullable=True),
        sa.Column("streak_at", sa.BigInteger(), nullable=True),
        sa.Column("best", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("total_at", sa.BigInteger(), nullable=True),
        sa.Column("completed_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("challenge_id", "user_id"),
    )
    with op.batch_alter_table("challenge_members", schema=None) as batch_op:
        batch_op.create_index(
            "ix_challenge_members_streak", ["challenge_id", "streak", "streak_at"], unique=False
        )
        batch_op.create_index(
            "ix_challenge_members_total", ["challenge_id", "total", "total_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_challenge_members_user_id"), ["user_id"], unique=False)
    op.create_table(
        "checkins",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("challenge_id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("local_date", sa.String(length=10), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("edited", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("attachments", sa.String(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("invalidated_by", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=512), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("challenge_id", "user_id", "local_date", name="uq_checkins_day"),
    )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checkins_day", ["challenge_id", "local_date", "created", "id"], unique=False
        )
    op.create_table(
        "checkin_media",
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("attachment_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("checkin_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("circle_id", "attachment_id"),
    )
    with op.batch_alter_table("checkin_media", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checkin_media_checkin_id"), ["checkin_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("checkin_media")
    op.drop_table("checkins")
    op.drop_table("challenge_members")
    op.drop_table("challenges")
    with op.batch_alter_table("circles", schema=None) as batch_op:
        batch_op.drop_column("day_closes_after")
        batch_op.drop_column("time_zone")
