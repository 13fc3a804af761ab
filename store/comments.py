"""Comments (one level of replies) and likes on posts.

Both counters live on the post row (``comment_count``, ``like_count``) and move
in the transaction of the change, so a feed page never counts rows. Neither
changes the post's ``updated`` (``posts?since=`` is about the posts
themselves); each is logged in the circle's change log (``comment.added``,
``comment.edited``, ``comment.deleted``, ``post.liked``), which is how members
see them live and catch up.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import attachment_uses, mentions, search_index, validation
from .audit import record_act
from .changes import record
from .engine import Service
from .errors import Forbidden, Invalid, NotFound
from .ids import new_id, now_ms
from .lookups import (
    circle_row,
    next_cursor,
    oldest_first,
    post_row,
    require_member,
    require_visible,
    require_voice,
    role_of,
)
from .models import COMMENTS, LIKES, MEMBERSHIPS, POSTS, USERS
from .records import (
    COMMENT_COLUMNS,
    MANAGER_ROLES,
    AnyRow,
    Record,
    comment_record,
    encode_attachments,
)

COMMENT_MAX = 4000
PAGE_MAX = 500


class Comments(Service):
    """Comments and likes."""

    async def comments(
        self, post_id: str, viewer_id: str | None, cursor: str | None = None, limit: int = 100
    ) -> tuple[list[Record], str | None]:
        """A page of a post's comments, oldest first (replies carry ``reply_to``), and
        the cursor of the next page (None on the last)."""
        limit = validation.limit(limit, high=PAGE_MAX)
        async with self._db.read() as conn:
            post = await post_row(conn, post_id)
            await require_visible(conn, await circle_row(conn, post.circle_id), viewer_id)
            rows = await _comment_rows(
                conn, post, COMMENTS.c.post_id == post.id, cursor=cursor, limit=limit
            )
        return [comment_record(row) for row in rows[:limit]], next_cursor(
            rows, limit, "created", "id"
        )

    async def add_comment(
        self,
        post_id: str,
        author_id: str,
        text: str,
        reply_to: str | None = None,
        attachments: list[str] | None = None,
    ) -> Record:
        """A member comments on a post, or replies to one of its top-level comments;
        ``attachments`` as for a post."""
        ids = attachment_uses.ids_of(attachments)
        text = validation.text(text, "text", 0 if ids else 1, COMMENT_MAX)
        if reply_to is not None and not isinstance(reply_to, str):
            raise Invalid("reply_to must be a comment id")
        async with self._db.write() as conn:
            post = await post_row(conn, post_id, lock=True)
            await require_voice(conn, post.circle_id, author_id)
            if reply_to is not None:
                await _require_top_level(conn, post.id, reply_to)
            carried = await attachment_uses.resolve(conn, post.circle_id, ids)
            comment_id, at = new_id(), now_ms()
            found = await mentions.mentioned(conn, post.circle_id, author_id, text)
            await conn.execute(
                COMMENTS.insert().values(
                    id=comment_id,
                    post_id=post.id,
                    author_id=author_id,
                    text=text,
                    created=at,
                    reply_to=reply_to,
                    attachments=encode_attachments(carried),
                    mentions=found.encoded(),
                )
            )
            await attachment_uses.use(conn, comment_id, 0, carried)
            await search_index.add(
                conn,
                [
                    search_index.doc(
                        post.circle_id, "comment", comment_id, 0, author_id, at, text, post.id
                    )
                ],
            )
            await conn.execute(
                update(POSTS)
                .where(POSTS.c.id == post.id)
                .values(comment_count=POSTS.c.comment_count + 1)
            )
            comment = await _comment(conn, post, comment_id)
            await _record_comment(conn, post, "comment.added", comment)
        return comment

    async def edit_comment(self, comment_id: str, actor_id: str, text: str) -> Record:
        """Change a comment's text (its author, or an owner/admin of the circle)."""
        text = validation.text(text, "text", 1, COMMENT_MAX)
        async with self._db.write() as conn:
            post, row = await _comment_row(conn, comment_id, actor_id)
            await conn.execute(update(COMMENTS).where(COMMENTS.c.id == row.id).values(text=text))
            comment = await _comment(conn, post, row.id)
            new = search_index.doc(
                post.circle_id,
                "comment",
                row.id,
                0,
                row.author_id,
                comment["created"],
                text,
                post.id,
            )
            await search_index.put(conn, new, "comment", row.id)
            await _record_comment(conn, post, "comment.edited", comment)
        return comment

    async def delete_comment(self, comment_id: str, actor_id: str) -> None:
        """Delete a comment (its author, or an owner/admin) and the replies to it."""
        async with self._db.write() as conn:
            post, row = await _comment_row(conn, comment_id, actor_id)
            if row.author_id != actor_id:
                await record_act(
                    conn, post.circle_id, actor_id, "comment.deleted", "comment", row.id
                )
            await remove_comment(conn, post, row.id)

    async def like(self, post_id: str, user_id: str, liked: bool) -> Record:
        """Like (or stop liking) a post; liking twice counts once. ``{"likes","liked"}``."""
        liked = validation.boolean(liked, "liked")
        async with self._db.write() as conn:
            post = await post_row(conn, post_id, lock=True)
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
            likes = int(
                (
                    await conn.execute(select(POSTS.c.like_count).where(POSTS.c.id == post.id))
                ).scalar_one()
            )
            if delta:
                await record(
                    conn,
                    post.circle_id,
                    "post.liked",
                    {"post": post.id, "user": user_id, "liked": liked, "likes": likes},
                )
        return {"likes": likes, "liked": liked}


