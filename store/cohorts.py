"""A cohort's chat group: who redeems a code of a batch that names a group
(store/access_codes.py) is added to it, in the join's transaction, as a group
admin's "add" would (``group.joined`` logged, the count kept). A group that is
gone, archived or full does not keep anyone out of the circle: the code still
admits, and a manager adds the member by hand.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from .changes import record
from .group_access import group_member_row
from .ids import now_ms
from .models import GROUP_MEMBERS, GROUPS


async def join_cohort_group(
    conn: AsyncConnection, circle_id: str, group_id: str | None, user_id: str
) -> bool:
    """Add a member of ``circle_id`` to their cohort's group; whether they were added
    (False: no group, already in it, or a group that cannot take them now)."""
    if group_id is None:
        return False
    group = (await conn.execute(select(*GROUPS.c).where(GROUPS.c.id == group_id))).first()
    if (
        group is None
        or group.circle_id != circle_id
        or group.id == circle_id
        or group.archived
        or (group.max_members is not None and group.member_count >= group.max_members)
    ):
        return False
    row = await group_member_row(conn, group_id, user_id)
    if row is not None and row.approved:
        return False
    now = now_ms()
    if row is None:
        await conn.execute(
            GROUP_MEMBERS.insert().values(
                group_id=group_id,
                user_id=user_id,
                role="member",
                approved=True,
                joined=now,
                joined_seq=group.last_seq,
            )
        )
    else:  # a request waiting: the code answers it
        await conn.execute(
            update(GROUP_MEMBERS)
            .where(GROUP_MEMBERS.c.group_id == group_id, GROUP_MEMBERS.c.user_id == user_id)
            .values(role="member", approved=True, joined=now, joined_seq=group.last_seq)
        )
    count = (
        await conn.execute(
            update(GROUPS)
            .where(GROUPS.c.id == group_id)
            .values(member_count=GROUPS.c.member_count + 1)
            .returning(GROUPS.c.member_count)
        )
    ).scalar_one()
    data = {"group": group_id, "user": user_id, "role": "member", "members": int(count)}
    await record(conn, circle_id, "group.joined", data)
    return True
