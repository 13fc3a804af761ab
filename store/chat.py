"""Chat: saying (through the group-commit writer), reading, read markers, vetoes.

Stars are ``stars.Stars``'s.

Membership is the caller's job here: the server checks it (from its cache)
before it calls ``say``, ``star`` or ``history``. The reads are Core selects:
they sit on the hot paths (replay on join, history pages).
"""

from __future__ import annotations

import asyncio

from sqlalchemy import and_, case, delete, func, select, update

from . import validation
from .changes import record
from .commit_queue import CommitQueue, CommitStats, Outcome
from .engine import Database
from .errors import NotFound
from .lookups import circle_row, message_row, require_manager
from .models import CIRCLES, MEMBERSHIPS, MESSAGES, USERS, VETOES
from .records import MESSAGE_COLUMNS, Record, message_record

NONCE_MAX = 64
# The store's own ceiling (the frame limit); the server enforces text_chars.
TEXT_MAX = 65536
PAGE_MAX = 1000

# Messages with their author's display name in the circle. A former member
# keeps their account name (LEFT JOIN: the membership may be gone).
_MESSAGES_WITH_NAMES = MESSAGES.join(USERS, USERS.c.id == MESSAGES.c.user_id).outerjoin(
    MEMBERSHIPS,
    and_(
        MEMBERSHIPS.c.circle_id == MESSAGES.c.circle_id,
        MEMBERSHIPS.c.user_id == MESSAGES.c.user_id,
    ),
)


