"""Joining: approval settings, join requests, code redemptions and revocation.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("circles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("join_approval", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("join_question", sa.String(length=500), nullable=False, server_default="")
        )
    with op.batch_alter_table("access_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("revoked", sa.BigInteger(), nullable=True))
    op.create_table(
        "code_redemptions",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("redeemed", sa.BigInteger(), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("code", "redeemed", "user_id"),
    )
    op.create_table(
        "join_requests",
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.String(length=1000), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("decided", sa.BigInteger(), nullable=True),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["circle_id"], ["circles.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("circle_id", "user_id"),
    )
    with op.batch_alter_table("join_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_join_requests_circle_state_created",
            ["circle_id", "state", "created", "user_id"],
            unique=False,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("join_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_join_requests_circle_state_created")
    op.drop_table("join_requests")
    op.drop_table("code_redemptions")
    with op.batch_alter_table("access_codes", schema=None) as batch_op:
        batch_op.drop_column("revoked")
        batch_op.drop_column("created_by")
    with op.batch_alter_table("circles", schema=None) as batch_op:
        batch_op.drop_column("join_question")
        batch_op.drop_column("join_approval")
