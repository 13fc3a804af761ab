"""Stars: members' votes on chat messages, and the star that promotes.

The one owner of stars, in every chat group of a circle: a star in any group
promotes into the circle's highlights (the post records the group). An owner's or admin's star promotes the message at
once; members' stars are votes until the circle's ``promote_threshold`` (0:
votes never promote; a vetoed message is never promoted by votes). The star
and the promotion are one transaction (``promotion.promote``), under the
circle's lock, and each star or unstar that changed something is logged
(``message.starred`` with the count and the threshold, and ``post.promoted``
when it promoted): every member sees the progress live.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncConnection

from .changes import record, record_post
from .engine import Service
from .group_access import access_of, group_row
from .ids import now_ms
from .lookups import circle_row, message_row, read_post, require_voice, star_count
from .models import STARS
from .promotion import message_source, post_of, promote, votes_carry
from .records import AnyRow, Record

# What ``star`` returns: the star count, the message's live post (if any), and
# whether this call promoted it.
StarOutcome = tuple[int, Record | None, bool]


class Stars(Service):
    """Star, unstar, count."""

    async def star(
        self, circle_id: str, seq: int, user_id: str, group_id: str | None = None
    ) -> StarOutcome:
        """Star a message of a group (default: the circle's general group; twice
        counts once) and promote it when the star carries it.

        ``NotFound`` (circle, group, or a message missing or hidden from this
        member: ``lookups.message_row``), ``Forbidden`` (not a member).
        """
        group_id = circle_id if group_id is None else group_id
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            group = await group_row(conn, group_id, circle_id)
            access = await access_of(conn, circle, group, user_id)
            message = await message_row(conn, circle, access, seq)
            await require_voice(conn, circle_id, user_id)  # a star is a vote
            added = await conn.execute(
                self._db.insert_ignore(STARS).values(
                    group_id=group_id, seq=message.seq, user_id=user_id, ts=now_ms()
                )
            )
            stars = await star_count(conn, group_id, message.seq)
            post = await post_of(conn, group_id, message.seq)
            post_id: str | None = None
            fresh = False
            if post is not None and not post.deleted:
                post_id = post.id
            elif access.manager:
                post_id, fresh = await promote(
                    self._db, conn, circle_id, message_source(message), post
                )
            elif post is None and await votes_carry(conn, circle, message, stars):
                post_id, fresh = await promote(
                    self._db, conn, circle_id, message_source(message), None
                )
            if added.rowcount or fresh:
                await _record_stars(conn, circle, message, stars, user_id, True, post_id)
            if fresh and post_id is not None:
                await record_post(conn, circle_id, "post.promoted", post_id)
            found = None if post_id is None else await read_post(conn, post_id, user_id)
            return stars, found, fresh

    async def unstar(
        self, circle_id: str, seq: int, user_id: str, group_id: str | None = None
    ) -> int:
        """Withdraw a star (a promoted post stays); returns the message's star count.

        The errors of ``star``."""
        group_id = circle_id if group_id is None else group_id
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            group = await group_row(conn, group_id, circle_id)
            access = await access_of(conn, circle, group, user_id)
            message = await message_row(conn, circle, access, seq)
            removed = await conn.execute(
                delete(STARS).where(
                    STARS.c.group_id == group_id,
                    STARS.c.seq == message.seq,
                    STARS.c.user_id == user_id,
                )
            )
            stars = await star_count(conn, group_id, message.seq)
            if removed.rowcount:
                post = await post_of(conn, group_id, message.seq)
                live = None if post is None or post.deleted else post.id
                await _record_stars(conn, circle, message, stars, user_id, False, live)
            return stars

    async def count(self, group_id: str, seq: int) -> int:
        """A message's star count (a circle's id is its general group's)."""
        async with self._db.read() as conn:
            return await star_count(conn, group_id, seq)


async def _record_stars(
    conn: AsyncConnection,
    circle: AnyRow,
    message: AnyRow,
    stars: int,
    user_id: str,
    starred: bool,
    post_id: str | None,
) -> None:
    await record(
        conn,
        circle.id,
        "message.starred",
        {
            "group": message.group_id,
            "seq": message.seq,
            "stars": stars,
            "threshold": circle.promote_threshold,
            "user": user_id,
            "starred": starred,
            "post": post_id,
        },
    )
