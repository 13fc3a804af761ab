"""Who may read and say what in which chat group: the one rule, on the
caller's connection (inside its transaction), for every path that touches a
group's chat — saying, history, stars, vetoes, reactions, polls, read markers.

A circle's general group (the circle's id) is every member's; another group is
its approved members', and the circle's owners and admins read every group.
With ``history_for_new_members`` off, a member reads a group from the seq it
was at when they joined it (general: when they joined the circle), an owner or
admin outside a group from when they joined the circle.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .errors import Forbidden, NotFound
from .models import GROUP_MEMBERS, GROUPS, MEMBERSHIPS, MESSAGES
from .records import MANAGER_ROLES, AnyRow, GeneralChat, GroupAccess

GROUP_COLUMNS = tuple(GROUPS.c)


async def group_row(
    conn: AsyncConnection, group_id: object, circle_id: str | None = None
) -> AnyRow:
    """The group's row (of this circle, when given), or ``NotFound``."""
    if not isinstance(group_id, str):
        raise NotFound("no such group")
    query = select(*GROUP_COLUMNS).where(GROUPS.c.id == group_id)
    if circle_id is not None:
        query = query.where(GROUPS.c.circle_id == circle_id)
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound("no such group")
    return row


async def group_member_row(conn: AsyncConnection, group_id: str, user_id: str) -> AnyRow | None:
    query = select(*GROUP_MEMBERS.c).where(
        GROUP_MEMBERS.c.group_id == group_id, GROUP_MEMBERS.c.user_id == user_id
    )
    return (await conn.execute(query)).first()


def general_chat(circle: AnyRow, general: AnyRow) -> GeneralChat:
    """The settings of the circle's general group that every member's access depends on."""
    return GeneralChat(
        circle.id,
        not circle.history_for_new_members,
        bool(general.read_only),
        int(general.slow_mode_s),
    )


async def access_of(
    conn: AsyncConnection, circle: AnyRow, group: AnyRow, user_id: str
) -> GroupAccess:
    """The user's access to a group of this circle: ``Forbidden`` for a non-member
    of the circle, or of a group they have not joined (unless they manage the circle)."""
    member = (
        await conn.execute(
            select(MEMBERSHIPS.c.role, MEMBERSHIPS.c.joined_seq, MEMBERSHIPS.c.joined).where(
                MEMBERSHIPS.c.circle_id == circle.id, MEMBERSHIPS.c.user_id == user_id
            )
        )
    ).first()
    if member is None:
        raise Forbidden("not a member of this circle")
    manager = member.role in MANAGER_ROLES
    hide = not circle.history_for_new_members
    if group.id == circle.id:
        return general_chat(circle, group).access(member.role, int(member.joined_seq))
    row = await group_member_row(conn, group.id, user_id)
    role = row.role if row is not None and row.approved else None
    if role is None and not manager:
        raise Forbidden("not a member of this group")
    floor = 0
    if hide and role is not None and row is not None:
        floor = int(row.joined_seq)
    elif hide:
        # An owner or admin reading a group they are not in: hidden history hides
        # what was said there before they joined the circle (no seq of theirs in
        # the group to go by, so the time of their joining).
        before = select(func.coalesce(func.max(MESSAGES.c.seq), 0)).where(
            MESSAGES.c.group_id == group.id, MESSAGES.c.ts <= member.joined
        )
        floor = int((await conn.execute(before)).scalar_one())
    return GroupAccess(
        circle.id,
        group.id,
        role,
        floor,
        bool(group.read_only),
        bool(group.archived),
        manager,
        int(group.slow_mode_s),
    )
