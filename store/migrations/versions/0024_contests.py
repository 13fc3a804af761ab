"""Contests: ``contests``, ``contest_entries``, ``contest_votes``.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "contests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("rules", sa.String(length=2000), nullable=False),
        sa.Column("entries_open", sa.BigInteger(), nullable=False),
        sa.Column("entries_close", sa.BigInteger(), nullable=False),
        sa.Column("votes_open", sa.BigInteger(), nullable=False),
        sa.Column("votes_close", sa.BigInteger(), nullable=False),
        sa.Column("entries_per_member", sa.Integer(), nullable=False),
        sa.Column("votes_per_member", sa.Integer(), nullable=False),
        sa.Column("exclude_managers", sa.Boolean(), nullable=False),
        sa.Column("ranking", sa.String(length=16), nullable=False),
        sa.Column("joined_before_voting", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("announced_at", sa.BigInteger(), nullable=True),
        sa.Column("announced_post", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contests", schema=None) as batch_op:
        batch_op.create_index("ix_contests_circle", ["circle_id", "created", "id"], unique=False)
    op.create_table(
        "contest_entries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("contest_id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("attachments", sa.String(), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contest_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contest_entries_contest", ["contest_id", "created", "id"], unique=False
        )
        batch_op.create_index(
            "ix_contest_entries_votes", ["contest_id", "votes", "created"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contest_entries_user_id"), ["user_id"], unique=False)
    op.create_table(
        "contest_votes",
        sa.Column("entry_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("contest_id", sa.String(length=32), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "user_id"),
    )
    with op.batch_alter_table("contest_votes", schema=None) as batch_op:
        batch_op.create_index("ix_contest_votes_voter", ["contest_id", "user_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("contest_votes")
    op.drop_table("contest_entries")
    op.drop_table("contests")
