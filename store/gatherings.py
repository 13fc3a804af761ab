"""Events of a circle — the bank's birthday party, a meet-up, a live session —
called gatherings here ("event" is the protocol's word for a pushed change).

Owners and admins create one (title, time in the circle's time zone, place or
link, capacity, reminder), change it or cancel it. Members answer ``going``,
``maybe`` or ``not_going``, and change their answer until it is over. With a
capacity, a ``going`` answer beyond it waits (``waiting``), in the order the
answers came; a seat given up (an answer changed, the capacity raised or
removed) goes to the first who waits. Lowering the capacity takes no seat
back: nobody seated is moved to the waiting list. Every change is the circle's
event (``gathering.created``, ``gathering.updated``, ``gathering.cancelled``,
``rsvp.changed``), live and caught up; the reminder goes to those who answered
going or maybe, once, through store/reminders.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .calendar import DEFAULT_ZONE, local_time_text, parse_local_time
from .changes import record
from .engine import Service
from .errors import Conflict, Invalid, NotFound
from .ids import decode_cursor, encode_cursor, new_id, now_ms
from .lookups import circle_row, oldest_first, require_manager, require_visible, require_voice
from .models import CIRCLES, GATHERINGS, MEMBERSHIPS, RSVPS, USERS
from .records import DISPLAY_NAME, AnyRow, Record
from .reminders import about, remind

ANSWERS = ("going", "maybe", "not_going")
WHEN = ("upcoming", "past")
TITLE_MAX = 100
DESCRIPTION_MAX = 2000
PLACE_MAX = 200
LINK_MAX = 500
CAPACITY_MAX = 100_000
REMIND_MAX_MIN = 7 * 24 * 60
LENGTH_MAX_MS = 31 * 24 * 3600 * 1000
PAGE_MAX = 100
FIELDS = frozenset(
    {
        "title",
        "description",
        "starts_at",
        "ends_at",
        "place",
        "link",
        "capacity",
        "remind_before_min",
    }
)


def gathering_record(row: AnyRow, zone: str, now: int | None = None) -> Record:
    """An event as clients see it: its times in ms and on the circle's clock,
    its counts and its ``status`` (``upcoming``, ``ongoing``, ``over``,
    ``cancelled``)."""
    now = now_ms() if now is None else now
    ends = row.ends_at if row.ends_at is not None else row.starts_at
    if row.cancelled is not None:
        status = "cancelled"
    elif now < row.starts_at:
        status = "upcoming"
    elif now <= ends:
        status = "ongoing"
    else:
        status = "over"
    return {
        "id": row.id,
        "circle": row.circle_id,
        "title": row.title,
        "description": row.description,
        "starts_at": row.starts_at,
        "starts_local": local_time_text(row.starts_at, zone),
        "ends_at": row.ends_at,
        "ends_local": None if row.ends_at is None else local_time_text(row.ends_at, zone),
        "time_zone": zone,
        "place": row.place,
        "link": row.link,
        "capacity": row.capacity,
        "remind_before_min": row.remind_before_min,
        "created_by": row.created_by,
        "created": row.created,
        "cancelled": row.cancelled,
        "going": row.going,
        "maybe": row.maybe,
        "not_going": row.not_going,
        "waiting": row.waiting,
        "status": status,
    }


def rsvp_record(row: AnyRow | None) -> Record | None:
    if row is None:
        return None
    return {"answer": row.answer, "waiting": bool(row.waiting), "at": row.at}


def _link(value: object) -> str | None:
    if value is None or value == "":
        return None
    link = validation.text(value, "link", 1, LINK_MAX)
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid("link must be an http:// or https:// address")
    return link


async def gathering_row(
    conn: AsyncConnection, gathering_id: object, *, lock: bool = False
) -> AnyRow:
    """The event with its circle's zone; ``NotFound`` (also for a deleted circle)."""
    if not isinstance(gathering_id, str):
        raise NotFound("no such event")
    query = (
        select(*GATHERINGS.c, CIRCLES.c.time_zone)
        .join(CIRCLES, CIRCLES.c.id == GATHERINGS.c.circle_id)
        .where(GATHERINGS.c.id == gathering_id, CIRCLES.c.deleted.is_(None))
    )
    if lock:
        query = query.with_for_update(of=GATHERINGS)
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound("no such event")
    return row


