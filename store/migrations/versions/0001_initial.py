"""Initial schema: accounts, circles, chat, posts.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "stars",
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("circle_id", "seq", "user_id"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("handle", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("handle"),
    )
    op.create_table(
        "vetoes",
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("circle_id", "seq"),
    )
    op.create_table(
        "circles",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("promote_threshold", sa.Integer(), nullable=False),
        sa.Column("retention_messages", sa.Integer(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("history_for_new_members", sa.Boolean(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("circles", schema=None) as batch_op:
        batch_op.create_index(
            "ix_circles_visibility_created", ["visibility", "created", "id"], unique=False
        )

    op.create_table(
        "tokens",
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("hash"),
    )
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "access_codes",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("expires", sa.BigInteger(), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("access_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_codes_circle_id"), ["circle_id"], unique=False)

    op.create_table(
        "memberships",
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("nickname", sa.String(length=32), nullable=True),
        sa.Column("joined", sa.BigInteger(), nullable=False),
        sa.Column("joined_seq", sa.BigInteger(), nullable=False),
        sa.Column("read_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("circle_id", "user_id"),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_memberships_user_id"), ["user_id"], unique=False)

    op.create_table(
        "messages",
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("reply_to", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
        ),
        sa.PrimaryKeyConstraint("circle_id", "seq"),
        sa.UniqueConstraint("nonce", "user_id", name="uq_messages_nonce_user"),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("pin_order", sa.Integer(), nullable=True),
        sa.Column("pinned_until", sa.BigInteger(), nullable=True),
        sa.Column("must_read", sa.Boolean(), nullable=False),
        sa.Column("must_read_version", sa.Integer(), nullable=False),
        sa.Column("like_count", sa.Integer(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("source_seq", sa.BigInteger(), nullable=True),
        sa.Column("source_ts", sa.BigInteger(), nullable=True),
        sa.Column("source_user_id", sa.String(length=32), nullable=True),
        sa.Column("source_text", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("circle_id", "source_seq", name="uq_posts_circle_source"),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_posts_feed", ["circle_id", "pinned", "created", "id"], unique=False
        )
        batch_op.create_index("ix_posts_must_read", ["circle_id", "must_read"], unique=False)
        batch_op.create_index("ix_posts_pinned_until", ["pinned_until"], unique=False)
        batch_op.create_index("ix_posts_since", ["circle_id", "updated"], unique=False)

    op.create_table(
        "acks",
        sa.Column("post_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
        ),
        sa.PrimaryKeyConstraint("post_id", "user_id"),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("post_id", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("reply_to", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comments_post_created", ["post_id", "created", "id"], unique=False
        )

    op.create_table(
        "likes",
        sa.Column("post_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
        ),
        sa.PrimaryKeyConstraint("post_id", "user_id"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("likes")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_post_created")

    op.drop_table("comments")
    op.drop_table("acks")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_since")
        batch_op.drop_index("ix_posts_pinned_until")
        batch_op.drop_index("ix_posts_must_read")
        batch_op.drop_index("ix_posts_feed")

    op.drop_table("posts")
    op.drop_table("messages")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_user_id"))

    op.drop_table("memberships")
    with op.batch_alter_table("access_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_codes_circle_id"))

    op.drop_table("access_codes")
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tokens_user_id"))

    op.drop_table("tokens")
    with op.batch_alter_table("circles", schema=None) as batch_op:
        batch_op.drop_index("ix_circles_visibility_created")

    op.drop_table("circles")
    op.drop_table("vetoes")
    op.drop_table("users")
    op.drop_table("stars")