class Chat:
    def __init__(self, db: Database, commit_queue: CommitQueue) -> None:
        self._db = db
        self._queue = commit_queue

    @property
    def stats(self) -> CommitStats:
        """The group-commit writer's counters."""
        return self._queue.stats

    async def say(
        self,
        circle_id: str,
        user_id: str,
        author_name: str,
        text: str,
        nonce: str,
        reply_to: int | None = None,
    ) -> Outcome:
        """Store a message; returns ``(message, fresh)`` once it is committed.

        A known ``(user, nonce)`` returns the stored message with ``fresh=False``
        and stores nothing. ``NotFound`` for an unknown circle.
        """
        return await self.enqueue(circle_id, user_id, author_name, text, nonce, reply_to)

    def enqueue(
        self,
        circle_id: str,
        user_id: str,
        author_name: str,
        text: str,
        nonce: str,
        reply_to: int | None = None,
    ) -> asyncio.Future[Outcome]:
        """`say` without waiting: queued now (in call order), resolved after the
        commit. Servers attach a callback instead of a task per message."""
        validation.text(circle_id, "circle", 1, 64)
        validation.text(author_name, "name", 0, 256, strip=False)
        validation.text(text, "text", 1, TEXT_MAX, strip=False)
        validation.text(nonce, "nonce", 1, NONCE_MAX, strip=False)
        if reply_to is not None:
            validation.integer(reply_to, "reply_to", 1)
        return self._queue.submit(circle_id, user_id, author_name, text, nonce, reply_to)

    async def flush(self) -> None:
        """Wait until every say queued so far is committed; the writer keeps running."""
        await self._queue.flush()

    async def after(self, circle_id: str, after_seq: int, limit: int) -> list[Record]:
        """Messages with seq > after_seq, oldest first (replay on join)."""
        after_seq = validation.integer(after_seq, "after_seq", 0)
        limit = validation.limit(limit, high=PAGE_MAX)
        query = (
            select(*MESSAGE_COLUMNS)
            .select_from(_MESSAGES_WITH_NAMES)
            .where(MESSAGES.c.circle_id == circle_id, MESSAGES.c.seq > after_seq)
            .order_by(MESSAGES.c.seq)
            .limit(limit)
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        return [message_record(row) for row in rows]

    async def history(
        self, circle_id: str, before: int | None = None, limit: int = 50, min_seq: int = 0
    ) -> tuple[list[Record], bool]:
        """Up to ``limit`` messages before seq ``before``, newest last; ``more`` when older
        ones exist. Only messages with seq > ``min_seq`` are visible: pass the member's
        ``Membership.history_floor(circle)`` to hide what was said before they joined."""
        before = validation.optional_integer(before, "before", 0)
        min_seq = validation.integer(min_seq, "min_seq", 0)
        limit = validation.limit(limit, high=PAGE_MAX)
        query = (
            select(*MESSAGE_COLUMNS)
            .select_from(_MESSAGES_WITH_NAMES)
            .where(MESSAGES.c.circle_id == circle_id, MESSAGES.c.seq > min_seq)
            .order_by(MESSAGES.c.seq.desc())
            .limit(limit + 1)
        )
        if before is not None:
            query = query.where(MESSAGES.c.seq < before)
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        more = len(rows) > limit
        return [message_record(row) for row in reversed(rows[:limit])], more

    async def first_seq(self, circle_id: str) -> int | None:
        """The oldest kept message's seq (None when there is none): gap detection."""
        query = select(func.min(MESSAGES.c.seq)).where(MESSAGES.c.circle_id == circle_id)
        async with self._db.read() as conn:
            value = (await conn.execute(query)).scalar()
        return None if value is None else int(value)

    async def last_seq(self, circle_id: str) -> int:
        """The circle's last seq (0 before its first message); ``NotFound``."""
        query = select(CIRCLES.c.last_seq).where(CIRCLES.c.id == circle_id)
        async with self._db.read() as conn:
            value = (await conn.execute(query)).scalar()
        if value is None:
            raise NotFound("no such circle")
        return int(value)

    async def last_seqs(self, circle_ids: list[str]) -> dict[str, int]:
        """Several circles' last seqs in one query (unknown circles are absent)."""
        if not circle_ids:
            return {}
        query = select(CIRCLES.c.id, CIRCLES.c.last_seq).where(CIRCLES.c.id.in_(circle_ids))
        async with self._db.read() as conn:
            return {row.id: int(row.last_seq) for row in await conn.execute(query)}

    async def mark_read(self, circle_id: str, user_id: str, seq: int) -> None:
        """The member has read up to ``seq``. Never moves backwards, never past last_seq."""
        seq = validation.integer(seq, "seq", 0)
        last = select(CIRCLES.c.last_seq).where(CIRCLES.c.id == circle_id).scalar_subquery()
        async with self._db.write() as conn:
            await conn.execute(
                update(MEMBERSHIPS)
                .where(
                    MEMBERSHIPS.c.circle_id == circle_id,
                    MEMBERSHIPS.c.user_id == user_id,
                    MEMBERSHIPS.c.read_seq < seq,
                    MEMBERSHIPS.c.read_seq < last,
                )
                .values(read_seq=case((last < seq, last), else_=seq))
            )

    async def set_veto(self, circle_id: str, seq: int, actor_id: str, vetoed: bool) -> None:
        """Owner/admin: keep a message from being promoted by members' votes (or allow it).

        Only a message the actor may see (``lookups.message_row``): an owner or admin
        who joined after it was said, in a circle that hides history, gets ``NotFound``.
        """
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            await message_row(conn, circle, seq, actor_id)
            if vetoed:
                result = await conn.execute(
                    self._db.insert_ignore(VETOES).values(circle_id=circle_id, seq=seq)
                )
            else:
                result = await conn.execute(
                    delete(VETOES).where(VETOES.c.circle_id == circle_id, VETOES.c.seq == seq)
                )
            if result.rowcount:
                await record(conn, circle_id, "message.vetoed", {"seq": seq, "vetoed": vetoed})

    async def is_vetoed(self, circle_id: str, seq: int) -> bool:
        query = select(VETOES.c.seq).where(VETOES.c.circle_id == circle_id, VETOES.c.seq == seq)
        async with self._db.read() as conn:
            return (await conn.execute(query)).first() is not None
