"""Posts: the durable side of a circle — the feed, ``since`` catch-up, and writing.

Pins, must-reads, comments and likes, stars and retention are services of
their own (``store.pins``, ``store.must_reads``…), each in its own module.

A deleted post stays as a tombstone (``deleted``, its text, counters, likes,
comments and acks gone) so a client catching up with ``since`` learns of the
deletion. Every change to a post sets ``updated`` from the circle's post clock
(``lookups.next_post_time``), under the circle's lock.
"""

from __future__ import annotations

from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import attachment_uses, mentions, search_index, validation
from .audit import record_act
from .changes import record_post
from .engine import Service
from .errors import Forbidden, Invalid, NotFound
from .ids import encode_cursor, new_id
from .lookups import (
    circle_row,
    newest_first,
    next_post_time,
    post_row,
    read_post,
    require_manager,
    require_visible,
    require_voice,
    role_of,
)
from .models import ACKS, COMMENTS, LIKES, POSTS
from .records import (
    MANAGER_ROLES,
    AnyRow,
    Record,
    encode_attachments,
    post_record,
    post_view,
)

KINDS = ("post", "notice")
TEXT_MAX = 20_000
PAGE_MAX = 100


class Posts(Service):
    """The feed, catching up by time, and writing posts."""

    async def feed(
        self, circle_id: str, viewer_id: str | None, cursor: str | None = None, limit: int = 20
    ) -> tuple[list[Record], str | None]:
        """A page of the circle's posts: the first starts with every pinned post (in
        pin order); then unpinned ones, newest first. Pass ``next`` back as ``cursor``."""
        limit = validation.limit(limit, high=PAGE_MAX)
        live = and_(POSTS.c.circle_id == circle_id, ~POSTS.c.deleted)
        query = post_view(viewer_id).where(live, ~POSTS.c.pinned)
        query = newest_first(query, POSTS, cursor, limit)
        async with self._db.read() as conn:
            await require_visible(conn, await circle_row(conn, circle_id), viewer_id)
            pinned: list[AnyRow] = []
            if cursor is None:
                pins = post_view(viewer_id).where(live, POSTS.c.pinned)
                pinned = list((await conn.execute(pins.order_by(POSTS.c.pin_order))).all())
            rows = (await conn.execute(query)).all()
        page = rows[:limit]
        more = len(rows) > limit
        next_cursor = encode_cursor(page[-1].created, page[-1].id) if more else None
        return [post_record(row) for row in (*pinned, *page)], next_cursor

    async def changed_since(
        self, circle_id: str, viewer_id: str | None, since_ms: int
    ) -> list[Record]:
        """Every post created, changed or deleted after ``since_ms`` (tombstones
        included), oldest change first: a reconnecting client's catch-up."""
        since_ms = validation.integer(since_ms, "since", 0)
        query = (
            post_view(viewer_id)
            .where(POSTS.c.circle_id == circle_id, POSTS.c.updated > since_ms)
            .order_by(POSTS.c.updated, POSTS.c.id)
        )
        async with self._db.read() as conn:
            await require_visible(conn, await circle_row(conn, circle_id), viewer_id)
            rows = (await conn.execute(query)).all()
        return [post_record(row) for row in rows]

    async def get(self, post_id: str, viewer_id: str | None) -> Record:
        """One live post; ``NotFound`` (tombstones too), ``Forbidden`` (private circle)."""
        async with self._db.read() as conn:
            post = await post_row(conn, post_id)
            await require_visible(conn, await circle_row(conn, post.circle_id), viewer_id)
            return await read_post(conn, post.id, viewer_id)

    async def create(
        self,
        circle_id: str,
        author_id: str,
        kind: str,
        text: str,
        attachments: list[str] | None = None,
    ) -> Record:
        """A member writes a ``post``; owners and admins also write ``notice``s.
        ``attachments``: ids of the circle's attachments (with some, the text may
        be empty)."""
        kind = validation.choice(kind, "kind", KINDS)
        ids = attachment_uses.ids_of(attachments)
        text = validation.text(text, "text", 0 if ids else 1, TEXT_MAX)
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            role = await require_voice(conn, circle_id, author_id)
            if kind == "notice" and role not in MANAGER_ROLES:
                raise Forbidden("only the circle's owners and admins can post notices")
            carried = await attachment_uses.resolve(conn, circle_id, ids)
            post_id, at = new_id(), await next_post_time(conn, circle_id)
            found = await mentions.mentioned(conn, circle_id, author_id, text)
            await conn.execute(
                POSTS.insert().values(
                    id=post_id,
                    circle_id=circle_id,
                    kind=kind,
                    author_id=author_id,
                    text=text,
                    created=at,
                    updated=at,
                    attachments=encode_attachments(carried),
                    mentions=found.encoded(),
                )
            )
            await attachment_uses.use(conn, post_id, 0, carried)
            await search_index.add(
                conn, [search_index.doc(circle_id, "post", post_id, 0, author_id, at, text)]
            )
            await record_post(conn, circle_id, "post.created", post_id)
            return await read_post(conn, post_id, author_id)

    async def edit(self, post_id: str, actor_id: str, text: str) -> Record:
        """Change a post's text (its author, or an owner/admin). Editing a must-read
        asks everyone to acknowledge it again. A highlight's ``source`` stays. A new
        text sets ``edited``."""
        text = validation.text(text, "text", 1, TEXT_MAX)
        async with self._db.write() as conn:
            post = await post_row(conn, post_id, lock=True)
            await _require_author_or_manager(conn, post, actor_id)
            version = post.must_read_version + 1 if post.must_read else post.must_read_version
            at = await next_post_time(conn, post.circle_id)
            await conn.execute(
                update(POSTS)
                .where(POSTS.c.id == post.id)
                .values(
                    text=text,
                    must_read_version=version,
                    updated=at,
                    edited=at if text != post.text else post.edited,
                )
            )
            new = search_index.doc(
                post.circle_id, "post", post.id, 0, post.author_id, post.created, text
            )
            await search_index.put(conn, new, "post", post.id)
            await record_post(conn, post.circle_id, "post.edited", post.id)
            return await read_post(conn, post.id, actor_id)

    async def delete(self, post_id: str, actor_id: str) -> Record:
        """Delete a post (its author, or an owner/admin); returns its tombstone.
        Deleting a highlight un-promotes it; the chat message stays."""
        async with self._db.write() as conn:
            post = await post_row(conn, post_id, lock=True)
            await _require_author_or_manager(conn, post, actor_id)
            if post.author_id != actor_id:
                await record_act(conn, post.circle_id, actor_id, "post.deleted", "post", post.id)
            return await bury(conn, post)

    async def unpromote(self, post_id: str, actor_id: str) -> Record:
        """Owner/admin: remove a highlight (tombstone); the chat message stays, and
        members' votes will not promote it again."""
        async with self._db.write() as conn:
            post = await post_row(conn, post_id, lock=True)
            await require_manager(conn, post.circle_id, actor_id)
            if post.kind != "highlight":
                raise Invalid("this post is not a promoted message")
            await record_act(conn, post.circle_id, actor_id, "post.unpromoted", "post", post.id)
            return await bury(conn, post)


