"""The circle change log: what changed on a circle's durable side, in rev order.

Every write path that changes what members see (posts, pins, must-reads and
acks, comments, likes, stars and vetoes, members, settings) calls ``record``
inside its transaction. ``record`` takes the circle's next ``rev`` with
``UPDATE circles SET last_rev = last_rev + 1 … RETURNING``: the row lock
makes revs follow commit order, with no gap and no duplicate, on SQLite and on
PostgreSQL nodes alike (the same guarantee chat has by seq). The write
transaction (``engine.Database.write``) hands the changes it recorded to the
store's ``on_changes`` callback once it has committed: nothing is told before
its commit, and the store publishes nothing itself.

``data`` is the change as the event's fields (kind by kind, as
``protocol/README.md`` lists them), kept as JSON text so a reconnecting client
can ask for everything after the last rev it saw (``Changes.after``). The log
is pruned by age (``prune``); a cursor older than what is kept gets ``reset``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import notification_rules, point_awards, validation, webhook_outbox
from .engine import Service, recorder
from .errors import NotFound
from .ids import now_ms
from .lookups import circle_row, read_post, require_visible, role_of
from .models import CHANGES, CIRCLES, GROUPS
from .records import Record, shared_post

# Every kind of change, by noun: the server turns each into a typed event.
KINDS = (
    "post.created",
    "post.promoted",
    "post.edited",
    "post.deleted",
    "post.pinned",
    "post.unpinned",
    "pins.reordered",
    "post.must_read",
    "post.acked",
    "post.liked",
    "comment.added",
    "comment.edited",
    "comment.deleted",
    "message.starred",
    "message.vetoed",
    "message.deleted",
    "message.edited",
    "member.joined",
    "member.left",
    "member.removed",
    "member.updated",
    "circle.updated",
    "circle.deleted",
    "join.requested",
    "join.decided",
    "group.created",
    "group.updated",
    "group.joined",
    "group.left",
    "group.requested",
    "reaction.changed",
    "poll.created",
    "poll.voted",
    "poll.closed",
    "report.filed",
    "report.resolved",
    "follow.added",
    "follow.removed",
    "reminder",
    "points.rules",
    "contest.created",
    "contest.entered",
    "contest.voted",
    "contest.announced",
    "gathering.created",
    "gathering.updated",
    "gathering.cancelled",
    "rsvp.changed",
    "challenge.created",
    "challenge.joined",
    "checkin.added",
    "checkin.edited",
    "checkin.invalidated",
    "checkin.reviewed",
    "assignment.created",
    "assignment.updated",
    "assignment.deleted",
    "submission.updated",
    "submission.reviewed",
    "submission.commented",
    "submission.liked",
    "lesson.created",
    "lesson.updated",
    "lesson.deleted",
    "lessons.reordered",
    "lesson.live",
    "lesson.ended",
)
PAGE_MAX = 1000
BATCH_MAX = 10_000


@dataclass(frozen=True, slots=True)
class Change:
    """One committed change of a circle: its place in the circle's log and its data."""

    circle: str
    rev: int
    ts: int
    kind: str
    data: Record


OnChanges = Callable[[list[Change]], None]
# What follows logged changes inside their write transaction: each follower is
# handed the changes one call of ``record`` / ``record_many`` logged (one kind,
# consecutive revs) and picks the kinds it cares about. Points
# (store/point_awards.py), notifications (store/notification_rules.py) and the
# webhooks' outbox (store/webhook_outbox.py); a feature that reacts to changes adds
# itself here.
Follower = Callable[[AsyncConnection, list[Change]], Awaitable[None]]
FOLLOWERS: tuple[Follower, ...] = (
    point_awards.follow,
    notification_rules.follow,
    webhook_outbox.follow,
)


