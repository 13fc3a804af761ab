"""Join requests: the road into a private circle that takes them, without a code.

An owner or admin turns ``join_approval`` on (and may set a ``join_question``)
in the circle's settings. From then on anyone who knows the circle's address
may ask to join (``request``, with an answer to the question): one request per
user and circle, asked again idempotently. The circle's owners and admins list
the pending ones (newest first), approve one (the user becomes a member by the
join's own road, ``memberships.admit``: ``member.joined``, their open sockets
get the circle at once) or reject it (with an optional reason the requester
reads). Both acts are in the audit log (``join.approved``, ``join.rejected``).
An access code still admits directly. A rejected or departed user may ask again.

Every new request logs ``join.requested`` and every decision ``join.decided``,
each with the count still waiting: events only owners and admins see
(``server/members.py visible_to``), so their badge stays live.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .audit import record_act
from .changes import record
from .engine import Service
from .errors import Conflict, Forbidden, NotFound
from .ids import now_ms
from .lookups import (
    called,
    circle_row,
    newest_first_by,
    next_cursor,
    pending_requests,
    require_manager,
    role_of,
)
from .memberships import admit, record_decided, require_may_join
from .models import JOIN_REQUESTS, USERS
from .records import AnyRow, Record

ANSWER_MAX = 1000
REASON_MAX = 500
PAGE_MAX = 200
STATES = ("pending", "approved", "rejected")


def request_record(row: AnyRow) -> Record:
    return {
        "circle": row.circle_id,
        "user": row.user_id,
        "name": row.name,
        "state": row.state,
        "answer": row.answer,
        "created": row.created,
        "decided": row.decided,
        "reason": row.reason,
    }


_COLUMNS = (*JOIN_REQUESTS.c, USERS.c.name)


async def _request_row(conn: AsyncConnection, circle_id: str, user_id: str) -> AnyRow | None:
    query = (
        select(*_COLUMNS)
        .join(USERS, USERS.c.id == JOIN_REQUESTS.c.user_id)
        .where(JOIN_REQUESTS.c.circle_id == circle_id, JOIN_REQUESTS.c.user_id == user_id)
    )
    return (await conn.execute(query)).first()


class JoinRequests(Service):
    """Ask to join, see one's request; list, approve and reject (owners, admins)."""

    async def request(self, circle_id: str, user_id: str, answer: str = "") -> Record:
        """Ask to join (idempotent: a pending request is returned as it is).
        ``Conflict`` (reason ``already_member``) for a member; ``Forbidden``
        (reason ``requests_closed``) where the circle takes no requests."""
        answer = validation.text(answer, "answer", 0, ANSWER_MAX)
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            if await role_of(conn, circle_id, user_id) is not None:
                raise Conflict("you are already a member of this circle", reason="already_member")
            if circle.visibility == "public" or not circle.join_approval:
                raise Forbidden("this circle does not take join requests", reason="requests_closed")
            await require_may_join(conn, circle_id, user_id)
            row = await _request_row(conn, circle_id, user_id)
            if row is not None and row.state == "pending":
                return request_record(row)
            values = {"state": "pending", "answer": answer, "created": now_ms()}
            decided = {"decided": None, "decided_by": None, "reason": None}
            if row is None:
                await conn.execute(
                    JOIN_REQUESTS.insert().values(circle_id=circle_id, user_id=user_id, **values)
                )
            else:
                await conn.execute(
                    _where(update(JOIN_REQUESTS), circle_id, user_id).values(**values, **decided)
                )
            row = await _request_row(conn, circle_id, user_id)
            if row is None:
                raise NotFound("no such user")
            pending = await pending_requests(conn, circle_id)
            data = {"user": user_id, "name": row.name, "pending": pending}
            await record(conn, circle_id, "join.requested", data)
            return request_record(row)

    async def mine(self, circle_id: str, user_id: str) -> Record:
        """The user's own request (any state); ``NotFound`` if they never asked."""
        async with self._db.read() as conn:
            row = await _request_row(conn, circle_id, user_id)
        if row is None:
            raise NotFound("no join request")
        return request_record(row)

    async def pending(
        self,
        circle_id: str,
        actor_id: str,
        cursor: str | None = None,
        limit: int = 50,
        query: str | None = None,
    ) -> tuple[list[Record], str | None, int]:
        """A page of the pending requests, newest first, the next page's cursor,
        and how many wait in all; ``query`` keeps those whose asker goes by that
        name (``lookups.called``). Owners and admins only."""
        limit = validation.limit(limit, high=PAGE_MAX)
        select_ = (
            select(*_COLUMNS)
            .join(USERS, USERS.c.id == JOIN_REQUESTS.c.user_id)
            .where(JOIN_REQUESTS.c.circle_id == circle_id, JOIN_REQUESTS.c.state == "pending")
        )
        if query:
            select_ = select_.where(called(circle_id, JOIN_REQUESTS.c.user_id, query))
        select_ = newest_first_by(
            select_, JOIN_REQUESTS.c.created, JOIN_REQUESTS.c.user_id, cursor, limit
        )
        async with self._db.read() as conn:
            await circle_row(conn, circle_id)
            await require_manager(conn, circle_id, actor_id)
            rows = (await conn.execute(select_)).all()
            count = await pending_requests(conn, circle_id)
        page = [request_record(row) for row in rows[:limit]]
        return page, next_cursor(rows, limit, "created", "user_id"), count

    async def approve(self, circle_id: str, actor_id: str, user_id: str) -> Record:
        """Approve a pending request: the user becomes a member (``member.joined``).
        ``Conflict`` (reason ``request_decided``) when it is not pending."""
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            await _pending_row(conn, circle_id, user_id)
            await require_may_join(conn, circle_id, user_id)
            await admit(conn, circle, user_id, decided_by=actor_id)
            await record_act(conn, circle_id, actor_id, "join.approved", "member", user_id)
            row = await _request_row(conn, circle_id, user_id)
            assert row is not None
            return request_record(row)

    async def reject(
        self, circle_id: str, actor_id: str, user_id: str, reason: str | None = None
    ) -> Record:
        """Reject a pending request, with an optional reason the requester reads."""
        if reason is not None:
            reason = validation.text(reason, "reason", 0, REASON_MAX) or None
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            await _pending_row(conn, circle_id, user_id)
            await conn.execute(
                _where(update(JOIN_REQUESTS), circle_id, user_id).values(
                    state="rejected", decided=now_ms(), decided_by=actor_id, reason=reason
                )
            )
            await record_decided(conn, circle_id, user_id, "rejected")
            await record_act(
                conn, circle_id, actor_id, "join.rejected", "member", user_id, reason=reason
            )
            row = await _request_row(conn, circle_id, user_id)
            assert row is not None
            return request_record(row)


def _where(statement: Any, circle_id: str, user_id: str) -> Any:
    return statement.where(
        JOIN_REQUESTS.c.circle_id == circle_id, JOIN_REQUESTS.c.user_id == user_id
    )


async def _pending_row(conn: AsyncConnection, circle_id: str, user_id: str) -> AnyRow:
    row = await _request_row(conn, circle_id, user_id)
    if row is None:
        raise NotFound("no such join request")
    if row.state != "pending":
        raise Conflict(f"this request has already been {row.state}", reason="request_decided")
    return row
