"""Polls: a question with 2–20 options, in a chat group or on a post.

A chat poll is also a chat message: ``create_in_group`` says "📊 question" into
the group through the chat writer (so it sits in the stream in seq order, and
protocol v1 clients read it as text), then records the poll with that message's
group and seq. A post poll is attached by the post's author to their own post.

Who may see and vote: for a chat poll, whoever may read its group
(``group_access.access_of``, the rule stars use, history floor included); for a post
poll, the circle's members. A member's choice is a set of option indices:
``vote`` replaces it (single choice: at most one index; an empty set takes the
vote back), so a member counts once per option however often they vote. A poll
past its ``closes_at`` or closed by its author or a circle owner/admin takes no
vote (``Conflict``).

Each change is logged in its transaction (``poll.created``, ``poll.voted``,
``poll.closed``), under the circle's lock, so the counts an event carries are
those right after that vote, in rev order. An anonymous poll tells nobody who
voted for what: its events carry no user and its voters list is refused; a
member reads only their own choice (``mine``).
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .changes import record
from .chat import Chat
from .engine import Service
from .errors import Conflict, Forbidden, Invalid, NotFound
from .group_access import access_of, group_row
from .ids import new_id, now_ms
from .lookups import circle_row, post_row, require_voice, role_of
from .models import GROUPS, MEMBERSHIPS, POLL_VOTES, POLLS, USERS
from .records import DISPLAY_NAME, MANAGER_ROLES, AnyRow, GroupAccess, Record

QUESTION_MAX = 300
OPTIONS_MIN = 2
OPTIONS_MAX = 20
OPTION_MAX = 100
# A group's polls listed at once (the client asks for those of the chat it shows).
LIST_MAX = 200
# What a protocol v1 client (or any client that knows no polls) reads.
MESSAGE_PREFIX = "📊 "


def clean_poll(
    question: object,
    options: object,
    multiple: object = False,
    anonymous: object = False,
    closes_at: object = None,
) -> Record:
    """A poll's settings, checked (``Invalid`` says what is wrong)."""
    question = validation.text(question, "question", 1, QUESTION_MAX)
    if not isinstance(options, list) or not OPTIONS_MIN <= len(options) <= OPTIONS_MAX:
        raise Invalid(f"options must be a list of {OPTIONS_MIN} to {OPTIONS_MAX} strings")
    cleaned = [validation.text(o, "option", 1, OPTION_MAX) for o in options]
    if len(set(cleaned)) != len(cleaned):
        raise Invalid("options must differ")
    deadline = validation.optional_integer(closes_at, "closes_at", 0, validation.INT64_MAX)
    if deadline is not None and deadline <= now_ms():
        raise Invalid("closes_at must be in the future")
    return {
        "question": question,
        "options": cleaned,
        "multiple": validation.boolean(multiple, "multiple"),
        "anonymous": validation.boolean(anonymous, "anonymous"),
        "closes_at": deadline,
    }


