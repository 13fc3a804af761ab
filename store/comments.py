"""Comments (one level of replies) and likes on posts.

Both counters live on the post row (``comment_count``, ``like_count``) and move
in the transaction of the change, so a feed page never counts rows. Neither
changes the post's ``updated``: they are not pushed, and ``since`` catch-up is
about the posts themselves.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .engine import Database
from .errors import Invalid
from .ids import new_id, now_ms
from .lookups import circle_row, post_row, require_member, require_visible
from .models import COMMENTS, LIKES, MEMBERSHIPS, POSTS, USERS
from .records import COMMENT_COLUMNS, AnyRow, Record, comment_record

COMMENT_MAX = 4000


class Comments:
    """Comments and likes (mixed into ``Posts``)."""

    _db: Database

    async def comments(self, post_id: str, viewer_id: str | None) -> list[Record]:
        """A post's comments, oldest first (replies carry ``reply_to``)."""
        async with self._db.read() as conn:
            post = await post_row(conn, post_id)
            await require_visible(conn, await circle_row(conn, post.circle_id), viewer_id)
            rows = await _comment_rows(conn, post, COMMENTS.c.post_id == post.id)
        return [comment_record(row) for row in rows]

    async def add_comment(
        self, post_id: str, author_id: str, text: str, reply_to: str | None = None
    ) -> Record:
        """A member comments on a post, or replies to one of its top-level comments."""
        text = validation.text(text, "text", 1, COMMENT_MAX)
        if reply_to is not None and not isinstance(reply_to, str):
            raise Invalid("reply_to must be a comment id")
        async with self._db.write() as conn:
            post = await post_row(conn, post_id)
            await require_member(conn, post.circle_id, author_id)
            if reply_to is not None:
                await _require_top_level(conn, post.id, reply_to)
            comment_id = new_id()
            await conn.execute(
                COMMENTS.insert().values(
                    id=comment_id,
                    post_id=post.id,
                    author_id=author_id,
                    text=text,
                    created=now_ms(),
                    reply_to=reply_to,
                )
            )
            await conn.execute(
                update(POSTS)
                .where(POSTS.c.id == post.id)
                .values(comment_count=POSTS.c.comment_count + 1)
            )
            rows = await _comment_rows(conn, post, COMMENTS.c.id == comment_id)
        return comment_record(rows[0])

    async def like(self, post_id: str, user_id: str, liked: bool) -> Record:
        """Like (or stop liking) a post; liking twice counts once. ``{"likes","liked"}``."""
        liked = validation.boolean(liked, "liked")
        async with self._db.write() as conn:
            post = await post_row(conn, post_id)
            await require_member(conn, post.circle_id, user_id)
            if liked:
                result = await conn.execute(
                    self._db.insert_ignore(LIKES).values(post_id=post.id, user_id=user_id)
                )
                delta = result.rowcount
            else:
                result = await conn.execute(
                    delete(LIKES).where(LIKES.c.post_id == post.id, LIKES.c.user_id == user_id)
                )
                delta = -result.rowcount
            if delta:
                await conn.execute(
                    update(POSTS)
                    .where(POSTS.c.id == post.id)
                    .values(like_count=POSTS.c.like_count + delta)
                )
            likes = (
                await conn.execute(select(POSTS.c.like_count).where(POSTS.c.id == post.id))
            ).scalar_one()
        return {"likes": int(likes), "liked": liked}


async def _require_top_level(conn: AsyncConnection, post_id: str, comment_id: str) -> None:
    query = select(COMMENTS.c.reply_to).where(
        COMMENTS.c.id == comment_id, COMMENTS.c.post_id == post_id
    )
    row = (await conn.execute(query)).first()
    if row is None or row.reply_to is not None:
        raise Invalid("reply_to must be a top-level comment of this post")


async def _comment_rows(
    conn: AsyncConnection, post: AnyRow, where: ColumnElement[bool]
) -> list[AnyRow]:
    # Display names in the post's circle; a former member keeps their account name.
    names = COMMENTS.join(USERS, USERS.c.id == COMMENTS.c.author_id).outerjoin(
        MEMBERSHIPS,
        and_(
            MEMBERSHIPS.c.circle_id == post.circle_id,
            MEMBERSHIPS.c.user_id == COMMENTS.c.author_id,
        ),
    )
    query = (
        select(*COMMENT_COLUMNS)
        .select_from(names)
        .where(where)
        .order_by(COMMENTS.c.created, COMMENTS.c.id)
    )
    return list((await conn.execute(query)).all())
