"""Who is in a circle and in what role: join, leave, members, roles, nicknames, removal.

Roles: ``owner`` (at least one per circle), ``admin``, ``member``. Owners and
admins manage the circle; an admin cannot touch an owner or another admin
(their role, their nickname, their membership);
only an owner makes owners. ``circles.member_count`` moves with every join and
departure in the same transaction, so reading a circle never counts rows.
Every change is logged (``member.joined``, ``member.left``, ``member.removed``,
``member.updated``): members see it live, and a node learns from it which of
its connections belong to the circle and in what role.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .access_codes import CodeUse, code_term, consume_code
from .audit import record_act
from .changes import record
from .cohorts import join_cohort_group
from .engine import Database, Service
from .errors import Conflict, Forbidden, NotFound
from .follows import end_follow
from .groups import leave_all
from .ids import now_ms
from .lookups import (
    check_not_banned,
    circle_row,
    contains,
    is_bot,
    member_row,
    next_cursor,
    oldest_first,
    owner_count,
    pending_requests,
    reassign_owner,
    require_visible,
    role_of,
)
from .models import CIRCLES, JOIN_REQUESTS, MEMBERSHIPS, USERS
from .records import (
    DISPLAY_NAME,
    MANAGER_ROLES,
    MEMBER_COLUMNS,
    ROLES,
    AnyRow,
    Membership,
    Record,
    member_record,
)
from .term_dates import GRACE_MS, renewed_end, set_term

NICKNAME_MAX = 32
PAGE_MAX = 500
QUERY_MAX = 64


class Memberships(Service):
    """Join, leave, members, roles and nicknames, removal."""

    def __init__(self, db: Database, grace_ms: int = GRACE_MS) -> None:
        super().__init__(db)
        # How long a member whose paid term ended stays, read-only (store/terms.py).
        self.grace_ms = grace_ms

    async def join(self, circle_id: str, user_id: str, code: str | None = None) -> Record:
        """Join a public circle, or a private one with a valid access code (one
        that takes join requests too: a code still admits directly; without one
        the road is ``JoinRequests.request``). A paid code's term sets the new
        member's end (store/terms.py).

        Idempotent: a member gets its membership back and no code use is spent,
        except a member with an end date who redeems a paid code: that renews
        their term (a use spent, logged ``member.term``).
        """
        try:
            async with self._db.write() as conn:
                circle = await circle_row(conn, circle_id, lock=True)
                row = await member_row(conn, circle_id, user_id)
                if row is not None:
                    if row.ends_at is None or not await code_term(conn, circle_id, code):
                        return member_record(row)
                    return await self._redeem_term(conn, circle_id, user_id, code, row.ends_at)
                await require_may_join(conn, circle_id, user_id)
                if circle.visibility != "public":
                    if circle.join_approval and not (isinstance(code, str) and code.strip()):
                        raise Forbidden(
                            "this circle admits by approval: send a join request",
                            reason="approval_required",
                        )
                    use = await consume_code(conn, circle_id, code, user_id)
                    member = await admit(conn, circle, user_id)
                    # A cohort's code: its chat group too (store/cohorts.py).
                    await join_cohort_group(conn, circle_id, use.group_id, user_id)
                    if not use.has_term:
                        return member
                    return await self._set_code_term(conn, circle_id, user_id, None, False, use)
                return await admit(conn, circle, user_id)
        except IntegrityError:
            # Either a concurrent join of the same user won (fine: idempotent)
            # or the user does not exist (foreign key).
            async with self._db.read() as conn:
                row = await member_row(conn, circle_id, user_id)
            if row is None:
                raise NotFound("no such user") from None
            return member_record(row)

    async def _redeem_term(
        self, conn: AsyncConnection, circle_id: str, user_id: str, code: object, ends_at: int
    ) -> Record:
        use = await consume_code(conn, circle_id, code, user_id)
        await join_cohort_group(conn, circle_id, use.group_id, user_id)
        return await self._set_code_term(conn, circle_id, user_id, ends_at, True, use)

    async def _set_code_term(
        self,
        conn: AsyncConnection,
        circle_id: str,
        user_id: str,
        current: int | None,
        member: bool,
        use: CodeUse,
    ) -> Record:
        ends_at = renewed_end(current, member, now_ms(), use.months, use.deadline, use.days)
        result = await set_term(conn, circle_id, user_id, ends_at, self.grace_ms)
        data = {"ends_at": ends_at, "before": current, "source": "code"}
        await record_act(conn, circle_id, user_id, "member.term", "member", user_id, None, data)
        return result

    async def leave(self, circle_id: str, user_id: str) -> None:
        """Leave a circle (a no-op for a non-member). The last owner cannot leave."""
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            role = await role_of(conn, circle_id, user_id)
            if role is None:
                return
            await remove_membership(conn, circle_id, user_id, role, "member.left")

    async def members(
        self,
        circle_id: str,
        viewer_id: str,
        cursor: str | None = None,
        limit: int = 200,
        query: str | None = None,
    ) -> tuple[list[Record], str | None]:
        """A page of the circle's members in joining order, and the next page's cursor
        (None on the last); a private circle only to its members. ``query`` keeps
        those whose nickname, name or login name contains it (any script)."""
        limit = validation.limit(limit, high=PAGE_MAX)
        async with self._db.read() as conn:
            await require_visible(conn, await circle_row(conn, circle_id), viewer_id)
            select_ = (
                select(*MEMBER_COLUMNS, MEMBERSHIPS.c.joined)
                .join(USERS, USERS.c.id == MEMBERSHIPS.c.user_id)
                .where(MEMBERSHIPS.c.circle_id == circle_id)
            )
            if query:
                words = validation.text(query, "q", 1, QUERY_MAX)
                names = func.coalesce(MEMBERSHIPS.c.nickname, "") + " " + USERS.c.name
                select_ = select_.where(contains(names + " " + USERS.c.handle, words))
            select_ = oldest_first(
                select_, MEMBERSHIPS.c.joined, MEMBERSHIPS.c.user_id, cursor, limit
            )
            rows = (await conn.execute(select_)).all()
        members = [member_record(row) for row in rows[:limit]]
        return members, next_cursor(rows, limit, "joined", "user_id")

    async def update_member(
        self,
        circle_id: str,
        actor_id: str,
        user_id: str,
        role: str | None = None,
        nickname: str | None = None,
    ) -> Record:
        """Change a member's role and/or nickname. ``nickname=""`` clears it."""
        if role is not None:
            role = validation.choice(role, "role", ROLES)
        if nickname is not None:
            nickname = validation.display_name(nickname, "nickname", NICKNAME_MAX, min_len=0)
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            actor_role = await role_of(conn, circle_id, actor_id)
            if actor_role is None:
                raise Forbidden("you are not a member of this circle")
            target_role = await role_of(conn, circle_id, user_id)
            if target_role is None:
                raise NotFound("no such member")
            changes: dict[str, str | None] = {}
            if role is not None:
                _check_role_change(actor_id, actor_role, user_id, target_role, role)
                if role != target_role:
                    if target_role == "owner" and await owner_count(conn, circle_id) == 1:
                        raise Conflict("a circle needs an owner: make someone else owner first")
                    changes["role"] = role
                    act = {"from": target_role, "to": role}
                    await record_act(
                        conn, circle_id, actor_id, "member.role", "member", user_id, None, act
                    )
                    if role == "owner":
                        # An owner's membership never ends (store/terms.py).
                        changes["ends_at"] = changes["removes_at"] = None
            if nickname is not None:
                _check_nickname_change(actor_id, actor_role, user_id, target_role)
                changes["nickname"] = nickname or None
            if changes:
                await conn.execute(
                    update(MEMBERSHIPS)
                    .where(MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.user_id == user_id)
                    .values(**changes)
                )
            if "role" in changes:
                await reassign_owner(conn, circle_id)
            row = await member_row(conn, circle_id, user_id)
            assert row is not None
            member = member_record(row)
            if changes:
                await record(conn, circle_id, "member.updated", {"member": member})
        return member

    async def remove_member(self, circle_id: str, actor_id: str, user_id: str) -> None:
        """An owner or admin removes a member. Removing oneself is leaving."""
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            actor_role = await role_of(conn, circle_id, actor_id)
            target_role = await role_of(conn, circle_id, user_id)
            if actor_id == user_id and target_role is not None:
                await remove_membership(conn, circle_id, user_id, target_role, "member.left")
                return
            if actor_role not in MANAGER_ROLES:
                raise Forbidden("only the circle's owners and admins can remove members")
            if target_role is None:
                raise NotFound("no such member")
            if actor_role == "admin" and target_role in MANAGER_ROLES:
                raise Forbidden("an admin cannot remove an owner or another admin")
            await remove_membership(conn, circle_id, user_id, target_role, "member.removed")
            await record_act(conn, circle_id, actor_id, "member.removed", "member", user_id)

    async def membership(self, circle_id: str, user_id: str) -> Membership | None:
        """The user's membership (for the server's cache), None for a non-member."""
        query = _MEMBERSHIP.where(
            MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.user_id == user_id
        )
        async with self._db.read() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else _membership(row, user_id)

    async def memberships_of(self, user_id: str) -> dict[str, Membership]:
        """The user's membership of every circle they belong to (circle id → it), in
        one read: what a connection's `hello` learns, so its joins need no other."""
        query = _MEMBERSHIP.where(MEMBERSHIPS.c.user_id == user_id)
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        return {str(row.circle_id): _membership(row, user_id) for row in rows}

    async def circle_ids_of(self, user_id: str) -> list[str]:
        """The ids of every circle the user belongs to."""
        return list(await self.roles_of(user_id))

    async def roles_of(self, user_id: str) -> dict[str, str]:
        """The user's role in every circle they belong to (circle id → role)."""
        query = select(MEMBERSHIPS.c.circle_id, MEMBERSHIPS.c.role).where(
            MEMBERSHIPS.c.user_id == user_id
        )
        async with self._db.read() as conn:
            return {str(row.circle_id): str(row.role) for row in await conn.execute(query)}