class Polls(Service):
    """Create, read, vote, close, list voters."""

    def __init__(self, db: Any, chat: Chat) -> None:
        super().__init__(db)
        self._chat = chat

    async def create_in_group(
        self, group_id: str, user_id: str, nonce: str, **settings: Any
    ) -> Record:
        """Ask a poll in a chat group (as a member who may say there, under their name in
        the circle): the message is said, then the poll recorded; returns the poll as the author sees it.

        ``NotFound`` (group), ``Forbidden`` (may not read or say there), ``Invalid``.
        The same ``nonce`` again returns the poll already made for it.
        """
        poll = clean_poll(**settings)
        validation.text(nonce, "nonce", 1, 64, strip=False)
        async with self._db.read() as conn:
            group = await group_row(conn, group_id)
            circle = await circle_row(conn, group.circle_id)
            access = await access_of(conn, circle, group, user_id)
            await require_voice(conn, circle.id, user_id)
            author_name = (
                await conn.execute(
                    select(DISPLAY_NAME)
                    .select_from(MEMBERSHIPS)
                    .join(USERS, USERS.c.id == MEMBERSHIPS.c.user_id)
                    .where(MEMBERSHIPS.c.circle_id == circle.id, MEMBERSHIPS.c.user_id == user_id)
                )
            ).scalar_one()
        if not access.may_say:
            raise Forbidden("this group is read-only or archived")
        message, fresh = await self._chat.say(
            circle.id,
            user_id,
            author_name,
            MESSAGE_PREFIX + poll["question"],
            nonce,
            group_id=group_id,
        )
        async with self._db.write() as conn:
            await circle_row(conn, circle.id, lock=True)
            seq = int(message["seq"])
            known = (
                await conn.execute(
                    select(POLLS.c.id).where(POLLS.c.group_id == group_id, POLLS.c.seq == seq)
                )
            ).first()
            if known is not None:
                return await _read(conn, known.id, user_id)
            if not fresh:
                # The nonce named a message of theirs that asks no poll.
                raise Conflict("this nonce was used for another message")
            poll_id = new_id()
            await _insert(conn, poll_id, circle.id, user_id, poll, group_id=group_id, seq=seq)
            shown = await _read(conn, poll_id, None)
            await record(conn, circle.id, "poll.created", {"poll": shown})
            return await _read(conn, poll_id, user_id)

    async def create_on_post(self, post_id: str, user_id: str, **settings: Any) -> Record:
        """Attach a poll to one's own post (one per post). ``NotFound`` (post),
        ``Forbidden`` (not its author, or no longer a member), ``Conflict`` (it has one)."""
        poll = clean_poll(**settings)
        async with self._db.write() as conn:
            post = await post_row(conn, post_id, lock=True)
            if post.author_id != user_id or post.kind == "highlight":
                raise Forbidden("only the author of a post attaches a poll to it")
            if await role_of(conn, post.circle_id, user_id) is None:
                raise Forbidden("not a member of this circle")
            had = await conn.execute(select(POLLS.c.id).where(POLLS.c.post_id == post.id))
            if had.first() is not None:
                raise Conflict("this post already has a poll")
            poll_id = new_id()
            await _insert(conn, poll_id, post.circle_id, user_id, poll, post_id=post.id)
            shown = await _read(conn, poll_id, None)
            await record(conn, post.circle_id, "poll.created", {"poll": shown})
            return await _read(conn, poll_id, user_id)

    async def get(self, poll_id: str, viewer_id: str) -> Record:
        """The poll with its counts and the viewer's own choice (``mine``)."""
        async with self._db.read() as conn:
            await _visible_row(conn, poll_id, viewer_id)
            return await _read(conn, poll_id, viewer_id)

    async def of_post(self, post_id: str, viewer_id: str) -> Record | None:
        """The poll of a post (None: it has none), for a member of its circle."""
        async with self._db.read() as conn:
            found = (
                await conn.execute(select(POLLS.c.id).where(POLLS.c.post_id == post_id))
            ).first()
            if found is None:
                await post_row(conn, post_id)
                return None
            await _visible_row(conn, found.id, viewer_id)
            return await _read(conn, found.id, viewer_id)

    async def of_group(self, group_id: str, viewer_id: str, limit: int = 50) -> list[Record]:
        """A group's polls the viewer may read, newest first (at most ``limit``)."""
        limit = validation.limit(limit, high=LIST_MAX)
        async with self._db.read() as conn:
            group = await group_row(conn, group_id)
            circle = await circle_row(conn, group.circle_id)
            access = await access_of(conn, circle, group, viewer_id)
            query = (
                select(POLLS.c.id)
                .where(POLLS.c.group_id == group_id, POLLS.c.seq > access.floor)
                .order_by(POLLS.c.seq.desc())
                .limit(limit)
            )
            ids = [row.id for row in await conn.execute(query)]
            return await _read_many(conn, ids, viewer_id)

    async def vote(self, poll_id: str, user_id: str, options: object) -> Record:
        """Set the member's choice to ``options`` (indices; single choice: at most
        one; empty: no vote). ``Conflict`` once the poll is closed or past its deadline."""
        async with self._db.write() as conn:
            row = await _visible_row(conn, poll_id, user_id, lock=True)
            await require_voice(conn, row.circle_id, user_id)
            chosen = _choice(options, len(orjson.loads(row.options)), bool(row.multiple))
            if _is_closed(row):
                raise Conflict("this poll is closed")
            if row.group_id is not None and await _archived(conn, row.group_id):
                raise Conflict("this group is archived")
            before = await _mine(conn, poll_id, user_id)
            if before != chosen:
                await conn.execute(
                    delete(POLL_VOTES).where(
                        POLL_VOTES.c.poll_id == poll_id, POLL_VOTES.c.user_id == user_id
                    )
                )
                ts = now_ms()
                if chosen:
                    await conn.execute(
                        POLL_VOTES.insert(),
                        [
                            {"poll_id": poll_id, "user_id": user_id, "option": i, "ts": ts}
                            for i in chosen
                        ],
                    )
                counts, voters = await _counts(conn, poll_id, len(orjson.loads(row.options)))
                data: Record = {
                    "poll": poll_id,
                    "group": row.group_id,
                    "post": row.post_id,
                    "counts": counts,
                    "voters": voters,
                    "user": None if row.anonymous else user_id,
                    "options": None if row.anonymous else chosen,
                }
                await record(conn, row.circle_id, "poll.voted", data)
        # Read after the commit: the write lock is held no longer than the vote needs.
        async with self._db.read() as conn:
            return await _read(conn, poll_id, user_id)

    async def close(self, poll_id: str, actor_id: str) -> Record:
        """Close the poll now (its author, or a circle owner/admin who may see it).
        ``Conflict`` when it is closed already."""
        async with self._db.write() as conn:
            row = await _visible_row(conn, poll_id, actor_id, lock=True)
            role = await role_of(conn, row.circle_id, actor_id)
            if row.author_id != actor_id and role not in MANAGER_ROLES:
                raise Forbidden("only the poll's author or an owner or admin closes it")
            if _is_closed(row):
                raise Conflict("this poll is closed already")
            await conn.execute(POLLS.update().where(POLLS.c.id == poll_id).values(closed=True))
            shown = await _read(conn, poll_id, None)
            await record(conn, row.circle_id, "poll.closed", {"poll": shown})
            return await _read(conn, poll_id, actor_id)

    async def voters(self, poll_id: str, viewer_id: str) -> list[Record]:
        """Who voted for what (``Forbidden`` for an anonymous poll), by name."""
        async with self._db.read() as conn:
            row = await _visible_row(conn, poll_id, viewer_id)
            if row.anonymous:
                raise Forbidden("this poll is anonymous")
            query = (
                select(POLL_VOTES.c.user_id, USERS.c.name, POLL_VOTES.c.option)
                .join(USERS, USERS.c.id == POLL_VOTES.c.user_id)
                .where(POLL_VOTES.c.poll_id == poll_id)
                .order_by(POLL_VOTES.c.ts, POLL_VOTES.c.user_id, POLL_VOTES.c.option)
            )
            by_user: dict[str, Record] = {}
            for vote in await conn.execute(query):
                entry = by_user.setdefault(
                    vote.user_id, {"user": vote.user_id, "name": vote.name, "options": []}
                )
                entry["options"].append(int(vote.option))
            return list(by_user.values())


