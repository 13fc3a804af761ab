"""Deleting an account: ``users.deleted`` and ``users.erased``; a user's messages
by ``ix_messages_user``.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("erased", sa.BigInteger(), nullable=True))
    op.create_index("ix_messages_user", "messages", ["user_id", "group_id", "seq"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_messages_user", table_name="messages")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("erased")
        batch_op.drop_column("deleted")