# A membership as the server caches it (store/records.py's Membership).
_MEMBERSHIP = select(
    MEMBERSHIPS.c.circle_id,
    MEMBERSHIPS.c.role,
    MEMBERSHIPS.c.joined_seq,
    MEMBERSHIPS.c.muted_until,
    MEMBERSHIPS.c.ends_at,
    MEMBERSHIPS.c.removes_at,
    DISPLAY_NAME,
).join(USERS, USERS.c.id == MEMBERSHIPS.c.user_id)


def _membership(row: AnyRow, user_id: str) -> Membership:
    return Membership(
        str(row.circle_id),
        user_id,
        row.role,
        row.display_name,
        row.joined_seq,
        row.muted_until,
        row.ends_at,
        row.removes_at,
    )


async def require_may_join(conn: AsyncConnection, circle_id: str, user_id: str) -> None:
    """The one check of whether a user may join or ask to join a circle, in the
    join's (or the request's, or the approval's) transaction.

    A banned user is refused here (reason ``banned``, store/sanctions.py), for a
    public join, a code, an invite link and a join request alike.
    """
    await check_not_banned(conn, circle_id, user_id)
    if await is_bot(conn, user_id):
        # A bot is added by the circle's managers (store/bots.py), never on its own.
        raise Forbidden("a bot is added to a circle by its owners or admins", reason="bot_scope")


