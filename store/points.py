"""Points (COMMUNITY-OPS.md rule 10): a circle's published rule table, every
member's ledger, and a board per period (what earns them: store/point_awards.py).

Boards add the entries of a period — this ``week`` (from Monday) or ``month`` in
the circle's time zone, or ``all`` time — best first; ties go to whoever got there
first (the earlier last entry), then by user id.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select

from . import validation
from .audit import record_act
from .calendar import DEFAULT_ZONE, local_date, zone
from .changes import record
from .engine import Service
from .errors import Forbidden, Invalid
from .ids import decode_cursor, encode_cursor, now_ms
from .lookups import circle_row, require_manager, require_visible, role_of
from .models import MEMBERSHIPS, POINT_ENTRIES, POINT_RULES, USERS
from .point_awards import ACTIONS, rules_of
from .records import DISPLAY_NAME, MANAGER_ROLES, AnyRow, Record

POINTS_MAX = 1000
PERIODS = ("week", "month", "all")
PAGE_MAX = 100


def period_start(period: str, now: int, zone_name: str) -> int | None:
    """When this week (Monday) or month began on the circle's clock (ms); None: all."""
    validation.choice(period, "period", PERIODS)
    if period == "all":
        return None
    today = local_date(now, zone_name)
    first = today - timedelta(days=today.weekday()) if period == "week" else today.replace(day=1)
    start = datetime(first.year, first.month, first.day, tzinfo=zone(zone_name))
    return int(start.timestamp() * 1000)


def entry_record(row: AnyRow) -> Record:
    return {
        "id": row.id,
        "user": row.user_id,
        "action": row.action,
        "points": row.points,
        "source": {"kind": row.source_kind, "id": row.source_id},
        "created": row.created,
    }


