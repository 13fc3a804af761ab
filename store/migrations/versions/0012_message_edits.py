"""Deleted, recalled and edited chat messages: ``messages.deleted``,
``messages.deleted_at``, ``messages.edited``.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    # NULL for every existing message: none was deleted or edited before.
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("edited", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("edited")
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("deleted")
