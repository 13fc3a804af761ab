"""The notification inbox and mentions: ``mentions`` on messages, posts and comments; ``notifications`` (every member's items, an id that only
grows) and ``notification_settings`` (levels per circle and kind, quiet hours, zone,
language), store/notifications.py and store/notification_settings.py.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | Sequence[str] | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Tables whose rows carry whom they mention (store/mentions.py).
MENTIONING = ("messages", "posts", "comments")


def upgrade() -> None:
    """Upgrade schema."""
    for table in MENTIONING:
        op.add_column(table, sa.Column("mentions", sa.String(), nullable=True))
    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("about", sa.String(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("read_at", sa.BigInteger(), nullable=True),
        sa.Column("away_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        # SQLite: AUTOINCREMENT, so an id is never handed out twice (catch-up by id).
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_user", ["user_id", "id"], unique=False)
        batch_op.create_index("ix_notifications_unread", ["user_id", "read_at"], unique=False)
        batch_op.create_index("ix_notifications_away", ["away_at", "user_id"], unique=False)
        batch_op.create_index("ix_notifications_circle", ["circle_id"], unique=False)
        batch_op.create_index("ix_notifications_actor", ["actor_id"], unique=False)
    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("circles", sa.String(), nullable=False),
        sa.Column("kinds", sa.String(), nullable=False),
        sa.Column("quiet_from", sa.String(length=5), nullable=True),
        sa.Column("quiet_to", sa.String(length=5), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("notification_settings")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_actor")
        batch_op.drop_index("ix_notifications_circle")
        batch_op.drop_index("ix_notifications_away")
        batch_op.drop_index("ix_notifications_unread")
        batch_op.drop_index("ix_notifications_user")
    op.drop_table("notifications")
    for table in MENTIONING:
        # Plain ALTER TABLE (SQLite 3.35+): a batch copy breaks foreign keys to them.
        op.execute(f"ALTER TABLE {table} DROP COLUMN mentions")
