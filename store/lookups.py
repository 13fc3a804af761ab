"""Small reads shared by the write paths, run on the caller's connection.

They run inside the caller's transaction so a check and the write it guards
see the same state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .errors import Forbidden, NotFound
from .ids import decode_cursor, encode_cursor, now_ms
from .models import BANS, CIRCLES, JOIN_REQUESTS, MEMBERSHIPS, MESSAGES, POSTS, STARS, USERS
from .records import (
    CIRCLE_COLUMNS,
    DISPLAY_NAME,
    MANAGER_ROLES,
    MEMBER_COLUMNS,
    AnyRow,
    GroupAccess,
    Record,
    post_record,
    post_view,
)


async def circle_row(conn: AsyncConnection, circle_id: str, *, lock: bool = False) -> AnyRow:
    """The circle's row, or ``NotFound``.

    ``lock`` takes the row lock (a no-op on SQLite, whose write transactions are
    serialized anyway): post changes of one circle then run one after the other
    on PostgreSQL too, which keeps the pin cap and the order of ``posts.updated``
    exact across nodes. ``FOR NO KEY UPDATE``, the level of the chat writer's
    ``UPDATE circles``: unlike ``FOR UPDATE`` it does not hold up inserts that
    only reference the circle (messages, memberships).
    """
    query = select(*CIRCLE_COLUMNS).where(CIRCLES.c.id == circle_id, CIRCLES.c.deleted.is_(None))
    if lock:
        query = query.with_for_update(key_share=True, of=CIRCLES)
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound("no such circle")
    return row


async def require_visible(conn: AsyncConnection, circle: AnyRow, viewer_id: str | None) -> None:
    """A public circle is open to anyone but bots; a private one only to its members
    (a bot reaches only the circles it is a member of: store/bots.py)."""
    if viewer_id is not None and await role_of(conn, circle.id, viewer_id) is not None:
        return
    if circle.visibility != "public":
        raise Forbidden("this circle is private")
    if viewer_id is not None and await is_bot(conn, viewer_id):
        raise Forbidden("a bot reaches only the circles it is a member of", reason="bot_scope")


async def is_bot(conn: AsyncConnection, user_id: str) -> bool:
    """Whether the user is a bot (``users.bot_owner`` set)."""
    query = select(USERS.c.bot_owner).where(USERS.c.id == user_id)
    return (await conn.execute(query)).scalar() is not None


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


async def require_member(conn: AsyncConnection, circle_id: str, user_id: str) -> str:
    """The user's role in the circle; ``Forbidden`` for a non-member."""
    role = await role_of(conn, circle_id, user_id)
    if role is None:
        raise Forbidden("you are not a member of this circle")
    return role


async def member_row(conn: AsyncConnection, circle_id: str, user_id: str) -> AnyRow | None:
    """A member with its display name (``MEMBER_COLUMNS``), or None."""
    query = (
        select(*MEMBER_COLUMNS)
        .join(USERS, USERS.c.id == MEMBERSHIPS.c.user_id)
        .where(MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.user_id == user_id)
    )
    return (await conn.execute(query)).first()


async def pending_requests(conn: AsyncConnection, circle_id: str) -> int:
    """How many join requests of the circle wait for a decision (the admins' badge)."""
    query = select(func.count()).where(
        JOIN_REQUESTS.c.circle_id == circle_id, JOIN_REQUESTS.c.state == "pending"
    )
    return int((await conn.execute(query)).scalar_one())


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


