"""Check-ins (COMMUNITY-OPS.md rules 1, 3 and 6): a participant checks in once
per scheduled day of a challenge, in its time slot, with text and media; edits
it until the slot closes; an owner or admin invalidates one with a reason (in
the audit log), which takes it out of every count.

Each refusal has its own reason, so a client says exactly what is wrong:
``not_joined``, ``challenge_not_started``, ``challenge_over``,
``not_scheduled``, ``window_not_open`` / ``window_closed`` (params ``from`` /
``to``, minutes of the day), ``already_checked_in``, ``text_too_short``
(params ``min``), ``media_required``, ``duplicate_media`` (the same photo or
voice as another member's check-in in this circle). A muted member may not
check in (``muted``, as for saying anything).

After every change the participant's standing is computed again from their
valid days (store/calendar.py ``standing``) and stored with when each count
was reached (the boards' tie-break); ``checkin.added`` / ``checkin.edited`` /
``checkin.invalidated`` carry it to every member live.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import attachment_uses, validation
from .audit import record_act
from .calendar import covered_until, local_minute, minute_text, parse_date, standing
from .challenges import (
    challenge_row,
    participant_row,
    schedule_of,
    standing_record,
    today_of,
)
from .changes import record
from .engine import Database, Service
from .errors import Conflict, Forbidden, Invalid, NotFound
from .ids import new_id, now_ms
from .lookups import (
    circle_row,
    newest_first,
    next_cursor,
    require_manager,
    require_visible,
    require_voice,
)
from .models import CHALLENGE_MEMBERS, CHECKIN_MEDIA, CHECKINS, MEMBERSHIPS, POSTS, USERS
from .records import DISPLAY_NAME, AnyRow, Record, decode_attachments, encode_attachments

# A check-in's states: counted ("valid"), waiting in a review queue
# ("pending"), refused by a reviewer ("rejected"), taken out ("invalidated").
STATES = ("valid", "pending", "rejected", "invalidated")
# The states whose words and media everyone sees.
SHOWN = ("valid", "pending")
TEXT_MAX = 2000
REASON_MAX_BYTES = 512
PAGE_MAX = 100


def checkin_record(row: AnyRow) -> Record:
    shown = row.state in SHOWN
    return {
        "id": row.id,
        "challenge": row.challenge_id,
        "circle": row.circle_id,
        "user": row.user_id,
        "name": getattr(row, "display_name", None),
        "date": row.local_date,
        "created": row.created,
        "edited": row.edited,
        "text": row.text if shown else "",
        "attachments": decode_attachments(row.attachments) if shown else [],
        "state": row.state,
        "reason": row.reason,
        "kind": row.kind,
        "makeup": bool(row.makeup),
        "granted_by": row.granted_by,
        "reviewed_by": row.reviewed_by,
        "featured": bool(getattr(row, "featured", False)),
    }


class CheckIns(Service):
    """Check in, edit, invalidate; a day's check-ins; a member's calendar."""

    async def check_in(
        self,
        challenge_id: str,
        user_id: str,
        text: object = "",
        attachments: object = None,
        now: int | None = None,
    ) -> tuple[Record, Record]:
        """Today's check-in and the new standing. See the module for refusals."""
        ids = attachment_uses.ids_of(attachments)
        words = validation.text(text if text is not None else "", "text", 0, TEXT_MAX)
        at = now_ms() if now is None else now
        try:
            async with self._db.write() as conn:
                row = await challenge_row(conn, challenge_id)
                await circle_row(conn, row.circle_id, lock=True)
                await require_voice(conn, row.circle_id, user_id)
                if await participant_row(conn, row.id, user_id) is None:
                    raise Forbidden("join the challenge first", reason="not_joined")
                day = today_of(row, at)
                _check_open(row, day, local_minute(at, row.time_zone, row.day_closes_after))
                await require_free_day(conn, row.id, user_id, day)
                carried = await content_of(conn, row, user_id, words, ids)
                checkin, standing = await add_checkin(
                    self._db,
                    conn,
                    row,
                    user_id,
                    day,
                    at,
                    words,
                    carried,
                    state="pending" if row.review else "valid",
                )
        except IntegrityError:
            # Two check-ins of one member in the same instant: the second lost.
            raise Conflict("you checked in today already", reason="already_checked_in") from None
        return checkin, standing

    async def edit(
        self,
        checkin_id: str,
        user_id: str,
        text: object = "",
        attachments: object = None,
        now: int | None = None,
    ) -> Record:
        """Change one's own check-in (text and media) until its slot closes."""
        ids = attachment_uses.ids_of(attachments)
        words = validation.text(text if text is not None else "", "text", 0, TEXT_MAX)
        at = now_ms() if now is None else now
        async with self._db.write() as conn:
            found = await checkin_row(conn, checkin_id)
            if found.user_id != user_id:
                raise Forbidden("only its author edits a check-in")
            row = await challenge_row(conn, found.challenge_id)
            await circle_row(conn, row.circle_id, lock=True)
            await require_voice(conn, row.circle_id, user_id)
            if found.state not in SHOWN:
                raise Conflict("this check-in was invalidated", reason="checkin_invalidated")
            if found.kind != "checkin" or found.makeup:
                raise Forbidden("the check-in window has closed", reason="window_closed")
            day = today_of(row, at)
            minute = local_minute(at, row.time_zone, row.day_closes_after)
            if found.local_date != day.isoformat() or minute >= slot_end(row):
                raise Forbidden(
                    "the check-in window has closed",
                    reason="window_closed",
                    params={"to": slot_end(row)},
                )
            await attachment_uses.release(conn, [found.id])
            await conn.execute(delete(CHECKIN_MEDIA).where(CHECKIN_MEDIA.c.checkin_id == found.id))
            carried = await content_of(conn, row, user_id, words, ids)
            await conn.execute(
                update(CHECKINS)
                .where(CHECKINS.c.id == found.id)
                .values(text=words, attachments=encode_attachments(carried), edited=at)
            )
            await _hold_media(self._db, conn, row.circle_id, user_id, found.id, carried)
            checkin = await read_checkin(conn, found.id)
            await record(conn, row.circle_id, "checkin.edited", {"checkin": checkin})
        return checkin

    async def invalidate(
        self, checkin_id: str, actor_id: str, reason: object
    ) -> tuple[Record, Record]:
        """An owner or admin takes a check-in out of every count, with a reason
        (≤ 512 bytes, required; in the audit log). The check-in and the
        author's new standing. ``Conflict`` when it is invalidated already."""
        said = validation.text(reason, "reason", 1, REASON_MAX_BYTES)
        if len(said.encode()) > REASON_MAX_BYTES:
            raise Invalid(f"reason must be at most {REASON_MAX_BYTES} bytes")
        async with self._db.write() as conn:
            found = await checkin_row(conn, checkin_id)
            row = await challenge_row(conn, found.challenge_id)
            await circle_row(conn, row.circle_id, lock=True)
            await require_manager(conn, row.circle_id, actor_id)
            if found.state == "pending":
                raise Conflict("this check-in is waiting for review", reason="not_reviewed")
            if found.state != "valid":
                raise Conflict(
                    "this check-in was invalidated already", reason="checkin_invalidated"
                )
            await conn.execute(
                update(CHECKINS)
                .where(CHECKINS.c.id == found.id)
                .values(state="invalidated", invalidated_by=actor_id, reason=said)
            )
            await attachment_uses.release(conn, [found.id])
            await conn.execute(delete(CHECKIN_MEDIA).where(CHECKIN_MEDIA.c.checkin_id == found.id))
            standing = await restand(conn, row, found.user_id, now_ms())
            data = {"challenge": row.id, "user": found.user_id, "date": found.local_date}
            await record_act(
                conn,
                row.circle_id,
                actor_id,
                "checkin.invalidated",
                "checkin",
                found.id,
                said,
                data,
            )
            checkin = await read_checkin(conn, found.id)
            await record(
                conn,
                row.circle_id,
                "checkin.invalidated",
                {"checkin": checkin, "standing": standing},
            )
        return checkin, standing

    async def day(
        self,
        challenge_id: str,
        viewer_id: str,
        day: object = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[Record], str | None]:
        """A day's check-ins (today by default), newest first."""
        limit = validation.limit(limit, high=PAGE_MAX)
        async with self._db.read() as conn:
            row = await challenge_row(conn, challenge_id)
            await require_visible(conn, await circle_row(conn, row.circle_id), viewer_id)
            when = today_of(row) if day is None else _date(day)
            query = with_checkin_names(row.circle_id).where(
                CHECKINS.c.challenge_id == row.id, CHECKINS.c.local_date == when.isoformat()
            )
            rows = (await conn.execute(newest_first(query, CHECKINS, cursor, limit))).all()
        return [checkin_record(r) for r in rows[:limit]], next_cursor(rows, limit, "created", "id")

    async def calendar(self, challenge_id: str, viewer_id: str, user_id: str) -> Record:
        """A participant's days: ``{"days": [{"date","state","id","kind","makeup"}…],
        "standing"}`` (every member may read anyone's, as on a board)."""
        async with self._db.read() as conn:
            row = await challenge_row(conn, challenge_id)
            await require_visible(conn, await circle_row(conn, row.circle_id), viewer_id)
            found = await participant_row(conn, row.id, user_id)
            if found is None:
                raise NotFound("not a participant of this challenge")
            rows = await conn.execute(
                select(*CHECKINS.c)
                .where(CHECKINS.c.challenge_id == row.id, CHECKINS.c.user_id == user_id)
                .order_by(CHECKINS.c.local_date)
            )
            days = [
                {
                    "date": r.local_date,
                    "state": r.state,
                    "id": r.id,
                    "kind": r.kind,
                    "makeup": bool(r.makeup),
                }
                for r in rows
            ]
        return {"days": days, "standing": standing_record(found)}


