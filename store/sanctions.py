"""Sanctions: mutes and bans, what keeps a big circle clean.

A **mute** keeps a member in the circle, reading, but they may not say, post,
comment or vote (``lookups.require_voice``) until it ends or is lifted; it is the
membership's ``muted_until`` (``UNTIL_LIFTED`` for no end), so a member record
and the server's cached ``Membership`` carry it and a ``member.updated`` event
makes it take effect on every node at once.

A **ban** removes the member (``member.removed``: their sockets leave the
circle) and keeps them out: ``Memberships.join`` (public join, access codes,
invite links) and join requests refuse a banned user (``check_not_banned``)
until an owner or admin lifts it (``lookups.check_not_banned``).

Who may: owners and admins; an admin never an owner or another admin, nobody
themselves, and an owner is never muted or banned (make them admin first).
Every act is in the audit log (``member.muted`` …, store/audit.py).
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .audit import REASON_MAX, record_act
from .changes import record
from .engine import Service
from .errors import Conflict, Forbidden, NotFound
from .follows import end_follow
from .ids import now_ms
from .lookups import (
    called,
    circle_row,
    member_row,
    newest_first_by,
    next_cursor,
    require_manager,
    role_of,
)
from .memberships import remove_membership
from .models import BANS, MEMBERSHIPS, USERS
from .records import MANAGER_ROLES, AnyRow, Record, member_record

# A mute with no end (the largest integer a JavaScript client reads exactly).
UNTIL_LIFTED = 2**53 - 1
# The longest timed mute: a year; longer is "until lifted".
MUTE_MAX_MS = 366 * 86_400_000
PAGE_MAX = 200


def _ban_record(row: AnyRow) -> Record:
    return {
        "user": {"id": row.user_id, "name": row.name, "handle": row.handle},
        "by": row.by_id,
        "reason": row.reason,
        "created": row.created,
    }


async def _target(conn: AsyncConnection, circle_id: str, actor_id: str, user_id: str) -> str | None:
    """Check the actor may sanction the user; the user's role (None: not a member)."""
    await circle_row(conn, circle_id, lock=True)
    actor_role = await require_manager(conn, circle_id, actor_id)
    if actor_id == user_id:
        raise Conflict("you cannot sanction yourself")
    role = await role_of(conn, circle_id, user_id)
    if role == "owner":
        raise Forbidden("an owner cannot be muted or banned: change their role first")
    if actor_role == "admin" and role in MANAGER_ROLES:
        raise Forbidden("an admin cannot mute or ban another admin")
    return role


class Sanctions(Service):
    """Mute and unmute, ban and unban, and the ban list."""

    async def mute(
        self,
        circle_id: str,
        actor_id: str,
        user_id: str,
        until: int | None = None,
        reason: str | None = None,
    ) -> Record:
        """Mute a member until ``until`` (ms, in the future) or, None, until lifted;
        returns the member. Muting again replaces the end."""
        now = now_ms()
        if until is None:
            until = UNTIL_LIFTED
        else:
            until = validation.integer(until, "until", now + 1, UNTIL_LIFTED)
            if until > now + MUTE_MAX_MS:
                until = UNTIL_LIFTED
        if reason is not None:
            reason = validation.text(reason, "reason", 0, REASON_MAX)
        async with self._db.write() as conn:
            if await _target(conn, circle_id, actor_id, user_id) is None:
                raise NotFound("no such member")
            member = await _set_mute(conn, circle_id, user_id, until)
            await record_act(
                conn,
                circle_id,
                actor_id,
                "member.muted",
                "member",
                user_id,
                reason,
                {"until": None if until == UNTIL_LIFTED else until},
            )
        return member

    async def unmute(self, circle_id: str, actor_id: str, user_id: str) -> Record:
        async with self._db.write() as conn:
            if await _target(conn, circle_id, actor_id, user_id) is None:
                raise NotFound("no such member")
            member = await _set_mute(conn, circle_id, user_id, None)
            await record_act(conn, circle_id, actor_id, "member.unmuted", "member", user_id)
        return member

    async def ban(
        self, circle_id: str, actor_id: str, user_id: str, reason: str | None = None
    ) -> Record:
        """Ban a user (a member is removed; a non-member is kept from joining);
        banning again changes nothing. Returns the ban."""
        if reason is not None:
            reason = validation.text(reason, "reason", 0, REASON_MAX) or None
        async with self._db.write() as conn:
            role = await _target(conn, circle_id, actor_id, user_id)
            if (
                await conn.execute(select(USERS.c.id).where(USERS.c.id == user_id))
            ).first() is None:
                raise NotFound("no such user")
            known = await self._ban_row(conn, circle_id, user_id)
            if known is None:
                await conn.execute(
                    BANS.insert().values(
                        circle_id=circle_id,
                        user_id=user_id,
                        by_id=actor_id,
                        reason=reason,
                        created=now_ms(),
                    )
                )
                if role is not None:
                    await remove_membership(conn, circle_id, user_id, role, "member.removed")
                await end_follow(conn, circle_id, user_id, "banned")
                await record_act(
                    conn, circle_id, actor_id, "member.banned", "member", user_id, reason
                )
                known = await self._ban_row(conn, circle_id, user_id)
            assert known is not None
            return _ban_record(known)

    async def unban(self, circle_id: str, actor_id: str, user_id: str) -> None:
        """Lift a ban (they may join again; nothing else comes back)."""
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            result = await conn.execute(
                delete(BANS).where(BANS.c.circle_id == circle_id, BANS.c.user_id == user_id)
            )
            if result.rowcount == 0:
                raise NotFound("no such ban")
            await record_act(conn, circle_id, actor_id, "member.unbanned", "member", user_id)

    async def bans(
        self,
        circle_id: str,
        actor_id: str,
        query: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[Record], str | None]:
        """A page of the circle's bans, newest first, for its owners and admins;
        ``query`` keeps those whose name or login name contains it (any script)."""
        limit = validation.limit(limit, high=PAGE_MAX)
        select_ = _BANS_WITH_USERS.where(BANS.c.circle_id == circle_id)
        if query:
            select_ = select_.where(called(circle_id, BANS.c.user_id, query))
        async with self._db.read() as conn:
            await circle_row(conn, circle_id)
            await require_manager(conn, circle_id, actor_id)
            page = newest_first_by(select_, BANS.c.created, BANS.c.user_id, cursor, limit)
            rows = (await conn.execute(page)).all()
        bans = [_ban_record(row) for row in rows[:limit]]
        return bans, next_cursor(rows, limit, "created", "user_id")

    async def _ban_row(self, conn: AsyncConnection, circle_id: str, user_id: str) -> AnyRow | None:
        return (
            await conn.execute(
                _BANS_WITH_USERS.where(BANS.c.circle_id == circle_id, BANS.c.user_id == user_id)
            )
        ).first()


_BANS_WITH_USERS = select(*BANS.c, USERS.c.name, USERS.c.handle).join(
    USERS, USERS.c.id == BANS.c.user_id
)


async def _set_mute(
    conn: AsyncConnection, circle_id: str, user_id: str, until: int | None
) -> Record:
    await conn.execute(
        update(MEMBERSHIPS)
        .where(MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.user_id == user_id)
        .values(muted_until=until)
    )
    row = await member_row(conn, circle_id, user_id)
    assert row is not None
    member = member_record(row)
    await record(conn, circle_id, "member.updated", {"member": member})
    return member
