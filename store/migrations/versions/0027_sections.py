"""Sections and cohorts: ``circles.sections`` (store/sections.py; existing circles
get their kind's template), and a cohort's ``batch``, ``label``, ``period_days`` and chat
``group_id`` on ``access_codes`` (store/access_codes.py).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The templates as this migration knows them (store/sections.py may change later;
# a migration must not).
TEMPLATES = {
    "internal": "chat,feed,events,challenges,contests,materials,highlights,search",
    "business": "feed,chat,highlights,events,materials,search",
    "community": "chat,highlights,feed,events,challenges,contests,points,materials,search",
    "teaching": "feed,course,materials,homework,chat,highlights,search",
}


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("circles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sections", sa.String(length=200), nullable=True))
    with op.batch_alter_table("access_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("label", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("period_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("group_id", sa.String(length=32), nullable=True))
    fill(op.get_bind())


def fill(conn: sa.Connection) -> None:
    """Circles without sections get their kind's template."""
    circles = sa.table("circles", sa.column("kind", sa.String), sa.column("sections", sa.String))
    for kind, sections in TEMPLATES.items():
        conn.execute(
            circles.update()
            .where(circles.c.kind == kind, circles.c.sections.is_(None))
            .values(sections=sections)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("access_codes", schema=None) as batch_op:
        batch_op.drop_column("group_id")
        batch_op.drop_column("period_days")
        batch_op.drop_column("label")
        batch_op.drop_column("batch")
    # Plain ALTER TABLE (SQLite 3.35+): a batch copy of circles breaks its foreign keys.
    op.execute("ALTER TABLE circles DROP COLUMN sections")