async def record(conn: AsyncConnection, circle_id: str, kind: str, data: Record) -> Change:
    """Log a change of the circle in the running write transaction; returns it."""
    changes = recorder()
    if kind not in KINDS:
        raise ValueError(f"unknown change kind {kind!r}")
    rev = (
        await conn.execute(
            update(CIRCLES)
            .where(CIRCLES.c.id == circle_id)
            .values(last_rev=CIRCLES.c.last_rev + 1)
            .returning(CIRCLES.c.last_rev)
        )
    ).scalar_one()
    change = Change(circle_id, int(rev), now_ms(), kind, data)
    await conn.execute(
        CHANGES.insert().values(
            circle_id=circle_id,
            rev=change.rev,
            ts=change.ts,
            kind=kind,
            data=orjson.dumps(data).decode(),
        )
    )
    for follower in FOLLOWERS:
        await follower(conn, [change])
    changes.append(change)
    return change


async def record_many(
    conn: AsyncConnection, circle_id: str, kind: str, datas: list[Record]
) -> list[Change]:
    """Log several changes of one kind in the running write transaction, with
    consecutive revs (two statements, however many: a batch of erasures)."""
    if not datas:
        return []
    changes = recorder()
    if kind not in KINDS:
        raise ValueError(f"unknown change kind {kind!r}")
    last = (
        await conn.execute(
            update(CIRCLES)
            .where(CIRCLES.c.id == circle_id)
            .values(last_rev=CIRCLES.c.last_rev + len(datas))
            .returning(CIRCLES.c.last_rev)
        )
    ).scalar_one()
    first, ts = int(last) - len(datas) + 1, now_ms()
    made = [Change(circle_id, first + i, ts, kind, data) for i, data in enumerate(datas)]
    await conn.execute(
        CHANGES.insert(),
        [
            {
                "circle_id": circle_id,
                "rev": c.rev,
                "ts": c.ts,
                "kind": kind,
                "data": orjson.dumps(c.data).decode(),
            }
            for c in made
        ],
    )
    for follower in FOLLOWERS:
        await follower(conn, made)
    changes.extend(made)
    return made


async def record_post(conn: AsyncConnection, circle_id: str, kind: str, post_id: str) -> Change:
    """Log a change of one post, carrying the post as everyone sees it."""
    post = shared_post(await read_post(conn, post_id, None))
    return await record(conn, circle_id, kind, {"post": post})


async def forget_edits(conn: AsyncConnection, group_id: str, seq: int) -> None:
    """Empty the text of the logged edits of a message taken back (its tombstone
    must not be readable in a catch-up either)."""
    circle_id = (
        await conn.execute(select(GROUPS.c.circle_id).where(GROUPS.c.id == group_id))
    ).scalar()
    # ``message.edited`` data starts with its group and seq (orjson keeps the order).
    prefix = orjson.dumps({"group": group_id, "seq": seq}).decode()[:-1] + ","
    rows = await conn.execute(
        select(CHANGES.c.rev, CHANGES.c.data).where(
            CHANGES.c.circle_id == circle_id,
            CHANGES.c.kind == "message.edited",
            CHANGES.c.data.startswith(prefix, autoescape=True),
        )
    )
    for row in rows.all():
        data = orjson.loads(row.data)
        data["text"] = ""
        await conn.execute(
            update(CHANGES)
            .where(CHANGES.c.circle_id == circle_id, CHANGES.c.rev == row.rev)
            .values(data=orjson.dumps(data).decode())
        )


@dataclass(frozen=True, slots=True)
class ChangePage:
    """What ``Changes.after`` answers a member: the changes, where the log ends now,
    whether there are more, whether the cursor was older than the log (``reset``),
    and the viewer's role (for the server's per-viewer filter)."""

    changes: list[Change]
    last_rev: int
    more: bool
    reset: bool
    role: str | None


