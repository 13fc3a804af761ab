"""The review queue of check-in challenges (COMMUNITY-OPS.md rule 6): in a
challenge with ``review`` on, a check-in (or a member's make-up) waits as
``pending`` — it does not count — until a teacher (the circle's owner or an
admin) approves it (it counts from then: boards move live) or rejects it
(with an optional reason; audited). ``checkin.reviewed`` carries the
check-in and its author's standing to every member.

精选 (featuring a check-in as a highlight) is store/checkin_features.py. Not yet:
the boards' second tie-break (rule 5: the number of 精选).
"""

from __future__ import annotations

from sqlalchemy import and_, delete, or_, update

from . import attachment_uses, validation
from .audit import record_act
from .challenges import challenge_row
from .changes import record
from .checkins import (
    REASON_MAX_BYTES,
    checkin_record,
    checkin_row,
    read_checkin,
    restand,
    with_checkin_names,
)
from .engine import Service
from .errors import Conflict, Invalid
from .ids import decode_cursor, now_ms
from .lookups import circle_row, next_cursor, require_manager
from .models import CHECKIN_MEDIA, CHECKINS
from .records import Record

PAGE_MAX = 100


class CheckinReview(Service):
    """The pending check-ins of a challenge; approve or reject one."""

    async def pending(
        self, challenge_id: str, actor_id: str, cursor: str | None = None, limit: int = 50
    ) -> tuple[list[Record], str | None]:
        """The challenge's pending check-ins, oldest first (owners and admins)."""
        limit = validation.limit(limit, high=PAGE_MAX)
        async with self._db.read() as conn:
            row = await challenge_row(conn, challenge_id)
            await require_manager(conn, row.circle_id, actor_id)
            query = with_checkin_names(row.circle_id).where(
                CHECKINS.c.challenge_id == row.id, CHECKINS.c.state == "pending"
            )
            if cursor is not None:
                when, key = decode_cursor(cursor)
                query = query.where(
                    or_(
                        CHECKINS.c.created > when,
                        and_(CHECKINS.c.created == when, CHECKINS.c.id > key),
                    )
                )
            query = query.order_by(CHECKINS.c.created, CHECKINS.c.id).limit(limit + 1)
            rows = (await conn.execute(query)).all()
        return [checkin_record(r) for r in rows[:limit]], next_cursor(rows, limit, "created", "id")

    async def decide(
        self,
        checkin_id: str,
        actor_id: str,
        approve: bool,
        reason: object = None,
        now: int | None = None,
    ) -> tuple[Record, Record]:
        """Approve (it counts from now) or reject (``reason`` optional, ≤ 512 bytes;
        audited) a pending check-in: the check-in and its author's standing.
        ``Conflict`` reason ``not_pending`` when it is not waiting."""
        said = None
        if reason is not None and reason != "":
            said = validation.text(reason, "reason", 1, REASON_MAX_BYTES)
            if len(said.encode()) > REASON_MAX_BYTES:
                raise Invalid(f"reason must be at most {REASON_MAX_BYTES} bytes")
        at = now_ms() if now is None else now
        async with self._db.write() as conn:
            found = await checkin_row(conn, checkin_id)
            row = await challenge_row(conn, found.challenge_id)
            await circle_row(conn, row.circle_id, lock=True)
            await require_manager(conn, row.circle_id, actor_id)
            changed = await conn.execute(
                update(CHECKINS)
                .where(CHECKINS.c.id == found.id, CHECKINS.c.state == "pending")
                .values(
                    state="valid" if approve else "rejected",
                    reviewed_by=actor_id,
                    reason=None if approve else said,
                )
            )
            if changed.rowcount != 1:
                raise Conflict("this check-in is not waiting for review", reason="not_pending")
            if not approve:
                await attachment_uses.release(conn, [found.id])
                await conn.execute(
                    delete(CHECKIN_MEDIA).where(CHECKIN_MEDIA.c.checkin_id == found.id)
                )
                await record_act(
                    conn,
                    row.circle_id,
                    actor_id,
                    "checkin.rejected",
                    "checkin",
                    found.id,
                    said,
                    {"challenge": row.id, "user": found.user_id, "date": found.local_date},
                )
            standing = await restand(conn, row, found.user_id, at)
            checkin = await read_checkin(conn, found.id)
            await record(
                conn, row.circle_id, "checkin.reviewed", {"checkin": checkin, "standing": standing}
            )
        return checkin, standing
