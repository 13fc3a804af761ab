"""What a member missed, for their email digest (server/digests.py): their
unacknowledged must-reads first (whenever they were flagged: they are owed),
then what reached their inbox and the highlights of their circles since the
last digest. Each part is short — the digest links to the page for the rest."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .engine import Service
from .models import CIRCLES, MEMBERSHIPS, POSTS
from .must_read import MustReads
from .records import Record

# Items per part of one digest: a mail is read on a phone, and the page has the rest.
PART_MAX = 10


class Digests(Service):
    def __init__(self, db: Any, must_reads: MustReads) -> None:
        super().__init__(db)
        self._must_reads = must_reads

    async def missed(self, user_id: str, since: int) -> Record:
        """``{"must_reads": [...], "highlights": [...], "circles": {id: name}}``:
        the unacknowledged must-reads (newest first), the highlights created in
        the user's circles after ``since`` (ms), each part at most ``PART_MAX``."""
        must_reads = (await self._must_reads.pending_must_reads(user_id))[:PART_MAX]
        mine = select(MEMBERSHIPS.c.circle_id).where(MEMBERSHIPS.c.user_id == user_id)
        query = (
            select(POSTS.c.id, POSTS.c.circle_id, POSTS.c.text, POSTS.c.created)
            .where(
                POSTS.c.circle_id.in_(mine),
                POSTS.c.kind == "highlight",
                ~POSTS.c.deleted,
                POSTS.c.created > since,
            )
            .order_by(POSTS.c.created.desc(), POSTS.c.id.desc())
            .limit(PART_MAX)
        )
        names_query = select(CIRCLES.c.id, CIRCLES.c.name).where(
            CIRCLES.c.id.in_(mine), CIRCLES.c.deleted.is_(None)
        )
        async with self._db.read() as conn:
            highlights = [
                {"id": r.id, "circle": r.circle_id, "text": r.text, "created": r.created}
                for r in await conn.execute(query)
            ]
            circles = {r.id: r.name for r in await conn.execute(names_query)}
        return {
            "must_reads": [
                {"id": p["id"], "circle": p["circle"], "text": p["text"], "created": p["created"]}
                for p in must_reads
            ],
            "highlights": highlights,
            "circles": circles,
        }
