"""The moderation audit log: every act of a circle's owners and admins on its
members and content (a mute, a ban, a deleted message, a dismissed report, a
role changed), who did it, to what, when and why.

Write paths call ``record_act`` inside their own transaction, so an act and its
entry commit together or not at all. Entries are never changed and never
pruned with chat. Owners read them (``Audit.page``), newest first.

Actions are dotted names, the noun first, as the change log's kinds are:
``member.muted``, ``member.unmuted``, ``member.banned``, ``member.unbanned``,
``member.removed``, ``member.role``, ``message.deleted`` (an admin's delete of a
chat message; a recall by its author is not moderation), ``post.deleted``,
``post.unpromoted`` (a highlight taken down), ``comment.deleted``,
``report.resolved``, ``report.dismissed``, ``code.revoked``, ``codes.revoked`` (a
cohort's unused codes at once), ``join.approved``,
``join.rejected``, ``circle.deleted``, ``circle.exported``, ``member.term``, ``member.term_cleared``,
``member.paid``, ``member.expired``… The actor is a user id, or ``payments`` (the
payment webhook) or ``system`` (housekeeping), which have no name. A new kind of act
adds its name here, in the README's privilege table and in the client's
catalogue (``audit.<action>``).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from . import notification_rules, validation
from .engine import Service
from .errors import Forbidden
from .ids import new_id, now_ms
from .lookups import called, circle_row, newest_first, next_cursor, role_of
from .models import AUDIT_LOG, MEMBERSHIPS, USERS
from .records import DISPLAY_NAME, AnyRow, Record

PAGE_MAX = 200
REASON_MAX = 500
ACTION_MAX = 40


async def record_act(
    conn: AsyncConnection,
    circle_id: str,
    actor_id: str,
    action: str,
    target_kind: str,
    target_id: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> Record:
    """Log one act, in the caller's transaction; returns the entry."""
    if not 0 < len(action) <= ACTION_MAX:
        raise ValueError(f"an audit action is 1 to {ACTION_MAX} characters")
    reason = validation.text(reason, "reason", 0, REASON_MAX) if reason is not None else None
    values = {
        "id": new_id(),
        "circle_id": circle_id,
        "created": now_ms(),
        "actor_id": actor_id,
        "action": action,
        "target_kind": target_kind,
        "target_id": target_id,
        "reason": reason or None,
        "data": json.dumps(data, ensure_ascii=False, separators=(",", ":")) if data else None,
    }
    await conn.execute(AUDIT_LOG.insert().values(values))
    # A moderation outcome is the member's business too: their inbox.
    await notification_rules.follow_act(
        conn, circle_id, actor_id, action, target_id, reason or None, data
    )
    return _entry(values, actor_name=None)


# The actor's display name in the circle (a former admin keeps their account
# name), and so the member acted on's.
_TARGET_USERS = USERS.alias("target_user")
_TARGET_MEMBERSHIPS = MEMBERSHIPS.alias("target_membership")
_WITH_NAMES = (
    AUDIT_LOG.outerjoin(USERS, USERS.c.id == AUDIT_LOG.c.actor_id)
    .outerjoin(
        MEMBERSHIPS,
        and_(
            MEMBERSHIPS.c.circle_id == AUDIT_LOG.c.circle_id,
            MEMBERSHIPS.c.user_id == AUDIT_LOG.c.actor_id,
        ),
    )
    .outerjoin(
        _TARGET_USERS,
        and_(AUDIT_LOG.c.target_kind == "member", _TARGET_USERS.c.id == AUDIT_LOG.c.target_id),
    )
    .outerjoin(
        _TARGET_MEMBERSHIPS,
        and_(
            _TARGET_MEMBERSHIPS.c.circle_id == AUDIT_LOG.c.circle_id,
            _TARGET_MEMBERSHIPS.c.user_id == _TARGET_USERS.c.id,
        ),
    )
)
_TARGET_NAME = func.coalesce(_TARGET_MEMBERSHIPS.c.nickname, _TARGET_USERS.c.name).label(
    "target_name"
)


def _entry(values: Any, actor_name: str | None, target_name: str | None = None) -> Record:
    get = values.get if isinstance(values, dict) else values._mapping.get
    data = get("data")
    target = {"kind": get("target_kind"), "id": get("target_id")}
    if target_name is not None:
        target["name"] = target_name
    return {
        "id": get("id"),
        "circle": get("circle_id"),
        "created": get("created"),
        "actor": {"id": get("actor_id"), "name": actor_name},
        "action": get("action"),
        "target": target,
        "reason": get("reason"),
        "data": json.loads(data) if data else None,
    }


def entry_record(row: AnyRow) -> Record:
    return _entry(row, row.display_name, row.target_name)


class Audit(Service):
    """Read the log: owners only."""

    async def page(
        self,
        circle_id: str,
        viewer_id: str,
        cursor: str | None = None,
        limit: int = 50,
        query: str | None = None,
    ) -> tuple[list[Record], str | None]:
        """A page of the circle's moderation acts, newest first, and the next page's
        cursor (None on the last); ``query`` keeps the acts whose actor or member
        acted on goes by that name (``lookups.called``). ``NotFound`` (circle),
        ``Forbidden`` (not an owner)."""
        limit = validation.limit(limit, high=PAGE_MAX)
        select_ = (
            select(*AUDIT_LOG.c, DISPLAY_NAME, _TARGET_NAME)
            .select_from(_WITH_NAMES)
            .where(AUDIT_LOG.c.circle_id == circle_id)
        )
        if query:
            member = and_(
                AUDIT_LOG.c.target_kind == "member",
                called(circle_id, AUDIT_LOG.c.target_id, query),
            )
            select_ = select_.where(or_(called(circle_id, AUDIT_LOG.c.actor_id, query), member))
        async with self._db.read() as conn:
            await circle_row(conn, circle_id)
            if await role_of(conn, circle_id, viewer_id) != "owner":
                raise Forbidden("only the circle's owners read its audit log")
            rows = (await conn.execute(newest_first(select_, AUDIT_LOG, cursor, limit))).all()
        return [entry_record(row) for row in rows[:limit]], next_cursor(
            rows, limit, "created", "id"
        )
