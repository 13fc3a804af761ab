"""A circle's course plan: lessons in order, live lessons, reminders (README.md,
"Course plan and live lessons").

Teachers (the circle's owners and admins) create, edit, reorder and delete
lessons; members read the plan. A lesson starts at ``starts_at`` (ms), entered
and shown in the circle's time zone (``circles.time_zone``): the API takes
``YYYY-MM-DDTHH:MM`` there and answers ``starts_local`` beside the ms.

Live: ``scheduled → live → ended`` (nothing else: 409 with a reason). Starting
records the live chat (the lesson's group, or the circle's general group) and
its last seq; ending records the seq again, so the messages said during the
lesson are ``start_seq < seq <= end_seq`` and the lesson's highlights are the
highlights of those messages.

Past and missed: a lesson is past once ended, or, never live, once its end
(``starts_at`` plus ``duration_min``, or ``starts_at`` without one) has gone
by. A member "saw" a lesson once they opened its page or its player
(``seen``); a past lesson they did not see is missed for them.

Reminders (``remind_due``): ``remind_before_min`` minutes before the start
every member gets a personal ``reminder`` (store/reminders.py, the one road
for reminders: ``about`` kind ``lesson``), once (``reminded_at``, set with a
conditional UPDATE: several nodes running the job remind once). Moving the
start clears ``reminded_at``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import attachment_uses, validation
from .calendar import DEFAULT_ZONE, local_time_text, parse_local_time
from .changes import record
from .engine import Service
from .errors import Conflict, Invalid, NotFound
from .ids import new_id, now_ms
from .lookups import circle_row, require_manager, require_member
from .models import CIRCLES, GROUPS, LESSON_VIEWS, LESSONS, MEMBERSHIPS, POSTS
from .records import (
    AnyRow,
    Record,
    decode_attachments,
    encode_attachments,
    post_record,
    post_view,
    shared_post,
)
from .reminders import about, remind

TITLE_MAX = 100
DESCRIPTION_MAX = 4000
URL_MAX = 2000
DURATION_MAX_MIN = 24 * 60
REMIND_MAX_MIN = 7 * 24 * 60
REMIND_DEFAULT_MIN = 15
# Lessons one circle's plan holds (a year of daily lessons and then some).
PLAN_MAX = 500
HIGHLIGHTS_MAX = 50
STATES = ("scheduled", "live", "ended")
FIELDS = frozenset(
    {
        "title",
        "description",
        "starts_at",
        "duration_min",
        "attachments",
        "group",
        "stream_url",
        "stream_embed",
        "replay_url",
        "remind_before_min",
    }
)
# Whether a player URL may be shown in a frame (the server's frame policy); the
# store takes it from the caller.
Embeddable = Callable[[str], bool]


def web_url(value: object, field: str) -> str:
    """An http(s) URL with a host, one line, at most ``URL_MAX`` characters."""
    if not isinstance(value, str):
        raise Invalid(f"{field} must be a string")
    value = value.strip()
    bad = not value or len(value) > URL_MAX or any(c.isspace() or ord(c) < 32 for c in value)
    if not bad:
        try:
            parts = urlsplit(value)
            bad = parts.scheme.lower() not in ("http", "https") or not parts.hostname
        except ValueError:
            bad = True
    if bad:
        raise Invalid(f"{field} must be an http or https address", reason="bad_url")
    return value


def ends_at(row: AnyRow) -> int:
    return int(row.starts_at) + 60_000 * int(row.duration_min or 0)


def is_past(row: AnyRow, now: int) -> bool:
    return row.state == "ended" or (row.state == "scheduled" and ends_at(row) < now)


def lesson_record(row: AnyRow, zone_name: str) -> Record:
    """A lesson as every member sees it (events carry this)."""
    live = None
    if row.state != "scheduled":
        live = {
            "group": row.live_group,
            "started_at": row.live_started_at,
            "start_seq": row.live_start_seq,
            "ended_at": row.live_ended_at,
            "end_seq": row.live_end_seq,
        }
    return {
        "id": row.id,
        "circle": row.circle_id,
        "position": row.position,
        "title": row.title,
        "description": row.description,
        "starts_at": row.starts_at,
        "starts_local": local_time_text(row.starts_at, zone_name),
        "time_zone": zone_name,
        "duration_min": row.duration_min,
        "ends_at": ends_at(row),
        "attachments": decode_attachments(row.attachments),
        "group": row.group_id,
        "stream_url": row.stream_url,
        "stream_embed": bool(row.stream_embed),
        "replay_url": row.replay_url,
        "remind_before_min": row.remind_before_min,
        "reminded_at": row.reminded_at,
        "state": row.state,
        "live": live,
        "created_by": row.created_by,
        "created": row.created,
        "updated": row.updated,
    }


def _select() -> Any:
    return select(*LESSONS.c, CIRCLES.c.time_zone).join(
        CIRCLES, CIRCLES.c.id == LESSONS.c.circle_id
    )


async def lesson_row(conn: AsyncConnection, lesson_id: object) -> AnyRow:
    """The lesson with its circle's zone; ``NotFound``."""
    if not isinstance(lesson_id, str):
        raise NotFound("no such lesson")
    query = _select().where(LESSONS.c.id == lesson_id, CIRCLES.c.deleted.is_(None))
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound("no such lesson")
    return row