async def _require_author_or_manager(conn: AsyncConnection, post: AnyRow, actor_id: str) -> None:
    if post.author_id == actor_id:
        return
    if await role_of(conn, post.circle_id, actor_id) not in MANAGER_ROLES:
        raise Forbidden("only its author or the circle's owners and admins can change a post")


async def bury(conn: AsyncConnection, post: AnyRow) -> Record:
    """Turn a live post into its tombstone: the row stays (for ``since`` and, for a
    highlight, to keep votes from promoting it again), the content goes."""
    comments = select(COMMENTS.c.id).where(COMMENTS.c.post_id == post.id)
    await attachment_uses.release(conn, [post.id, *(await conn.execute(comments)).scalars().all()])
    for table in (COMMENTS, LIKES, ACKS):
        await conn.execute(delete(table).where(table.c.post_id == post.id))
    result = await conn.execute(
        update(POSTS)
        .where(POSTS.c.id == post.id, ~POSTS.c.deleted)
        .values(
            deleted=True,
            text="",
            # A highlight's copy of its message goes too: nothing reads it any more.
            source_text=None,
            attachments=None,
            pinned=False,
            pin_order=None,
            pinned_until=None,
            must_read=False,
            like_count=0,
            comment_count=0,
            updated=await next_post_time(conn, post.circle_id),
        )
    )
    if result.rowcount != 1:
        raise NotFound("no such post")
    await search_index.remove_post(conn, post.id)
    return (await record_post(conn, post.circle_id, "post.deleted", post.id)).data["post"]