async def message_row(
    conn: AsyncConnection, circle: AnyRow, access: GroupAccess, seq: object
) -> AnyRow:
    """A chat message of the group the viewer may see (``access``: ``group_access.access_of``):
    its stored columns (group_id, seq, ts, user_id, text, attachments, deleted), or
    ``NotFound`` (a tombstone too).

    The one place where ``history_for_new_members`` guards an action on a message
    (star, unstar, veto; ``GroupAccess.floor`` is the same rule for reads).
    With it off, a member sees only seq > the group's last seq when they joined
    it, owners and admins too: history hides their past as well, and what they
    cannot read is not theirs to promote or veto blind. A hidden message gets the
    very ``NotFound`` of a missing one, so the answer tells nothing of what was
    said before they joined, nor whether anything was.
    """
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 < seq <= validation.INT64_MAX:
        raise NotFound("no such message")
    query = select(
        MESSAGES.c.group_id,
        MESSAGES.c.seq,
        MESSAGES.c.ts,
        MESSAGES.c.user_id,
        MESSAGES.c.text,
        MESSAGES.c.attachments,
        MESSAGES.c.deleted,
    ).where(
        MESSAGES.c.group_id == access.group, MESSAGES.c.seq == seq, MESSAGES.c.seq > access.floor
    )
    row = (await conn.execute(query)).first()
    # A deleted or recalled message (store/message_edits.py) is a tombstone: there
    # is nothing left to star, veto, react to or take back.
    if row is None or row.deleted is not None:
        raise NotFound("no such message")
    return row


async def display_names(
    conn: AsyncConnection, circle_id: str, user_ids: Iterable[str]
) -> dict[str, str]:
    """Users' display names in the circle (a former member keeps their account name)."""
    ids = list(user_ids)
    if not ids:
        return {}
    query = (
        select(USERS.c.id, DISPLAY_NAME)
        .select_from(
            USERS.outerjoin(
                MEMBERSHIPS,
                and_(MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.user_id == USERS.c.id),
            )
        )
        .where(USERS.c.id.in_(ids))
    )
    return {row.id: row.display_name for row in await conn.execute(query)}


async def star_count(conn: AsyncConnection, group_id: str, seq: int) -> int:
    query = select(func.count()).where(STARS.c.group_id == group_id, STARS.c.seq == seq)
    return int((await conn.execute(query)).scalar_one())


async def post_row(conn: AsyncConnection, post_id: object, *, lock: bool = False) -> AnyRow:
    """A live post's row (``POSTS`` columns); ``NotFound`` for tombstones too.

    ``lock`` locks its circle first (see ``circle_row``) and reads the post after.
    """
    if not isinstance(post_id, str):
        raise NotFound("no such post")
    query = select(*POSTS.c).where(POSTS.c.id == post_id, ~POSTS.c.deleted)
    row = (await conn.execute(query)).first()
    if row is not None and lock:
        await circle_row(conn, row.circle_id, lock=True)
        row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound("no such post")
    return row


async def read_post(conn: AsyncConnection, post_id: str, viewer_id: str | None) -> Record:
    """The post (or its tombstone) as the viewer sees it."""
    row = (await conn.execute(post_view(viewer_id).where(POSTS.c.id == post_id))).one()
    return post_record(row)


async def next_post_time(conn: AsyncConnection, circle_id: str) -> int:
    """The ``updated`` for a change to a post of this circle: now, but always past
    every earlier change of the circle.

    Call it with the circle locked. Changes then get strictly increasing times in
    commit order, so a client that saw a change at T and asks for ``since=T``
    misses nothing, even for two changes within one millisecond.
    """
    query = select(func.max(POSTS.c.updated)).where(POSTS.c.circle_id == circle_id)
    latest = (await conn.execute(query)).scalar()
    return now_ms() if latest is None else max(now_ms(), int(latest) + 1)


def newest_first(query: Select[Any], table: Table, cursor: str | None, limit: int) -> Select[Any]:
    """Keyset page over (created, id), newest first, one row more than `limit`
    so the caller knows whether there is a next page."""
    return newest_first_by(query, table.c.created, table.c.id, cursor, limit)


