"""Reports: a member tells the circle's owners and admins about a chat message,
post, comment or member, with a reason; the managers work through a queue and
resolve each report with an outcome, which its reporter learns.

A report points at its target and holds no copy of it: what an admin deletes
is gone from the queue too (its preview says ``gone``). A member reports a
target once (again: the first report answers). Resolving a report resolves
every open report of the same target with the same outcome, in one act of the
audit log (``report.resolved``, or ``report.dismissed`` for a dismissal). The
act itself (deleting, muting, banning, removing) has its own route; the
outcome records which one was taken.

Two changes (store/changes.py): ``report.filed`` (the report without its
reporter, and the open count) for owners and admins, ``report.resolved`` (as
its reporter sees it, and the open count) for owners, admins and the reporter:
``server/members.py visible_to`` keeps both from everyone else.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .audit import record_act
from .changes import record
from .engine import Service
from .errors import Conflict, Invalid, NotFound
from .group_access import access_of, group_row
from .ids import new_id, now_ms
from .lookups import (
    called,
    circle_row,
    display_names,
    member_row,
    message_row,
    newest_first,
    next_cursor,
    post_row,
    require_manager,
    require_member,
)
from .models import CIRCLES, COMMENTS, MESSAGES, POSTS, REPORTS
from .records import AnyRow, Record

# What can be reported; "submission" joins when submissions exist.
TARGET_KINDS = ("message", "post", "comment", "member")
REASONS = ("spam", "abuse", "illegal", "other")
OUTCOMES = ("dismissed", "deleted", "muted", "banned", "removed")
STATUSES = ("open", "resolved")
TEXT_MAX = 500
NOTE_MAX = 500
TARGET_ID_MAX = 80
PAGE_MAX = 100
PREVIEW_MAX = 300


class Reports(Service):
    """Filing, reading and resolving reports."""

    async def file(
        self,
        circle_id: str,
        reporter_id: str,
        target_kind: object,
        target_id: object,
        reason: object,
        text: object = None,
    ) -> tuple[Record, bool]:
        """Report a target of the circle; returns the report (as its reporter sees
        it) and whether it is new (False: this member had reported it already).

        ``Invalid`` (kind, reason, text, one's own content), ``NotFound`` (circle,
        target: also a message the reporter may not read), ``Forbidden`` (not a
        member)."""
        kind = validation.choice(target_kind, "kind", TARGET_KINDS)
        why = validation.choice(reason, "reason", REASONS)
        said = None if text is None else validation.text(text, "text", 0, TEXT_MAX) or None
        if not isinstance(target_id, str) or not 0 < len(target_id) <= TARGET_ID_MAX:
            raise NotFound(f"no such {kind}")
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id)
            await require_member(conn, circle_id, reporter_id)
            author = await _target_author(conn, circle, reporter_id, kind, target_id)
            if author == reporter_id:
                raise Invalid("one cannot report oneself", reason="report_own")
            row = {
                "id": new_id(),
                "circle_id": circle_id,
                "created": now_ms(),
                "reporter_id": reporter_id,
                "target_kind": kind,
                "target_id": target_id,
                "target_user_id": author,
                "reason": why,
                "text": said,
                "status": "open",
            }
            inserted = await conn.execute(self._db.insert_ignore(REPORTS).values(row))
            found = await _one(
                conn,
                and_(
                    REPORTS.c.circle_id == circle_id,
                    REPORTS.c.reporter_id == reporter_id,
                    REPORTS.c.target_kind == kind,
                    REPORTS.c.target_id == target_id,
                ),
            )
            new = inserted.rowcount == 1
            if new:
                filed = {k: v for k, v in public_report(found).items() if k != "resolved_at"}
                await record(
                    conn,
                    circle_id,
                    "report.filed",
                    {"report": filed, "open": await _open_count(conn, circle_id)},
                )
        return public_report(found), new

    async def queue(
        self,
        circle_id: str,
        viewer_id: str,
        status: str = "open",
        cursor: str | None = None,
        limit: int = 50,
        query: str | None = None,
    ) -> tuple[list[Record], str | None, int]:
        """A page of the circle's reports of one status, newest first, each with its
        target's preview and how many open reports its target has; the next
        page's cursor; and the circle's open count. ``query`` keeps the reports
        whose reporter or reported author goes by that name (``lookups.called``).
        Owners and admins only."""
        validation.choice(status, "status", STATUSES)
        limit = validation.limit(limit, high=PAGE_MAX)
        select_ = select(*REPORTS.c).where(
            REPORTS.c.circle_id == circle_id, REPORTS.c.status == status
        )
        if query:
            select_ = select_.where(
                or_(
                    called(circle_id, REPORTS.c.reporter_id, query),
                    called(circle_id, REPORTS.c.target_user_id, query),
                )
            )
        async with self._db.read() as conn:
            await circle_row(conn, circle_id)
            await require_manager(conn, circle_id, viewer_id)
            rows = (await conn.execute(newest_first(select_, REPORTS, cursor, limit))).all()
            page = rows[:limit]
            items = await _queue_items(conn, circle_id, page)
            count = await _open_count(conn, circle_id)
        return items, next_cursor(rows, limit, "created", "id"), count

    async def open_count(self, circle_id: str, viewer_id: str) -> int:
        """How many reports of the circle are open (owners and admins)."""
        async with self._db.read() as conn:
            await circle_row(conn, circle_id)
            await require_manager(conn, circle_id, viewer_id)
            return await _open_count(conn, circle_id)

    async def resolve(
        self, circle_id: str, report_id: object, actor_id: str, outcome: object, note: object = None
    ) -> tuple[Record, int]:
        """Resolve an open report, and every other open report of its target, with
        an outcome; returns the report (as its reporter sees it) and how many were
        resolved. ``NotFound`` (circle, report), ``Forbidden`` (not an owner or
        admin), ``Conflict`` (resolved already), ``Invalid`` (outcome, note)."""
        result = validation.choice(outcome, "outcome", OUTCOMES)
        said = None if note is None else validation.text(note, "note", 0, NOTE_MAX) or None
        if not isinstance(report_id, str):
            raise NotFound("no such report")
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            report = await _one(
                conn, and_(REPORTS.c.id == report_id, REPORTS.c.circle_id == circle_id)
            )
            if report.status != "open":
                raise Conflict("this report is resolved already", reason="report_resolved")
            done = (
                await conn.execute(
                    update(REPORTS)
                    .where(
                        REPORTS.c.circle_id == circle_id,
                        REPORTS.c.target_kind == report.target_kind,
                        REPORTS.c.target_id == report.target_id,
                        REPORTS.c.status == "open",
                    )
                    .values(
                        status="resolved",
                        outcome=result,
                        note=said,
                        resolved_by=actor_id,
                        resolved_at=now_ms(),
                    )
                    .returning(*REPORTS.c)
                )
            ).all()
            if report.id not in {row.id for row in done}:
                raise Conflict("this report is resolved already", reason="report_resolved")
            action = "report.dismissed" if result == "dismissed" else "report.resolved"
            target = {"kind": report.target_kind, "id": report.target_id}
            data = {"outcome": result, "target": target, "reports": len(done)}
            await record_act(conn, circle_id, actor_id, action, "report", report.id, said, data)
            left = await _open_count(conn, circle_id)
            for row in sorted(done, key=lambda r: (r.created, r.id)):
                change = {"report": public_report(row), "reporter": row.reporter_id, "open": left}
                await record(conn, circle_id, "report.resolved", change)
            mine = next(row for row in done if row.id == report.id)
        return public_report(mine), len(done)

    async def mine(
        self, user_id: str, cursor: str | None = None, limit: int = 50
    ) -> tuple[list[Record], str | None]:
        """The user's own reports in every circle, newest first, with their status
        and outcome (and the circle's name)."""
        limit = validation.limit(limit, high=PAGE_MAX)
        query = (
            select(*REPORTS.c, CIRCLES.c.name.label("circle_name"))
            .select_from(REPORTS.join(CIRCLES, CIRCLES.c.id == REPORTS.c.circle_id))
            .where(REPORTS.c.reporter_id == user_id)
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(newest_first(query, REPORTS, cursor, limit))).all()
        items = [{**public_report(row), "circle_name": row.circle_name} for row in rows[:limit]]
        return items, next_cursor(rows, limit, "created", "id")


def public_report(row: AnyRow) -> Record:
    """A report as its reporter sees it: no reporter (it is theirs), no resolver."""
    return {
        "id": row.id,
        "circle": row.circle_id,
        "created": row.created,
        "target": {"kind": row.target_kind, "id": row.target_id},
        "reason": row.reason,
        "text": row.text,
        "status": row.status,
        "outcome": row.outcome,
        "note": row.note,
        "resolved_at": row.resolved_at,
    }


async def _one(conn: AsyncConnection, where: Any) -> AnyRow:
    row = (await conn.execute(select(*REPORTS.c).where(where))).first()
    if row is None:
        raise NotFound("no such report")
    return row


async def _open_count(conn: AsyncConnection, circle_id: str) -> int:
    query = select(func.count()).where(REPORTS.c.circle_id == circle_id, REPORTS.c.status == "open")
    return int((await conn.execute(query)).scalar_one())


async def _target_author(
    conn: AsyncConnection, circle: AnyRow, reporter_id: str, kind: str, target_id: str
) -> str:
    """Who wrote the target (the member, for a member), if the reporter may see it;
    ``NotFound`` otherwise."""
    if kind == "member":
        if await member_row(conn, circle.id, target_id) is None:
            raise NotFound("no such member")
        return target_id
    if kind == "message":
        group_id, _, seq = target_id.rpartition(":")
        if not (seq.isascii() and seq.isdigit()) or len(seq) > 18:
            raise NotFound("no such message")
        group = await group_row(conn, group_id, circle.id)
        access = await access_of(conn, circle, group, reporter_id)
        return str((await message_row(conn, circle, access, int(seq))).user_id)
    if kind == "post":
        post = await post_row(conn, target_id)
        if post.circle_id != circle.id:
            raise NotFound("no such post")
        return str(post.author_id)
    query = (
        select(COMMENTS.c.author_id)
        .join(POSTS, POSTS.c.id == COMMENTS.c.post_id)
        .where(COMMENTS.c.id == target_id, POSTS.c.circle_id == circle.id, ~POSTS.c.deleted)
    )
    author = (await conn.execute(query)).scalar()
    if author is None:
        raise NotFound("no such comment")
    return str(author)


async def _queue_items(conn: AsyncConnection, circle_id: str, rows: list[AnyRow]) -> list[Record]:
    """The queue's view of reports: reporter and resolver by name, the target's
    author and a preview of what it says now (None and ``gone`` once deleted),
    and how many open reports the target has."""
    users = {r.reporter_id for r in rows} | {r.resolved_by for r in rows if r.resolved_by}
    users |= {r.target_user_id for r in rows if r.target_user_id}
    names = await display_names(conn, circle_id, users)
    previews = await _previews(conn, circle_id, rows, names)
    counts = await _open_by_target(conn, circle_id, {(r.target_kind, r.target_id) for r in rows})
    items = []
    for r in rows:
        preview = previews.get((r.target_kind, r.target_id))
        items.append(
            {
                **public_report(r),
                "reporter": {"id": r.reporter_id, "name": names.get(r.reporter_id)},
                "resolved_by": None
                if r.resolved_by is None
                else {"id": r.resolved_by, "name": names.get(r.resolved_by)},
                "target": {
                    "kind": r.target_kind,
                    "id": r.target_id,
                    "user": r.target_user_id,
                    "user_name": names.get(r.target_user_id or ""),
                    "preview": preview,
                    "gone": preview is None,
                    "open_reports": counts.get((r.target_kind, r.target_id), 0),
                },
            }
        )
    return items


async def _previews(
    conn: AsyncConnection, circle_id: str, rows: list[AnyRow], names: dict[str, str]
) -> dict[tuple[str, str], str]:
    """What each target says now, cut to ``PREVIEW_MAX``; a missing key: gone."""
    found: dict[tuple[str, str], str] = {}
    by_kind: dict[str, set[str]] = {}
    for r in rows:
        by_kind.setdefault(r.target_kind, set()).add(r.target_id)
    for user in by_kind.get("member", ()):
        if await member_row(conn, circle_id, user) is not None:
            found["member", user] = names.get(user, "")
    if by_kind.get("post"):
        query = select(POSTS.c.id, POSTS.c.text).where(
            POSTS.c.id.in_(by_kind["post"]), POSTS.c.circle_id == circle_id, ~POSTS.c.deleted
        )
        for row in (await conn.execute(query)).all():
            found["post", row.id] = row.text[:PREVIEW_MAX]
    if by_kind.get("comment"):
        query = (
            select(COMMENTS.c.id, COMMENTS.c.text)
            .join(POSTS, POSTS.c.id == COMMENTS.c.post_id)
            .where(COMMENTS.c.id.in_(by_kind["comment"]), POSTS.c.circle_id == circle_id)
        )
        for row in (await conn.execute(query)).all():
            found["comment", row.id] = row.text[:PREVIEW_MAX]
    messages = [m.rpartition(":") for m in by_kind.get("message", ())]
    pairs = [(g, int(s)) for g, _, s in messages if s.isascii() and s.isdigit() and len(s) <= 18]
    if pairs:
        query = select(MESSAGES.c.group_id, MESSAGES.c.seq, MESSAGES.c.text).where(
            or_(*(and_(MESSAGES.c.group_id == g, MESSAGES.c.seq == s) for g, s in pairs))
        )
        for said in (await conn.execute(query)).all():
            found["message", f"{said.group_id}:{said.seq}"] = said.text[:PREVIEW_MAX]
    return found


async def _open_by_target(
    conn: AsyncConnection, circle_id: str, targets: set[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    if not targets:
        return {}
    query = (
        select(REPORTS.c.target_kind, REPORTS.c.target_id, func.count().label("n"))
        .where(
            REPORTS.c.circle_id == circle_id,
            REPORTS.c.status == "open",
            REPORTS.c.target_id.in_({t for _, t in targets}),
        )
        .group_by(REPORTS.c.target_kind, REPORTS.c.target_id)
    )
    return {(r.target_kind, r.target_id): int(r.n) for r in (await conn.execute(query)).all()}
