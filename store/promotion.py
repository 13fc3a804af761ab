"""Promotion: a starred chat message becomes a durable ``highlight`` post.

An owner's or admin's star promotes at once; members' stars are votes until
the circle's ``promote_threshold`` (0: votes never promote; a vetoed message is
never promoted by votes). The star and the promotion are one transaction.

Exactly one post per message: the insert ignores a conflict on
UNIQUE(circle_id, source_seq) and the post is read back, so concurrent stars
(SQLite serializes them; PostgreSQL nodes race on the unique index) all end on
the same row. The circle's lock (``lookups.circle_row``) also keeps the pin cap
exact while promotions race.

An un-promoted message keeps its post as a tombstone: members' votes do not
bring it back, an owner's or admin's star does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from .engine import Database
from .ids import new_id, now_ms
from .lookups import (
    circle_row,
    message_row,
    next_post_time,
    read_post,
    require_member,
    star_count,
)
from .models import POSTS, STARS, VETOES
from .pins import next_pin_order
from .records import MANAGER_ROLES, AnyRow, Record

# What ``star`` returns: the star count, the message's live post (if any), and
# whether this call promoted it (the server pushes ``promoted`` only then).
StarOutcome = tuple[int, Record | None, bool]


class Promotion:
    """Stars that promote (mixed into ``Posts``); ``Chat.star`` only counts votes."""

    _db: Database

    async def star(self, circle_id: str, seq: int, user_id: str) -> StarOutcome:
        """Star a message (twice counts once) and promote it when the star carries it.

        ``NotFound`` (circle or message), ``Forbidden`` (not a member).
        """
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            role = await require_member(conn, circle_id, user_id)
            message = await message_row(conn, circle_id, seq)
            await conn.execute(
                self._db.insert_ignore(STARS).values(
                    circle_id=circle_id, seq=message.seq, user_id=user_id, ts=now_ms()
                )
            )
            stars = await star_count(conn, circle_id, message.seq)
            post = await _post_of(conn, circle_id, message.seq)
            if post is not None and not post.deleted:
                return stars, await read_post(conn, post.id, user_id), False
            if role in MANAGER_ROLES:
                post_id, fresh = await self._promote(conn, circle_id, message, post)
            elif post is None and await _votes_carry(conn, circle, message.seq, stars):
                post_id, fresh = await self._promote(conn, circle_id, message, None)
            else:
                return stars, None, False
            return stars, await read_post(conn, post_id, user_id), fresh

    async def _promote(
        self, conn: AsyncConnection, circle_id: str, message: AnyRow, tombstone: AnyRow | None
    ) -> tuple[str, bool]:
        """Create (or revive) the message's post; returns its id and whether this did it."""
        at = await next_post_time(conn, circle_id)
        # The pin cap never blocks a promotion: a full shelf gives an unpinned post.
        order = await next_pin_order(conn, circle_id)
        values: dict[str, Any] = {
            "kind": "highlight",
            "author_id": message.user_id,
            "text": message.text,
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
            return tombstone.id, True
        result = await conn.execute(
            self._db.insert_ignore(POSTS).values(
                id=new_id(),
                circle_id=circle_id,
                source_seq=message.seq,
                source_ts=message.ts,
                source_user_id=message.user_id,
                source_text=message.text,
                **values,
            )
        )
        row = await _post_of(conn, circle_id, message.seq)
        assert row is not None
        return row.id, result.rowcount == 1


async def _post_of(conn: AsyncConnection, circle_id: str, seq: int) -> AnyRow | None:
    """The message's post, a tombstone included."""
    query = select(POSTS.c.id, POSTS.c.deleted).where(
        POSTS.c.circle_id == circle_id, POSTS.c.source_seq == seq
    )
    return (await conn.execute(query)).first()


async def _votes_carry(conn: AsyncConnection, circle: AnyRow, seq: int, stars: int) -> bool:
    """Members' stars promote at the threshold (> 0), unless the message is vetoed."""
    threshold = circle.promote_threshold
    if threshold <= 0 or stars < threshold:
        return False
    vetoed = select(VETOES.c.seq).where(VETOES.c.circle_id == circle.id, VETOES.c.seq == seq)
    return (await conn.execute(vetoed)).first() is None