async def admit(
    conn: AsyncConnection, circle: AnyRow, user_id: str, decided_by: str | None = None
) -> Record:
    """Make the user a member (the one road in: a join, an approved request),
    move the count and log ``member.joined``; in the caller's transaction, with
    the circle's row locked. The caller checked that they may join. A pending
    join request of theirs is approved with it (by ``decided_by``; None: they
    came in with a code), and the admins' count moves (``join.decided``)."""
    circle_id = circle.id
    await conn.execute(
        MEMBERSHIPS.insert().values(
            circle_id=circle_id,
            user_id=user_id,
            role="member",
            joined=now_ms(),
            # The general group's last seq (``CIRCLE_COLUMNS``).
            joined_seq=circle.last_seq,
        )
    )
    count = await _count_members(conn, circle_id, +1)
    # A follower who joins is a member from now on, never both (store/follows.py).
    await end_follow(conn, circle_id, user_id, "joined")
    row = await member_row(conn, circle_id, user_id)
    assert row is not None
    member = member_record(row)
    await record(conn, circle_id, "member.joined", {"member": member, "members": count})
    settled = await conn.execute(
        update(JOIN_REQUESTS)
        .where(
            JOIN_REQUESTS.c.circle_id == circle_id,
            JOIN_REQUESTS.c.user_id == user_id,
            JOIN_REQUESTS.c.state == "pending",
        )
        .values(state="approved", decided=now_ms(), decided_by=decided_by)
    )
    if settled.rowcount:
        await record_decided(conn, circle_id, user_id, "approved")
    return member