def _zone(row: AnyRow) -> str:
    return str(row.time_zone or DEFAULT_ZONE)


class Gatherings(Service):
    """Create, change, cancel and list a circle's events; members' answers."""

    async def create(self, circle_id: str, actor_id: str, fields: object) -> Record:
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            values = self._values(fields, circle.time_zone or DEFAULT_ZONE, None)
            values.update(
                id=new_id(),
                circle_id=circle_id,
                created_by=actor_id,
                created=now_ms(),
                going=0,
                maybe=0,
                not_going=0,
                waiting=0,
            )
            await conn.execute(GATHERINGS.insert().values(values))
            found = await self._shown(conn, values["id"])
            await record(conn, circle_id, "gathering.created", {"gathering": found})
        return {**found, "me": None}

    async def update(self, gathering_id: str, actor_id: str, fields: object) -> Record:
        """Change some fields (owners, admins); a raised capacity seats who waits."""
        async with self._db.write() as conn:
            row = await gathering_row(conn, gathering_id, lock=True)
            await require_manager(conn, row.circle_id, actor_id)
            if row.cancelled is not None:
                raise Conflict("this event was cancelled", reason="gathering_cancelled")
            values = self._values(fields, _zone(row), row)
            if "starts_at" in values or "remind_before_min" in values:
                values["reminded_at"] = None  # remind again for the new time
            await conn.execute(update(GATHERINGS).where(GATHERINGS.c.id == row.id).values(values))
            promoted = await self._seat(conn, await gathering_row(conn, row.id))
            found = await self._shown(conn, row.id)
            await record(
                conn, row.circle_id, "gathering.updated", {"gathering": found, "promoted": promoted}
            )
            me = rsvp_record(await self._rsvp(conn, row.id, actor_id))
        return {**found, "me": me}

    async def cancel(self, gathering_id: str, actor_id: str) -> Record:
        async with self._db.write() as conn:
            row = await gathering_row(conn, gathering_id, lock=True)
            await require_manager(conn, row.circle_id, actor_id)
            if row.cancelled is not None:
                raise Conflict("this event was cancelled", reason="gathering_cancelled")
            await conn.execute(
                update(GATHERINGS).where(GATHERINGS.c.id == row.id).values(cancelled=now_ms())
            )
            found = await self._shown(conn, row.id)
            await record(conn, row.circle_id, "gathering.cancelled", {"gathering": found})
            me = rsvp_record(await self._rsvp(conn, row.id, actor_id))
        return {**found, "me": me}

    async def get(self, gathering_id: str, viewer_id: str) -> Record:
        async with self._db.read() as conn:
            row = await gathering_row(conn, gathering_id)
            await require_visible(conn, await circle_row(conn, row.circle_id), viewer_id)
            me = rsvp_record(await self._rsvp(conn, row.id, viewer_id))
            return {**gathering_record(row, _zone(row)), "me": me}

    async def page(
        self,
        circle_id: str,
        viewer_id: str,
        when: str = "upcoming",
        cursor: str | None = None,
        limit: int = 20,
    ) -> tuple[list[Record], str | None]:
        """The circle's events: ``upcoming`` (not over yet, soonest first; the
        cancelled ones too, marked) or ``past`` (latest first), each with the
        viewer's answer (``me``)."""
        when = validation.choice(when, "when", WHEN)
        limit = validation.limit(limit, high=PAGE_MAX)
        now = now_ms()
        async with self._db.read() as conn:
            circle = await circle_row(conn, circle_id)
            await require_visible(conn, circle, viewer_id)
            zone = circle.time_zone or DEFAULT_ZONE
            last = func.coalesce(GATHERINGS.c.ends_at, GATHERINGS.c.starts_at)
            query = (
                select(
                    *GATHERINGS.c,
                    RSVPS.c.answer.label("my_answer"),
                    RSVPS.c.waiting.label("my_waiting"),
                    RSVPS.c.at.label("my_at"),
                )
                .outerjoin(
                    RSVPS,
                    and_(RSVPS.c.gathering_id == GATHERINGS.c.id, RSVPS.c.user_id == viewer_id),
                )
                .where(GATHERINGS.c.circle_id == circle_id)
            )
            if when == "upcoming":
                query = oldest_first(
                    query.where(last >= now), GATHERINGS.c.starts_at, GATHERINGS.c.id, cursor, limit
                )
            else:
                query = query.where(last < now)
                if cursor is not None:
                    at, key = decode_cursor(cursor)
                    query = query.where(
                        or_(
                            GATHERINGS.c.starts_at < at,
                            and_(GATHERINGS.c.starts_at == at, GATHERINGS.c.id < key),
                        )
                    )
                query = query.order_by(GATHERINGS.c.starts_at.desc(), GATHERINGS.c.id.desc()).limit(
                    limit + 1
                )
            rows = (await conn.execute(query)).all()
        items = []
        for row in rows[:limit]:
            me = None
            if row.my_answer is not None:
                me = {"answer": row.my_answer, "waiting": bool(row.my_waiting), "at": row.my_at}
            items.append({**gathering_record(row, zone, now), "me": me})
        nxt = None
        if len(rows) > limit:
            nxt = encode_cursor(rows[limit - 1].starts_at, rows[limit - 1].id)
        return items, nxt

    async def answer(
        self, gathering_id: str, user_id: str, answer: object
    ) -> tuple[Record, Record]:
        """The member's answer; returns the event and their RSVP (``waiting`` when
        they are going but it is full). ``Conflict`` once it is cancelled or over;
        a member who may only read (muted, a term ended) is refused as for a post."""
        answer = validation.choice(answer, "answer", ANSWERS)
        async with self._db.write() as conn:
            row = await gathering_row(conn, gathering_id, lock=True)
            await require_voice(conn, row.circle_id, user_id)
            if row.cancelled is not None:
                raise Conflict("this event was cancelled", reason="gathering_cancelled")
            now = now_ms()
            if now > (row.ends_at if row.ends_at is not None else row.starts_at):
                raise Conflict("this event is over", reason="gathering_over")
            before = await self._rsvp(conn, row.id, user_id)
            if before is not None and before.answer == answer:
                return gathering_record(row, _zone(row), now), rsvp_record(before)  # type: ignore[return-value]
            seated = before is not None and before.answer == "going" and not before.waiting
            taken = row.going - (1 if seated else 0)
            waiting = answer == "going" and row.capacity is not None and taken >= row.capacity
            values = {"answer": answer, "waiting": waiting, "at": now}
            if before is None:
                await conn.execute(
                    RSVPS.insert().values(gathering_id=row.id, user_id=user_id, **values)
                )
            else:
                await conn.execute(
                    update(RSVPS)
                    .where(RSVPS.c.gathering_id == row.id, RSVPS.c.user_id == user_id)
                    .values(values)
                )
            await self._recount(conn, row.id)
            promoted = await self._seat(conn, await gathering_row(conn, row.id))
            found = await self._shown(conn, row.id)
            mine = rsvp_record(await self._rsvp(conn, row.id, user_id))
            assert mine is not None
            name = await self._name(conn, row.circle_id, user_id)
            await record(
                conn,
                row.circle_id,
                "rsvp.changed",
                {"gathering": found, "user": user_id, "name": name, **mine, "promoted": promoted},
            )
        return found, mine

    async def rsvps(
        self,
        gathering_id: str,
        viewer_id: str,
        answer: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[Record], str | None]:
        """Who answered (``answer``: one answer only), in the order they did: the
        waiting list is the ``going`` answers with ``waiting``."""
        if answer is not None:
            answer = validation.choice(answer, "answer", ANSWERS)
        limit = validation.limit(limit, high=PAGE_MAX * 10)
        async with self._db.read() as conn:
            row = await gathering_row(conn, gathering_id)
            await require_visible(conn, await circle_row(conn, row.circle_id), viewer_id)
            query = self._answers(row)
            if answer is not None:
                query = query.where(RSVPS.c.answer == answer)
            rows = (
                await conn.execute(oldest_first(query, RSVPS.c.at, RSVPS.c.user_id, cursor, limit))
            ).all()
        found = [
            {
                "user": r.user_id,
                "name": r.display_name,
                "answer": r.answer,
                "waiting": bool(r.waiting),
                "at": r.at,
            }
            for r in rows[:limit]
        ]
        nxt = (
            None
            if len(rows) <= limit
            else encode_cursor(rows[limit - 1].at, rows[limit - 1].user_id)
        )
        return found, nxt

    async def export(self, gathering_id: str, actor_id: str) -> tuple[Record, list[Record]]:
        """The event and every answer, for its CSV (owners and admins)."""
        async with self._db.read() as conn:
            row = await gathering_row(conn, gathering_id)
            await require_manager(conn, row.circle_id, actor_id)
            query = self._answers(row).order_by(RSVPS.c.at, RSVPS.c.user_id)
            rows = (await conn.execute(query)).all()
        answers = [
            {
                "user": r.user_id,
                "name": r.display_name,
                "answer": r.answer,
                "waiting": bool(r.waiting),
                "at": r.at,
            }
            for r in rows
        ]
        return gathering_record(row, _zone(row)), answers

    async def remind_due(self, now: int | None = None) -> int:
        """Remind those who answered going or maybe of each event whose reminder is
        due (once; a node racing another reminds nobody twice); how many events."""
        now = now_ms() if now is None else now
        async with self._db.read() as conn:
            query = select(
                GATHERINGS.c.id, GATHERINGS.c.starts_at, GATHERINGS.c.remind_before_min
            ).where(
                GATHERINGS.c.starts_at > now,
                GATHERINGS.c.starts_at <= now + REMIND_MAX_MIN * 60_000,
                GATHERINGS.c.reminded_at.is_(None),
                GATHERINGS.c.cancelled.is_(None),
                GATHERINGS.c.remind_before_min.is_not(None),
            )
            due = [
                r.id
                for r in (await conn.execute(query)).all()
                if r.starts_at - r.remind_before_min * 60_000 <= now
            ]
        done = 0
        for gathering_id in due:
            async with self._db.write() as conn:
                marked = await conn.execute(
                    update(GATHERINGS)
                    .where(GATHERINGS.c.id == gathering_id, GATHERINGS.c.reminded_at.is_(None))
                    .values(reminded_at=now)
                )
                if marked.rowcount != 1:
                    continue
                row = await gathering_row(conn, gathering_id)
                users = (
                    (
                        await conn.execute(
                            select(RSVPS.c.user_id)
                            .join(
                                MEMBERSHIPS,
                                and_(
                                    MEMBERSHIPS.c.circle_id == row.circle_id,
                                    MEMBERSHIPS.c.user_id == RSVPS.c.user_id,
                                ),
                            )
                            .where(
                                RSVPS.c.gathering_id == gathering_id,
                                RSVPS.c.answer.in_(("going", "maybe")),
                            )
                            .order_by(RSVPS.c.at, RSVPS.c.user_id)
                        )
                    )
                    .scalars()
                    .all()
                )
                await remind(
                    conn,
                    row.circle_id,
                    users,
                    about("gathering", row.id, row.title, at=row.starts_at),
                )
                done += 1
        return done

    # -- inside a transaction ---------------------------------------------------------

    def _values(self, fields: object, zone: str, row: AnyRow | None) -> dict[str, Any]:
        """The columns ``fields`` set (all that a new event needs when ``row`` is None)."""
        if not isinstance(fields, dict):
            raise Invalid("an event must be an object")
        unknown = set(fields) - FIELDS
        if unknown:
            raise Invalid(f"an event cannot have {', '.join(sorted(map(str, unknown)))}")
        if row is None and "starts_at" not in fields:
            raise Invalid("starts_at is required")
        if row is None and "title" not in fields:
            raise Invalid("title is required")
        values: dict[str, Any] = {}
        if "title" in fields:
            values["title"] = validation.display_name(fields["title"], "title", TITLE_MAX)
        if "description" in fields or row is None:
            values["description"] = validation.text(
                fields.get("description", ""), "description", 0, DESCRIPTION_MAX
            )
        if "place" in fields or row is None:
            values["place"] = validation.text(fields.get("place", "") or "", "place", 0, PLACE_MAX)
        if "link" in fields:
            values["link"] = _link(fields["link"])
        if "starts_at" in fields:
            values["starts_at"] = parse_local_time(fields["starts_at"], "starts_at", zone)
        if "ends_at" in fields:
            ends = fields["ends_at"]
            values["ends_at"] = None if ends is None else parse_local_time(ends, "ends_at", zone)
        if "capacity" in fields:
            values["capacity"] = validation.optional_integer(
                fields["capacity"], "capacity", 1, CAPACITY_MAX
            )
        if "remind_before_min" in fields or row is None:
            values["remind_before_min"] = validation.optional_integer(
                fields.get("remind_before_min", 60 if row is None else None),
                "remind_before_min",
                1,
                REMIND_MAX_MIN,
            )
        starts: int = values.get("starts_at") or row.starts_at  # type: ignore[union-attr]
        ends = values.get("ends_at", None if row is None else row.ends_at)
        if ends is not None and not starts <= ends <= starts + LENGTH_MAX_MS:
            raise Invalid("ends_at must be after starts_at, within 31 days")
        return values

    async def _shown(self, conn: AsyncConnection, gathering_id: str) -> Record:
        row = await gathering_row(conn, gathering_id)
        return gathering_record(row, _zone(row))

    async def _rsvp(self, conn: AsyncConnection, gathering_id: str, user_id: str) -> AnyRow | None:
        query = select(*RSVPS.c).where(
            RSVPS.c.gathering_id == gathering_id, RSVPS.c.user_id == user_id
        )
        return (await conn.execute(query)).first()

    async def _recount(self, conn: AsyncConnection, gathering_id: str) -> None:
        query = (
            select(RSVPS.c.answer, RSVPS.c.waiting, func.count())
            .where(RSVPS.c.gathering_id == gathering_id)
            .group_by(RSVPS.c.answer, RSVPS.c.waiting)
        )
        counts = {"going": 0, "maybe": 0, "not_going": 0, "waiting": 0}
        for answer, waiting, count in (await conn.execute(query)).all():
            counts["waiting" if answer == "going" and waiting else answer] += count
        await conn.execute(update(GATHERINGS).where(GATHERINGS.c.id == gathering_id).values(counts))

    async def _seat(self, conn: AsyncConnection, row: AnyRow) -> list[str]:
        """Give free seats to who waits, first come first seated; their ids."""
        free = row.waiting if row.capacity is None else min(row.waiting, row.capacity - row.going)
        if free <= 0:
            return []
        query = (
            select(RSVPS.c.user_id)
            .where(
                RSVPS.c.gathering_id == row.id, RSVPS.c.answer == "going", RSVPS.c.waiting.is_(True)
            )
            .order_by(RSVPS.c.at, RSVPS.c.user_id)
            .limit(free)
        )
        seated = list((await conn.execute(query)).scalars().all())
        if seated:
            await conn.execute(
                update(RSVPS)
                .where(RSVPS.c.gathering_id == row.id, RSVPS.c.user_id.in_(seated))
                .values(waiting=False)
            )
            await self._recount(conn, row.id)
        return seated

    def _answers(self, row: AnyRow) -> Any:
        return (
            select(RSVPS.c.user_id, RSVPS.c.answer, RSVPS.c.waiting, RSVPS.c.at, DISPLAY_NAME)
            .join(USERS, USERS.c.id == RSVPS.c.user_id)
            .outerjoin(
                MEMBERSHIPS,
                and_(
                    MEMBERSHIPS.c.circle_id == row.circle_id,
                    MEMBERSHIPS.c.user_id == RSVPS.c.user_id,
                ),
            )
            .where(RSVPS.c.gathering_id == row.id)
        )

    async def _name(self, conn: AsyncConnection, circle_id: str, user_id: str) -> str:
        query = (
            select(DISPLAY_NAME)
            .select_from(USERS)
            .outerjoin(
                MEMBERSHIPS,
                and_(MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.user_id == USERS.c.id),
            )
            .where(USERS.c.id == user_id)
        )
        return str((await conn.execute(query)).scalar_one())
