"""Chat: saying (through the group-commit writer), reading, read markers, vetoes.

Each chat group (``groups.Groups``) is a seq stream of its own; a circle's
general group has the circle's id, so a circle id is also a group id.

Stars are ``stars.Stars``'s.

Membership is the caller's job here: the server checks it (from its cache:
``Groups.access``) before it calls ``say``, ``star`` or ``history``. The reads are Core selects:
they sit on the hot paths (replay on join, history pages).
"""

from __future__ import annotations

import asyncio

from sqlalchemy import and_, case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import mentions, notification_rules, validation
from .batch import Addressed
from .changes import record
from .commit_queue import CommitQueue, CommitStats, Outcome
from .engine import Database
from .errors import NotFound
from .group_access import access_of, group_row
from .lookups import circle_row, message_row, require_manager
from .models import GROUP_MEMBERS, GROUPS, MEMBERSHIPS, MESSAGES, USERS, VETOES
from .records import MESSAGE_COLUMNS, Record, message_record

NONCE_MAX = 64
# The store's own ceiling (the frame limit); the server enforces text_chars.
TEXT_MAX = 65536
PAGE_MAX = 1000

# Messages with their group's circle and their author's display name in the
# circle. A former member keeps their account name (LEFT JOIN: the membership
# may be gone).
_MESSAGES_WITH_NAMES = (
    MESSAGES.join(GROUPS, GROUPS.c.id == MESSAGES.c.group_id)
    .join(USERS, USERS.c.id == MESSAGES.c.user_id)
    .outerjoin(
        MEMBERSHIPS,
        and_(
            MEMBERSHIPS.c.circle_id == GROUPS.c.circle_id,
            MEMBERSHIPS.c.user_id == MESSAGES.c.user_id,
        ),
    )
)


