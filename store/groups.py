"""Chat groups: a circle's chats, each with its own seq stream and members.

Every circle has its ``general`` group, created with it, whose id is the
circle's id: protocol v1 clients chat there, every member of the circle is in
it (no ``group_members`` rows: the membership's read marker and joined seq are
general's), and it can be renamed and given a topic but not archived, closed
or left (leaving it is leaving the circle).

Other groups are ``open`` (a member joins), ``request`` (a member asks, a
group admin approves) or ``invite`` (a group admin adds members); they may cap
their members, be read-only (only their admins and the circle's owners and
admins say anything) and be archived (kept, read, never written again).
The circle's owners and admins manage every group; a group's own admins manage
its members and its settings but not its place, its access or its archive.

Every change is logged (``group.created``, ``group.updated``, ``group.joined``,
``group.left``, ``group.requested``): members see it live, and nodes learn
from it who may read which group.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .changes import record
from .engine import Service
from .errors import Conflict, Forbidden, Invalid, NotFound
from .group_access import GROUP_COLUMNS, access_of, general_chat, group_member_row, group_row
from .ids import new_id, now_ms
from .lookups import circle_row, next_cursor, oldest_first, role_of
from .models import GROUP_MEMBERS, GROUPS, MEMBERSHIPS, USERS
from .records import (
    DISPLAY_NAME,
    MANAGER_ROLES,
    AnyRow,
    GeneralChat,
    GroupAccess,
    Record,
    group_record,
)

ACCESS = ("open", "request", "invite")
GROUP_ROLES = ("admin", "member")
NAME_MAX = 64
TOPIC_MAX = 500
GROUPS_MAX = 500
MEMBERS_PAGE_MAX = 500
# Slow mode's longest interval: an hour.
SLOW_MODE_MAX_S = 3600


# What ``update`` may change, how each value is checked, and who may change it.
_SETTINGS: dict[str, Any] = {
    "name": lambda v: validation.display_name(v, "name", NAME_MAX),
    "topic": lambda v: validation.text(v, "topic", 0, TOPIC_MAX),
    "read_only": lambda v: validation.boolean(v, "read_only"),
    "max_members": lambda v: validation.optional_integer(v, "max_members", 2, 1_000_000),
    "access": lambda v: validation.choice(v, "access", ACCESS),
    "position": lambda v: validation.integer(v, "position", 0, 1_000_000),
    "archived": lambda v: validation.boolean(v, "archived"),
    # One message per this many seconds per member (admins not counted); 0: off.
    "slow_mode_s": lambda v: validation.integer(v, "slow_mode_s", 0, SLOW_MODE_MAX_S),
}
# A group's own admins may change these; the rest is the circle's managers'.
_GROUP_ADMIN_SETTINGS = frozenset({"name", "topic", "read_only", "max_members", "slow_mode_s"})
# General is every member's: it stays open, uncapped, unarchived.
_GENERAL_FIXED = frozenset({"access", "max_members", "archived"})


async def create_general(conn: AsyncConnection, circle_id: str, created: int) -> None:
    """The circle's general group (in the transaction that creates the circle)."""
    await conn.execute(
        GROUPS.insert().values(
            id=circle_id, circle_id=circle_id, name="general", topic="", created=created
        )
    )


async def leave_all(conn: AsyncConnection, circle_id: str, user_id: str, reason: str) -> None:
    """The user is out of the circle: out of every group of it too, each logged
    (``group.left``, so members' counts move live); ``reason`` left or removed."""
    query = (
        select(GROUP_MEMBERS.c.group_id, GROUP_MEMBERS.c.approved)
        .join(GROUPS, GROUPS.c.id == GROUP_MEMBERS.c.group_id)
        .where(GROUPS.c.circle_id == circle_id, GROUP_MEMBERS.c.user_id == user_id)
        .order_by(GROUP_MEMBERS.c.group_id)
    )
    for row in (await conn.execute(query)).all():
        await _drop(conn, await group_row(conn, row.group_id), user_id, reason)