def _choice(options: object, count: int, multiple: bool) -> list[int]:
    if not isinstance(options, list):
        raise Invalid("options must be a list of option indices")
    chosen: set[int] = set()
    for index in options:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
            raise Invalid(f"options must be indices from 0 to {count - 1}")
        chosen.add(index)
    if not multiple and len(chosen) > 1:
        raise Invalid("this poll takes one option")
    return sorted(chosen)


def _is_closed(row: AnyRow) -> bool:
    return bool(row.closed) or (row.closes_at is not None and row.closes_at <= now_ms())


async def _insert(
    conn: AsyncConnection,
    poll_id: str,
    circle_id: str,
    author_id: str,
    poll: Record,
    **where: Any,
) -> None:
    await conn.execute(
        POLLS.insert().values(
            id=poll_id,
            circle_id=circle_id,
            author_id=author_id,
            question=poll["question"],
            options=orjson.dumps(poll["options"]).decode(),
            multiple=poll["multiple"],
            anonymous=poll["anonymous"],
            closes_at=poll["closes_at"],
            closed=False,
            created=now_ms(),
            **where,
        )
    )


async def _visible_row(
    conn: AsyncConnection, poll_id: object, viewer_id: str, *, lock: bool = False
) -> AnyRow:
    """The poll's row if the viewer may see it: ``NotFound`` (also for a chat poll
    under their history floor), ``Forbidden`` (not of the circle or group)."""
    if not isinstance(poll_id, str):
        raise NotFound("no such poll")
    query = select(*POLLS.c).where(POLLS.c.id == poll_id)
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound("no such poll")
    circle = await circle_row(conn, row.circle_id, lock=lock)
    if lock:
        row = (await conn.execute(query)).one()
    if row.group_id is not None:
        group = await group_row(conn, row.group_id, circle.id)
        access: GroupAccess = await access_of(conn, circle, group, viewer_id)
        if row.seq is not None and row.seq <= access.floor:
            raise NotFound("no such poll")
    else:
        if await role_of(conn, circle.id, viewer_id) is None:
            raise Forbidden("not a member of this circle")
        await post_row(conn, row.post_id)
    return row