def _check_open(row: AnyRow, day: date, minute: int) -> None:
    if day < date.fromisoformat(row.starts_on):
        raise Forbidden("this challenge has not started", reason="challenge_not_started")
    if row.ends_on is not None and day > date.fromisoformat(row.ends_on):
        raise Forbidden("this challenge is over", reason="challenge_over")
    schedule = schedule_of(row)
    if not schedule.scheduled(day):
        raise Forbidden("today is not a check-in day of this challenge", reason="not_scheduled")
    if minute < schedule.slot_from:
        raise Forbidden(
            f"check-in opens at {minute_text(schedule.slot_from)}",
            reason="window_not_open",
            params={"from": schedule.slot_from},
        )
    if minute >= slot_end(row):
        raise Forbidden(
            f"check-in closed at {minute_text(schedule.slot_to % 1440)}",
            reason="window_closed",
            params={"to": schedule.slot_to},
        )


def slot_end(row: AnyRow) -> int:
    """The minute of the day a check-in slot closes: a whole-day slot lasts as long
    as the circle's day (past midnight when the circle closes days later)."""
    end = schedule_of(row).slot_to
    return end + row.day_closes_after if end == 24 * 60 else end


async def add_checkin(
    db: Database,
    conn: AsyncConnection,
    row: AnyRow,
    user_id: str,
    day: date,
    at: int,
    words: str,
    carried: list[Record],
    *,
    state: str,
    kind: str = "checkin",
    makeup: bool = False,
    granted_by: str | None = None,
    reason: str | None = None,
) -> tuple[Record, Record]:
    """Store a check-in (or a leave day, a make-up) of ``day`` and its media,
    compute the standing again and log ``checkin.added``: the check-in and the
    standing. The caller checked the rules."""
    checkin_id = new_id()
    await conn.execute(
        CHECKINS.insert().values(
            id=checkin_id,
            challenge_id=row.id,
            circle_id=row.circle_id,
            user_id=user_id,
            local_date=day.isoformat(),
            created=at,
            text=words,
            attachments=encode_attachments(carried),
            state=state,
            kind=kind,
            makeup=makeup,
            granted_by=granted_by,
            reason=reason,
        )
    )
    await _hold_media(db, conn, row.circle_id, user_id, checkin_id, carried)
    standing = await restand(conn, row, user_id, at)
    checkin = await read_checkin(conn, checkin_id)
    await record(conn, row.circle_id, "checkin.added", {"checkin": checkin, "standing": standing})
    return checkin, standing


