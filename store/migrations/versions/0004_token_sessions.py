"""``tokens.id`` and ``tokens.last_used``: sessions that can be listed, ended and expire.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("last_used", sa.BigInteger(), nullable=True))
    # Existing tokens count as used when they were made (their idle time starts
    # then) and get an opaque id each, as new ones do (store.ids.new_id).
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE tokens SET last_used = created"))
    hashes = [row[0] for row in bind.execute(sa.text("SELECT hash FROM tokens"))]
    for token_hash in hashes:
        bind.execute(
            sa.text("UPDATE tokens SET id = :id WHERE hash = :hash"),
            {"id": secrets.token_urlsafe(9), "hash": token_hash},
        )
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.alter_column("id", existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column("last_used", existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_index(batch_op.f("ix_tokens_id"), ["id"], unique=True)
        batch_op.create_index(batch_op.f("ix_tokens_last_used"), ["last_used"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tokens_last_used"))
        batch_op.drop_index(batch_op.f("ix_tokens_id"))
        batch_op.drop_column("last_used")
        batch_op.drop_column("id")