async def group_unread(conn: AsyncConnection, user_id: str) -> dict[str, int]:
    """Unread messages of the user in the groups they are in (general aside, which
    the membership counts), summed per circle; archived groups count no more."""
    seen = case(
        (GROUP_MEMBERS.c.read_seq > GROUP_MEMBERS.c.joined_seq, GROUP_MEMBERS.c.read_seq),
        else_=GROUP_MEMBERS.c.joined_seq,
    )
    query = (
        select(GROUPS.c.circle_id, func.sum(GROUPS.c.last_seq - seen).label("unread"))
        .select_from(GROUP_MEMBERS.join(GROUPS, GROUPS.c.id == GROUP_MEMBERS.c.group_id))
        .where(
            GROUP_MEMBERS.c.user_id == user_id,
            GROUP_MEMBERS.c.approved,
            ~GROUPS.c.archived,
        )
        .group_by(GROUPS.c.circle_id)
    )
    return {row.circle_id: max(0, int(row.unread or 0)) for row in await conn.execute(query)}


class Groups(Service):
    """Create, edit and list groups; join, leave, requests, group admins."""

    async def create(
        self,
        circle_id: str,
        actor_id: str,
        name: str,
        topic: str = "",
        access: str = "open",
        max_members: int | None = None,
        read_only: bool = False,
    ) -> Record:
        """An owner or admin creates a group; they are its first member and admin."""
        values = {
            "name": _SETTINGS["name"](name),
            "topic": _SETTINGS["topic"](topic),
            "access": _SETTINGS["access"](access),
            "max_members": _SETTINGS["max_members"](max_members),
            "read_only": _SETTINGS["read_only"](read_only),
        }
        group_id, now = new_id(), now_ms()
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            await _require_circle_manager(conn, circle_id, actor_id)
            count = (
                await conn.execute(select(func.count()).where(GROUPS.c.circle_id == circle_id))
            ).scalar_one()
            if count >= GROUPS_MAX:
                raise Conflict(f"a circle has at most {GROUPS_MAX} groups")
            position = (
                await conn.execute(
                    select(func.coalesce(func.max(GROUPS.c.position), 0)).where(
                        GROUPS.c.circle_id == circle_id
                    )
                )
            ).scalar_one()
            await conn.execute(
                GROUPS.insert().values(
                    id=group_id,
                    circle_id=circle_id,
                    created=now,
                    position=int(position) + 1,
                    member_count=1,
                    **values,
                )
            )
            await conn.execute(
                GROUP_MEMBERS.insert().values(
                    group_id=group_id, user_id=actor_id, role="admin", joined=now
                )
            )
            group = group_record(await group_row(conn, group_id))
            await record(conn, circle_id, "group.created", {"group": group})
            await _record_joined(conn, circle_id, group_id, actor_id, "admin", 1)
            return group

    async def update(self, group_id: str, actor_id: str, **changes: Any) -> Record:
        """Change a group's settings (see ``_SETTINGS``); returns the group."""
        unknown = set(changes) - set(_SETTINGS)
        if unknown:
            raise Invalid(f"unknown setting {sorted(unknown)[0]!r}")
        values = {key: _SETTINGS[key](value) for key, value in changes.items()}
        async with self._db.write() as conn:
            group = await _group_locked(conn, group_id)
            circle_id = group.circle_id
            manager = await _is_circle_manager(conn, circle_id, actor_id)
            if not manager:
                if set(values) - _GROUP_ADMIN_SETTINGS:
                    raise Forbidden("only the circle's owners and admins can change that")
                await _require_group_admin(conn, group, actor_id)
            if group.id == circle_id and set(values) & _GENERAL_FIXED:
                raise Conflict("the general group stays open to every member")
            changed = {k: v for k, v in values.items() if getattr(group, k) != v}
            if changed:
                await conn.execute(update(GROUPS).where(GROUPS.c.id == group_id).values(changed))
            record_ = group_record(
                await group_row(conn, group_id), await _circle_members(conn, circle_id)
            )
            if changed:
                await record(conn, circle_id, "group.updated", {"group": record_})
            return record_

    async def of_circle(
        self, circle_id: str, viewer_id: str, archived: bool = False
    ) -> list[Record]:
        """The circle's groups in order, each with the viewer's standing
        (``joined``, ``role``, ``requested``) and ``unread`` for those joined."""
        async with self._db.read() as conn:
            circle = await circle_row(conn, circle_id)
            member = (
                await conn.execute(
                    select(
                        MEMBERSHIPS.c.role, MEMBERSHIPS.c.read_seq, MEMBERSHIPS.c.joined_seq
                    ).where(
                        MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.user_id == viewer_id
                    )
                )
            ).first()
            if member is None:
                raise Forbidden("not a member of this circle")
            mine = GROUP_MEMBERS.alias("mine")
            query = (
                select(
                    *GROUP_COLUMNS,
                    mine.c.role.label("my_role"),
                    mine.c.approved,
                    mine.c.read_seq,
                    mine.c.joined_seq,
                )
                .select_from(
                    GROUPS.outerjoin(
                        mine,
                        and_(mine.c.group_id == GROUPS.c.id, mine.c.user_id == viewer_id),
                    )
                )
                .where(GROUPS.c.circle_id == circle_id)
                .order_by(GROUPS.c.position, GROUPS.c.created, GROUPS.c.id)
            )
            if not archived:
                query = query.where(~GROUPS.c.archived)
            rows = (await conn.execute(query)).all()
        out = []
        for row in rows:
            group = group_record(row, circle.member_count)
            read: int | None
            if row.id == circle_id:
                group.update(joined=True, role="member", requested=False)
                read = max(int(member.read_seq), int(member.joined_seq))
            else:
                joined = row.my_role is not None and bool(row.approved)
                group.update(
                    joined=joined,
                    role=row.my_role if joined else None,
                    requested=row.my_role is not None and not row.approved,
                )
                read = max(int(row.read_seq or 0), int(row.joined_seq or 0)) if joined else None
            group["unread"] = None if read is None else max(0, int(row.last_seq) - read)
            out.append(group)
        return out

    async def get(self, group_id: str, viewer_id: str) -> Record:
        """A group as a member of its circle sees it."""
        async with self._db.read() as conn:
            group = await group_row(conn, group_id)
            if await role_of(conn, group.circle_id, viewer_id) is None:
                raise Forbidden("not a member of this circle")
            return group_record(group, await _circle_members(conn, group.circle_id))

    async def access(
        self, group_id: str, user_id: str, circle_id: str | None = None
    ) -> GroupAccess:
        """The user's access to the group (for the server's per-connection cache):
        ``NotFound`` (no such group, or not of ``circle_id``), ``Forbidden``."""
        async with self._db.read() as conn:
            group = await group_row(conn, group_id, circle_id)
            circle = await circle_row(conn, group.circle_id)
            return await access_of(conn, circle, group, user_id)

    async def general_chat(self, circle_id: str) -> GeneralChat:
        """The settings of the circle's general group every member's access depends
        on (for the server's node-wide cache): ``NotFound`` for no such circle."""
        async with self._db.read() as conn:
            circle = await circle_row(conn, circle_id)
            return general_chat(circle, await group_row(conn, circle_id, circle_id))

    async def join(self, group_id: str, user_id: str) -> Record:
        """Join an open group, or ask to join one that takes requests; returns the
        user's standing ``{"group","user","role","approved"}``. Idempotent."""
        async with self._db.write() as conn:
            group = await _group_locked(conn, group_id)
            role = await role_of(conn, group.circle_id, user_id)
            if role is None:
                raise Forbidden("not a member of this circle")
            if group.id == group.circle_id:
                return _standing(group.id, user_id, "member", True)
            row = await group_member_row(conn, group_id, user_id)
            if row is not None and row.approved:
                return _standing(group.id, user_id, row.role, True)
            if group.archived:
                raise Conflict("this group is archived")
            approved = group.access == "open" or role in MANAGER_ROLES
            # Already in, or still asking: a request made while the group took
            # requests is granted by joining once it is open (or by a manager).
            if row is not None and (row.approved or not approved):
                return _standing(group.id, user_id, row.role, bool(row.approved))
            if group.access == "invite" and not approved:
                raise Forbidden("this group is invite-only: ask one of its admins")
            if approved:
                _check_room(group)
            values = {"approved": approved, "joined": now_ms(), "joined_seq": group.last_seq}
            if row is None:
                await conn.execute(
                    GROUP_MEMBERS.insert().values(
                        group_id=group_id, user_id=user_id, role="member", **values
                    )
                )
            else:
                await conn.execute(
                    update(GROUP_MEMBERS)
                    .where(GROUP_MEMBERS.c.group_id == group_id, GROUP_MEMBERS.c.user_id == user_id)
                    .values(values)
                )
            role_in_group = "member" if row is None else row.role
            if approved:
                count = await _count(conn, group_id, +1)
                await _record_joined(conn, group.circle_id, group_id, user_id, role_in_group, count)
            else:
                await record(
                    conn, group.circle_id, "group.requested", {"group": group_id, "user": user_id}
                )
            return _standing(group.id, user_id, role_in_group, approved)

    async def leave(self, group_id: str, user_id: str) -> None:
        """Leave a group (or withdraw a request); a no-op when not in it."""
        async with self._db.write() as conn:
            group = await _group_locked(conn, group_id)
            if group.id == group.circle_id:
                raise Conflict("everyone in the circle is in its general group: leave the circle")
            await _drop(conn, group, user_id, "left")

    async def add(self, group_id: str, actor_id: str, user_id: str, role: str = "member") -> Record:
        """A group admin (or the circle's owner or admin) adds a member of the
        circle, approves their request, or sets their role in the group."""
        role = validation.choice(role, "role", GROUP_ROLES)
        async with self._db.write() as conn:
            group = await _group_locked(conn, group_id)
            if group.id == group.circle_id:
                raise Conflict("everyone in the circle is in its general group")
            await _require_group_admin(conn, group, actor_id)
            if await role_of(conn, group.circle_id, user_id) is None:
                raise NotFound("no such member of this circle")
            row = await group_member_row(conn, group_id, user_id)
            if row is not None and row.approved:
                if row.role == "admin" and role != "admin" and user_id != actor_id:
                    await _require_not_demoting(conn, group, actor_id)
                if row.role != role:
                    await conn.execute(
                        update(GROUP_MEMBERS)
                        .where(
                            GROUP_MEMBERS.c.group_id == group_id,
                            GROUP_MEMBERS.c.user_id == user_id,
                        )
                        .values(role=role)
                    )
                    await _record_joined(
                        conn, group.circle_id, group_id, user_id, role, group.member_count
                    )
                return _standing(group_id, user_id, role, True)
            if group.archived:
                raise Conflict("this group is archived")
            _check_room(group)
            if row is None:
                await conn.execute(
                    GROUP_MEMBERS.insert().values(
                        group_id=group_id,
                        user_id=user_id,
                        role=role,
                        approved=True,
                        joined=now_ms(),
                        joined_seq=group.last_seq,
                    )
                )
            else:
                await conn.execute(
                    update(GROUP_MEMBERS)
                    .where(GROUP_MEMBERS.c.group_id == group_id, GROUP_MEMBERS.c.user_id == user_id)
                    .values(role=role, approved=True, joined=now_ms(), joined_seq=group.last_seq)
                )
            count = await _count(conn, group_id, +1)
            await _record_joined(conn, group.circle_id, group_id, user_id, role, count)
            return _standing(group_id, user_id, role, True)

    async def remove(self, group_id: str, actor_id: str, user_id: str) -> None:
        """A group admin removes a member or declines a request; oneself: leave."""
        if actor_id == user_id:
            await self.leave(group_id, user_id)
            return
        async with self._db.write() as conn:
            group = await _group_locked(conn, group_id)
            if group.id == group.circle_id:
                raise Conflict("remove them from the circle instead")
            await _require_group_admin(conn, group, actor_id)
            target = await group_member_row(conn, group_id, user_id)
            if target is not None and target.role == "admin":
                await _require_not_demoting(conn, group, actor_id)
            if not await _drop(conn, group, user_id, "removed"):
                raise NotFound("no such member of this group")

    async def members(
        self, group_id: str, viewer_id: str, cursor: str | None = None, limit: int = 200
    ) -> tuple[list[Record], str | None]:
        """A page of a group's members in joining order (pending requests too, with
        ``approved`` false, for its admins); general's are the circle's."""
        limit = validation.limit(limit, high=MEMBERS_PAGE_MAX)
        async with self._db.read() as conn:
            group = await group_row(conn, group_id)
            circle = await circle_row(conn, group.circle_id)
            if group.id == circle.id:
                raise Conflict("general's members are the circle's: list those")
            access = await access_of(conn, circle, group, viewer_id)
            admin = access.manager or access.role == "admin"
            query = (
                select(
                    GROUP_MEMBERS.c.user_id,
                    GROUP_MEMBERS.c.role,
                    GROUP_MEMBERS.c.approved,
                    GROUP_MEMBERS.c.joined,
                    DISPLAY_NAME,
                )
                .select_from(
                    GROUP_MEMBERS.join(USERS, USERS.c.id == GROUP_MEMBERS.c.user_id).outerjoin(
                        MEMBERSHIPS,
                        and_(
                            MEMBERSHIPS.c.circle_id == circle.id,
                            MEMBERSHIPS.c.user_id == GROUP_MEMBERS.c.user_id,
                        ),
                    )
                )
                .where(GROUP_MEMBERS.c.group_id == group_id)
            )
            if not admin:
                query = query.where(GROUP_MEMBERS.c.approved)
            query = oldest_first(
                query, GROUP_MEMBERS.c.joined, GROUP_MEMBERS.c.user_id, cursor, limit
            )
            rows = (await conn.execute(query)).all()
        members = [
            {
                "user": row.user_id,
                "name": row.display_name,
                "role": row.role,
                "approved": bool(row.approved),
            }
            for row in rows[:limit]
        ]
        return members, next_cursor(rows, limit, "joined", "user_id")

    async def member_ids(self, group_id: str) -> list[str]:
        """Every approved member's id (read counts); general's are the circle's."""
        async with self._db.read() as conn:
            group = await group_row(conn, group_id)
            if group.id == group.circle_id:
                query = select(MEMBERSHIPS.c.user_id).where(MEMBERSHIPS.c.circle_id == group.id)
            else:
                query = select(GROUP_MEMBERS.c.user_id).where(
                    GROUP_MEMBERS.c.group_id == group_id, GROUP_MEMBERS.c.approved
                )
            return [row.user_id for row in await conn.execute(query)]


