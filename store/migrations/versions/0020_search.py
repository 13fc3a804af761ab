"""Search: ``search_docs`` and the database's full-text index over it (an FTS5
table on SQLite, a GIN index on PostgreSQL: store/search_schema.py), filled with
what was written before.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from store import search_schema

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "search_docs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("post_id", sa.String(length=32), nullable=True),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("tokens", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref", "seq", "kind", name="uq_search_docs_ref"),
    )
    with op.batch_alter_table("search_docs", schema=None) as batch_op:
        batch_op.create_index("ix_search_docs_circle", ["circle_id", "ts"], unique=False)
        batch_op.create_index("ix_search_docs_post", ["post_id"], unique=False)
    conn = op.get_bind()
    search_schema.create(conn)
    search_schema.backfill(conn)


def downgrade() -> None:
    """Downgrade schema."""
    search_schema.drop(op.get_bind())
    with op.batch_alter_table("search_docs", schema=None) as batch_op:
        batch_op.drop_index("ix_search_docs_post")
        batch_op.drop_index("ix_search_docs_circle")
    op.drop_table("search_docs")