class Changes(Service):
    """Reading and pruning the change log."""

    async def after(
        self, circle_id: str, viewer_id: str | None, after_rev: int, limit: int = 200
    ) -> ChangePage:
        """The circle's changes with rev > ``after_rev``, oldest first, for a viewer
        who may see the circle (``Forbidden`` for a private one otherwise)."""
        after_rev = validation.integer(after_rev, "after", 0)
        limit = validation.limit(limit, high=PAGE_MAX)
        async with self._db.read() as conn:
            circle = await circle_row(conn, circle_id)
            await require_visible(conn, circle, viewer_id)
            role = None if viewer_id is None else await role_of(conn, circle_id, viewer_id)
            oldest = (
                await conn.execute(
                    select(func.min(CHANGES.c.rev)).where(CHANGES.c.circle_id == circle_id)
                )
            ).scalar()
            rows = await _rows(conn, circle_id, after_rev, limit + 1)
        last_rev = int(circle.last_rev)
        first_kept = last_rev + 1 if oldest is None else int(oldest)
        if after_rev < min(first_kept - 1, last_rev):
            return ChangePage([], last_rev, False, True, role)
        return ChangePage(rows[:limit], last_rev, len(rows) > limit, False, role)

    async def since(self, circle_id: str, after_rev: int, limit: int) -> list[Change]:
        """Every change after ``after_rev`` whoever may see it (a node filling the gap
        of its live feed; it filters per connection)."""
        async with self._db.read() as conn:
            return await _rows(conn, circle_id, after_rev, validation.limit(limit, high=PAGE_MAX))

    async def last_revs(self, circle_ids: list[str]) -> dict[str, int]:
        """Several circles' last revs in one query (unknown circles are absent)."""
        if not circle_ids:
            return {}
        query = select(CIRCLES.c.id, CIRCLES.c.last_rev).where(CIRCLES.c.id.in_(circle_ids))
        async with self._db.read() as conn:
            return {row.id: int(row.last_rev) for row in await conn.execute(query)}

    async def last_rev(self, circle_id: str) -> int:
        revs = await self.last_revs([circle_id])
        if circle_id not in revs:
            raise NotFound("no such circle")
        return revs[circle_id]

    async def prune(self, before_ms: int, batch: int = 500) -> int:
        """Delete up to ``batch`` changes older than ``before_ms``; returns how many.
        Each circle keeps its newest change, so its log never looks empty."""
        before_ms = validation.integer(before_ms, "before_ms", 0)
        batch = validation.integer(batch, "batch", 1, BATCH_MAX)
        newest = (
            select(CHANGES.c.circle_id, func.max(CHANGES.c.rev).label("rev"))
            .group_by(CHANGES.c.circle_id)
            .subquery()
        )
        old = (
            select(CHANGES.c.circle_id, CHANGES.c.rev)
            .join(newest, newest.c.circle_id == CHANGES.c.circle_id)
            .where(CHANGES.c.ts < before_ms, CHANGES.c.rev < newest.c.rev)
            .order_by(CHANGES.c.ts, CHANGES.c.rev)
            .limit(batch)
        )
        async with self._db.read() as conn:
            due = (await conn.execute(old)).all()
        if not due:
            return 0
        by_circle: dict[str, int] = {}
        for row in due:
            by_circle[row.circle_id] = max(by_circle.get(row.circle_id, 0), int(row.rev))
        deleted = 0
        # A prefix of each log goes (rev ≤ the newest old one), never a hole in it:
        # a catch-up must not skip a change that a clock step kept behind.
        async with self._db.write() as conn:
            for circle_id, up_to in by_circle.items():
                result = await conn.execute(
                    delete(CHANGES).where(CHANGES.c.circle_id == circle_id, CHANGES.c.rev <= up_to)
                )
                deleted += int(result.rowcount)
        return deleted


async def _rows(conn: AsyncConnection, circle_id: str, after_rev: int, limit: int) -> list[Change]:
    query = (
        select(CHANGES.c.rev, CHANGES.c.ts, CHANGES.c.kind, CHANGES.c.data)
        .where(CHANGES.c.circle_id == circle_id, CHANGES.c.rev > after_rev)
        .order_by(CHANGES.c.rev)
        .limit(limit)
    )
    rows = (await conn.execute(query)).all()
    return [_change(circle_id, row) for row in rows]


def _change(circle_id: str, row: Any) -> Change:
    return Change(circle_id, int(row.rev), int(row.ts), row.kind, orjson.loads(row.data))