async def read_message(conn: AsyncConnection, group_id: str, seq: int) -> Record:
    """One stored message (a tombstone too) as clients see it; ``NotFound``."""
    query = (
        select(*MESSAGE_COLUMNS)
        .select_from(_MESSAGES_WITH_NAMES)
        .where(MESSAGES.c.group_id == group_id, MESSAGES.c.seq == seq)
    )
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound("no such message")
    return message_record(row)


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
        group_id: str | None = None,
        attachments: list[Record] | None = None,
        bot: bool = False,
    ) -> Outcome:
        """Store a message in the circle's group (default: its general group); returns
        ``(message, fresh)`` once it is committed.

        A known ``(user, nonce)`` returns the stored message with ``fresh=False``
        and stores nothing. ``NotFound`` for an unknown group. The caller has
        checked that the group is the circle's and the member may say there
        (``Groups.access``, cached by the server). ``attachments`` are the circle's,
        as clients see them (``Attachments.resolve``); with some, the text may be empty.
        Its mentions and reply notify their members (``addressed``).
        """
        notifies = await self.addressed(circle_id, group_id or circle_id, user_id, text, reply_to)
        return await self.enqueue(
            circle_id,
            user_id,
            author_name,
            text,
            nonce,
            reply_to,
            group_id,
            attachments,
            notifies,
            bot,
        )

    async def addressed(
        self, circle_id: str, group_id: str, user_id: str, text: str, reply_to: int | None
    ) -> Addressed | None:
        """Whom a message would notify (store/notification_rules.py): read before it
        is queued, only for a text with an ``@`` or a reply (None otherwise, at no cost)."""
        if not isinstance(text, str) or not (
            reply_to is None or (type(reply_to) is int and 1 <= reply_to <= validation.INT64_MAX)
        ):
            return None  # not a say: `enqueue` says why
        if reply_to is None and not mentions.starts(text):
            return None
        async with self._db.read() as conn:
            return await notification_rules.addressed(
                conn, circle_id, group_id, user_id, text, reply_to
            )

    def enqueue(
        self,
        circle_id: str,
        user_id: str,
        author_name: str,
        text: str,
        nonce: str,
        reply_to: int | None = None,
        group_id: str | None = None,
        attachments: list[Record] | None = None,
        addressed: Addressed | None = None,
        bot: bool = False,
    ) -> asyncio.Future[Outcome]:
        """`say` without waiting: queued now (in call order), resolved after the
        commit. Servers attach a callback instead of a task per message."""
        validation.text(circle_id, "circle", 1, 64)
        if group_id is None:
            group_id = circle_id
        else:
            validation.text(group_id, "group", 1, 64)
        validation.text(author_name, "name", 0, 256, strip=False)
        validation.text(text, "text", 0 if attachments else 1, TEXT_MAX, strip=False)
        validation.text(nonce, "nonce", 1, NONCE_MAX, strip=False)
        if reply_to is not None:
            validation.integer(reply_to, "reply_to", 1)
        return self._queue.submit(
            circle_id,
            group_id,
            user_id,
            author_name,
            text,
            nonce,
            reply_to,
            attachments,
            addressed,
            bot,
        )

    async def flush(self) -> None:
        """Wait until every say queued so far is committed; the writer keeps running."""
        await self._queue.flush()

    async def after(self, group_id: str, after_seq: int, limit: int) -> list[Record]:
        """The group's messages with seq > after_seq, oldest first (replay on join)."""
        after_seq = validation.integer(after_seq, "after_seq", 0)
        limit = validation.limit(limit, high=PAGE_MAX)
        query = (
            select(*MESSAGE_COLUMNS)
            .select_from(_MESSAGES_WITH_NAMES)
            .where(MESSAGES.c.group_id == group_id, MESSAGES.c.seq > after_seq)
            .order_by(MESSAGES.c.seq)
            .limit(limit)
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        return [message_record(row) for row in rows]

    async def history(
        self, group_id: str, before: int | None = None, limit: int = 50, min_seq: int = 0
    ) -> tuple[list[Record], bool]:
        """Up to ``limit`` messages of the group before seq ``before``, newest last;
        ``more`` when older ones exist. Only messages with seq > ``min_seq`` are
        visible: pass the member's ``GroupAccess.floor`` to hide what was said
        before they joined."""
        before = validation.optional_integer(before, "before", 0)
        min_seq = validation.integer(min_seq, "min_seq", 0)
        limit = validation.limit(limit, high=PAGE_MAX)
        query = (
            select(*MESSAGE_COLUMNS)
            .select_from(_MESSAGES_WITH_NAMES)
            .where(MESSAGES.c.group_id == group_id, MESSAGES.c.seq > min_seq)
            .order_by(MESSAGES.c.seq.desc())
            .limit(limit + 1)
        )
        if before is not None:
            query = query.where(MESSAGES.c.seq < before)
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        more = len(rows) > limit
        return [message_record(row) for row in reversed(rows[:limit])], more

    async def first_seq(self, group_id: str) -> int | None:
        """The oldest kept message's seq (None when there is none): gap detection."""
        query = select(func.min(MESSAGES.c.seq)).where(MESSAGES.c.group_id == group_id)
        async with self._db.read() as conn:
            value = (await conn.execute(query)).scalar()
        return None if value is None else int(value)

    async def last_seq(self, group_id: str) -> int:
        """The group's last seq (0 before its first message); ``NotFound``."""
        query = select(GROUPS.c.last_seq).where(GROUPS.c.id == group_id)
        async with self._db.read() as conn:
            value = (await conn.execute(query)).scalar()
        if value is None:
            raise NotFound("no such group")
        return int(value)

    async def last_seqs(self, group_ids: list[str]) -> dict[str, int]:
        """Several groups' last seqs in one query (unknown groups are absent)."""
        if not group_ids:
            return {}
        query = select(GROUPS.c.id, GROUPS.c.last_seq).where(GROUPS.c.id.in_(group_ids))
        async with self._db.read() as conn:
            return {row.id: int(row.last_seq) for row in await conn.execute(query)}

    async def mark_read(
        self, circle_id: str, user_id: str, seq: int, group_id: str | None = None
    ) -> int | None:
        """The member has read the group (default: general) up to ``seq``. Never moves
        backwards, never past its last seq. General's marker is the membership's.
        Returns the marker when it moved (read counts tell the others), else None."""
        seq = validation.integer(seq, "seq", 0)
        group_id = circle_id if group_id is None else group_id
        last = select(GROUPS.c.last_seq).where(GROUPS.c.id == group_id).scalar_subquery()
        if group_id == circle_id:
            table, where = MEMBERSHIPS, MEMBERSHIPS.c.circle_id == circle_id
        else:
            table, where = GROUP_MEMBERS, GROUP_MEMBERS.c.group_id == group_id
        async with self._db.write() as conn:
            result = await conn.execute(
                update(table)
                .where(
                    where,
                    table.c.user_id == user_id,
                    table.c.read_seq < seq,
                    table.c.read_seq < last,
                )
                .values(read_seq=case((last < seq, last), else_=seq))
            )
            if not result.rowcount:
                return None
            moved = await conn.execute(
                select(table.c.read_seq).where(where, table.c.user_id == user_id)
            )
            return int(moved.scalar_one())

    async def set_veto(
        self, circle_id: str, seq: int, actor_id: str, vetoed: bool, group_id: str | None = None
    ) -> None:
        """Owner/admin: keep a message from being promoted by members' votes (or allow it).

        Only a message the actor may see (``lookups.message_row``): an owner or admin
        who joined after it was said, in a circle that hides history, gets ``NotFound``.
        ``group_id`` defaults to the circle's general group.
        """
        group_id = circle_id if group_id is None else group_id
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            group = await group_row(conn, group_id, circle_id)
            await message_row(conn, circle, await access_of(conn, circle, group, actor_id), seq)
            if vetoed:
                result = await conn.execute(
                    self._db.insert_ignore(VETOES).values(group_id=group_id, seq=seq)
                )
            else:
                result = await conn.execute(
                    delete(VETOES).where(VETOES.c.group_id == group_id, VETOES.c.seq == seq)
                )
            if result.rowcount:
                await record(
                    conn,
                    circle_id,
                    "message.vetoed",
                    {"group": group_id, "seq": seq, "vetoed": vetoed},
                )

    async def is_vetoed(self, group_id: str, seq: int) -> bool:
        query = select(VETOES.c.seq).where(VETOES.c.group_id == group_id, VETOES.c.seq == seq)
        async with self._db.read() as conn:
            return (await conn.execute(query)).first() is not None
