"""Webhooks and bots: ``webhooks``, ``webhook_deliveries`` (the outbox and the
delivery log), ``incoming_hooks``, ``bot_scopes`` and ``users.bot_owner``.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | Sequence[str] | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "webhooks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.String(length=1000), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("disabled", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_webhooks_circle", "webhooks", ["circle_id", "created"], unique=False)
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("webhook_id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("next_at", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", sa.BigInteger(), nullable=False),
        sa.Column("claim", sa.String(length=32), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("done", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["state", "next_at"], unique=False
    )
    op.create_index(
        "ix_webhook_deliveries_hook", "webhook_deliveries", ["webhook_id", "created"], unique=False
    )
    op.create_table(
        "incoming_hooks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("bot_id", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=8), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_incoming_hooks_circle_id", "incoming_hooks", ["circle_id"], unique=False)
    op.create_table(
        "bot_scopes",
        sa.Column("bot_id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("bot_id", "circle_id"),
    )
    op.create_index("ix_bot_scopes_circle_id", "bot_scopes", ["circle_id"], unique=False)
    op.add_column("users", sa.Column("bot_owner", sa.String(length=32), nullable=True))
    op.create_index("ix_users_bot_owner", "users", ["bot_owner"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_users_bot_owner", table_name="users")
    # Plain ALTER TABLE (SQLite 3.35+): a batch copy of users breaks the foreign keys
    # that point at it.
    op.execute("ALTER TABLE users DROP COLUMN bot_owner")
    op.drop_table("bot_scopes")
    op.drop_table("incoming_hooks")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