def contains(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """``column`` contains ``text``, case-insensitively, LIKE's wildcards taken
    literally (a search box's words; Chinese has no case: a substring matches)."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return func.lower(column).like(func.lower(pattern), escape="\\")


NAME_QUERY_MAX = 64


def called(circle_id: str, user_id: ColumnElement[Any], text: object) -> ColumnElement[bool]:
    """The user in ``user_id`` goes by ``text`` in the circle: their nickname
    there, name or login name contains it (any script) — the name search of
    the managers' lists of people (bans, reports, join requests, audit log;
    the member list matches on the rows it has joined already).
    ``Invalid`` (field ``q``) for an empty or overlong query."""
    words = validation.text(text, "q", 1, NAME_QUERY_MAX)
    nicknamed = select(MEMBERSHIPS.c.user_id).where(
        MEMBERSHIPS.c.circle_id == circle_id, contains(MEMBERSHIPS.c.nickname, words)
    )
    named = select(USERS.c.id).where(contains(USERS.c.name + " " + USERS.c.handle, words))
    return or_(user_id.in_(nicknamed), user_id.in_(named))


async def check_not_banned(conn: AsyncConnection, circle_id: str, user_id: str) -> None:
    """``Forbidden`` (reason ``banned``) when the user is banned from the circle
    (store/sanctions.py): every road in (join, codes, invite links, requests)."""
    query = select(BANS.c.user_id).where(BANS.c.circle_id == circle_id, BANS.c.user_id == user_id)
    if (await conn.execute(query)).first() is not None:
        raise Forbidden("you are banned from this circle", reason="banned")


def oldest_first(
    query: Select[Any],
    at: ColumnElement[Any],
    key: ColumnElement[Any],
    cursor: str | None,
    limit: int,
) -> Select[Any]:
    """Keyset page over (at, key), oldest first, one row more than ``limit``
    (members in joining order, comments as written)."""
    if cursor is not None:
        when, last_key = decode_cursor(cursor)
        query = query.where(or_(at > when, and_(at == when, key > last_key)))
    return query.order_by(at, key).limit(limit + 1)


def newest_first_by(
    query: Select[Any],
    at: ColumnElement[Any],
    key: ColumnElement[Any],
    cursor: str | None,
    limit: int,
) -> Select[Any]:
    """Keyset page over (at, key), newest first, one row more than ``limit``
    (posts, access codes, their redemptions, join requests)."""
    if cursor is not None:
        when, last_key = decode_cursor(cursor)
        query = query.where(or_(at < when, and_(at == when, key < last_key)))
    return query.order_by(at.desc(), key.desc()).limit(limit + 1)


def next_cursor(rows: Sequence[Any], limit: int, at: str, key: str) -> str | None:
    """The cursor after a page read with one row more than ``limit`` (None: last page)."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return encode_cursor(getattr(last, at), getattr(last, key))


async def require_voice(conn: AsyncConnection, circle_id: str, user_id: str) -> str:
    """The member's role when they may speak (say, post, comment, vote);
    ``Forbidden`` for a non-member, and for a member who may only read
    (``voice_refusal``: muted, or a paid term that has ended)."""
    row = (
        await conn.execute(
            select(
                MEMBERSHIPS.c.role,
                MEMBERSHIPS.c.muted_until,
                MEMBERSHIPS.c.ends_at,
                MEMBERSHIPS.c.removes_at,
            ).where(MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.user_id == user_id)
        )
    ).first()
    if row is None:
        raise Forbidden("you are not a member of this circle")
    refusal = voice_refusal(row.muted_until, row.ends_at, row.removes_at, now_ms())
    if refusal is not None:
        raise refusal
    return str(row.role)


def voice_refusal(
    muted_until: int | None, ends_at: int | None, removes_at: int | None, now: int
) -> Forbidden | None:
    """Why a member may read but not speak, or None: the one rule, for the store's
    writes (``require_voice``) and the server's cached membership (a ``say``).

    A paid term that has ended (store/terms.py): reason ``membership_ended``,
    ``params.ends_at`` and ``params.removes_at`` (ms). A mute: reason ``muted``
    and ``params.until`` (ms; ``UNTIL_LIFTED``: until lifted)."""
    if ends_at is not None and ends_at <= now:
        return Forbidden(
            "your membership of this circle has ended: renew it to take part again",
            reason="membership_ended",
            params={"ends_at": ends_at, "removes_at": removes_at or ends_at},
        )
    if muted_until is not None and muted_until > now:
        return muted(muted_until)
    return None


def muted(until: int) -> Forbidden:
    """The refusal of a muted member (store/sanctions.py)."""
    return Forbidden("you are muted in this circle", reason="muted", params={"until": until})
