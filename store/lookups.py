"""Small reads shared by the write paths, run on the caller's connection.

They run inside the caller's transaction so a check and the write it guards
see the same state.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from .errors import Forbidden, NotFound
from .models import CIRCLES, MEMBERSHIPS, USERS
from .records import CIRCLE_COLUMNS, MANAGER_ROLES, MEMBER_COLUMNS, AnyRow


async def circle_row(conn: AsyncConnection, circle_id: str) -> AnyRow:
    """The circle's row, or ``NotFound``."""
    row = (await conn.execute(select(*CIRCLE_COLUMNS).where(CIRCLES.c.id == circle_id))).first()
    if row is None:
        raise NotFound("no such circle")
    return row


async def role_of(conn: AsyncConnection, circle_id: str, user_id: str) -> str | None:
    """The user's role in the circle, None for a non-member."""
    value = (
        await conn.execute(
            select(MEMBERSHIPS.c.role).where(
                MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.user_id == user_id
            )
        )
    ).scalar()
    return None if value is None else str(value)


async def require_manager(conn: AsyncConnection, circle_id: str, actor_id: str) -> str:
    """The actor's role when it is owner or admin; ``Forbidden`` otherwise."""
    role = await role_of(conn, circle_id, actor_id)
    if role not in MANAGER_ROLES:
        raise Forbidden("only the circle's owners and admins can do this")
    assert role is not None
    return role


async def member_row(conn: AsyncConnection, circle_id: str, user_id: str) -> AnyRow | None:
    """A member with its display name (``MEMBER_COLUMNS``), or None."""
    query = (
        select(*MEMBER_COLUMNS)
        .join(USERS, USERS.c.id == MEMBERSHIPS.c.user_id)
        .where(MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.user_id == user_id)
    )
    return (await conn.execute(query)).first()


async def owner_count(conn: AsyncConnection, circle_id: str) -> int:
    query = select(func.count()).where(
        MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.role == "owner"
    )
    return int((await conn.execute(query)).scalar_one())


async def reassign_owner(conn: AsyncConnection, circle_id: str) -> None:
    """Keep ``circles.owner_id`` on an owner: the earliest-joined one, if it moved."""
    first_owner = (
        select(MEMBERSHIPS.c.user_id)
        .where(MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.role == "owner")
        .order_by(MEMBERSHIPS.c.joined, MEMBERSHIPS.c.user_id)
        .limit(1)
        .scalar_subquery()
    )
    still_owner = (
        select(MEMBERSHIPS.c.user_id)
        .where(
            MEMBERSHIPS.c.circle_id == circle_id,
            MEMBERSHIPS.c.user_id == CIRCLES.c.owner_id,
            MEMBERSHIPS.c.role == "owner",
        )
        .exists()
    )
    await conn.execute(
        update(CIRCLES)
        .where(CIRCLES.c.id == circle_id, ~still_owner, first_owner.is_not(None))
        .values(owner_id=first_owner)
    )
