"""The course plan (store/lessons.py): ``lessons`` and ``lesson_views``.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "lessons",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=4000), nullable=False),
        sa.Column("starts_at", sa.BigInteger(), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=True),
        sa.Column("attachments", sa.String(), nullable=True),
        sa.Column("group_id", sa.String(length=32), nullable=True),
        sa.Column("stream_url", sa.String(length=2000), nullable=True),
        sa.Column("stream_embed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("replay_url", sa.String(length=2000), nullable=True),
        sa.Column("remind_before_min", sa.Integer(), nullable=False),
        sa.Column("reminded_at", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("live_group", sa.String(length=32), nullable=True),
        sa.Column("live_started_at", sa.BigInteger(), nullable=True),
        sa.Column("live_start_seq", sa.BigInteger(), nullable=True),
        sa.Column("live_ended_at", sa.BigInteger(), nullable=True),
        sa.Column("live_end_seq", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.create_index("ix_lessons_circle", ["circle_id", "position"], unique=False)
        batch_op.create_index("ix_lessons_starts", ["starts_at"], unique=False)
    op.create_table(
        "lesson_views",
        sa.Column("lesson_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("seen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("lesson_id", "user_id"),
    )
    with op.batch_alter_table("lesson_views", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lesson_views_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("lesson_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lesson_views_user_id"))
    op.drop_table("lesson_views")
    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.drop_index("ix_lessons_starts")
        batch_op.drop_index("ix_lessons_circle")
    op.drop_table("lessons")
