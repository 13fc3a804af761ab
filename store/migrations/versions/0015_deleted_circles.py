"""Deleting a circle: ``circles.deleted``.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("circles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("circles", schema=None) as batch_op:
        batch_op.drop_column("deleted")
