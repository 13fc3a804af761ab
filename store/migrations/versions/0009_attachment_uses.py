"""Attachments in use: ``attachment_uses`` (their reference counts), the
attachments of messages, posts and comments, ``attachments.touched``, and the
index of a circle's materials (newest first).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OWNERS = ("messages", "posts", "comments")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "attachment_uses",
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("attachment_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("owner", "seq", "position"),
    )
    with op.batch_alter_table("attachment_uses", schema=None) as batch_op:
        batch_op.create_index("ix_attachment_uses_attachment", ["attachment_id"], unique=False)
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("touched", sa.BigInteger(), nullable=True))
        batch_op.create_index(
            "ix_attachments_circle_created", ["circle_id", "created", "id"], unique=False
        )
    for table in _OWNERS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("attachments", sa.String(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    for table in _OWNERS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("attachments")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_attachments_circle_created")
        batch_op.drop_column("touched")
    with op.batch_alter_table("attachment_uses", schema=None) as batch_op:
        batch_op.drop_index("ix_attachment_uses_attachment")
    op.drop_table("attachment_uses")
