"""Chat's search index fills in larger batches: ``chat_groups.indexed_seq``, up to
which seq a group's messages are in ``search_docs`` (store/sqlite_writer.py; every
message stored before this revision was indexed by its group commit).

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | Sequence[str] | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(
        "chat_groups",
        sa.Column("indexed_seq", sa.BigInteger(), server_default="0", nullable=False),
    )
    op.execute("UPDATE chat_groups SET indexed_seq = last_seq")


def downgrade() -> None:
    """Downgrade schema."""
    # Plain ALTER TABLE (SQLite 3.35+): a batch copy of chat_groups breaks the foreign
    # keys that point at it.
    op.execute("ALTER TABLE chat_groups DROP COLUMN indexed_seq")