async def require_free_day(
    conn: AsyncConnection, challenge_id: str, user_id: str, day: date
) -> None:
    """``Conflict``: the member has a check-in (``already_checked_in``) or a leave
    day (``on_leave``) on ``day``."""
    query = select(CHECKINS.c.kind).where(
        CHECKINS.c.challenge_id == challenge_id,
        CHECKINS.c.user_id == user_id,
        CHECKINS.c.local_date == day.isoformat(),
    )
    kind = (await conn.execute(query)).scalar()
    if kind == "leave":
        raise Conflict("you are on leave that day", reason="on_leave")
    if kind is not None:
        raise Conflict("you checked in that day already", reason="already_checked_in")


async def content_of(
    conn: AsyncConnection, row: AnyRow, user_id: str, words: str, ids: list[str]
) -> list[Record]:
    """The content rules (rule 6): least text, media kinds, no other member's media."""
    if len(words) < row.min_text:
        raise Invalid(
            f"write at least {row.min_text} characters",
            reason="text_too_short",
            params={"min": row.min_text},
        )
    carried = await attachment_uses.resolve(conn, row.circle_id, ids)
    needed = set(json.loads(row.media_kinds)) - {a["kind"] for a in carried}
    if needed:
        raise Invalid(f"add {', '.join(sorted(needed))}", reason="media_required")
    if ids:
        taken = await conn.execute(
            select(CHECKIN_MEDIA.c.attachment_id).where(
                CHECKIN_MEDIA.c.circle_id == row.circle_id,
                CHECKIN_MEDIA.c.attachment_id.in_(ids),
                CHECKIN_MEDIA.c.user_id != user_id,
            )
        )
        if taken.first() is not None:
            raise Conflict(
                "this photo or recording is already another member's check-in",
                reason="duplicate_media",
            )
    return carried


