"""精选: a teacher features a check-in (COMMUNITY-OPS.md rule 9).

Featuring is a reviewer's act, not a like count: the check-in becomes a highlight
of the circle with its provenance — the member, the challenge, a link to it —
through the one promotion function (store/promotion.py, as homework's
"excellent" and a starred chat message), pushed live as ``post.promoted`` to every
connected member, once: featuring it again changes nothing, and a highlight that
was taken down comes back as the same post. It earns the member the circle's
``excellent`` points (store/point_awards.py). Only a valid check-in (counted, not
pending, rejected or invalidated) can be featured: ``checkin_not_valid``.
"""

from __future__ import annotations

from .audit import record_act
from .challenges import challenge_row
from .checkins import checkin_row, read_checkin
from .engine import Service
from .errors import Conflict
from .lookups import circle_row, read_post, require_manager
from .promotion import promote_once, work_source
from .records import Record


class CheckinFeatures(Service):
    """Feature (精选) a check-in."""

    async def feature(self, checkin_id: str, actor_id: str) -> tuple[Record, Record, bool]:
        """Make the check-in a highlight (owners and admins), once; returns the
        check-in, its post and whether this call made it."""
        async with self._db.write() as conn:
            found = await checkin_row(conn, checkin_id)
            row = await challenge_row(conn, found.challenge_id)
            await circle_row(conn, row.circle_id, lock=True)
            await require_manager(conn, row.circle_id, actor_id)
            if found.state != "valid":
                raise Conflict(
                    "only a counted check-in can be featured", reason="checkin_not_valid"
                )
            source = work_source("checkin", found, row, found.created)
            post_id, fresh = await promote_once(self._db, conn, row.circle_id, source)
            if fresh:
                await record_act(
                    conn,
                    row.circle_id,
                    actor_id,
                    "checkin.featured",
                    "checkin",
                    found.id,
                    None,
                    {"challenge": row.id, "user": found.user_id, "date": found.local_date},
                )
            made = await read_post(conn, post_id, actor_id)
            return await read_checkin(conn, found.id), made, fresh
