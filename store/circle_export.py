"""A whole circle's export, for its owners (COMMUNITY-OPS.md rule 10; the ZIP is
written by server/api/circle_export.py from the features' own reads): who may
take it, and the audit entry that says they did.

An owner leaving the platform or archiving a cohort takes everything; admins
run the circle day to day but do not carry it away, as only owners read the
audit log.
"""

from __future__ import annotations

from .audit import record_act
from .engine import Service
from .errors import Forbidden
from .lookups import circle_row, role_of
from .records import Record, circle_record

ACTION = "circle.exported"


class CircleExport(Service):
    """Starting a circle's export."""

    async def begin(self, circle_id: str, actor_id: str) -> Record:
        """The circle, once the actor is one of its owners; the export is audited
        (``circle.exported``) in the same transaction. ``NotFound`` (no such
        circle, or deleted), ``Forbidden`` (reason ``owners_only``)."""
        async with self._db.write() as conn:
            row = await circle_row(conn, circle_id)
            if await role_of(conn, circle_id, actor_id) != "owner":
                raise Forbidden("only the circle's owners export it", reason="owners_only")
            await record_act(conn, circle_id, actor_id, ACTION, "circle", circle_id)
        return circle_record(row)