async def _hold_media(
    db: Database,
    conn: AsyncConnection,
    circle_id: str,
    user_id: str,
    checkin_id: str,
    carried: list[Record],
) -> None:
    await attachment_uses.use(conn, checkin_id, 0, carried)
    for attachment in carried:
        # One's own photo again (another day) keeps its first check-in's row.
        await conn.execute(
            db.insert_ignore(CHECKIN_MEDIA).values(
                circle_id=circle_id,
                attachment_id=attachment["id"],
                user_id=user_id,
                checkin_id=checkin_id,
            )
        )


async def restand(conn: AsyncConnection, row: AnyRow, user_id: str, at: int) -> Record:
    """Compute the participant's standing again from their valid days (leave days
    neither break nor extend a streak; pending ones do not count yet), store it
    (with when each count was reached) and return it."""
    before = await participant_row(conn, row.id, user_id)
    assert before is not None
    days = await conn.execute(
        select(CHECKINS.c.local_date, CHECKINS.c.kind).where(
            CHECKINS.c.challenge_id == row.id,
            CHECKINS.c.user_id == user_id,
            CHECKINS.c.state == "valid",
        )
    )
    checked: set[date] = set()
    leave: set[date] = set()
    for local, kind in days:
        (leave if kind == "leave" else checked).add(date.fromisoformat(local))
    ends = None if row.ends_on is None else date.fromisoformat(row.ends_on)
    schedule = schedule_of(row)
    now = standing(
        checked, schedule, date.fromisoformat(row.starts_on), ends, today_of(row, at), leave
    )
    last = now.last
    if now.streak and last is not None and leave:
        # A run followed by leave days is alive through them on the board.
        last = covered_until(last, schedule, leave, ends or max(leave))
    reached = (
        (row.type == "continuous" and now.best >= row.required_days)
        or (row.type == "accumulated" and now.total >= row.required_days)
        if row.required_days is not None
        else False
    )
    values: dict[str, Any] = {
        "streak": now.streak,
        "streak_last": last.isoformat() if now.streak and last else None,
        "best": now.best,
        "total": now.total,
        "streak_at": before.streak_at
        if now.streak == before.streak
        else (at if now.streak else None),
        "total_at": before.total_at if now.total == before.total else (at if now.total else None),
        "completed_at": (before.completed_at or at) if reached else None,
    }
    await conn.execute(
        update(CHALLENGE_MEMBERS)
        .where(CHALLENGE_MEMBERS.c.challenge_id == row.id, CHALLENGE_MEMBERS.c.user_id == user_id)
        .values(values)
    )
    after = await participant_row(conn, row.id, user_id)
    result = standing_record(after)
    assert result is not None
    return result


async def checkin_row(conn: AsyncConnection, checkin_id: object) -> AnyRow:
    if not isinstance(checkin_id, str):
        raise NotFound("no such check-in")
    row = (await conn.execute(select(*CHECKINS.c).where(CHECKINS.c.id == checkin_id))).first()
    if row is None:
        raise NotFound("no such check-in")
    return row


# Whether a check-in was featured (精选: a live highlight of it, store/checkin_features.py).
FEATURED = (
    exists()
    .where(
        POSTS.c.source_kind == "checkin",
        POSTS.c.source_ref == CHECKINS.c.id,
        POSTS.c.deleted.is_(False),
    )
    .label("featured")
)


def with_checkin_names(circle_id: str) -> Any:
    return (
        select(*CHECKINS.c, DISPLAY_NAME, FEATURED)
        .join(USERS, USERS.c.id == CHECKINS.c.user_id)
        .outerjoin(
            MEMBERSHIPS,
            and_(MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.user_id == CHECKINS.c.user_id),
        )
    )


async def read_checkin(conn: AsyncConnection, checkin_id: str) -> Record:
    found = await checkin_row(conn, checkin_id)
    named = (
        await conn.execute(with_checkin_names(found.circle_id).where(CHECKINS.c.id == checkin_id))
    ).first()
    assert named is not None
    return checkin_record(named)


def _date(value: object) -> date:
    return parse_date(value, "date")
