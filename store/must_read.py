"""Must-reads: posts every member is asked to acknowledge, and who has.

A post's ``must_read_version`` goes up when it becomes must-read and on every
edit while it is one; an ack counts for the version it acknowledged. So an
edit asks everyone again without deleting a row, and receipts are one query:
the circle's members LEFT JOIN the acks of the current version. The post's
author is never asked (nor listed): they wrote it.

An ack is logged as ``post.acked`` with the counts; the server shows it only
to the post's author and the circle's owners and admins.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import notification_rules, validation
from .changes import record, record_post
from .engine import Service
from .errors import Conflict
from .ids import now_ms
from .lookups import (
    next_cursor,
    next_post_time,
    oldest_first,
    post_row,
    read_post,
    require_manager,
    require_member,
)
from .models import ACKS, MEMBERSHIPS, POSTS, USERS
from .records import DISPLAY_NAME, AnyRow, Record, post_record, post_view

RECEIPTS_PAGE_MAX = 500


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
    return query.where(
        POSTS.c.circle_id.in_(circles),
        POSTS.c.must_read,
        ~POSTS.c.deleted,
        POSTS.c.author_id != user_id,
        ~acked,
    )


async def pending_counts(conn: AsyncConnection, user_id: str) -> dict[str, int]:
    """Unacknowledged must-reads per circle of the user (circles with none are absent)."""
    query = _pending_for(select(POSTS.c.circle_id, func.count()), user_id)
    rows = await conn.execute(query.group_by(POSTS.c.circle_id))
    return {row[0]: int(row[1]) for row in rows}


class MustReads(Service):
    """Flagging, acknowledging, receipts."""

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
                with notification_rules.acting(actor_id):
                    await record_post(conn, post.circle_id, "post.must_read", post.id)
            return await read_post(conn, post.id, actor_id)

    async def ack(self, post_id: str, user_id: str) -> Record:
        """A member acknowledges the current version of a must-read (twice is once)."""
        async with self._db.write() as conn:
            post = await post_row(conn, post_id, lock=True)
            await require_member(conn, post.circle_id, user_id)
            if not post.must_read:
                raise Conflict("this post is not a must-read")
            if post.author_id == user_id:
                return await read_post(conn, post.id, user_id)  # the author is not asked
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
                result = await conn.execute(
                    self._db.insert_ignore(ACKS).values(
                        post_id=post.id, user_id=user_id, version=version, at=at
                    )
                )
            if result.rowcount:
                await _record_ack(conn, post, user_id, at)
            return await read_post(conn, post.id, user_id)

    async def receipts(
        self, post_id: str, actor_id: str, cursor: str | None = None, limit: int = 200
    ) -> Record:
        """Who acknowledged the current version and who has not yet (owner/admin), a
        page of members at a time in joining order (acked ones earliest first within
        the page), with the counts over the whole circle and the next page's cursor."""
        limit = validation.limit(limit, high=RECEIPTS_PAGE_MAX)
        async with self._db.read() as conn:
            post = await post_row(conn, post_id)
            await require_manager(conn, post.circle_id, actor_id)
            if not post.must_read:
                raise Conflict("this post is not a must-read")
            query = (
                select(MEMBERSHIPS.c.user_id, MEMBERSHIPS.c.joined, DISPLAY_NAME, ACKS.c.at)
                .select_from(
                    MEMBERSHIPS.join(USERS, USERS.c.id == MEMBERSHIPS.c.user_id).outerjoin(
                        ACKS, _current_ack(post)
                    )
                )
                .where(
                    MEMBERSHIPS.c.circle_id == post.circle_id,
                    MEMBERSHIPS.c.user_id != post.author_id,
                )
            )
            query = oldest_first(query, MEMBERSHIPS.c.joined, MEMBERSHIPS.c.user_id, cursor, limit)
            rows = (await conn.execute(query)).all()
            acked_count, pending_count = await _counts(conn, post)
        page = rows[:limit]
        acked = [
            {"id": r.user_id, "name": r.display_name, "at": r.at} for r in page if r.at is not None
        ]
        acked.sort(key=lambda entry: entry["at"])
        pending = [{"id": r.user_id, "name": r.display_name} for r in page if r.at is None]
        return {
            "acked": acked,
            "pending": pending,
            "counts": {"acked": acked_count, "pending": pending_count},
            "next": next_cursor(rows, limit, "joined", "user_id"),
        }

    async def pending_must_reads(self, user_id: str) -> list[Record]:
        """The user's unacknowledged must-reads over all their circles, newest first."""
        query = _pending_for(post_view(user_id), user_id).order_by(
            POSTS.c.created.desc(), POSTS.c.id.desc()
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        return [post_record(row) for row in rows]


def _current_ack(post: AnyRow) -> Any:
    """A member's ack of the post's current version (to LEFT JOIN on memberships)."""
    return and_(
        ACKS.c.post_id == post.id,
        ACKS.c.user_id == MEMBERSHIPS.c.user_id,
        ACKS.c.version >= post.must_read_version,
    )


async def _counts(conn: AsyncConnection, post: AnyRow) -> tuple[int, int]:
    """(acknowledged, still pending) over the circle's members, the author aside."""
    query = (
        select(func.count(), func.count(ACKS.c.at))
        .select_from(MEMBERSHIPS.outerjoin(ACKS, _current_ack(post)))
        .where(MEMBERSHIPS.c.circle_id == post.circle_id, MEMBERSHIPS.c.user_id != post.author_id)
    )
    members, acked = (await conn.execute(query)).one()
    return int(acked), int(members) - int(acked)


async def _record_ack(conn: AsyncConnection, post: AnyRow, user_id: str, at: int) -> None:
    name = (
        await conn.execute(
            select(DISPLAY_NAME)
            .select_from(MEMBERSHIPS.join(USERS, USERS.c.id == MEMBERSHIPS.c.user_id))
            .where(MEMBERSHIPS.c.circle_id == post.circle_id, MEMBERSHIPS.c.user_id == user_id)
        )
    ).scalar_one()
    acked, pending = await _counts(conn, post)
    await record(
        conn,
        post.circle_id,
        "post.acked",
        {
            "post": post.id,
            "author": post.author_id,
            "user": {"id": user_id, "name": name},
            "at": at,
            "acked": acked,
            "pending": pending,
        },
    )