def _standing(group_id: str, user_id: str, role: str, approved: bool) -> Record:
    return {"group": group_id, "user": user_id, "role": role, "approved": approved}


def _check_room(group: AnyRow) -> None:
    if group.max_members is not None and group.member_count >= group.max_members:
        raise Conflict("this group is full")


async def _group_locked(conn: AsyncConnection, group_id: object) -> AnyRow:
    """The group's row, read after its circle's lock (changes of one circle in turn)."""
    group = await group_row(conn, group_id)
    await circle_row(conn, group.circle_id, lock=True)
    return await group_row(conn, group_id)


async def _is_circle_manager(conn: AsyncConnection, circle_id: str, user_id: str) -> bool:
    return await role_of(conn, circle_id, user_id) in MANAGER_ROLES


async def _require_circle_manager(conn: AsyncConnection, circle_id: str, user_id: str) -> None:
    role = await role_of(conn, circle_id, user_id)
    if role is None:
        raise Forbidden("not a member of this circle")
    if role not in MANAGER_ROLES:
        raise Forbidden("only the circle's owners and admins can do that")


async def _require_group_admin(conn: AsyncConnection, group: AnyRow, user_id: str) -> None:
    if await _is_circle_manager(conn, group.circle_id, user_id):
        return
    row = await group_member_row(conn, group.id, user_id)
    if row is None or not row.approved or row.role != "admin":
        raise Forbidden("only the group's admins can do that")


