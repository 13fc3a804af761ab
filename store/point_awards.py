"""What earns points (store/points.py has the table, ledger and boards): the
awards, made inside the transaction of the change that earns them.

Points follow the circle's change log: ``follow`` is one of ``changes.FOLLOWERS``,
called with every change logged, inside its transaction, and awards what the rule table says
for the kinds that earn (a post, a comment, a highlight, a check-in, excellent
homework, a contest win) to the member the change is about — at the points the
table says *now*, so a change of the table applies only from then on and never
rewrites the ledger. An invalidated check-in takes its points back (a negative
entry). Owners may exclude owners and admins from earning. One award per action,
source and member: a highlight revived after it was taken down earns nothing
twice. Every entry keeps its action, points, source and time.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from .engine import insert_ignore
from .ids import new_id, now_ms
from .lookups import role_of
from .models import POINT_ENTRIES, POINT_RULES
from .records import MANAGER_ROLES

if TYPE_CHECKING:
    from .changes import Change

DEFAULT_RULES: dict[str, int] = {
    "highlight": 5,
    "post": 2,
    "comment": 1,
    "checkin": 1,
    "excellent": 5,
    "contest_win": 20,
}
ACTIONS = tuple(DEFAULT_RULES)


def _earned(kind: str, data: dict[str, Any]) -> tuple[str, str, str, str] | None:
    """What a change earns: (action, member, source kind, source id), or None."""
    if kind == "post.created":
        post = data["post"]
        return "post", post["author"]["id"], "post", post["id"]
    if kind == "post.promoted":
        post = data["post"]
        # A teacher's "excellent" or 精选 (a submission or check-in promoted: rule 9)
        # earns as excellent.
        source = post.get("source") or {}
        action = "excellent" if source.get("kind") in ("submission", "checkin") else "highlight"
        return action, post["author"]["id"], "post", post["id"]
    if kind == "comment.added":
        comment = data["comment"]
        return "comment", comment["author"]["id"], "comment", comment["id"]
    if kind in ("checkin.added", "checkin.reviewed"):
        # A check-in counts once valid: at once, or when a reviewer approves it.
        checkin = data["checkin"]
        if checkin.get("state", "valid") != "valid":
            return None
        return "checkin", checkin["user"], "checkin", checkin["id"]
    return None


def _taken_back(kind: str, data: dict[str, Any]) -> tuple[str, str, str] | None:
    """What a change takes back: (action, member, source id), or None."""
    if kind == "checkin.invalidated":
        checkin = data["checkin"]
        return "checkin", checkin["user"], checkin["id"]
    return None


async def rules_of(
    conn: AsyncConnection, circle_id: str
) -> tuple[dict[str, int], bool, int | None]:
    """The circle's table (defaults where it never changed one), whether owners and
    admins are excluded, and when it last changed (None: the defaults)."""
    row = (
        await conn.execute(select(*POINT_RULES.c).where(POINT_RULES.c.circle_id == circle_id))
    ).first()
    if row is None:
        return dict(DEFAULT_RULES), False, None
    return {**DEFAULT_RULES, **json.loads(row.rules)}, bool(row.exclude_managers), row.updated


# The kinds of change that earn points or take them back (``_earned``, ``_taken_back``).
KINDS = frozenset(
    {
        "post.created",
        "post.promoted",
        "comment.added",
        "checkin.added",
        "checkin.reviewed",
        "checkin.invalidated",
    }
)


async def follow(conn: AsyncConnection, changes: list[Change]) -> None:
    """Award (or take back) what logged changes of one kind earn (a follower of
    the change log: ``changes.FOLLOWERS``); other kinds cost nothing."""
    if not changes or changes[0].kind not in KINDS:
        return
    for change in changes:
        await _follow(conn, change.circle, change.kind, change.data, change.ts)


async def _follow(
    conn: AsyncConnection, circle_id: str, kind: str, data: dict[str, Any], at: int
) -> None:
    """Award (or take back) what one logged change of the circle earns."""
    earned = _earned(kind, data)
    if earned is not None:
        action, user_id, source_kind, source_id = earned
        await award(conn, circle_id, user_id, action, source_kind, source_id, at)
        return
    back = _taken_back(kind, data)
    if back is not None:
        action, user_id, source_id = back
        given = (
            await conn.execute(
                select(POINT_ENTRIES.c.points, POINT_ENTRIES.c.source_kind).where(
                    POINT_ENTRIES.c.circle_id == circle_id,
                    POINT_ENTRIES.c.action == action,
                    POINT_ENTRIES.c.source_id == source_id,
                    POINT_ENTRIES.c.user_id == user_id,
                )
            )
        ).first()
        if given is not None and given.points:
            await _insert(
                conn,
                circle_id,
                user_id,
                f"{action}_revoked",
                -given.points,
                given.source_kind,
                source_id,
                at,
            )


async def award(
    conn: AsyncConnection,
    circle_id: str,
    user_id: str,
    action: str,
    source_kind: str,
    source_id: str,
    at: int | None = None,
) -> None:
    """Award ``action``'s points of the circle's table to the member, once per source
    (features with no change kind of their own call this: excellent homework, a
    contest win). Nothing for a zero rule, a non-member, or an excluded manager."""
    if action not in DEFAULT_RULES:
        raise ValueError(f"no points action {action!r}")
    rules, exclude_managers, _ = await rules_of(conn, circle_id)
    points = rules.get(action, 0)
    if not points:
        return
    role = await role_of(conn, circle_id, user_id)
    if role is None or (exclude_managers and role in MANAGER_ROLES):
        return
    await _insert(conn, circle_id, user_id, action, points, source_kind, source_id, at or now_ms())


async def _insert(
    conn: AsyncConnection,
    circle_id: str,
    user_id: str,
    action: str,
    points: int,
    source_kind: str,
    source_id: str,
    at: int,
) -> None:
    await conn.execute(
        insert_ignore(conn.dialect.name, POINT_ENTRIES).values(
            id=new_id(),
            circle_id=circle_id,
            user_id=user_id,
            action=action,
            points=points,
            source_kind=source_kind,
            source_id=source_id,
            created=at,
        )
    )
