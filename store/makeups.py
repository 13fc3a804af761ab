"""Make-up (补卡) and leave (请假) days of check-in challenges (COMMUNITY-OPS.md
rule 4; the rules of a challenge in store/challenge_rules.py).

A participant makes up a past scheduled day within the challenge's look-back
window while their quota lasts; it is stored with ``makeup`` true (and waits
in the review queue like any check-in of a challenge that has one). An owner
or admin grants a make-up of a member's day with a required reason (≤ 512
bytes, audited): it counts at once, outside the window and the quota. A
participant takes a leave day (today or later) while their leave days last:
it neither breaks nor extends a streak. A strict (deposit) challenge refuses
both.

Refusals, each with its reason: ``makeup_strict`` / ``leave_strict`` (strict
mode), ``makeup_not_allowed`` / ``leave_not_allowed`` (off for this
challenge), ``makeup_window`` (params ``days``: not one of the last N days),
``makeup_quota`` / ``leave_quota`` (params ``quota``: used up),
``leave_window`` (a past day), ``not_scheduled``, ``challenge_not_started``,
``challenge_over``, ``already_checked_in``, ``on_leave``, ``not_joined``, and
the content rules of a check-in.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import attachment_uses, validation
from .audit import record_act
from .calendar import parse_date
from .challenges import challenge_row, participant_row, schedule_of, today_of
from .checkins import (
    REASON_MAX_BYTES,
    TEXT_MAX,
    add_checkin,
    content_of,
    require_free_day,
)
from .engine import Service
from .errors import Conflict, Forbidden, Invalid
from .ids import now_ms
from .lookups import circle_row, require_manager, require_voice
from .models import CHECKINS
from .records import AnyRow, Record


class MakeUps(Service):
    """Make up a day, grant a make-up, take a leave day."""

    async def make_up(
        self,
        challenge_id: str,
        user_id: str,
        day: object,
        text: object = "",
        attachments: object = None,
        now: int | None = None,
    ) -> tuple[Record, Record]:
        """A participant's make-up of ``day`` (a past day): the check-in and the
        standing. See the module for refusals."""
        ids = attachment_uses.ids_of(attachments)
        words = validation.text(text if text is not None else "", "text", 0, TEXT_MAX)
        when = parse_date(day, "date")
        at = now_ms() if now is None else now
        try:
            async with self._db.write() as conn:
                row = await _open(conn, challenge_id, user_id, "makeup")
                if not row.makeup_days:
                    raise Forbidden("this challenge allows no make-up", reason="makeup_not_allowed")
                today = today_of(row, at)
                if not today - timedelta(days=row.makeup_days) <= when < today:
                    raise Forbidden(
                        f"only the last {row.makeup_days} days can be made up",
                        reason="makeup_window",
                        params={"days": row.makeup_days},
                    )
                _require_challenge_day(row, when)
                await require_free_day(conn, row.id, user_id, when)
                used = await _used(conn, row, user_id, "checkin", when)
                if used >= row.makeup_quota:
                    raise Forbidden(
                        "your make-ups are used up",
                        reason="makeup_quota",
                        params={"quota": row.makeup_quota, "per": row.makeup_per},
                    )
                carried = await content_of(conn, row, user_id, words, ids)
                return await add_checkin(
                    self._db,
                    conn,
                    row,
                    user_id,
                    when,
                    at,
                    words,
                    carried,
                    state="pending" if row.review else "valid",
                    makeup=True,
                )
        except IntegrityError:
            raise Conflict("you checked in that day already", reason="already_checked_in") from None

    async def grant(
        self,
        challenge_id: str,
        actor_id: str,
        user_id: object,
        day: object,
        reason: object,
        now: int | None = None,
    ) -> tuple[Record, Record]:
        """An owner or admin makes up a participant's past day, with a reason
        (required, ≤ 512 bytes; audited): it counts at once, outside the window and
        the quota. The check-in and the participant's standing."""
        said = validation.text(reason, "reason", 1, REASON_MAX_BYTES)
        if len(said.encode()) > REASON_MAX_BYTES:
            raise Invalid(f"reason must be at most {REASON_MAX_BYTES} bytes")
        if not isinstance(user_id, str) or not user_id:
            raise Invalid("user must be a user id")
        when = parse_date(day, "date")
        at = now_ms() if now is None else now
        try:
            async with self._db.write() as conn:
                row = await _open(conn, challenge_id, user_id, "makeup", manager=actor_id)
                if when >= today_of(row, at):
                    raise Forbidden("only a past day can be made up", reason="makeup_window")
                _require_challenge_day(row, when)
                await require_free_day(conn, row.id, user_id, when)
                checkin, standing = await add_checkin(
                    self._db,
                    conn,
                    row,
                    user_id,
                    when,
                    at,
                    "",
                    [],
                    state="valid",
                    makeup=True,
                    granted_by=actor_id,
                    reason=said,
                )
                await record_act(
                    conn,
                    row.circle_id,
                    actor_id,
                    "checkin.granted",
                    "checkin",
                    checkin["id"],
                    said,
                    {"challenge": row.id, "user": user_id, "date": when.isoformat()},
                )
                return checkin, standing
        except IntegrityError:
            raise Conflict("a check-in of that day exists", reason="already_checked_in") from None

    async def leave(
        self, challenge_id: str, user_id: str, day: object = None, now: int | None = None
    ) -> tuple[Record, Record]:
        """A participant's leave day (today by default, or a later day): the leave
        and the standing."""
        at = now_ms() if now is None else now
        try:
            async with self._db.write() as conn:
                row = await _open(conn, challenge_id, user_id, "leave")
                if not row.leave_days:
                    raise Forbidden("this challenge allows no leave", reason="leave_not_allowed")
                today = today_of(row, at)
                when = today if day is None else parse_date(day, "date")
                if when < today:
                    raise Forbidden("leave is for today or a later day", reason="leave_window")
                _require_challenge_day(row, when)
                await require_free_day(conn, row.id, user_id, when)
                if await _used(conn, row, user_id, "leave", when) >= row.leave_days:
                    raise Forbidden(
                        "your leave days are used up",
                        reason="leave_quota",
                        params={"quota": row.leave_days},
                    )
                return await add_checkin(
                    self._db, conn, row, user_id, when, at, "", [], state="valid", kind="leave"
                )
        except IntegrityError:
            raise Conflict("you checked in that day already", reason="already_checked_in") from None


