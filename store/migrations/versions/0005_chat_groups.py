"""Chat groups: ``chat_groups`` and ``group_members``; messages, stars and vetoes
keyed by group; a post remembers the group it was promoted from.

Every circle gets its ``general`` group with the circle's own id, carrying the
circle's ``last_seq`` (which moves off ``circles``): the stored messages,
stars and vetoes are general's as they are, only their column is renamed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite's foreign keys have no names: batch mode finds them by this convention.
_SQLITE_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def _old_fk_name(table: str, column: str, referred: str) -> str:
    if op.get_bind().dialect.name == "postgresql":
        return f"{table}_{column}_fkey"
    return f"fk_{table}_{column}_{referred}"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "chat_groups",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=500), nullable=False),
        sa.Column("access", sa.String(length=16), nullable=False),
        sa.Column("max_members", sa.Integer(), nullable=True),
        sa.Column("read_only", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["circle_id"], ["circles.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("chat_groups", schema=None) as batch_op:
        batch_op.create_index("ix_chat_groups_circle", ["circle_id", "position"], unique=False)
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("joined", sa.BigInteger(), nullable=False),
        sa.Column("joined_seq", sa.BigInteger(), nullable=False),
        sa.Column("read_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["chat_groups.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("group_id", "user_id"),
    )
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_members_user_id"), ["user_id"], unique=False)

    circles = sa.table("circles", sa.column("id"), sa.column("created"), sa.column("last_seq"))
    groups = sa.table(
        "chat_groups",
        *(
            sa.column(name)
            for name in (
                "id",
                "circle_id",
                "name",
                "topic",
                "access",
                "read_only",
                "position",
                "archived",
                "created",
                "last_seq",
                "member_count",
            )
        ),
    )
    op.execute(
        groups.insert().from_select(
            [c.name for c in groups.c],
            sa.select(
                circles.c.id,
                circles.c.id,
                sa.literal("general"),
                sa.literal(""),
                sa.literal("open"),
                sa.false(),
                sa.literal(0),
                sa.false(),
                circles.c.created,
                circles.c.last_seq,
                sa.literal(0),
            ),
        )
    )
    with op.batch_alter_table("circles", schema=None) as batch_op:
        batch_op.drop_column("last_seq")

    with op.batch_alter_table("messages", schema=None, naming_convention=_SQLITE_NAMES) as batch_op:
        batch_op.drop_constraint(
            _old_fk_name("messages", "circle_id", "circles"), type_="foreignkey"
        )
        batch_op.alter_column(
            "circle_id", new_column_name="group_id", existing_type=sa.String(length=32)
        )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_foreign_key("messages_group_id_fkey", "chat_groups", ["group_id"], ["id"])
    for table in ("stars", "vetoes"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "circle_id", new_column_name="group_id", existing_type=sa.String(length=32)
            )

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_group", sa.String(length=32), nullable=True))
    posts = sa.table(
        "posts", sa.column("circle_id"), sa.column("source_seq"), sa.column("source_group")
    )
    op.execute(
        posts.update().where(posts.c.source_seq.is_not(None)).values(source_group=posts.c.circle_id)
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_posts_circle_source", type_="unique")
        batch_op.create_unique_constraint("uq_posts_group_source", ["source_group", "source_seq"])


def downgrade() -> None:
    """Downgrade schema: only the general groups' chat survives it."""
    op.execute("DELETE FROM posts WHERE source_group IS NOT NULL AND source_group <> circle_id")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_posts_group_source", type_="unique")
        batch_op.create_unique_constraint("uq_posts_circle_source", ["circle_id", "source_seq"])
        batch_op.drop_column("source_group")
    for table in ("stars", "vetoes", "messages"):
        op.execute(f"DELETE FROM {table} WHERE group_id NOT IN (SELECT id FROM circles)")
    for table in ("stars", "vetoes"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "group_id", new_column_name="circle_id", existing_type=sa.String(length=32)
            )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_constraint("messages_group_id_fkey", type_="foreignkey")
        batch_op.alter_column(
            "group_id", new_column_name="circle_id", existing_type=sa.String(length=32)
        )
        batch_op.create_foreign_key("messages_circle_id_fkey", "circles", ["circle_id"], ["id"])
    with op.batch_alter_table("circles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_seq", sa.BigInteger(), server_default="0", nullable=False)
        )
    op.execute(
        "UPDATE circles SET last_seq = "
        "(SELECT last_seq FROM chat_groups WHERE chat_groups.id = circles.id)"
    )
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_members_user_id"))
    op.drop_table("group_members")
    with op.batch_alter_table("chat_groups", schema=None) as batch_op:
        batch_op.drop_index("ix_chat_groups_circle")
    op.drop_table("chat_groups")
