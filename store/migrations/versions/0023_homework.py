"""Homework: ``assignments``, ``submissions``, ``submission_comments``,
``submission_likes``; the provenance of a highlight promoted from something
other than a chat message (``posts.source_kind`` … , store/promotion.py).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("source_ref", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("source_parent", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("source_title", sa.String(length=200), nullable=True))
    op.create_index("uq_posts_kind_source", "posts", ["source_kind", "source_ref"], unique=True)
    op.create_table(
        "assignments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("instructions", sa.String(), nullable=False),
        sa.Column("attachments", sa.String(), nullable=True),
        sa.Column("due_at", sa.BigInteger(), nullable=True),
        sa.Column("allow_late", sa.Boolean(), nullable=False),
        sa.Column("text_max", sa.Integer(), nullable=False),
        sa.Column("visual_max", sa.Integer(), nullable=False),
        sa.Column("video_max", sa.Integer(), nullable=False),
        sa.Column("audio_max", sa.Integer(), nullable=False),
        sa.Column("peer_visibility", sa.String(length=16), nullable=False),
        sa.Column("lesson_id", sa.String(length=32), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.Column("reminded", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_assignments_circle", "assignments", ["circle_id", "created", "id"], unique=False
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("assignment_id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("attachments", sa.String(), nullable=True),
        sa.Column("submitted", sa.BigInteger(), nullable=True),
        sa.Column("edited", sa.BigInteger(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("reviewer_id", sa.String(length=32), nullable=True),
        sa.Column("reviewed", sa.BigInteger(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("grade", sa.String(length=20), nullable=True),
        sa.Column("comment", sa.String(), nullable=False),
        sa.Column("comment_attachments", sa.String(), nullable=True),
        sa.Column("excellent", sa.Boolean(), nullable=False),
        sa.Column("post_id", sa.String(length=32), nullable=True),
        sa.Column("like_count", sa.Integer(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assignment_id", "user_id", name="uq_submissions_student"),
    )
    op.create_index(
        "ix_submissions_assignment",
        "submissions",
        ["assignment_id", "submitted", "id"],
        unique=False,
    )
    op.create_index("ix_submissions_user_id", "submissions", ["user_id"], unique=False)
    op.create_table(
        "submission_comments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_submission_comments",
        "submission_comments",
        ["submission_id", "created", "id"],
        unique=False,
    )
    op.create_table(
        "submission_likes",
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("submission_id", "user_id"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("submission_likes")
    op.drop_table("submission_comments")
    op.drop_table("submissions")
    op.drop_table("assignments")
    op.drop_index("uq_posts_kind_source", table_name="posts")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("source_title")
        batch_op.drop_column("source_parent")
        batch_op.drop_column("source_ref")
        batch_op.drop_column("source_kind")
