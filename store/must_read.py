"""Must-reads: posts every member is asked to acknowledge, and who has.

A post's ``must_read_version`` goes up when it becomes must-read and on every
edit while it is one; an ack counts for the version it acknowledged. So an
edit asks everyone again without deleting a row, and receipts are one query:
the circle's members LEFT JOIN the acks of the current version.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .engine import Database
from .errors import Conflict
from .ids import now_ms
from .lookups import next_post_time, post_row, read_post, require_manager, require_member
from .models import ACKS, MEMBERSHIPS, POSTS, USERS
from .records import DISPLAY_NAME, Record, post_record, post_view


def _pending_for(query: Select[Any], user_id: str) -> Select[Any]:
    """Restrict a query over ``POSTS`` to the user's unacknowledged must-reads."""
    acked = (
        select(ACKS.c.post_id)
        .where(
            ACKS.c.post_id == POSTS.c.id,
            ACKS.c.user_id == user_id,
            ACKS.c.version >= POSTS.c.must_read_version,
        )
        .exists()
    )
    # IN (their circles) lets the (circle_id, must_read) index drive the lookup.
    circles = select(MEMBERSHIPS.c.circle_id).where(MEMBERSHIPS.c.user_id == user_id)
    return query.where(POSTS.c.circle_id.in_(circles), POSTS.c.must_read, ~POSTS.c.deleted, ~acked)


async def pending_counts(conn: AsyncConnection, user_id: str) -> dict[str, int]:
    """Unacknowledged must-reads per circle of the user (circles with none are absent)."""
    query = _pending_for(select(POSTS.c.circle_id, func.count()), user_id)
    rows = await conn.execute(query.group_by(POSTS.c.circle_id))
    return {row[0]: int(row[1]) for row in rows}


class MustReads:
    """Flagging, acknowledging, receipts (mixed into ``Posts``)."""

    _db: Database

    async def set_must_read(self, post_id: str, actor_id: str, flag: bool) -> Record:
        """Flag (or unflag) a post must-read (owner/admin). Flagging asks everyone
        to acknowledge, even those who acknowledged it before it was unflagged."""
        flag = validation.boolean(flag, "must_read")
        async with self._db.write() as conn:
            post = await post_row(conn, post_id, lock=True)
            await require_manager(conn, post.circle_id, actor_id)
            if flag != bool(post.must_read):
                version = post.must_read_version + 1 if flag else post.must_read_version
                await conn.execute(
                    update(POSTS)
                    .where(POSTS.c.id == post.id)
                    .values(
                        must_read=flag,
                        must_read_version=version,
                        updated=await next_post_time(conn, post.circle_id),
                    )
                )
            return await read_post(conn, post.id, actor_id)

    async def ack(self, post_id: str, user_id: str) -> Record:
        """A member acknowledges the current version of a must-read (twice is once)."""
        async with self._db.write() as conn:
            post = await post_row(conn, post_id)
            await require_member(conn, post.circle_id, user_id)
            if not post.must_read:
                raise Conflict("this post is not a must-read")
            version, at = post.must_read_version, now_ms()
            # An ack of an older version moves up; one of this version stays as it was.
            result = await conn.execute(
                update(ACKS)
                .where(
                    ACKS.c.post_id == post.id, ACKS.c.user_id == user_id, ACKS.c.version < version
                )
                .values(version=version, at=at)
            )
            if result.rowcount == 0:
                await conn.execute(
                    self._db.insert_ignore(ACKS).values(
                        post_id=post.id, user_id=user_id, version=version, at=at
                    )
                )
            return await read_post(conn, post.id, user_id)

    async def receipts(self, post_id: str, actor_id: str) -> Record:
        """Who acknowledged the current version (earliest first) and who has not yet
        (in joining order); owner/admin. One query over the members, however many."""
        async with self._db.read() as conn:
            post = await post_row(conn, post_id)
            await require_manager(conn, post.circle_id, actor_id)
            if not post.must_read:
                raise Conflict("this post is not a must-read")
            current_ack = and_(
                ACKS.c.post_id == post.id,
                ACKS.c.user_id == MEMBERSHIPS.c.user_id,
                ACKS.c.version >= post.must_read_version,
            )
            query = (
                select(MEMBERSHIPS.c.user_id, DISPLAY_NAME, ACKS.c.at)
                .select_from(
                    MEMBERSHIPS.join(USERS, USERS.c.id == MEMBERSHIPS.c.user_id).outerjoin(
                        ACKS, current_ack
                    )
                )
                .where(MEMBERSHIPS.c.circle_id == post.circle_id)
                .order_by(MEMBERSHIPS.c.joined, MEMBERSHIPS.c.user_id)
            )
            rows = (await conn.execute(query)).all()
        acked = [
            {"id": r.user_id, "name": r.display_name, "at": r.at} for r in rows if r.at is not None
        ]
        acked.sort(key=lambda entry: entry["at"])
        pending = [{"id": r.user_id, "name": r.display_name} for r in rows if r.at is None]
        return {"acked": acked, "pending": pending}

    async def pending_must_reads(self, user_id: str) -> list[Record]:
        """The user's unacknowledged must-reads over all their circles, newest first."""
        query = _pending_for(post_view(user_id), user_id).order_by(
            POSTS.c.created.desc(), POSTS.c.id.desc()
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        return [post_record(row) for row in rows]
