"""Following a public circle: ``follows`` and ``circles.follower_count``.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("circles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("follower_count", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "follows",
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["circle_id"], ["circles.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("circle_id", "user_id"),
    )
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.create_index(
            "ix_follows_circle_created", ["circle_id", "created", "user_id"], unique=False
        )
        batch_op.create_index(
            "ix_follows_user_created", ["user_id", "created", "circle_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.drop_index("ix_follows_user_created")
        batch_op.drop_index("ix_follows_circle_created")
    op.drop_table("follows")
    with op.batch_alter_table("circles", schema=None) as batch_op:
        batch_op.drop_column("follower_count")