async def _archived(conn: AsyncConnection, group_id: str) -> bool:
    query = select(GROUPS.c.archived).where(GROUPS.c.id == group_id)
    return bool((await conn.execute(query)).scalar_one())


async def _mine(conn: AsyncConnection, poll_id: str, user_id: str) -> list[int]:
    query = select(POLL_VOTES.c.option).where(
        POLL_VOTES.c.poll_id == poll_id, POLL_VOTES.c.user_id == user_id
    )
    return sorted(int(r.option) for r in await conn.execute(query))


async def _counts(conn: AsyncConnection, poll_id: str, size: int) -> tuple[list[int], int]:
    """Votes per option and how many members voted."""
    per_option = select(POLL_VOTES.c.option, func.count()).where(POLL_VOTES.c.poll_id == poll_id)
    counts = [0] * size
    for option, n in await conn.execute(per_option.group_by(POLL_VOTES.c.option)):
        if 0 <= option < size:
            counts[option] = int(n)
    voters = select(func.count(func.distinct(POLL_VOTES.c.user_id))).where(
        POLL_VOTES.c.poll_id == poll_id
    )
    return counts, int((await conn.execute(voters)).scalar_one())


async def _read(conn: AsyncConnection, poll_id: str, viewer_id: str | None) -> Record:
    """The poll as a viewer sees it (None: as everyone sees it, no ``mine``)."""
    return (await _read_many(conn, [poll_id], viewer_id))[0]


async def _read_many(
    conn: AsyncConnection, poll_ids: list[str], viewer_id: str | None
) -> list[Record]:
    """Polls as a viewer sees them, in the order asked: three queries for any number."""
    if not poll_ids:
        return []
    rows = {r.id: r for r in await conn.execute(select(*POLLS.c).where(POLLS.c.id.in_(poll_ids)))}
    per_option = (
        select(POLL_VOTES.c.poll_id, POLL_VOTES.c.option, func.count().label("n"))
        .where(POLL_VOTES.c.poll_id.in_(poll_ids))
        .group_by(POLL_VOTES.c.poll_id, POLL_VOTES.c.option)
    )
    voters = (
        select(POLL_VOTES.c.poll_id, func.count(func.distinct(POLL_VOTES.c.user_id)).label("n"))
        .where(POLL_VOTES.c.poll_id.in_(poll_ids))
        .group_by(POLL_VOTES.c.poll_id)
    )
    counts = {poll_id: [0] * len(orjson.loads(rows[poll_id].options)) for poll_id in poll_ids}
    for vote in await conn.execute(per_option):
        if 0 <= vote.option < len(counts[vote.poll_id]):
            counts[vote.poll_id][vote.option] = int(vote.n)
    voted = {r.poll_id: int(r.n) for r in await conn.execute(voters)}
    mine: dict[str, list[int]] = {poll_id: [] for poll_id in poll_ids}
    if viewer_id is not None:
        own = (
            select(POLL_VOTES.c.poll_id, POLL_VOTES.c.option)
            .where(POLL_VOTES.c.poll_id.in_(poll_ids), POLL_VOTES.c.user_id == viewer_id)
            .order_by(POLL_VOTES.c.option)
        )
        for vote in await conn.execute(own):
            mine[vote.poll_id].append(int(vote.option))
    found = []
    for poll_id in poll_ids:
        row = rows[poll_id]
        poll: Record = {
            "id": row.id,
            "circle": row.circle_id,
            "group": row.group_id,
            "seq": None if row.seq is None else int(row.seq),
            "post": row.post_id,
            "author": row.author_id,
            "question": row.question,
            "options": orjson.loads(row.options),
            "multiple": bool(row.multiple),
            "anonymous": bool(row.anonymous),
            "closes_at": None if row.closes_at is None else int(row.closes_at),
            "closed": _is_closed(row),
            "created": int(row.created),
            "counts": counts[poll_id],
            "voters": voted.get(poll_id, 0),
        }
        if viewer_id is not None:
            poll["mine"] = mine[poll_id]
        found.append(poll)
    return found
