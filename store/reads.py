"""Read markers of a chat group, for "read by N" under a message.

Nothing is stored per message: a message of seq S is read by every member whose
marker (general's: ``memberships.read_seq``; other groups': ``group_members.read_seq``)
is at S or beyond. Only for groups up to a size (the server's
``read_receipts_max_members``), and only to those who may read the group.
"""

from __future__ import annotations

from sqlalchemy import select

from .engine import Service
from .errors import Conflict
from .group_access import access_of, group_row
from .lookups import circle_row
from .models import GROUP_MEMBERS, MEMBERSHIPS


class Reads(Service):
    async def of_group(
        self, group_id: str, viewer_id: str, max_members: int
    ) -> tuple[dict[str, int], int]:
        """Every member's read marker and the member count: ``NotFound`` (no such
        group), ``Forbidden`` (may not read it), ``Conflict`` (more than
        ``max_members`` members)."""
        async with self._db.read() as conn:
            group = await group_row(conn, group_id)
            circle = await circle_row(conn, group.circle_id)
            await access_of(conn, circle, group, viewer_id)
            general = group.id == circle.id
            count = int(circle.member_count if general else group.member_count)
            if count > max_members:
                raise Conflict(f"read counts are kept for groups of at most {max_members} members")
            if general:
                query = select(MEMBERSHIPS.c.user_id, MEMBERSHIPS.c.read_seq).where(
                    MEMBERSHIPS.c.circle_id == circle.id
                )
            else:
                query = select(GROUP_MEMBERS.c.user_id, GROUP_MEMBERS.c.read_seq).where(
                    GROUP_MEMBERS.c.group_id == group.id, GROUP_MEMBERS.c.approved
                )
            reads = {row.user_id: int(row.read_seq or 0) for row in await conn.execute(query)}
        return reads, count

    async def member_count(self, group_id: str) -> int:
        """How many members the group has (general's: the circle's); ``NotFound``."""
        async with self._db.read() as conn:
            group = await group_row(conn, group_id)
            if group.id == group.circle_id:
                return int((await circle_row(conn, group.circle_id)).member_count)
            return int(group.member_count)