async def remove_comment(conn: AsyncConnection, post: AnyRow, comment_id: str) -> None:
    """Delete a comment of ``post`` (its circle locked) and the replies to it, with
    their attachments' uses; the post's count moves; logged ``comment.deleted``."""
    doomed = or_(COMMENTS.c.id == comment_id, COMMENTS.c.reply_to == comment_id)
    gone = select(COMMENTS.c.id).where(COMMENTS.c.post_id == post.id, doomed)
    gone_ids = (await conn.execute(gone)).scalars().all()
    await attachment_uses.release(conn, gone_ids)
    await search_index.remove(conn, "comment", gone_ids)
    result = await conn.execute(delete(COMMENTS).where(COMMENTS.c.post_id == post.id, doomed))
    await conn.execute(
        update(POSTS)
        .where(POSTS.c.id == post.id)
        .values(comment_count=POSTS.c.comment_count - result.rowcount)
    )
    await _record_comment(conn, post, "comment.deleted", {"id": comment_id, "post": post.id})


async def _require_top_level(conn: AsyncConnection, post_id: str, comment_id: str) -> None:
    query = select(COMMENTS.c.reply_to).where(
        COMMENTS.c.id == comment_id, COMMENTS.c.post_id == post_id
    )
    row = (await conn.execute(query)).first()
    if row is None or row.reply_to is not None:
        raise Invalid("reply_to must be a top-level comment of this post")


async def _comment_row(
    conn: AsyncConnection, comment_id: object, actor_id: str
) -> tuple[AnyRow, AnyRow]:
    """The comment's post (its circle locked) and row, if the actor may change it."""
    if not isinstance(comment_id, str):
        raise NotFound("no such comment")
    query = select(COMMENTS.c.id, COMMENTS.c.post_id, COMMENTS.c.author_id).where(
        COMMENTS.c.id == comment_id
    )
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound("no such comment")
    post = await post_row(conn, row.post_id, lock=True)
    if row.author_id != actor_id and (
        await role_of(conn, post.circle_id, actor_id) not in MANAGER_ROLES
    ):
        raise Forbidden("only its author or the circle's owners and admins can change a comment")
    return post, row


async def _comment(conn: AsyncConnection, post: AnyRow, comment_id: str) -> Record:
    rows = await _comment_rows(conn, post, COMMENTS.c.id == comment_id)
    return comment_record(rows[0])


async def _record_comment(conn: AsyncConnection, post: AnyRow, kind: str, comment: Record) -> None:
    """Log a comment change with the post's comment count after it."""
    count = (
        await conn.execute(select(POSTS.c.comment_count).where(POSTS.c.id == post.id))
    ).scalar_one()
    await record(conn, post.circle_id, kind, {"comment": comment, "comments": int(count)})


async def _comment_rows(
    conn: AsyncConnection,
    post: AnyRow,
    where: ColumnElement[bool],
    cursor: str | None = None,
    limit: int = PAGE_MAX,
) -> list[AnyRow]:
    # Display names in the post's circle; a former member keeps their account name.
    names = COMMENTS.join(USERS, USERS.c.id == COMMENTS.c.author_id).outerjoin(
        MEMBERSHIPS,
        and_(
            MEMBERSHIPS.c.circle_id == post.circle_id,
            MEMBERSHIPS.c.user_id == COMMENTS.c.author_id,
        ),
    )
    query = select(*COMMENT_COLUMNS).select_from(names).where(where)
    query = oldest_first(query, COMMENTS.c.created, COMMENTS.c.id, cursor, limit)
    return list((await conn.execute(query)).all())
