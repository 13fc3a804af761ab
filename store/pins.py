"""Pins: the circle's front shelf, at most ``MAX_PINS`` posts, in the owners' order.

A pin may carry an expiry (``pinned_until``); ``expire_pins`` (run by the
server every second or so) unpins what is due. Every pin change is logged
(``changes.record``).
Every pin change goes through the circle's lock (``lookups.circle_row``), so
two admins pinning at once on two nodes cannot pass the cap together.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import ids, validation
from .changes import record, record_post
from .engine import Service
from .errors import Conflict, Invalid
from .lookups import circle_row, next_post_time, post_row, read_post, require_manager
from .models import POSTS
from .records import Record, post_record, post_view, shared_post

MAX_PINS = 10
# A pin's expiry stays within ten years: beyond that it is a permanent pin.
UNTIL_MAX_MS = 10 * 365 * 86_400_000

# What unpinning writes (besides ``updated``).
_UNPINNED: dict[str, Any] = {"pinned": False, "pin_order": None, "pinned_until": None}


async def next_pin_order(conn: AsyncConnection, circle_id: str) -> int | None:
    """The pin_order for one more pin (after the last), or None when the circle is full."""
    query = select(func.count(), func.max(POSTS.c.pin_order)).where(
        POSTS.c.circle_id == circle_id, POSTS.c.pinned, ~POSTS.c.deleted
    )
    count, last = (await conn.execute(query)).one()
    if count >= MAX_PINS:
        return None
    return (last or 0) + 1


class Pins(Service):
    """Pinning, unpinning, ordering and expiring pins."""

    async def pin(self, post_id: str, actor_id: str, until: int | None = None) -> Record:
        """Pin a post (owner/admin), optionally until a time (ms) in the future.

        Pinning a pinned post keeps its place and sets the new expiry.
        """
        now = ids.now_ms()
        if until is not None:
            until = validation.integer(until, "until", 0, now + UNTIL_MAX_MS)
            if until <= now:
                raise Invalid("until must be in the future")
        async with self._db.write() as conn:
            post = await post_row(conn, post_id, lock=True)
            await require_manager(conn, post.circle_id, actor_id)
            order = post.pin_order if post.pinned else await next_pin_order(conn, post.circle_id)
            if order is None:
                raise Conflict(f"a circle has at most {MAX_PINS} pinned posts; unpin one first")
            await conn.execute(
                update(POSTS)
                .where(POSTS.c.id == post.id)
                .values(
                    pinned=True,
                    pin_order=order,
                    pinned_until=until,
                    updated=await next_post_time(conn, post.circle_id),
                )
            )
            await record_post(conn, post.circle_id, "post.pinned", post.id)
            return await read_post(conn, post.id, actor_id)

    async def unpin(self, post_id: str, actor_id: str) -> Record:
        """Unpin a post (owner/admin); a no-op for an unpinned one."""
        async with self._db.write() as conn:
            post = await post_row(conn, post_id, lock=True)
            await require_manager(conn, post.circle_id, actor_id)
            if post.pinned:
                await conn.execute(
                    update(POSTS)
                    .where(POSTS.c.id == post.id)
                    .values(**_UNPINNED, updated=await next_post_time(conn, post.circle_id))
                )
                await record_post(conn, post.circle_id, "post.unpinned", post.id)
            return await read_post(conn, post.id, actor_id)

    async def reorder_pins(self, circle_id: str, actor_id: str, order: list[str]) -> list[Record]:
        """Set the order of the pinned posts (owner/admin); ``order`` lists each exactly once."""
        if not isinstance(order, list) or not all(isinstance(i, str) for i in order):
            raise Invalid("order must be a list of post ids")
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            query = select(POSTS.c.id, POSTS.c.pin_order).where(
                POSTS.c.circle_id == circle_id, POSTS.c.pinned, ~POSTS.c.deleted
            )
            current = {row.id: row.pin_order for row in await conn.execute(query)}
            if len(order) != len(current) or set(order) != set(current):
                raise Invalid("order must list every pinned post of the circle exactly once")
            moved = [
                {"post": post_id, "position": i}
                for i, post_id in enumerate(order, start=1)
                if current[post_id] != i
            ]
            if moved:
                updated = await next_post_time(conn, circle_id)
                await conn.execute(
                    update(POSTS)
                    .where(POSTS.c.id == bindparam("post"))
                    .values(pin_order=bindparam("position"), updated=updated),
                    moved,
                )
            rows = (
                await conn.execute(
                    post_view(actor_id)
                    .where(POSTS.c.circle_id == circle_id, POSTS.c.pinned, ~POSTS.c.deleted)
                    .order_by(POSTS.c.pin_order)
                )
            ).all()
            pinned = [post_record(row) for row in rows]
            if moved:
                await record(
                    conn,
                    circle_id,
                    "pins.reordered",
                    {"order": order, "posts": [shared_post(post) for post in pinned]},
                )
        return pinned

    async def expire_pins(self, now_ms: int | None = None) -> list[Record]:
        """Unpin every pin whose ``pinned_until`` ≤ now, in every circle; returns the
        unpinned posts (viewer-neutral). Each is logged as ``post.unpinned``."""
        now = ids.now_ms() if now_ms is None else validation.integer(now_ms, "now_ms", 0)
        due = select(POSTS.c.id, POSTS.c.circle_id).where(
            POSTS.c.pinned_until <= now, POSTS.c.pinned
        )
        async with self._db.read() as conn:
            by_circle: defaultdict[str, list[str]] = defaultdict(list)
            for row in await conn.execute(due):
                by_circle[row.circle_id].append(row.id)
        expired: list[Record] = []
        for circle_id, post_ids in by_circle.items():
            expired.extend(await self._expire_in(circle_id, post_ids, now))
        return expired

    async def _expire_in(self, circle_id: str, post_ids: list[str], now: int) -> list[Record]:
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            # Re-checked under the lock: the pin may have been renewed or removed since.
            still_due = (
                POSTS.c.id.in_(post_ids),
                POSTS.c.pinned,
                POSTS.c.pinned_until <= now,
            )
            result = await conn.execute(
                update(POSTS)
                .where(*still_due)
                .values(**_UNPINNED, updated=await next_post_time(conn, circle_id))
                .returning(POSTS.c.id)
            )
            unpinned = sorted(row.id for row in result)
            return [
                (await record_post(conn, circle_id, "post.unpinned", post_id)).data["post"]
                for post_id in unpinned
            ]
