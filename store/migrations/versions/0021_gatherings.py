"""Events (gatherings): ``gatherings`` and ``rsvps``.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "gatherings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("starts_at", sa.BigInteger(), nullable=False),
        sa.Column("ends_at", sa.BigInteger(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("remind_before_min", sa.Integer(), nullable=True),
        sa.Column("reminded_at", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("cancelled", sa.BigInteger(), nullable=True),
        sa.Column("going", sa.Integer(), nullable=False),
        sa.Column("maybe", sa.Integer(), nullable=False),
        sa.Column("not_going", sa.Integer(), nullable=False),
        sa.Column("waiting", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("gatherings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gatherings_circle", ["circle_id", "starts_at", "id"], unique=False
        )
        batch_op.create_index("ix_gatherings_starts", ["starts_at"], unique=False)
    op.create_table(
        "rsvps",
        sa.Column("gathering_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.Column("waiting", sa.Boolean(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("gathering_id", "user_id"),
    )
    with op.batch_alter_table("rsvps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rsvps_list", ["gathering_id", "answer", "waiting", "at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rsvps_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("rsvps")
    op.drop_table("gatherings")