_STRICT_REFUSES = {
    "makeup": "a strict challenge allows no make-up",
    "leave": "a strict challenge allows no leave",
}


async def _open(
    conn: AsyncConnection, challenge_id: str, user_id: str, what: str, manager: str | None = None
) -> AnyRow:
    """The challenge (its circle locked) for a participant's make-up or leave
    (``what``), taken by the participant or granted by an owner or admin
    (``manager``): refused to a non-participant and in strict mode."""
    row = await challenge_row(conn, challenge_id)
    await circle_row(conn, row.circle_id, lock=True)
    if manager is None:
        await require_voice(conn, row.circle_id, user_id)
    else:
        await require_manager(conn, row.circle_id, manager)
    if await participant_row(conn, row.id, user_id) is None:
        raise Forbidden("join the challenge first", reason="not_joined")
    if row.strict:
        raise Forbidden(_STRICT_REFUSES[what], reason=f"{what}_strict")
    return row


def _require_challenge_day(row: AnyRow, day: date) -> None:
    if day < date.fromisoformat(row.starts_on):
        raise Forbidden("the challenge had not started then", reason="challenge_not_started")
    if row.ends_on is not None and day > date.fromisoformat(row.ends_on):
        raise Forbidden("the challenge is over by then", reason="challenge_over")
    if not schedule_of(row).scheduled(day):
        raise Forbidden("that is not a check-in day of this challenge", reason="not_scheduled")


async def _used(conn: AsyncConnection, row: AnyRow, user_id: str, kind: str, day: date) -> int:
    """Make-ups (``checkin``: the member's own, not granted ones, rejected ones
    given back; per month of the day made up when the quota is monthly) or
    leave days already taken."""
    query = (
        select(func.count())
        .select_from(CHECKINS)
        .where(
            CHECKINS.c.challenge_id == row.id,
            CHECKINS.c.user_id == user_id,
            CHECKINS.c.kind == kind,
            CHECKINS.c.state != "rejected",
        )
    )
    if kind == "checkin":
        query = query.where(CHECKINS.c.makeup.is_(True), CHECKINS.c.granted_by.is_(None))
        if row.makeup_per == "month":
            month = day.isoformat()[:7]
            query = query.where(CHECKINS.c.local_date.like(f"{month}-%"))
    return int((await conn.execute(query)).scalar_one())