def _record(row: AnyRow) -> Record:
    return lesson_record(row, row.time_zone or DEFAULT_ZONE)


async def _chat_group(conn: AsyncConnection, circle_id: str, value: object) -> str | None:
    """The live chat group asked for: a group of this circle, not archived (None:
    the general group)."""
    if value is None or value == circle_id:
        return None
    if not isinstance(value, str) or len(value) > 32:
        raise Invalid("group must be a chat group id")
    row = (
        await conn.execute(
            select(GROUPS.c.archived).where(GROUPS.c.id == value, GROUPS.c.circle_id == circle_id)
        )
    ).first()
    if row is None:
        raise NotFound("no such chat group in this circle")
    if row.archived:
        raise Conflict("that chat group is archived", reason="group_archived")
    return value


class Lessons(Service):
    """The course plan: lessons, their live state, who saw them, reminders."""

    async def _values(
        self,
        conn: AsyncConnection,
        circle: AnyRow,
        fields: object,
        embeddable: Embeddable | None,
        current: AnyRow | None,
    ) -> dict[str, Any]:
        """The columns a create or an edit sets, validated (``Invalid`` naming
        the field; reasons ``bad_url``, ``embed_not_allowed``)."""
        if not isinstance(fields, dict):
            raise Invalid("a lesson must be an object")
        unknown = set(fields) - FIELDS
        if unknown:
            raise Invalid(f"a lesson cannot have {', '.join(sorted(map(str, unknown)))}")
        zone_name = circle.time_zone or DEFAULT_ZONE
        values: dict[str, Any] = {}
        if "title" in fields or current is None:
            values["title"] = validation.display_name(fields.get("title"), "title", TITLE_MAX)
        if "description" in fields:
            values["description"] = validation.text(
                fields["description"] or "", "description", 0, DESCRIPTION_MAX
            )
        if "starts_at" in fields or current is None:
            values["starts_at"] = parse_local_time(fields.get("starts_at"), "starts_at", zone_name)
        if "duration_min" in fields:
            values["duration_min"] = validation.optional_integer(
                fields["duration_min"], "duration_min", 1, DURATION_MAX_MIN
            )
        if "remind_before_min" in fields:
            values["remind_before_min"] = validation.integer(
                fields["remind_before_min"], "remind_before_min", 0, REMIND_MAX_MIN
            )
        if "group" in fields:
            values["group_id"] = await _chat_group(conn, circle.id, fields["group"])
        for name in ("stream_url", "replay_url"):
            if name in fields:
                values[name] = None if fields[name] in (None, "") else web_url(fields[name], name)
        if "stream_embed" in fields:
            values["stream_embed"] = validation.boolean(fields["stream_embed"], "stream_embed")
        if "attachments" in fields:
            ids = attachment_uses.ids_of(fields["attachments"])
            values["attachments"] = await attachment_uses.resolve(conn, circle.id, ids)
        embed = values.get("stream_embed", bool(current.stream_embed) if current else False)
        url = values.get("stream_url", current.stream_url if current else None)
        if embed and url and embeddable is not None and not embeddable(url):
            raise Invalid(
                "this server does not allow that player in a frame: give it as a link",
                reason="embed_not_allowed",
            )
        return values

    async def create(
        self,
        circle_id: str,
        actor_id: str,
        fields: dict[str, Any],
        embeddable: Embeddable | None = None,
    ) -> Record:
        """A new lesson at the end of the plan (teachers). ``fields``: ``title``,
        ``starts_at``, and optionally ``description``, ``duration_min``,
        ``attachments``, ``group``, ``stream_url``, ``stream_embed``,
        ``replay_url``, ``remind_before_min`` (15)."""
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            values = await self._values(conn, circle, fields, embeddable, None)
            count, last = (
                await conn.execute(
                    select(func.count(), func.max(LESSONS.c.position)).where(
                        LESSONS.c.circle_id == circle_id
                    )
                )
            ).one()
            if count >= PLAN_MAX:
                raise Conflict(f"a plan holds at most {PLAN_MAX} lessons", reason="plan_full")
            attachments = values.pop("attachments", [])
            now = now_ms()
            lesson_id = new_id()
            await conn.execute(
                LESSONS.insert().values(
                    id=lesson_id,
                    circle_id=circle_id,
                    position=int(last or 0) + 1,
                    description=values.pop("description", ""),
                    remind_before_min=values.pop("remind_before_min", REMIND_DEFAULT_MIN),
                    stream_embed=values.pop("stream_embed", False),
                    attachments=encode_attachments(attachments),
                    state="scheduled",
                    created_by=actor_id,
                    created=now,
                    updated=now,
                    **values,
                )
            )
            await attachment_uses.use(conn, lesson_id, 0, attachments)
            lesson = _record(await lesson_row(conn, lesson_id))
            await record(conn, circle_id, "lesson.created", {"lesson": lesson})
        return lesson

    async def update(
        self,
        lesson_id: str,
        actor_id: str,
        fields: dict[str, Any],
        embeddable: Embeddable | None = None,
    ) -> Record:
        """Change some of a lesson's fields (teachers); a null clears an optional one."""
        async with self._db.write() as conn:
            row = await lesson_row(conn, lesson_id)
            circle = await circle_row(conn, row.circle_id, lock=True)
            await require_manager(conn, row.circle_id, actor_id)
            values = await self._values(conn, circle, fields, embeddable, row)
            if "starts_at" in values and values["starts_at"] != row.starts_at:
                values["reminded_at"] = None
            if "attachments" in values:
                attachments = values["attachments"]
                values["attachments"] = encode_attachments(attachments)
                await attachment_uses.release(conn, [lesson_id])
                await attachment_uses.use(conn, lesson_id, 0, attachments)
            await conn.execute(
                update(LESSONS).where(LESSONS.c.id == lesson_id).values(updated=now_ms(), **values)
            )
            lesson = _record(await lesson_row(conn, lesson_id))
            await record(conn, row.circle_id, "lesson.updated", {"lesson": lesson})
        return lesson

    async def delete(self, lesson_id: str, actor_id: str) -> None:
        """Remove a lesson from the plan (teachers): its attachments' uses and the
        marks of who saw it go with it."""
        async with self._db.write() as conn:
            row = await lesson_row(conn, lesson_id)
            await circle_row(conn, row.circle_id, lock=True)
            await require_manager(conn, row.circle_id, actor_id)
            await attachment_uses.release(conn, [lesson_id])
            await conn.execute(delete(LESSON_VIEWS).where(LESSON_VIEWS.c.lesson_id == lesson_id))
            await conn.execute(delete(LESSONS).where(LESSONS.c.id == lesson_id))
            await record(conn, row.circle_id, "lesson.deleted", {"lesson": lesson_id})

    async def reorder(self, circle_id: str, actor_id: str, order: object) -> list[str]:
        """Put the plan in this order (teachers): ``order`` lists every lesson id once."""
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            ids = (
                (await conn.execute(select(LESSONS.c.id).where(LESSONS.c.circle_id == circle_id)))
                .scalars()
                .all()
            )
            if (
                not isinstance(order, list)
                or len(order) != len(ids)
                or set(order) != set(ids)
                or len(set(order)) != len(order)
            ):
                raise Invalid("order must list every lesson of the plan once")
            for position, lesson_id in enumerate(order, 1):
                await conn.execute(
                    update(LESSONS).where(LESSONS.c.id == lesson_id).values(position=position)
                )
            await record(conn, circle_id, "lessons.reordered", {"order": list(order)})
        return list(order)

    async def plan(
        self, circle_id: str, viewer_id: str, now: int | None = None
    ) -> tuple[list[Record], str | None]:
        """The plan in order, each lesson with the viewer's ``seen``, ``past`` and
        ``missed``; and the id of the next lesson (a live one, else the upcoming
        one that starts first; None)."""
        at = now_ms() if now is None else now
        async with self._db.read() as conn:
            await circle_row(conn, circle_id)
            await require_member(conn, circle_id, viewer_id)
            rows = (
                await conn.execute(
                    _select()
                    .where(LESSONS.c.circle_id == circle_id)
                    .order_by(LESSONS.c.position, LESSONS.c.id)
                )
            ).all()
            seen = set(
                (
                    await conn.execute(
                        select(LESSON_VIEWS.c.lesson_id)
                        .join(LESSONS, LESSONS.c.id == LESSON_VIEWS.c.lesson_id)
                        .where(
                            LESSONS.c.circle_id == circle_id, LESSON_VIEWS.c.user_id == viewer_id
                        )
                    )
                )
                .scalars()
                .all()
            )
        lessons = [self._viewed(row, row.id in seen, at) for row in rows]
        live = [row for row in rows if row.state == "live"]
        upcoming = sorted(
            (row for row in rows if not is_past(row, at) and row.state == "scheduled"),
            key=lambda row: (row.starts_at, row.position),
        )
        nxt = live[0].id if live else (upcoming[0].id if upcoming else None)
        return lessons, nxt

    @staticmethod
    def _viewed(row: AnyRow, seen: bool, now: int) -> Record:
        past = is_past(row, now)
        return {**_record(row), "seen": seen, "past": past, "missed": past and not seen}

    async def get(self, lesson_id: str, viewer_id: str, now: int | None = None) -> Record:
        """A lesson for a member, with ``seen``/``past``/``missed`` and its
        ``highlights`` (those of messages said during it, oldest first)."""
        at = now_ms() if now is None else now
        async with self._db.read() as conn:
            row = await lesson_row(conn, lesson_id)
            await require_member(conn, row.circle_id, viewer_id)
            seen = (
                await conn.execute(
                    select(LESSON_VIEWS.c.seen).where(
                        LESSON_VIEWS.c.lesson_id == lesson_id, LESSON_VIEWS.c.user_id == viewer_id
                    )
                )
            ).first() is not None
            highlights = await _highlights(conn, row, viewer_id)
        return {**self._viewed(row, seen, at), "highlights": highlights}

    async def mark_seen(self, lesson_id: str, viewer_id: str) -> None:
        """The member opened the lesson (idempotent): it is no longer missed."""
        async with self._db.write() as conn:
            row = await lesson_row(conn, lesson_id)
            await require_member(conn, row.circle_id, viewer_id)
            seen = LESSON_VIEWS.c.lesson_id == lesson_id, LESSON_VIEWS.c.user_id == viewer_id
            done = await conn.execute(update(LESSON_VIEWS).where(*seen).values(seen=now_ms()))
            if not done.rowcount:
                # Another tab of the same member may mark it at the same moment.
                await conn.execute(
                    self._db.insert_ignore(LESSON_VIEWS).values(
                        lesson_id=lesson_id, user_id=viewer_id, seen=now_ms()
                    )
                )

    async def start(self, lesson_id: str, actor_id: str) -> Record:
        """Go live (teachers): needs a stream (409 ``no_stream``), a scheduled
        lesson (409 ``lesson_live``, ``lesson_ended``). Records the live chat and
        its seq; ``lesson.live``."""
        async with self._db.write() as conn:
            row = await lesson_row(conn, lesson_id)
            await circle_row(conn, row.circle_id, lock=True)
            await require_manager(conn, row.circle_id, actor_id)
            _require_state(row, "scheduled")
            if not row.stream_url:
                raise Conflict("set the lesson's stream before starting it", reason="no_stream")
            group = row.group_id or row.circle_id
            seq = (
                await conn.execute(select(GROUPS.c.last_seq).where(GROUPS.c.id == group))
            ).scalar()
            now = now_ms()
            await conn.execute(
                update(LESSONS)
                .where(LESSONS.c.id == lesson_id)
                .values(
                    state="live",
                    live_group=group,
                    live_started_at=now,
                    live_start_seq=int(seq or 0),
                    updated=now,
                )
            )
            lesson = _record(await lesson_row(conn, lesson_id))
            await record(conn, row.circle_id, "lesson.live", {"lesson": lesson})
        return lesson

    async def end(self, lesson_id: str, actor_id: str) -> Record:
        """End a live lesson (teachers; 409 ``lesson_not_live``): the live chat's
        seq now closes the lesson's range; ``lesson.ended``."""
        async with self._db.write() as conn:
            row = await lesson_row(conn, lesson_id)
            await circle_row(conn, row.circle_id, lock=True)
            await require_manager(conn, row.circle_id, actor_id)
            if row.state != "live":
                raise Conflict("the lesson is not live", reason="lesson_not_live")
            seq = (
                await conn.execute(select(GROUPS.c.last_seq).where(GROUPS.c.id == row.live_group))
            ).scalar()
            now = now_ms()
            await conn.execute(
                update(LESSONS)
                .where(LESSONS.c.id == lesson_id)
                .values(
                    state="ended",
                    live_ended_at=now,
                    live_end_seq=max(int(seq or 0), int(row.live_start_seq or 0)),
                    updated=now,
                )
            )
            lesson = _record(await lesson_row(conn, lesson_id))
            await record(conn, row.circle_id, "lesson.ended", {"lesson": lesson})
        return lesson

    async def live_for(self, user_id: str) -> list[Record]:
        """The live lessons of every circle the user belongs to (the banner's
        catch-up on any page)."""
        query = (
            _select()
            .add_columns(CIRCLES.c.name)
            .join(
                MEMBERSHIPS,
                and_(
                    MEMBERSHIPS.c.circle_id == LESSONS.c.circle_id,
                    MEMBERSHIPS.c.user_id == user_id,
                ),
            )
            .where(LESSONS.c.state == "live", CIRCLES.c.deleted.is_(None))
            .order_by(LESSONS.c.live_started_at, LESSONS.c.id)
            .limit(PLAN_MAX)
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        return [{**_record(row), "circle_name": row.name} for row in rows]

    async def remind_due(self, now: int | None = None, batch: int = 100) -> list[Record]:
        """Remind the members of every lesson whose reminder time has come and
        that has not started (a personal ``reminder`` each, store/reminders.py),
        once per lesson; returns the lessons reminded."""
        at = now_ms() if now is None else now
        due = (
            _select()
            .where(
                LESSONS.c.state == "scheduled",
                LESSONS.c.reminded_at.is_(None),
                LESSONS.c.remind_before_min > 0,
                LESSONS.c.starts_at > at,
                LESSONS.c.starts_at - LESSONS.c.remind_before_min * 60_000 <= at,
                CIRCLES.c.deleted.is_(None),
            )
            .order_by(LESSONS.c.starts_at)
            .limit(batch)
        )
        reminded: list[Record] = []
        async with self._db.write() as conn:
            for row in (await conn.execute(due)).all():
                taken = await conn.execute(
                    update(LESSONS)
                    .where(LESSONS.c.id == row.id, LESSONS.c.reminded_at.is_(None))
                    .values(reminded_at=at)
                )
                if not taken.rowcount:
                    continue  # another node's job reminded it
                members = (
                    await conn.execute(
                        select(MEMBERSHIPS.c.user_id)
                        .where(MEMBERSHIPS.c.circle_id == row.circle_id)
                        .order_by(MEMBERSHIPS.c.user_id)
                    )
                ).scalars()
                subject = about("lesson", row.id, row.title, at=int(row.starts_at))
                await remind(conn, row.circle_id, list(members), subject)
                reminded.append(_record(await lesson_row(conn, row.id)))
        return reminded

    async def by_lesson(self, circle_id: str, viewer_id: str) -> list[Record]:
        """The plan's lessons that carry attachments, in order, each with them
        (the materials library grouped by lesson)."""
        async with self._db.read() as conn:
            await circle_row(conn, circle_id)
            await require_member(conn, circle_id, viewer_id)
            rows = (
                await conn.execute(
                    _select()
                    .where(LESSONS.c.circle_id == circle_id, LESSONS.c.attachments.is_not(None))
                    .order_by(LESSONS.c.position, LESSONS.c.id)
                )
            ).all()
        return [
            {
                "id": row.id,
                "title": row.title,
                "position": row.position,
                "starts_at": row.starts_at,
                "starts_local": local_time_text(row.starts_at, row.time_zone or DEFAULT_ZONE),
                "attachments": decode_attachments(row.attachments),
            }
            for row in rows
        ]


def _require_state(row: AnyRow, state: str) -> None:
    if row.state != state:
        reason = {"live": "lesson_live", "ended": "lesson_ended"}.get(row.state, "lesson_not_live")
        raise Conflict(f"the lesson is {row.state}", reason=reason)


async def _highlights(conn: AsyncConnection, row: AnyRow, viewer_id: str) -> list[Record]:
    """The highlights whose message was said in the lesson's live chat during it."""
    if row.state == "scheduled" or row.live_group is None:
        return []
    where: Sequence[Any] = [
        POSTS.c.circle_id == row.circle_id,
        POSTS.c.source_group == row.live_group,
        POSTS.c.source_seq > row.live_start_seq,
        POSTS.c.deleted.is_(False),
    ]
    if row.live_end_seq is not None:
        where = [*where, POSTS.c.source_seq <= row.live_end_seq]
    query = post_view(viewer_id).where(*where).order_by(POSTS.c.source_seq).limit(HIGHLIGHTS_MAX)
    return [shared_post(post_record(r)) for r in (await conn.execute(query)).all()]
