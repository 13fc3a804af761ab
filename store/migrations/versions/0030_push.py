"""Reaching members who are away: ``push_subscriptions`` (Web Push, per device),
``mail_settings`` (a user's address and digest) and ``circle_mail`` (a circle's
"email must-reads at once" switch); see store/away_tables.py.

Revision ID: 0030
Revises: 0029 (the inbox's notifications)
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | Sequence[str] | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("endpoint", sa.String(length=1000), nullable=False),
        sa.Column("p256dh", sa.String(length=128), nullable=False),
        sa.Column("auth", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("last_sent", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("endpoint"),
    )
    with op.batch_alter_table("push_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_push_subscriptions_user_id"), ["user_id"], unique=False
        )
    op.create_table(
        "mail_settings",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=True),
        sa.Column("verified", sa.BigInteger(), nullable=True),
        sa.Column("digest", sa.String(length=8), nullable=False),
        sa.Column("digest_period", sa.String(length=16), nullable=True),
        sa.Column("digest_sent", sa.BigInteger(), nullable=True),
        sa.Column("changed", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    with op.batch_alter_table("mail_settings", schema=None) as batch_op:
        batch_op.create_index("ix_mail_settings_digest", ["digest", "user_id"], unique=False)
    op.create_table(
        "circle_mail",
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("must_reads", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(length=32), nullable=False),
        sa.Column("changed", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["circle_id"], ["circles.id"]),
        sa.PrimaryKeyConstraint("circle_id"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("circle_mail")
    with op.batch_alter_table("mail_settings", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_settings_digest")
    op.drop_table("mail_settings")
    with op.batch_alter_table("push_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_push_subscriptions_user_id"))
    op.drop_table("push_subscriptions")
