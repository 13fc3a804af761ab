"""Circles: creation, the public directory, settings, access codes, a user's circles.

Membership (join, leave, members, roles, removal) is ``memberships.Memberships``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from . import calendar, sections, validation
from .access_codes import code_admits, create_codes
from .changes import record
from .engine import Service
from .errors import Forbidden, Invalid, NotFound
from .follows import following_among, is_following
from .groups import create_general, group_unread
from .ids import encode_cursor, new_id, now_ms
from .last_messages import last_message
from .lookups import (
    circle_row,
    is_bot,
    member_row,
    newest_first,
    require_manager,
    require_visible,
)
from .models import CIRCLES, MEMBERSHIPS
from .must_read import pending_counts
from .records import CIRCLE_COLUMNS, Record, circle_record, member_record

KINDS = ("internal", "business", "community", "teaching")
VISIBILITIES = ("public", "private")
NAME_MAX = 80
DESCRIPTION_MAX = 2000
DIRECTORY_MAX = 200
QUERY_MAX = 100
JOIN_QUESTION_MAX = 500

# What ``update`` may change, and how each value is checked.
_SETTINGS: dict[str, Any] = {
    "name": lambda v: validation.text(v, "name", 1, NAME_MAX),
    "description": lambda v: validation.text(v, "description", 0, DESCRIPTION_MAX),
    "promote_threshold": lambda v: validation.integer(v, "promote_threshold", 0, 1000),
    "retention_messages": lambda v: validation.integer(v, "retention_messages", 100, 10_000_000),
    "retention_days": lambda v: validation.integer(v, "retention_days", 1, 3650),
    "history_for_new_members": lambda v: validation.boolean(v, "history_for_new_members"),
    # Joining by request (store/join_requests.py): private circles only.
    "join_approval": lambda v: validation.boolean(v, "join_approval"),
    "join_question": lambda v: validation.text(v, "join_question", 0, JOIN_QUESTION_MAX),
    # The circle's days (store/calendar.py): a check-in's date never moves with them.
    "time_zone": calendar.zone_name,
    "day_closes_after": lambda v: validation.integer(
        v, "day_closes_after", 0, calendar.CLOSES_AFTER_MAX_MIN
    ),
    # Quiet hours (HH:MM of the circle's zone; "" or null: none): no reminders then.
    "quiet_from": lambda v: calendar.optional_minute_text(v, "quiet_from"),
    "quiet_to": lambda v: calendar.optional_minute_text(v, "quiet_to"),
    # Which sections members see, in order (store/sections.py): owners only.
    "sections": lambda v: sections.stored(sections.check(v)),
}
# Settings only the circle's owners change (the rest: owners and admins).
_OWNER_ONLY = frozenset({"sections"})


class Circles(Service):
    """Creation, the directory, settings, access codes, a user's circles."""

    async def create(
        self, owner_id: str, name: str, kind: str, visibility: str, description: str = ""
    ) -> Record:
        """A new circle; its creator is its owner and first member."""
        name = validation.text(name, "name", 1, NAME_MAX)
        kind = validation.choice(kind, "kind", KINDS)
        visibility = validation.choice(visibility, "visibility", VISIBILITIES)
        description = validation.text(description, "description", 0, DESCRIPTION_MAX)
        circle_id, now = new_id(), now_ms()
        try:
            async with self._db.write() as conn:
                if await is_bot(conn, owner_id):
                    raise Forbidden("a bot cannot create circles", reason="bot_scope")
                await conn.execute(
                    CIRCLES.insert().values(
                        id=circle_id,
                        name=name,
                        kind=kind,
                        visibility=visibility,
                        description=description,
                        owner_id=owner_id,
                        created=now,
                        member_count=1,
                        # The kind's template and defaults (store/sections.py).
                        sections=sections.stored(sections.template(kind)),
                        **sections.KIND_DEFAULTS[kind],
                    )
                )
                await create_general(conn, circle_id, now)
                await conn.execute(
                    MEMBERSHIPS.insert().values(
                        circle_id=circle_id,
                        user_id=owner_id,
                        role="owner",
                        joined=now,
                        joined_seq=0,
                    )
                )
                owner = await member_row(conn, circle_id, owner_id)
                if owner is None:
                    raise NotFound("no such user")
                # The owner is its first member: their sockets start hearing it.
                member = {"member": member_record(owner), "members": 1}
                await record(conn, circle_id, "member.joined", member)
                row = await circle_row(conn, circle_id)
        except IntegrityError:
            raise NotFound("no such user") from None
        return circle_record(row)

    async def directory(
        self,
        q: str | None = None,
        kind: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
        viewer_id: str | None = None,
    ) -> tuple[list[Record], str | None]:
        """Public circles, newest first, optionally matching ``q`` (name or description,
        any case) and ``kind``; pass the returned cursor back for the next page.
        With ``viewer_id``, each says whether the viewer follows it (``following``)."""
        limit = validation.limit(limit, high=DIRECTORY_MAX)
        query = select(*CIRCLE_COLUMNS).where(
            CIRCLES.c.visibility == "public", CIRCLES.c.deleted.is_(None)
        )
        if q is not None and validation.text(q, "q", 0, QUERY_MAX):
            needle = q.strip().lower()
            query = query.where(
                or_(
                    func.lower(CIRCLES.c.name).contains(needle, autoescape=True),
                    func.lower(CIRCLES.c.description).contains(needle, autoescape=True),
                )
            )
        if kind is not None:
            query = query.where(CIRCLES.c.kind == validation.choice(kind, "kind", KINDS))
        query = newest_first(query, CIRCLES, cursor, limit)
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
            page = rows[:limit]
            followed = (
                await following_among(conn, viewer_id, [row.id for row in page])
                if viewer_id is not None
                else set()
            )
        next_cursor = encode_cursor(page[-1].created, page[-1].id) if len(rows) > limit else None
        circles = [circle_record(row) for row in page]
        if viewer_id is not None:
            for circle in circles:
                circle["following"] = circle["id"] in followed
        return circles, next_cursor

    async def get(self, circle_id: str, viewer_id: str | None = None) -> Record:
        """A circle; a private one only to its members. With ``viewer_id``,
        ``following``: whether the viewer follows it (store/follows.py)."""
        async with self._db.read() as conn:
            row = await circle_row(conn, circle_id)
            await require_visible(conn, row, viewer_id)
            following = viewer_id is not None and await is_following(conn, circle_id, viewer_id)
        circle = circle_record(row)
        if viewer_id is not None:
            circle["following"] = following
        return circle

    async def invite_preview(self, circle_id: str, code: str | None) -> Record:
        """What an invite link shows before sign-up: name, description, kind,
        visibility, member count and how to get in (``join_approval``,
        ``join_question``). A public circle to anyone; a private one with a code
        that would admit now, or to anyone who has its address while it takes join
        requests (turning them off revokes that link) — otherwise ``NotFound``, as
        for a circle that does not exist (the answer never tells that a private
        circle exists; a revoked code answers as one that never was)."""
        async with self._db.read() as conn:
            row = await circle_row(conn, circle_id)
            admits = row.visibility == "public" or await code_admits(conn, circle_id, code)
            by_request = row.visibility != "public" and bool(row.join_approval)
            if not admits and not by_request:
                raise NotFound("no such circle")
        return {
            "id": row.id,
            "name": row.name,
            "description": row.description,
            "kind": row.kind,
            "visibility": row.visibility,
            "member_count": row.member_count,
            # Whether the code shown admits by itself; if not, the way is a request.
            "code_admits": admits,
            "join_approval": by_request,
            "join_question": row.join_question if by_request else "",
        }

    async def update(self, circle_id: str, actor_id: str, changes: dict[str, Any]) -> Record:
        """Change settings (owner/admin; ``sections`` owners only). Unknown keys and
        bad values are ``Invalid``."""
        if not isinstance(changes, dict):
            raise Invalid("changes must be an object")
        unknown = sorted(set(changes) - set(_SETTINGS))
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            role = await require_manager(conn, circle_id, actor_id)
            if role != "owner" and _OWNER_ONLY & set(changes):
                raise Forbidden("only the circle's owners can change its sections")
            if unknown:
                raise Invalid(f"cannot change {', '.join(map(str, unknown))}")
            values = {key: _SETTINGS[key](value) for key, value in changes.items()}
            if values:
                await conn.execute(update(CIRCLES).where(CIRCLES.c.id == circle_id).values(values))
                circle = circle_record(await circle_row(conn, circle_id))
                circle["last_rev"] += 1  # the rev this change is about to take
                await record(conn, circle_id, "circle.updated", {"info": circle})
            row = await circle_row(conn, circle_id)
        return circle_record(row)

    async def create_codes(
        self,
        circle_id: str,
        actor_id: str,
        count: int,
        max_uses: int | None = None,
        expires_in_s: int | None = None,
        period_months: int | None = None,
        deadline: int | None = None,
        label: str | None = None,
        period_days: int | None = None,
        group_id: str | None = None,
    ) -> list[Record]:
        """``count`` access codes, one batch (owner/admin); ``expires_in_s`` from now;
        a paid code's term, ``period_months``, ``period_days`` or ``deadline``
        (store/terms.py); a cohort's ``label`` and chat ``group_id``
        (store/access_codes.py)."""
        return await create_codes(
            self._db,
            circle_id,
            actor_id,
            count,
            max_uses,
            expires_in_s,
            period_months,
            deadline,
            label,
            period_days,
            group_id,
        )

    async def my_circles(self, user_id: str) -> list[Record]:
        """The user's circles with role, nickname, unread count, pending must-reads,
        last message and last activity, in joining order."""
        query = (
            select(
                *CIRCLE_COLUMNS,
                MEMBERSHIPS.c.role,
                MEMBERSHIPS.c.nickname,
                MEMBERSHIPS.c.read_seq,
                MEMBERSHIPS.c.joined_seq,
                MEMBERSHIPS.c.joined,
                MEMBERSHIPS.c.muted_until,
                MEMBERSHIPS.c.ends_at,
                MEMBERSHIPS.c.removes_at,
            )
            .join(MEMBERSHIPS, MEMBERSHIPS.c.circle_id == CIRCLES.c.id)
            .where(MEMBERSHIPS.c.user_id == user_id)
            .order_by(MEMBERSHIPS.c.joined, CIRCLES.c.id)
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
            pending = await pending_counts(conn, user_id) if rows else {}
            in_groups = await group_unread(conn, user_id) if rows else {}
            last = {row.id: await last_message(conn, row, user_id) for row in rows}
        now = now_ms()
        return [
            {
                **circle_record(row),
                "role": row.role,
                "nickname": row.nickname,
                # Messages from before joining never count as unread; the other
                # groups the member is in count too (general is the circle's own).
                "unread": max(0, row.last_seq - max(row.read_seq, row.joined_seq))
                + in_groups.get(row.id, 0),
                "must_read_pending": pending.get(row.id, 0),
                # The newest message of the general group the member may read (or
                # null), and when the circle was last active: the home page's order.
                "last_message": last[row.id],
                "last_activity": max(row.joined, (last[row.id] or {}).get("ts", 0)),
                # Only while the member is muted (store/sanctions.py).
                **({"muted_until": row.muted_until} if (row.muted_until or 0) > now else {}),
                # Only with a paid term (store/terms.py): read-only from ends_at,
                # removed at removes_at.
                **(
                    {"ends_at": row.ends_at, "removes_at": row.removes_at}
                    if row.ends_at is not None
                    else {}
                ),
            }
            for row in rows
        ]
