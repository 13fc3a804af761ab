"""Reports to a circle's owners and admins: ``reports``.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "reports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("reporter_id", sa.String(length=32), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=80), nullable=False),
        sa.Column("target_user_id", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("resolved_by", sa.String(length=32), nullable=True),
        sa.Column("resolved_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "circle_id",
            "reporter_id",
            "target_kind",
            "target_id",
            name="uq_reports_reporter_target",
        ),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reports_queue", ["circle_id", "status", "created", "id"], unique=False
        )
        batch_op.create_index(
            "ix_reports_target", ["circle_id", "target_kind", "target_id"], unique=False
        )
        batch_op.create_index("ix_reports_reporter", ["reporter_id", "created", "id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_reporter")
        batch_op.drop_index("ix_reports_target")
        batch_op.drop_index("ix_reports_queue")
    op.drop_table("reports")
