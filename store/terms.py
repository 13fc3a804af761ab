"""Paid terms: a membership that ends (docs/payments.md).

A membership may carry an end date, ``ends_at`` (ms; None: no end). It comes
from an access code's term (``period_months``: that many calendar months from
redeeming; ``deadline``: everyone until one date), from an owner or admin
(``Terms.set_end``), or from a payment (store/payments.py). From ``ends_at`` the
member may only read (``lookups.voice_refusal``, reason ``membership_ended``,
the very check a mute goes through); at ``removes_at`` (ends_at plus the
server's grace, fixed when the end is set) housekeeping removes them
(``Terms.expire``) through the one road out, ``member.removed``: their sockets
get ``left`` on every node.

A renewal moves the end from the later of the current end and now, so a member
who renews early loses nothing and one in grace starts again from today. A
membership without end stays without end: a term never shortens one.

Who sets an end: owners and admins; an admin never on an owner or an admin (the
rule of removal), and nobody on an owner (the last owner cannot be removed).
Every change is a ``member.updated`` event (the member and managers see it at
once on every node) and an entry of the audit log.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from .audit import record_act
from .engine import Database, Service
from .errors import Forbidden, Invalid, NotFound
from .ids import now_ms
from .lookups import circle_row, member_row, require_manager, role_of
from .memberships import remove_membership
from .models import MEMBERSHIPS
from .records import MANAGER_ROLES, Record
from .term_dates import GRACE_MS, add_months, check_term, set_term

# The audit log's actor for what housekeeping does by itself.
SYSTEM_ACTOR = "system"


class Terms(Service):
    """End dates set by owners and admins, and the removal after the grace."""

    def __init__(self, db: Database, grace_ms: int = GRACE_MS) -> None:
        super().__init__(db)
        self.grace_ms = grace_ms

    async def set_end(
        self,
        circle_id: str,
        actor_id: str,
        user_id: str,
        ends_at: int | None = None,
        months: int | None = None,
    ) -> Record:
        """Set the member's end to ``ends_at`` (ms, in the future) or renew it by
        ``months`` (from the later of its end and now; a member without end gets
        ``months`` from now); returns the member. Logged (``member.term``)."""
        now = now_ms()
        months, ends_at = check_term(months, ends_at, now)
        if months is None and ends_at is None:
            raise Invalid("give ends_at or months (to take the end away: DELETE)")
        async with self._db.write() as conn:
            current = await self._target(conn, circle_id, actor_id, user_id)
            if months is not None:
                ends_at = add_months(now if current is None else max(current, now), months)
            member = await set_term(conn, circle_id, user_id, ends_at, self.grace_ms)
            data = {"ends_at": ends_at, "before": current, "months": months}
            await record_act(
                conn, circle_id, actor_id, "member.term", "member", user_id, None, data
            )
        return member

    async def clear_end(self, circle_id: str, actor_id: str, user_id: str) -> Record:
        """The membership no longer ends (logged ``member.term_cleared``)."""
        async with self._db.write() as conn:
            current = await self._target(conn, circle_id, actor_id, user_id)
            member = await set_term(conn, circle_id, user_id, None, self.grace_ms)
            if current is not None:
                data = {"before": current}
                await record_act(
                    conn, circle_id, actor_id, "member.term_cleared", "member", user_id, None, data
                )
        return member

    async def expire(self, now: int, batch: int = 100) -> int:
        """Remove up to ``batch`` members whose grace is over (``member.removed``:
        their sockets leave the circle), each in its own short transaction,
        logged as ``member.expired`` by ``system``; returns how many. Two nodes
        running it at once remove each member once (re-checked under the lock)."""
        query = (
            select(MEMBERSHIPS.c.circle_id, MEMBERSHIPS.c.user_id)
            .where(MEMBERSHIPS.c.removes_at <= now, MEMBERSHIPS.c.role != "owner")
            .order_by(MEMBERSHIPS.c.removes_at)
            .limit(batch)
        )
        async with self._db.read() as conn:
            due = (await conn.execute(query)).all()
        removed = 0
        for circle_id, user_id in due:
            async with self._db.write() as conn:
                try:
                    await circle_row(conn, circle_id, lock=True)
                except NotFound:
                    continue  # a deleted circle: purged with it
                row = await member_row(conn, circle_id, user_id)
                if row is None or row.removes_at is None or row.removes_at > now:
                    continue  # gone, or renewed meanwhile
                if row.role == "owner":
                    continue
                await remove_membership(conn, circle_id, user_id, row.role, "member.removed")
                data = {"ends_at": row.ends_at}
                await record_act(
                    conn, circle_id, SYSTEM_ACTOR, "member.expired", "member", user_id, None, data
                )
                removed += 1
        return removed

    async def _target(
        self, conn: AsyncConnection, circle_id: str, actor_id: str, user_id: str
    ) -> int | None:
        """Check the actor may set the user's end; their current end."""
        await circle_row(conn, circle_id, lock=True)
        actor_role = await require_manager(conn, circle_id, actor_id)
        role = await role_of(conn, circle_id, user_id)
        if role is None:
            raise NotFound("no such member")
        if role == "owner":
            raise Forbidden("an owner's membership has no end date: change their role first")
        if actor_role == "admin" and role in MANAGER_ROLES:
            raise Forbidden("an admin cannot set an admin's end date")
        row = await member_row(conn, circle_id, user_id)
        assert row is not None
        return None if row.ends_at is None else int(row.ends_at)