async def _require_not_demoting(conn: AsyncConnection, group: AnyRow, actor_id: str) -> None:
    """Only the circle's owners and admins demote or remove a group admin: one
    group admin may not push another out (demoting first would get round it)."""
    if not await _is_circle_manager(conn, group.circle_id, actor_id):
        raise Forbidden("a group admin cannot demote or remove another group admin")


async def _circle_members(conn: AsyncConnection, circle_id: str) -> int:
    return int((await circle_row(conn, circle_id)).member_count)


async def _count(conn: AsyncConnection, group_id: str, delta: int) -> int:
    result = await conn.execute(
        update(GROUPS)
        .where(GROUPS.c.id == group_id)
        .values(member_count=GROUPS.c.member_count + delta)
        .returning(GROUPS.c.member_count)
    )
    return int(result.scalar_one())


async def _drop(conn: AsyncConnection, group: AnyRow, user_id: str, reason: str) -> bool:
    row = await group_member_row(conn, group.id, user_id)
    if row is None:
        return False
    await conn.execute(
        delete(GROUP_MEMBERS).where(
            GROUP_MEMBERS.c.group_id == group.id, GROUP_MEMBERS.c.user_id == user_id
        )
    )
    count = await _count(conn, group.id, -1) if row.approved else group.member_count
    await record(
        conn,
        group.circle_id,
        "group.left",
        {"group": group.id, "user": user_id, "members": count, "reason": reason},
    )
    return True


async def _record_joined(
    conn: AsyncConnection, circle_id: str, group_id: str, user_id: str, role: str, count: int
) -> None:
    await record(
        conn,
        circle_id,
        "group.joined",
        {"group": group_id, "user": user_id, "role": role, "members": count},
    )


__all__ = ["ACCESS", "GROUP_ROLES", "Groups"]
