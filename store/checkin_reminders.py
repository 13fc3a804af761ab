"""Reminders of check-in challenges (COMMUNITY-OPS.md rule 7).

Two nudges, each at most once a day per member, only on the challenge's
scheduled days, from their minute of the circle's day until the day's slot
closes, never in the circle's quiet hours (``circles.quiet_from`` /
``quiet_to``), only to members still in the circle who have not checked in
today (no valid or pending check-in, no leave day) and have not turned the
challenge's reminders off:

- the **reminder** (``remind_at``, set by the challenge; about ``checkin``), to
  every such participant;
- the **streak-at-risk nudge** (``nudge_at``, 20:00 unless the challenge says
  otherwise; about ``streak``, with the streak's ``count``), in the evening, to
  those whose streak (of either kind of challenge) is alive — at least one day,
  last checked in on the schedule's previous day — and ends tonight without a
  check-in.

``remind_due`` is the housekeeping job's work (server/housekeeping.py,
``send_reminders``): each nudge goes the one road of store/reminders.py — a
personal ``reminder`` event that only its member receives, on their connected
sockets (and when catching up). A member is marked for the day
(``reminded_on``, ``nudged_on``) in the same statement that claims them, so two
nodes never nudge one member twice; the quiet hours are checked here, before
the road.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select, update

from . import validation
from .calendar import in_quiet_hours, local_minute
from .challenges import (
    alive_since,
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


@dataclass(frozen=True)
class _Nudge:
    """One of the two: the challenge's minute, the member's mark, what it is about."""

    minute: str
    mark: str
    about: str
    streak_only: bool


REMINDER = _Nudge("remind_at", "reminded_on", "checkin", streak_only=False)
STREAK_AT_RISK = _Nudge("nudge_at", "nudged_on", "streak", streak_only=True)


class CheckinReminders(Service):
    """A member's reminder switch; the job that sends the day's reminders and nudges."""

    async def set_reminders(self, challenge_id: str, user_id: str, on: object) -> Record:
        """Turn one's reminders (and streak nudges) of a challenge on or off: the standing."""
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
        """Send every reminder and streak nudge due now (see the module); how many."""
        at = now_ms() if now is None else now
        async with self._db.read() as conn:
            rows = (
                await conn.execute(
                    select(CHALLENGES.c.id)
                    .join(CIRCLES, CIRCLES.c.id == CHALLENGES.c.circle_id)
                    .where(
                        or_(
                            CHALLENGES.c.remind_at.is_not(None), CHALLENGES.c.nudge_at.is_not(None)
                        ),
                        CIRCLES.c.deleted.is_(None),
                    )
                )
            ).all()
        sent = 0
        for found in rows:
            for nudge in (REMINDER, STREAK_AT_RISK):
                sent += await self._send(found.id, nudge, at, batch)
        return sent

    async def _send(self, challenge_id: str, nudge: _Nudge, at: int, batch: int) -> int:
        async with self._db.write() as conn:
            row = await challenge_row(conn, challenge_id)
            start = getattr(row, nudge.minute)
            if start is None:
                return 0
            circle = await circle_row(conn, row.circle_id, lock=True)
            today = today_of(row, at)
            minute = local_minute(at, row.time_zone, row.day_closes_after)
            if not _due(row, today, minute, start) or in_quiet_hours(
                minute, circle.quiet_from, circle.quiet_to
            ):
                return 0
            day = today.isoformat()
            mark = CHALLENGE_MEMBERS.c[nudge.mark]
            not_yet = or_(mark.is_(None), mark != day)
            busy = select(CHECKINS.c.user_id).where(
                CHECKINS.c.challenge_id == row.id,
                CHECKINS.c.local_date == day,
                CHECKINS.c.state.in_(("valid", "pending")),
            )
            wanted: list[ColumnElement[bool]] = [
                CHALLENGE_MEMBERS.c.challenge_id == row.id,
                CHALLENGE_MEMBERS.c.reminders.is_(True),
                not_yet,
                CHALLENGE_MEMBERS.c.user_id.not_in(busy),
                # Still in the circle (one who left keeps their standing).
                CHALLENGE_MEMBERS.c.user_id.in_(
                    select(MEMBERSHIPS.c.user_id).where(MEMBERSHIPS.c.circle_id == row.circle_id)
                ),
            ]
            if nudge.streak_only:
                # Alive: at least a day, the last on the schedule's day before today.
                wanted += [
                    CHALLENGE_MEMBERS.c.streak >= 1,
                    CHALLENGE_MEMBERS.c.streak_last >= alive_since(row, today).isoformat(),
                ]
            due = (
                await conn.execute(
                    select(*CHALLENGE_MEMBERS.c)
                    .where(*wanted)
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
                            not_yet,
                        )
                    )
                    .values({nudge.mark: day})
                )
                if claimed.rowcount != 1:
                    continue
                count = member.streak if nudge.streak_only else None
                subject = about(nudge.about, row.id, row.title, count=count)
                await remind(conn, row.circle_id, [member.user_id], subject)
                sent += 1
        return sent


def _due(row: AnyRow, today: date, minute: int, start: int) -> bool:
    """Whether a nudge from ``start`` (a minute of the day) is due at ``minute``."""
    if today < date.fromisoformat(row.starts_on):
        return False
    if row.ends_on is not None and today > date.fromisoformat(row.ends_on):
        return False
    if not schedule_of(row).scheduled(today):
        return False
    return bool(start <= minute < slot_end(row))
