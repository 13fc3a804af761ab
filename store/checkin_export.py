"""What a challenge's CSV export reads (COMMUNITY-OPS.md rule 10; the CSV is
written by server/api/challenge_csv.py): every participant's days — on time,
made up, on leave, pending, rejected or invalidated and by whom — a page at a
time in (member, day) order, for the circle's owners and admins. The
completed ("deposit refund") list is ``Challenges.completed``.
"""

from __future__ import annotations

from sqlalchemy import and_, or_

from . import validation
from .challenges import challenge_record, challenge_row, today_of
from .checkins import with_checkin_names
from .engine import Service
from .errors import Invalid
from .lookups import circle_row, require_manager
from .models import CHECKINS, USERS
from .records import Record, decode_attachments

PAGE_MAX = 1000


class CheckinExport(Service):
    """A challenge's days, for its export."""

    async def days(
        self, challenge_id: str, actor_id: str, after: str | None = None, limit: int = PAGE_MAX
    ) -> tuple[Record, list[Record], str | None]:
        """The challenge, a page of its days (``after``: the previous page's last
        key), and the key to ask for the next (None: the last page). Each day:
        ``{"id","user","name","date","kind","state","makeup","on_time","granted_by",
        "invalidated_by","invalidated_by_name","reviewed_by","reason","created",
        "text","attachments","featured"}``."""
        limit = validation.limit(limit, high=PAGE_MAX)
        async with self._db.read() as conn:
            row = await challenge_row(conn, challenge_id)
            await circle_row(conn, row.circle_id)
            await require_manager(conn, row.circle_id, actor_id)
            by = USERS.alias("by")
            query = (
                with_checkin_names(row.circle_id)
                .add_columns(by.c.name.label("by_name"))
                .outerjoin(by, by.c.id == CHECKINS.c.invalidated_by)
                .where(CHECKINS.c.challenge_id == row.id)
            )
            if after is not None:
                user, _, day = after.partition("/")
                if not user or len(day) != 10:
                    raise Invalid("bad cursor")
                query = query.where(
                    or_(
                        CHECKINS.c.user_id > user,
                        and_(CHECKINS.c.user_id == user, CHECKINS.c.local_date > day),
                    )
                )
            query = query.order_by(CHECKINS.c.user_id, CHECKINS.c.local_date).limit(limit + 1)
            rows = (await conn.execute(query)).all()
            challenge = challenge_record(row, today_of(row))
        days = [
            {
                "id": r.id,
                "user": r.user_id,
                "name": r.display_name,
                "date": r.local_date,
                "kind": r.kind,
                "state": r.state,
                "makeup": bool(r.makeup),
                "on_time": r.kind == "checkin" and r.state == "valid" and not r.makeup,
                "granted_by": r.granted_by,
                "invalidated_by": r.invalidated_by,
                "invalidated_by_name": r.by_name,
                "reviewed_by": r.reviewed_by,
                "reason": r.reason,
                "created": r.created,
                "text": r.text,
                "attachments": decode_attachments(r.attachments),
                "featured": bool(r.featured),
            }
            for r in rows[:limit]
        ]
        nxt = None
        if len(rows) > limit:
            last = rows[limit - 1]
            nxt = f"{last.user_id}/{last.local_date}"
        return challenge, days, nxt
