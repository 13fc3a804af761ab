"""Following a public circle without joining it.

A follower gets the circle's feed (its posts and highlights, live while
connected: ``server/members.py``) but not its chat, and is not a member:
``circles.follower_count`` moves apart from ``member_count``, in the same
transaction as the follow, so reading a circle never counts rows. Only a
public circle can be followed (a private one answers as it answers any
non-member: ``Forbidden``); a banned user cannot follow; a member is told
``Conflict`` (reason ``already_member``): they have the feed already.

Joining ends the follow (``memberships.admit`` calls ``end_follow``): a follower
becomes a member by the normal join and is never counted twice; leaving does
not follow again. A ban ends it too. Every follow and unfollow is logged
(``follow.added``, ``follow.removed``) with the user and the new count: only
that user sees the event (their other sockets, and every node, learn it from
it), so a write never does per-follower work and members are not told of
510,000 fans one by one.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .changes import record
from .engine import Service
from .errors import Conflict, NotFound
from .ids import now_ms
from .lookups import (
    check_not_banned,
    circle_row,
    contains,
    newest_first_by,
    next_cursor,
    require_manager,
    require_visible,
    role_of,
)
from .models import CIRCLES, FOLLOWS, USERS
from .records import CIRCLE_COLUMNS, AnyRow, Record, circle_record

PAGE_MAX = 200
QUERY_MAX = 64
# Why a follow ended (``follow.removed``'s ``reason``).
REASONS = ("unfollowed", "joined", "banned")


def follow_state(following: bool, followers: int) -> Record:
    return {"following": following, "followers": followers}


async def is_following(conn: AsyncConnection, circle_id: str, user_id: str) -> bool:
    query = select(FOLLOWS.c.user_id).where(
        FOLLOWS.c.circle_id == circle_id, FOLLOWS.c.user_id == user_id
    )
    return (await conn.execute(query)).first() is not None


async def following_among(conn: AsyncConnection, user_id: str, circle_ids: list[str]) -> set[str]:
    """Which of these circles the user follows (one query for a page of them)."""
    if not circle_ids:
        return set()
    query = select(FOLLOWS.c.circle_id).where(
        FOLLOWS.c.user_id == user_id, FOLLOWS.c.circle_id.in_(circle_ids)
    )
    return {str(row.circle_id) for row in await conn.execute(query)}


async def end_follow(conn: AsyncConnection, circle_id: str, user_id: str, reason: str) -> bool:
    """End the user's follow of the circle if there is one (in the caller's
    transaction, the circle's row locked): the count moves and ``follow.removed``
    is logged. True when there was one."""
    result = await conn.execute(
        delete(FOLLOWS).where(FOLLOWS.c.circle_id == circle_id, FOLLOWS.c.user_id == user_id)
    )
    if not result.rowcount:
        return False
    count = await _count_followers(conn, circle_id, -1)
    data = {"user": user_id, "followers": count, "reason": reason}
    await record(conn, circle_id, "follow.removed", data)
    return True


async def _count_followers(conn: AsyncConnection, circle_id: str, delta: int) -> int:
    result = await conn.execute(
        update(CIRCLES)
        .where(CIRCLES.c.id == circle_id)
        .values(follower_count=CIRCLES.c.follower_count + delta)
        .returning(CIRCLES.c.follower_count)
    )
    return int(result.scalar_one())


def follower_record(row: AnyRow) -> Record:
    return {"user": row.user_id, "name": row.name, "handle": row.handle, "since": row.created}


class Follows(Service):
    """Follow and unfollow; a circle's followers (owners, admins); a user's follows."""

    async def follow(self, circle_id: str, user_id: str) -> Record:
        """Follow a public circle (idempotent): ``{"following": true, "followers"}``.
        ``Forbidden`` for a private circle (reason-less, as for any non-member) and
        for a banned user (reason ``banned``); ``Conflict`` (``already_member``)
        for a member."""
        try:
            async with self._db.write() as conn:
                circle = await circle_row(conn, circle_id, lock=True)
                await require_visible(conn, circle, user_id)
                if await role_of(conn, circle_id, user_id) is not None:
                    raise Conflict(
                        "you are a member of this circle: its feed is yours already",
                        reason="already_member",
                    )
                await check_not_banned(conn, circle_id, user_id)
                if await is_following(conn, circle_id, user_id):
                    return follow_state(True, int(circle.follower_count))
                await conn.execute(
                    FOLLOWS.insert().values(circle_id=circle_id, user_id=user_id, created=now_ms())
                )
                count = await _count_followers(conn, circle_id, +1)
                await record(conn, circle_id, "follow.added", {"user": user_id, "followers": count})
                return follow_state(True, count)
        except IntegrityError:
            # A concurrent follow of the same user won (idempotent), or no such user.
            async with self._db.read() as conn:
                if not await is_following(conn, circle_id, user_id):
                    raise NotFound("no such user") from None
                circle = await circle_row(conn, circle_id)
            return follow_state(True, int(circle.follower_count))

    async def unfollow(self, circle_id: str, user_id: str) -> Record:
        """Stop following (idempotent): ``{"following": false, "followers"}``."""
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            if await end_follow(conn, circle_id, user_id, "unfollowed"):
                circle = await circle_row(conn, circle_id)
            return follow_state(False, int(circle.follower_count))

    async def followers(
        self,
        circle_id: str,
        viewer_id: str,
        cursor: str | None = None,
        limit: int = 50,
        query: str | None = None,
    ) -> tuple[list[Record], str | None]:
        """A page of the circle's followers, newest first, for its owners and admins;
        ``query`` keeps those whose name or login name contains it (any script)."""
        limit = validation.limit(limit, high=PAGE_MAX)
        select_ = (
            select(FOLLOWS.c.user_id, FOLLOWS.c.created, USERS.c.name, USERS.c.handle)
            .join(USERS, USERS.c.id == FOLLOWS.c.user_id)
            .where(FOLLOWS.c.circle_id == circle_id)
        )
        if query:
            words = validation.text(query, "q", 1, QUERY_MAX)
            select_ = select_.where(contains(USERS.c.name + " " + USERS.c.handle, words))
        select_ = newest_first_by(select_, FOLLOWS.c.created, FOLLOWS.c.user_id, cursor, limit)
        async with self._db.read() as conn:
            await circle_row(conn, circle_id)
            await require_manager(conn, circle_id, viewer_id)
            rows = (await conn.execute(select_)).all()
        return [follower_record(row) for row in rows[:limit]], next_cursor(
            rows, limit, "created", "user_id"
        )

    async def following(
        self, user_id: str, cursor: str | None = None, limit: int = 50
    ) -> tuple[list[Record], str | None]:
        """A page of the circles the user follows, newest follow first: each circle
        with ``following`` true and ``followed`` (when)."""
        limit = validation.limit(limit, high=PAGE_MAX)
        select_ = (
            select(*CIRCLE_COLUMNS, FOLLOWS.c.created.label("followed"))
            .join(FOLLOWS, FOLLOWS.c.circle_id == CIRCLES.c.id)
            .where(FOLLOWS.c.user_id == user_id, CIRCLES.c.deleted.is_(None))
        )
        select_ = newest_first_by(select_, FOLLOWS.c.created, CIRCLES.c.id, cursor, limit)
        async with self._db.read() as conn:
            rows = (await conn.execute(select_)).all()
        circles = [
            {**circle_record(row), "following": True, "followed": row.followed}
            for row in rows[:limit]
        ]
        return circles, next_cursor(rows, limit, "followed", "id")

    async def circle_ids_of(self, user_id: str) -> list[str]:
        """Every circle the user follows (a connection's at hello)."""
        query = (
            select(FOLLOWS.c.circle_id)
            .join(CIRCLES, CIRCLES.c.id == FOLLOWS.c.circle_id)
            .where(FOLLOWS.c.user_id == user_id, CIRCLES.c.deleted.is_(None))
        )
        async with self._db.read() as conn:
            return [str(row.circle_id) for row in await conn.execute(query)]