async def record_decided(conn: AsyncConnection, circle_id: str, user_id: str, state: str) -> None:
    """Log that a join request was decided, with the count still waiting."""
    pending = await pending_requests(conn, circle_id)
    data = {"user": user_id, "state": state, "pending": pending}
    await record(conn, circle_id, "join.decided", data)


def _check_role_change(
    actor_id: str, actor_role: str, user_id: str, target_role: str, role: str
) -> None:
    if actor_role not in MANAGER_ROLES:
        raise Forbidden("only the circle's owners and admins can change roles")
    if actor_role == "owner":
        return
    if role == "owner":
        raise Forbidden("only an owner can make someone an owner")
    if target_role == "owner":
        raise Forbidden("only an owner can change an owner's role")
    if target_role == "admin" and actor_id != user_id:
        raise Forbidden("an admin cannot change another admin's role")


def _check_nickname_change(actor_id: str, actor_role: str, user_id: str, target_role: str) -> None:
    # A nickname is the name the whole circle sees, in chat and on posts: an
    # admin who could rename the owner could pass someone else off as in charge.
    if actor_id == user_id or actor_role == "owner":
        return
    if actor_role not in MANAGER_ROLES:
        raise Forbidden("only owners and admins can set someone else's nickname")
    if target_role in MANAGER_ROLES:
        raise Forbidden("an admin cannot set an owner's or another admin's nickname")


async def remove_membership(
    conn: AsyncConnection, circle_id: str, user_id: str, role: str, kind: str
) -> None:
    """The user leaves (``member.left``) or is removed (``member.removed``, a ban
    too): their groups, the count, a last owner's successor, the change."""
    if role == "owner" and await owner_count(conn, circle_id) == 1:
        raise Conflict("the last owner cannot leave: make someone else owner first")
    await conn.execute(
        delete(MEMBERSHIPS).where(
            MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.user_id == user_id
        )
    )
    await leave_all(conn, circle_id, user_id, "removed" if kind == "member.removed" else "left")
    count = await _count_members(conn, circle_id, -1)
    if role == "owner":
        await reassign_owner(conn, circle_id)
    await record(conn, circle_id, kind, {"user": user_id, "members": count})


async def _count_members(conn: AsyncConnection, circle_id: str, delta: int) -> int:
    """Move the circle's member count; returns the new count."""
    result = await conn.execute(
        update(CIRCLES)
        .where(CIRCLES.c.id == circle_id)
        .values(member_count=CIRCLES.c.member_count + delta)
        .returning(CIRCLES.c.member_count)
    )
    return int(result.scalar_one())
