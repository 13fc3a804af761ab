"""Check-in challenges (COMMUNITY-OPS.md rules 1–5): owners and admins create
them; members join, then check in (store/checkins.py); the server keeps each
participant's standing and ranks them on two boards.

A challenge is ``continuous`` (completed by a streak of ``required_days``
scheduled days) or ``accumulated`` (by ``required_days`` in all); without
``required_days`` it is open practice that nobody completes. Its days are
dates in the circle's time zone (``circles.time_zone``) between ``starts_on``
and ``ends_on`` (none: open-ended); its status follows from today's date:
``upcoming``, ``ongoing``, ``over``.

Boards (rule 5): ``streak`` — current streaks (a streak whose last day is
before the schedule's previous day is broken and off the board) — and
``total``, valid days in all; ties go to whoever reached the count first,
then by user id. Each page says the ranks; ``me`` is the viewer's own row.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import challenge_rules, validation
from .attachments import KINDS as ATTACHMENT_KINDS
from .board_order import BOARDS, BoardOrder
from .calendar import DEFAULT_ZONE, Schedule, local_date, parse_date
from .changes import record
from .engine import Service
from .errors import Conflict, Invalid, NotFound
from .ids import decode_cursor, new_id, now_ms
from .lookups import (
    circle_row,
    newest_first,
    next_cursor,
    require_manager,
    require_member,
    require_visible,
)
from .models import CHALLENGE_MEMBERS, CHALLENGES, CHECKINS, CIRCLES, MEMBERSHIPS, USERS
from .records import DISPLAY_NAME, AnyRow, Record

TYPES = ("continuous", "accumulated")
TITLE_MAX = 100
DESCRIPTION_MAX = 2000
DAYS_MAX = 3660
MIN_TEXT_MAX = 2000
MEDIA_KINDS = tuple(k for k in ATTACHMENT_KINDS if k != "file")
PAGE_MAX = 100


def challenge_record(row: AnyRow, today: date | None = None) -> Record:
    """A challenge as clients see it; ``status`` as of ``today`` (the circle's)."""
    starts, ends = date.fromisoformat(row.starts_on), row.ends_on
    status = None
    if today is not None:
        if today < starts:
            status = "upcoming"
        elif ends is not None and today > date.fromisoformat(ends):
            status = "over"
        else:
            status = "ongoing"
    return {
        "id": row.id,
        "circle": row.circle_id,
        "title": row.title,
        "description": row.description,
        "type": row.type,
        "schedule": json.loads(row.schedule),
        "starts_on": row.starts_on,
        "ends_on": ends,
        "required_days": row.required_days,
        "min_text": row.min_text,
        "media_kinds": json.loads(row.media_kinds),
        "created_by": row.created_by,
        "created": row.created,
        "participants": row.participants,
        "status": status,
        **challenge_rules.public(row),
    }


def standing_record(row: AnyRow | None) -> Record | None:
    """A participant's standing (None: not joined)."""
    if row is None:
        return None
    return {
        "user": row.user_id,
        "joined": row.joined,
        "streak": row.streak,
        "streak_last": row.streak_last,
        "best": row.best,
        "total": row.total,
        "completed": row.completed_at is not None,
        "completed_at": row.completed_at,
        "reminders": bool(row.reminders),
    }


async def challenge_row(conn: AsyncConnection, challenge_id: object) -> AnyRow:
    """The challenge with its circle's zone and day close; ``NotFound``."""
    if not isinstance(challenge_id, str):
        raise NotFound("no such challenge")
    query = (
        select(*CHALLENGES.c, CIRCLES.c.time_zone, CIRCLES.c.day_closes_after)
        .join(CIRCLES, CIRCLES.c.id == CHALLENGES.c.circle_id)
        .where(CHALLENGES.c.id == challenge_id, CIRCLES.c.deleted.is_(None))
    )
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound("no such challenge")
    return row


def today_of(row: AnyRow, now: int | None = None) -> date:
    """Today in the challenge's circle."""
    return local_date(now_ms() if now is None else now, row.time_zone, row.day_closes_after)


def schedule_of(row: AnyRow) -> Schedule:
    return Schedule.parse(json.loads(row.schedule))


def alive_since(row: AnyRow, today: date) -> date:
    """The earliest last day of a streak that is not broken as of ``today``: the
    schedule's day before today (today is still open), or, once the challenge is
    over, its last scheduled day."""
    first = date.fromisoformat(row.starts_on)
    schedule = schedule_of(row)
    if row.ends_on is not None and today > date.fromisoformat(row.ends_on):
        last = next(iter(schedule.days(first, date.fromisoformat(row.ends_on))), None)
        return last or first
    return schedule.previous(today, first) or today


async def participant_row(conn: AsyncConnection, challenge_id: str, user_id: str) -> AnyRow | None:
    query = select(*CHALLENGE_MEMBERS.c).where(
        CHALLENGE_MEMBERS.c.challenge_id == challenge_id, CHALLENGE_MEMBERS.c.user_id == user_id
    )
    return (await conn.execute(query)).first()


class Challenges(Service):
    """Create, list, read and join challenges; the boards; who has not checked in."""

    async def create(self, circle_id: str, actor_id: str, fields: dict[str, Any]) -> Record:
        """A new challenge (owners and admins). ``fields``: ``title``, and
        optionally ``description``, ``type`` (``accumulated``), ``schedule``,
        ``starts_on`` (today), ``ends_on``, ``required_days``, ``min_text``,
        ``media_kinds``. ``Invalid`` naming the field."""
        if not isinstance(fields, dict):
            raise Invalid("a challenge must be an object")
        unknown = set(fields) - {
            "title",
            "description",
            "type",
            "schedule",
            "starts_on",
            "ends_on",
            "required_days",
            "min_text",
            "media_kinds",
            *challenge_rules.FIELDS,
        }
        if unknown:
            raise Invalid(f"a challenge cannot have {', '.join(sorted(map(str, unknown)))}")
        title = validation.display_name(fields.get("title"), "title", TITLE_MAX)
        description = validation.text(
            fields.get("description", ""), "description", 0, DESCRIPTION_MAX
        )
        kind = validation.choice(fields.get("type", "accumulated"), "type", TYPES)
        schedule = Schedule.parse(fields.get("schedule"))
        required = validation.optional_integer(
            fields.get("required_days"), "required_days", 1, DAYS_MAX
        )
        min_text = validation.integer(fields.get("min_text", 0), "min_text", 0, MIN_TEXT_MAX)
        kinds = fields.get("media_kinds", [])
        if not isinstance(kinds, list) or not all(k in MEDIA_KINDS for k in kinds):
            raise Invalid(f"media_kinds must list some of {', '.join(MEDIA_KINDS)}")
        rules = challenge_rules.parse(fields)
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            today = local_date(now_ms(), circle.time_zone or DEFAULT_ZONE, circle.day_closes_after)
            starts = (
                today
                if fields.get("starts_on") is None
                else parse_date(fields["starts_on"], "starts_on")
            )
            ends = (
                None if fields.get("ends_on") is None else parse_date(fields["ends_on"], "ends_on")
            )
            if ends is not None and not starts <= ends <= starts + timedelta(days=DAYS_MAX):
                raise Invalid(f"ends_on must be on or after starts_on, within {DAYS_MAX} days")
            if ends is not None and required is not None:
                days = sum(1 for _ in schedule.days(starts, ends))
                if required > days:
                    raise Invalid(f"required_days is more than the {days} scheduled days")
            values = {
                "id": new_id(),
                "circle_id": circle_id,
                "title": title,
                "description": description,
                "type": kind,
                "schedule": json.dumps(schedule.public()),
                "starts_on": starts.isoformat(),
                "ends_on": None if ends is None else ends.isoformat(),
                "required_days": required,
                "min_text": min_text,
                "media_kinds": json.dumps(sorted(set(kinds))),
                "created_by": actor_id,
                "created": now_ms(),
                "participants": 0,
                **rules,
            }
            await conn.execute(CHALLENGES.insert().values(values))
            row = await challenge_row(conn, values["id"])
            challenge = challenge_record(row, today)
            await record(conn, circle_id, "challenge.created", {"challenge": challenge})
        return {**challenge, "me": None}

    async def page(
        self, circle_id: str, viewer_id: str, cursor: str | None = None, limit: int = 20
    ) -> tuple[list[Record], str | None]:
        """The circle's challenges, newest first, each with the viewer's standing
        (``me``, None when not joined). A private circle: members only."""
        limit = validation.limit(limit, high=PAGE_MAX)
        async with self._db.read() as conn:
            circle = await circle_row(conn, circle_id)
            await require_visible(conn, circle, viewer_id)
            query = select(CHALLENGES.c.id, CHALLENGES.c.created).where(
                CHALLENGES.c.circle_id == circle_id
            )
            rows = (await conn.execute(newest_first(query, CHALLENGES, cursor, limit))).all()
            items = [await self._read(conn, row.id, viewer_id) for row in rows[:limit]]
        return items, next_cursor(rows, limit, "created", "id")

    async def get(self, challenge_id: str, viewer_id: str, now: int | None = None) -> Record:
        """A challenge, its status and the viewer's standing."""
        async with self._db.read() as conn:
            return await self._read(conn, challenge_id, viewer_id, now)

    async def _read(
        self, conn: AsyncConnection, challenge_id: str, viewer_id: str, now: int | None = None
    ) -> Record:
        row = await challenge_row(conn, challenge_id)
        await require_visible(conn, await circle_row(conn, row.circle_id), viewer_id)
        today = today_of(row, now)
        me = standing_record(await participant_row(conn, row.id, viewer_id))
        if (
            me is not None
            and me["streak"]
            and me["streak_last"] < alive_since(row, today).isoformat()
        ):
            me["streak"] = 0  # broken since the last check-in
        return {
            **challenge_record(row, today),
            "me": me,
            "today": today.isoformat(),
            "checked_in_today": await _checked_in(conn, row.id, viewer_id, today),
        }

    async def join(self, challenge_id: str, user_id: str) -> Record:
        """Join (members; idempotent): the standing. ``Forbidden`` (not a member),
        ``Conflict`` reason ``challenge_over`` once it is over."""
        async with self._db.write() as conn:
            row = await challenge_row(conn, challenge_id)
            await circle_row(conn, row.circle_id, lock=True)
            await require_member(conn, row.circle_id, user_id)
            found = await participant_row(conn, row.id, user_id)
            if found is not None:
                standing = standing_record(found)
                assert standing is not None
                return standing
            if row.ends_on is not None and today_of(row) > date.fromisoformat(row.ends_on):
                raise Conflict("this challenge is over", reason="challenge_over")
            await conn.execute(
                CHALLENGE_MEMBERS.insert().values(
                    challenge_id=row.id, user_id=user_id, joined=now_ms(), streak=0, best=0, total=0
                )
            )
            count = (
                await conn.execute(
                    update(CHALLENGES)
                    .where(CHALLENGES.c.id == row.id)
                    .values(participants=CHALLENGES.c.participants + 1)
                    .returning(CHALLENGES.c.participants)
                )
            ).scalar_one()
            joined = await participant_row(conn, row.id, user_id)
            standing = standing_record(joined)
            assert standing is not None
            await record(
                conn,
                row.circle_id,
                "challenge.joined",
                {"challenge": row.id, "user": user_id, "participants": int(count)},
            )
        return standing

    async def board(
        self,
        challenge_id: str,
        viewer_id: str,
        by: str = "streak",
        cursor: str | None = None,
        limit: int = 50,
        now: int | None = None,
    ) -> tuple[list[Record], str | None, Record | None]:
        """A page of a board (``streak`` or ``total``), best first, each entry
        ``{"rank","user","name","streak","total","best","completed"}``; the next
        page's cursor; and the viewer's own entry (None when not on the board)."""
        by = validation.choice(by, "by", BOARDS)
        limit = validation.limit(limit, high=PAGE_MAX)
        async with self._db.read() as conn:
            row = await challenge_row(conn, challenge_id)
            await require_visible(conn, await circle_row(conn, row.circle_id), viewer_id)
            order = BoardOrder.of(row, by, alive_since(row, today_of(row, now)))
            base = order.select(with_names(row).where(CHALLENGE_MEMBERS.c.challenge_id == row.id))
            query = base if cursor is None else base.where(order.after(cursor))
            rows = (await conn.execute(order.ordered(query).limit(limit + 1))).all()
            page = rows[:limit]
            entries: list[Record] = []
            if page:
                ahead = await _count_ahead(conn, base, order, page[0])
                entries = [_entry(r, ahead + i + 1) for i, r in enumerate(page)]
            me_row = (
                await conn.execute(base.where(CHALLENGE_MEMBERS.c.user_id == viewer_id))
            ).first()
            me = None
            if me_row is not None:
                me = _entry(me_row, await _count_ahead(conn, base, order, me_row) + 1)
        nxt = order.cursor(page[-1]) if len(rows) > limit else None
        return entries, nxt, me

    async def completed(
        self, challenge_id: str, viewer_id: str, cursor: str | None = None, limit: int = 100
    ) -> tuple[list[Record], str | None]:
        """Who completed it, in the order they did (the deposit-refund list)."""
        limit = validation.limit(limit, high=PAGE_MAX * 10)
        async with self._db.read() as conn:
            row = await challenge_row(conn, challenge_id)
            await require_visible(conn, await circle_row(conn, row.circle_id), viewer_id)
            query = with_names(row).where(
                CHALLENGE_MEMBERS.c.challenge_id == row.id,
                CHALLENGE_MEMBERS.c.completed_at.is_not(None),
            )
            if cursor is not None:
                when, user = decode_cursor(cursor)
                query = query.where(
                    or_(
                        CHALLENGE_MEMBERS.c.completed_at > when,
                        and_(
                            CHALLENGE_MEMBERS.c.completed_at == when,
                            CHALLENGE_MEMBERS.c.user_id > user,
                        ),
                    )
                )
            query = query.order_by(
                CHALLENGE_MEMBERS.c.completed_at, CHALLENGE_MEMBERS.c.user_id
            ).limit(limit + 1)
            rows = (await conn.execute(query)).all()
        entries = [_entry(r, i + 1) for i, r in enumerate(rows[:limit])]
        return entries, next_cursor(rows, limit, "completed_at", "user_id")

    async def missing(
        self,
        challenge_id: str,
        actor_id: str,
        cursor: str | None = None,
        limit: int = 100,
        now: int | None = None,
    ) -> tuple[list[Record], str | None, int]:
        """Participants with nothing today — no valid or pending check-in, no
        leave — (owners and admins), in joining order; and how many they are.
        Not a scheduled day: nobody."""
        limit = validation.limit(limit, high=PAGE_MAX * 10)
        async with self._db.read() as conn:
            row = await challenge_row(conn, challenge_id)
            await require_manager(conn, row.circle_id, actor_id)
            today = today_of(row, now)
            if (
                not schedule_of(row).scheduled(today)
                or challenge_record(row, today)["status"] != "ongoing"
            ):
                return [], None, 0
            done = select(CHECKINS.c.user_id).where(
                CHECKINS.c.challenge_id == row.id,
                CHECKINS.c.local_date == today.isoformat(),
                CHECKINS.c.state.in_(("valid", "pending")),
            )
            where = and_(
                CHALLENGE_MEMBERS.c.challenge_id == row.id,
                CHALLENGE_MEMBERS.c.user_id.not_in(done),
            )
            count = (
                await conn.execute(select(func.count()).select_from(CHALLENGE_MEMBERS).where(where))
            ).scalar_one()
            query = with_names(row).where(where)
            if cursor is not None:
                when, user = decode_cursor(cursor)
                query = query.where(
                    or_(
                        CHALLENGE_MEMBERS.c.joined > when,
                        and_(
                            CHALLENGE_MEMBERS.c.joined == when, CHALLENGE_MEMBERS.c.user_id > user
                        ),
                    )
                )
            query = query.order_by(CHALLENGE_MEMBERS.c.joined, CHALLENGE_MEMBERS.c.user_id)
            rows = (await conn.execute(query.limit(limit + 1))).all()
        entries = [_entry(r, None) for r in rows[:limit]]
        return entries, next_cursor(rows, limit, "joined", "user_id"), int(count)


def with_names(row: AnyRow) -> Select[Any]:
    """The challenge's participants with their display names in its circle."""
    return (
        select(*CHALLENGE_MEMBERS.c, DISPLAY_NAME)
        .join(USERS, USERS.c.id == CHALLENGE_MEMBERS.c.user_id)
        .outerjoin(
            MEMBERSHIPS,
            and_(
                MEMBERSHIPS.c.circle_id == row.circle_id,
                MEMBERSHIPS.c.user_id == CHALLENGE_MEMBERS.c.user_id,
            ),
        )
    )


async def _count_ahead(
    conn: AsyncConnection, base: Select[Any], order: BoardOrder, row: AnyRow
) -> int:
    query = select(func.count()).select_from(base.where(order.ahead_of(row)).subquery())
    return int((await conn.execute(query)).scalar_one())


def _entry(row: AnyRow, rank: int | None) -> Record:
    featured = getattr(row, "featured", None)
    return {
        "rank": rank,
        "user": row.user_id,
        "name": row.display_name,
        "streak": row.streak,
        "best": row.best,
        "total": row.total,
        "completed": row.completed_at is not None,
        "completed_at": row.completed_at,
        **({} if featured is None else {"featured": int(featured)}),
    }


async def _checked_in(conn: AsyncConnection, challenge_id: str, user_id: str, day: date) -> bool:
    query = select(CHECKINS.c.id).where(
        CHECKINS.c.challenge_id == challenge_id,
        CHECKINS.c.user_id == user_id,
        CHECKINS.c.local_date == day.isoformat(),
        CHECKINS.c.state == "valid",
    )
    return (await conn.execute(query)).first() is not None
