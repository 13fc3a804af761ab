"""The notification inbox: per member, across circles, what asks for their attention.

A notification is made inside the write transaction of what it is about
(``add``: one statement however many members), by the one place that maps
changes to notifications (store/notification_rules.py, following
``changes.record``) and by the group commit for chat's mentions and replies
(store/batch.py). The member's levels (store/notification_settings.py) decide
whether it is made at all; the store hands what it made to ``on_notifications``
after the commit (the server pushes each to its member's open connections on
every node). ``id`` only grows: a client pages back by it (``before``) and
catches up after a reconnect by it (``after``).

The away channels (server/away.py: Web Push, email) take the notifications not
handed to them yet (``due_away``: not read, the levels still allow them, the
member not in quiet hours) and mark them handed (``mark_away``). Reading one in
the inbox marks it handed too: nobody is pushed what they have seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import notification_settings, validation
from .engine import Service, notified
from .errors import Invalid
from .ids import now_ms
from .models import NOTIFICATIONS
from .notification_settings import KINDS, allows, quiet_now, settings_of_users
from .records import Record

PAGE_MAX = 200
# Notifications deleted per `prune` transaction, at most.
PRUNE_BATCH_MAX = 10_000
# What a notification quotes of a message, post or comment.
EXCERPT_MAX = 140
# Ids one mark_read may name.
MARK_MAX = 500
# Users looked at per away scan (those in quiet hours are passed over, not waited for).
AWAY_USERS_MAX = 2000

# The columns of a stored row, and one row's values (the group commit makes them too).
NOTE_COLUMNS = ("user_id", "circle_id", "actor_id", "kind", "about", "created")
Note = tuple[str, str, str | None, str, str, int]
# (user, circle, kind, about): one notification to make.
Item = tuple[str, str, str, Record]
# The service has a method named ``list``: inside it, these name the builtin's types.
Records = list[Record]
UserIds = list[str]
Ids = list[int]


def excerpt(text: object) -> str:
    """The start of a text, on one line, as a notification quotes it."""
    words = " ".join(str(text or "").split())
    return words if len(words) <= EXCERPT_MAX else words[: EXCERPT_MAX - 1] + "…"


def notification_record(row: Any) -> Record:
    """A notification as its member sees it."""
    return {
        "id": int(row.id),
        "circle": row.circle_id,
        "kind": row.kind,
        "about": orjson.loads(row.about),
        "created": int(row.created),
        "read": None if row.read_at is None else int(row.read_at),
    }


def _columns() -> list[Any]:
    c = NOTIFICATIONS.c
    return [c.id, c.user_id, c.circle_id, c.kind, c.about, c.created, c.read_at]


async def add(conn: AsyncConnection, items: Iterable[Item], at: int | None = None) -> list[Record]:
    """Make the notifications the members' levels allow, in the running write
    transaction (one insert); each record (with ``user``) goes to ``on_notifications``
    after the commit."""
    wanted = list(items)
    if not wanted:
        return []
    settings = await settings_of_users(conn, sorted({user for user, *_ in wanted}))
    default = notification_settings.defaults()
    kept = [
        (user, circle, kind, about)
        for user, circle, kind, about in wanted
        if allows(settings.get(user, default), circle, kind, about)
    ]
    if not kept:
        return []
    created = at or now_ms()
    notes: list[Note] = [
        (
            user,
            circle,
            (about.get("actor") or {}).get("id"),
            kind,
            orjson.dumps(about).decode(),
            created,
        )
        for user, circle, kind, about in kept
    ]
    made = await insert(conn, notes)
    notified().extend(made)
    return made


async def insert(conn: AsyncConnection, notes: list[Note]) -> list[Record]:
    """Store prepared rows (store/batch.py ``NOTE_COLUMNS``) in one statement; their
    records (with ``user``), not told (the caller hands them over after its commit)."""
    if not notes:
        return []
    ids = (
        await conn.execute(
            NOTIFICATIONS.insert().returning(NOTIFICATIONS.c.id, sort_by_parameter_order=True),
            [dict(zip(NOTE_COLUMNS, note, strict=True)) for note in notes],
        )
    ).scalars()
    return [made_record(int(i), note) for i, note in zip(ids, notes, strict=True)]


def made_record(id_: int, note: Note) -> Record:
    """A stored row (``NOTE_COLUMNS``) as ``on_notifications`` gets it."""
    user, circle, _actor, kind, about, created = note
    return {
        "id": id_,
        "user": user,
        "circle": circle,
        "kind": kind,
        "about": orjson.loads(about),
        "created": created,
        "read": None,
    }


def public(made: Record) -> Record:
    """A made notification (``add``'s record) as its member sees it (no ``user``)."""
    return {key: value for key, value in made.items() if key != "user"}


class Notifications(Service):
    async def list(
        self,
        user_id: str,
        before: object = None,
        after: object = None,
        limit: object = 50,
    ) -> tuple[Records, bool]:
        """A page of the member's notifications and whether there are more: the
        newest first (``before``: older than that id), or with ``after`` the ones
        after that id, oldest first (the catch-up after a reconnect)."""
        size = validation.limit(limit, high=PAGE_MAX)
        c = NOTIFICATIONS.c
        query = select(*_columns()).where(c.user_id == user_id)
        if after is not None and before is not None:
            raise Invalid("give before or after, not both")
        if after is not None:
            query = query.where(c.id > validation.integer(after, "after", 0)).order_by(c.id)
        else:
            if before is not None:
                query = query.where(c.id < validation.integer(before, "before", 0))
            query = query.order_by(c.id.desc())
        async with self._db.read() as conn:
            rows = (await conn.execute(query.limit(size + 1))).all()
        return [notification_record(row) for row in rows[:size]], len(rows) > size

    async def prune(self, before_ms: int, batch: int = 500) -> int:
        """Delete up to ``batch`` notifications made before ``before_ms``, read or
        not (the oldest first: ids grow with time); returns how many."""
        before_ms = validation.integer(before_ms, "before_ms", 0)
        batch = validation.integer(batch, "batch", 1, PRUNE_BATCH_MAX)
        c = NOTIFICATIONS.c
        old = select(c.id).where(c.created < before_ms).order_by(c.id).limit(batch)
        async with self._db.write() as conn:
            ids = [row.id for row in await conn.execute(old)]
            if ids:
                await conn.execute(delete(NOTIFICATIONS).where(c.id.in_(ids)))
        return len(ids)

    async def unread_count(self, user_id: str) -> int:
        async with self._db.read() as conn:
            return await unread_of(conn, user_id)

    async def unread_counts(self, user_ids: UserIds) -> dict[str, int]:
        """Several members' unread counts in one query (the live push's)."""
        if not user_ids:
            return {}
        c = NOTIFICATIONS.c
        query = (
            select(c.user_id, func.count())
            .where(c.user_id.in_(user_ids), c.read_at.is_(None))
            .group_by(c.user_id)
        )
        async with self._db.read() as conn:
            counts = {row[0]: int(row[1]) for row in await conn.execute(query)}
        return {user: counts.get(user, 0) for user in user_ids}

    async def mark_read(
        self, user_id: str, ids: object = None, up_to: object = None, now: int | None = None
    ) -> int:
        """Mark some of the member's notifications read — those of ``ids``, or every
        one up to the id ``up_to``, or (neither) all — and handed to the away
        channels; returns the unread count after. Another member's ids change nothing."""
        c = NOTIFICATIONS.c
        where = [c.user_id == user_id, c.read_at.is_(None)]
        if ids is not None and up_to is not None:
            raise Invalid("give ids or up_to, not both")
        if ids is not None:
            if not isinstance(ids, list) or not 1 <= len(ids) <= MARK_MAX:
                raise Invalid(f"ids must be a list of 1 to {MARK_MAX} notification ids")
            where.append(c.id.in_([validation.integer(i, "ids", 1) for i in ids]))
        elif up_to is not None:
            where.append(c.id <= validation.integer(up_to, "up_to", 0))
        at = now or now_ms()
        async with self._db.write() as conn:
            await conn.execute(
                update(NOTIFICATIONS)
                .where(and_(*where))
                .values(read_at=at, away_at=func.coalesce(c.away_at, at))
            )
            return await unread_of(conn, user_id)

    async def due_away(self, now: int, limit: int = 500) -> Records:
        """The notifications the away channels should be handed now, oldest first,
        each with its ``user`` and the member's ``language``: not handed yet, not
        read, allowed by the member's levels, the member not in quiet hours (theirs
        wait, untouched, until the quiet hours end). Those the levels no longer
        allow are marked handed here: they never go out."""
        size = validation.limit(limit, high=10_000)
        c = NOTIFICATIONS.c
        async with self._db.read() as conn:
            pending = select(c.user_id).where(c.away_at.is_(None)).distinct()
            users: UserIds = [*(await conn.execute(pending.limit(AWAY_USERS_MAX))).scalars()]
            settings = await settings_of_users(conn, users)
            default = notification_settings.defaults()
            awake = [u for u in users if not quiet_now(settings.get(u, default), now)]
            if not awake:
                return []
            rows = (
                await conn.execute(
                    select(*_columns())
                    .where(c.away_at.is_(None), c.user_id.in_(awake))
                    .order_by(c.id)
                    .limit(size)
                )
            ).all()
        due: Records = []
        dropped: Ids = []
        for row in rows:
            found = notification_record(row)
            mine = settings.get(row.user_id, default)
            if found["read"] is not None or not allows(
                mine, found["circle"], found["kind"], found["about"]
            ):
                dropped.append(found["id"])
                continue
            due.append({**found, "user": row.user_id, "language": mine["language"]})
        if dropped:
            await self.mark_away(dropped, now)
        return due

    async def mark_away(self, ids: Ids, now: int) -> set[int]:
        """Claim these notifications for the away channels at ``now``: the ids this
        call marked (not those another node's run marked first), so that every
        notification is handed out once however many nodes run the job."""
        if not ids:
            return set()
        c = NOTIFICATIONS.c
        async with self._db.write() as conn:
            marked = await conn.execute(
                update(NOTIFICATIONS)
                .where(c.id.in_([int(i) for i in ids]), c.away_at.is_(None))
                .values(away_at=now)
                .returning(c.id)
            )
            return {int(i) for i in marked.scalars()}


async def unread_of(conn: AsyncConnection, user_id: str) -> int:
    c = NOTIFICATIONS.c
    query = select(func.count()).where(c.user_id == user_id, c.read_at.is_(None))
    return int((await conn.execute(query)).scalar_one())


__all__ = [
    "EXCERPT_MAX",
    "KINDS",
    "PAGE_MAX",
    "Item",
    "Notifications",
    "add",
    "excerpt",
    "notification_record",
    "public",
]
