"""Reminders of check-in challenges (COMMUNITY-OPS.md rule 7).

A challenge with a reminder time (``remind_at``, a minute of the circle's
day) reminds each participant who has not checked in today — no valid or
pending check-in, no leave day — once a day, from that minute until the day's
slot closes, never in the circle's quiet hours (``circles.quiet_from`` /
``quiet_to``); a member may turn a challenge's reminders off (the "keep your
streak" nudge of rule 7).

``remind_due`` is the housekeeping job's work (server/housekeeping.py,
``send_reminders``): each reminder goes the one road of store/reminders.py —
a personal ``reminder`` event (about ``checkin``, the challenge) that only
its member receives, on their connected sockets (and when catching up). A
member is marked reminded for the day in the same statement that claims them
(``reminded_on``), so two nodes never remind one member twice; the quiet
hours are checked here, before the road.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_, select, update

from . import validation
from .calendar import in_quiet_hours, local_minute
from .challenges import (
    challenge_row,
    participant_row,
    schedule_of,
    standing_record,
    today_of,
)
from .checkins import slot_end
from .engine import Service
from .errors import Forbidden
from .ids import now_ms
from .lookups import circle_row, require_member
from .models import CHALLENGE_MEMBERS, CHALLENGES, CHECKINS, CIRCLES, MEMBERSHIPS
from .records import AnyRow, Record
from .reminders import about, remind

BATCH = 500


class CheckinReminders(Service):
    """A member's reminder switch; the job that sends the day's reminders."""

    async def set_reminders(self, challenge_id: str, user_id: str, on: object) -> Record:
        """Turn one's reminders of a challenge on or off: the standing."""
        wanted = validation.boolean(on, "reminders")
        async with self._db.write() as conn:
            row = await challenge_row(conn, challenge_id)
            await require_member(conn, row.circle_id, user_id)
            if await participant_row(conn, row.id, user_id) is None:
                raise Forbidden("join the challenge first", reason="not_joined")
            await conn.execute(
                update(CHALLENGE_MEMBERS)
                .where(
                    CHALLENGE_MEMBERS.c.challenge_id == row.id,
                    CHALLENGE_MEMBERS.c.user_id == user_id,
                )
                .values(reminders=wanted)
            )
            standing = standing_record(await participant_row(conn, row.id, user_id))
        assert standing is not None
        return standing

    async def remind_due(self, now: int | None = None, batch: int = BATCH) -> int:
        """Remind every participant due now (see the module); how many were."""
        at = now_ms() if now is None else now
        async with self._db.read() as conn:
            rows = (
                await conn.execute(
                    select(CHALLENGES.c.id)
                    .join(CIRCLES, CIRCLES.c.id == CHALLENGES.c.circle_id)
                    .where(CHALLENGES.c.remind_at.is_not(None), CIRCLES.c.deleted.is_(None))
                )
            ).all()
        sent = 0
        for found in rows:
            sent += await self._remind(found.id, at, batch)
        return sent

    async def _remind(self, challenge_id: str, at: int, batch: int) -> int:
        async with self._db.write() as conn:
            row = await challenge_row(conn, challenge_id)
            circle = await circle_row(conn, row.circle_id, lock=True)
            today = today_of(row, at)
            minute = local_minute(at, row.time_zone, row.day_closes_after)
            if not _due(row, today, minute) or in_quiet_hours(
                minute, circle.quiet_from, circle.quiet_to
            ):
                return 0
            day = today.isoformat()
            busy = select(CHECKINS.c.user_id).where(
                CHECKINS.c.challenge_id == row.id,
                CHECKINS.c.local_date == day,
                CHECKINS.c.state.in_(("valid", "pending")),
            )
            due = (
                await conn.execute(
                    select(*CHALLENGE_MEMBERS.c)
                    .where(
                        CHALLENGE_MEMBERS.c.challenge_id == row.id,
                        CHALLENGE_MEMBERS.c.reminders.is_(True),
                        or_(
                            CHALLENGE_MEMBERS.c.reminded_on.is_(None),
                            CHALLENGE_MEMBERS.c.reminded_on != day,
                        ),
                        CHALLENGE_MEMBERS.c.user_id.not_in(busy),
                        # Still in the circle (one who left keeps their standing).
                        CHALLENGE_MEMBERS.c.user_id.in_(
                            select(MEMBERSHIPS.c.user_id).where(
                                MEMBERSHIPS.c.circle_id == row.circle_id
                            )
                        ),
                    )
                    .order_by(CHALLENGE_MEMBERS.c.user_id)
                    .limit(batch)
                )
            ).all()
            sent = 0
            for member in due:
                claimed = await conn.execute(
                    update(CHALLENGE_MEMBERS)
                    .where(
                        and_(
                            CHALLENGE_MEMBERS.c.challenge_id == row.id,
                            CHALLENGE_MEMBERS.c.user_id == member.user_id,
                            or_(
                                CHALLENGE_MEMBERS.c.reminded_on.is_(None),
                                CHALLENGE_MEMBERS.c.reminded_on != day,
                            ),
                        )
                    )
                    .values(reminded_on=day)
                )
                if claimed.rowcount != 1:
                    continue
                await remind(
                    conn, row.circle_id, [member.user_id], about("checkin", row.id, row.title)
                )
                sent += 1
        return sent


def _due(row: AnyRow, today: date, minute: int) -> bool:
    """Whether today's reminder of the challenge is due at ``minute``."""
    if today < date.fromisoformat(row.starts_on):
        return False
    if row.ends_on is not None and today > date.fromisoformat(row.ends_on):
        return False
    if not schedule_of(row).scheduled(today):
        return False
    return bool(row.remind_at <= minute < slot_end(row))
