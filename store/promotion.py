"""Promotion: a starred chat message becomes a durable ``highlight`` post.

Used by ``stars.Stars.star`` inside its transaction. Exactly one post per
message: the insert ignores a conflict on UNIQUE(source_group, source_seq) and
the post is read back, so concurrent stars (SQLite serializes them;
PostgreSQL nodes race on the unique index) all end on the same row. The
circle's lock (``lookups.circle_row``) also keeps the pin cap exact while
promotions race.

An un-promoted message keeps its post as a tombstone: members' votes do not
bring it back, an owner's or admin's star does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import attachment_uses, search_index
from .engine import Database
from .ids import new_id
from .lookups import next_post_time
from .models import POSTS, VETOES
from .pins import next_pin_order
from .records import AnyRow


async def promote(
    db: Database, conn: AsyncConnection, circle_id: str, message: AnyRow, tombstone: AnyRow | None
) -> tuple[str, bool]:
    """Create (or revive) the message's post; returns its id and whether this did it."""
    at = await next_post_time(conn, circle_id)
    # The pin cap never blocks a promotion: a full shelf gives an unpinned post.
    order = await next_pin_order(conn, circle_id)
    values: dict[str, Any] = {
        "kind": "highlight",
        "author_id": message.user_id,
        "text": message.text,
        "attachments": message.attachments,
        "created": at,
        "updated": at,
        "deleted": False,
        "pinned": order is not None,
        "pin_order": order,
        "pinned_until": None,
        "must_read": False,
    }
    if tombstone is not None:
        await conn.execute(update(POSTS).where(POSTS.c.id == tombstone.id).values(values))
        await attachment_uses.copy(conn, message.group_id, message.seq, tombstone.id)
        await _index(conn, circle_id, tombstone.id, message, at)
        return tombstone.id, True
    result = await conn.execute(
        db.insert_ignore(POSTS).values(
            id=new_id(),
            circle_id=circle_id,
            source_group=message.group_id,
            source_seq=message.seq,
            source_ts=message.ts,
            source_user_id=message.user_id,
            source_text=message.text,
            **values,
        )
    )
    row = await post_of(conn, message.group_id, message.seq)
    assert row is not None
    if result.rowcount == 1:
        await attachment_uses.copy(conn, message.group_id, message.seq, row.id)
        await _index(conn, circle_id, row.id, message, at)
    return row.id, result.rowcount == 1


async def _index(
    conn: AsyncConnection, circle_id: str, post_id: str, message: AnyRow, at: int
) -> None:
    """The highlight is a post like any other in search (its message stays one too)."""
    found = search_index.doc(circle_id, "post", post_id, 0, message.user_id, at, message.text)
    await search_index.put(conn, found, "post", post_id)


async def post_of(conn: AsyncConnection, group_id: str, seq: int) -> AnyRow | None:
    """The post of the group's message, a tombstone included."""
    query = select(POSTS.c.id, POSTS.c.deleted).where(
        POSTS.c.source_group == group_id, POSTS.c.source_seq == seq
    )
    return (await conn.execute(query)).first()


async def votes_carry(conn: AsyncConnection, circle: AnyRow, message: AnyRow, stars: int) -> bool:
    """Members' stars promote at the threshold (> 0), unless the message is vetoed."""
    threshold = circle.promote_threshold
    if threshold <= 0 or stars < threshold:
        return False
    vetoed = select(VETOES.c.seq).where(
        VETOES.c.group_id == message.group_id, VETOES.c.seq == message.seq
    )
    return (await conn.execute(vetoed)).first() is None