class Points(Service):
    """The rule table, the ledger and the boards of a circle's points."""

    async def rules(self, circle_id: str, viewer_id: str) -> Record:
        """The published table: every member (anyone, for a public circle) reads it."""
        async with self._db.read() as conn:
            await require_visible(conn, await circle_row(conn, circle_id), viewer_id)
            rules, exclude, updated = await rules_of(conn, circle_id)
        return {"rules": rules, "exclude_managers": exclude, "updated": updated}

    async def set_rules(
        self, circle_id: str, actor_id: str, rules: object, exclude_managers: object = None
    ) -> Record:
        """Change the table (owners and admins): from now on; stamped, audited and
        pushed (``points.rules``). ``rules`` maps actions to points (0: none)."""
        if not isinstance(rules, dict) or not rules:
            raise Invalid("rules must map actions to points")
        unknown = set(rules) - set(ACTIONS)
        if unknown:
            raise Invalid(
                f"no points action {', '.join(sorted(map(str, unknown)))}; actions: {', '.join(ACTIONS)}"
            )
        for action, points in rules.items():
            validation.integer(points, f"rules.{action}", -POINTS_MAX, POINTS_MAX)
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            current, exclude, _ = await rules_of(conn, circle_id)
            table = {**current, **rules}
            if exclude_managers is not None:
                exclude = validation.boolean(exclude_managers, "exclude_managers")
            values = {
                "rules": json.dumps(table, sort_keys=True),
                "exclude_managers": exclude,
                "updated": now_ms(),
                "updated_by": actor_id,
            }
            exists = (
                await conn.execute(
                    select(POINT_RULES.c.circle_id).where(POINT_RULES.c.circle_id == circle_id)
                )
            ).first()
            if exists is None:
                await conn.execute(POINT_RULES.insert().values(circle_id=circle_id, **values))
            else:
                await conn.execute(
                    POINT_RULES.update().where(POINT_RULES.c.circle_id == circle_id).values(values)
                )
            found = {"rules": table, "exclude_managers": exclude, "updated": values["updated"]}
            await record_act(
                conn, circle_id, actor_id, "points.rules", "circle", circle_id, data=found
            )
            await record(conn, circle_id, "points.rules", found)
        return found

    async def ledger(
        self,
        circle_id: str,
        viewer_id: str,
        user_id: str,
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[Record], str | None, int]:
        """A member's entries, newest first, and their total. One's own; owners and
        admins read anyone's."""
        limit = validation.limit(limit, high=PAGE_MAX * 10)
        async with self._db.read() as conn:
            circle = await circle_row(conn, circle_id)
            await require_visible(conn, circle, viewer_id)
            if (
                user_id != viewer_id
                and await role_of(conn, circle_id, viewer_id) not in MANAGER_ROLES
            ):
                raise Forbidden("only owners and admins read another member's points")
            mine = and_(POINT_ENTRIES.c.circle_id == circle_id, POINT_ENTRIES.c.user_id == user_id)
            query = select(*POINT_ENTRIES.c).where(mine)
            if cursor is not None:
                at, key = decode_cursor(cursor)
                query = query.where(
                    or_(
                        POINT_ENTRIES.c.created < at,
                        and_(POINT_ENTRIES.c.created == at, POINT_ENTRIES.c.id < key),
                    )
                )
            query = query.order_by(POINT_ENTRIES.c.created.desc(), POINT_ENTRIES.c.id.desc()).limit(
                limit + 1
            )
            rows = (await conn.execute(query)).all()
            total = (
                await conn.execute(
                    select(func.coalesce(func.sum(POINT_ENTRIES.c.points), 0)).where(mine)
                )
            ).scalar_one()
        nxt = (
            None
            if len(rows) <= limit
            else encode_cursor(rows[limit - 1].created, rows[limit - 1].id)
        )
        return [entry_record(r) for r in rows[:limit]], nxt, int(total)

    async def entries(
        self, circle_id: str, actor_id: str, cursor: str | None = None, limit: int = 500
    ) -> tuple[list[Record], str | None]:
        """Every entry of the circle with the member's name, oldest first (owners
        and admins: the ledger's export)."""
        limit = validation.limit(limit, high=PAGE_MAX * 10)
        async with self._db.read() as conn:
            await circle_row(conn, circle_id)
            await require_manager(conn, circle_id, actor_id)
            query = (
                select(*POINT_ENTRIES.c, DISPLAY_NAME)
                .join(USERS, USERS.c.id == POINT_ENTRIES.c.user_id)
                .outerjoin(
                    MEMBERSHIPS,
                    and_(
                        MEMBERSHIPS.c.circle_id == circle_id,
                        MEMBERSHIPS.c.user_id == POINT_ENTRIES.c.user_id,
                    ),
                )
                .where(POINT_ENTRIES.c.circle_id == circle_id)
            )
            if cursor is not None:
                at, key = decode_cursor(cursor)
                query = query.where(
                    or_(
                        POINT_ENTRIES.c.created > at,
                        and_(POINT_ENTRIES.c.created == at, POINT_ENTRIES.c.id > key),
                    )
                )
            rows = (
                await conn.execute(
                    query.order_by(POINT_ENTRIES.c.created, POINT_ENTRIES.c.id).limit(limit + 1)
                )
            ).all()
        nxt = (
            None
            if len(rows) <= limit
            else encode_cursor(rows[limit - 1].created, rows[limit - 1].id)
        )
        return [{**entry_record(r), "name": r.display_name} for r in rows[:limit]], nxt

    async def board(
        self,
        circle_id: str,
        viewer_id: str,
        period: str = "all",
        cursor: str | None = None,
        limit: int = 50,
        now: int | None = None,
    ) -> tuple[list[Record], str | None, Record | None]:
        """The board of a period, best first, with ranks, and the viewer's own row."""
        limit = validation.limit(limit, high=PAGE_MAX)
        offset = 0
        if cursor is not None:
            if not (isinstance(cursor, str) and cursor.isdigit() and len(cursor) < 10):
                raise Invalid("cursor is not one this server gave")
            offset = int(cursor)
        async with self._db.read() as conn:
            circle = await circle_row(conn, circle_id)
            await require_visible(conn, circle, viewer_id)
            since = period_start(
                period, now_ms() if now is None else now, circle.time_zone or DEFAULT_ZONE
            )
            where = [POINT_ENTRIES.c.circle_id == circle_id]
            if since is not None:
                where.append(POINT_ENTRIES.c.created >= since)
            sums = (
                select(
                    POINT_ENTRIES.c.user_id.label("user_id"),
                    func.sum(POINT_ENTRIES.c.points).label("points"),
                    func.max(POINT_ENTRIES.c.created).label("reached"),
                )
                .where(*where)
                .group_by(POINT_ENTRIES.c.user_id)
                .subquery()
            )
            ranked = (
                select(sums.c.user_id, sums.c.points, sums.c.reached, DISPLAY_NAME)
                .join(USERS, USERS.c.id == sums.c.user_id)
                .join(
                    MEMBERSHIPS,
                    and_(
                        MEMBERSHIPS.c.circle_id == circle_id,
                        MEMBERSHIPS.c.user_id == sums.c.user_id,
                    ),
                )
                .where(sums.c.points > 0)
                .order_by(sums.c.points.desc(), sums.c.reached, sums.c.user_id)
            )
            rows = (await conn.execute(ranked.offset(offset).limit(limit + 1))).all()
            mine = (await conn.execute(ranked.where(sums.c.user_id == viewer_id))).first()
            me = None
            if mine is not None:
                ahead = (
                    await conn.execute(
                        select(func.count())
                        .select_from(sums)
                        .join(
                            MEMBERSHIPS,
                            and_(
                                MEMBERSHIPS.c.circle_id == circle_id,
                                MEMBERSHIPS.c.user_id == sums.c.user_id,
                            ),
                        )
                        .where(
                            sums.c.points > 0,
                            or_(
                                sums.c.points > mine.points,
                                and_(sums.c.points == mine.points, sums.c.reached < mine.reached),
                                and_(
                                    sums.c.points == mine.points,
                                    sums.c.reached == mine.reached,
                                    sums.c.user_id < mine.user_id,
                                ),
                            ),
                        )
                    )
                ).scalar_one()
                me = {
                    "rank": int(ahead) + 1,
                    "user": mine.user_id,
                    "name": mine.display_name,
                    "points": int(mine.points),
                }
        entries = [
            {
                "rank": offset + i + 1,
                "user": r.user_id,
                "name": r.display_name,
                "points": int(r.points),
            }
            for i, r in enumerate(rows[:limit])
        ]
        nxt = str(offset + limit) if len(rows) > limit else None
        return entries, nxt, me
