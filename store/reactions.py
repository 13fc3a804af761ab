"""Reactions: members' emoji on chat messages (of any group) and on posts.

A member may react to what they may read: a message of a group they can see,
above their history floor (``lookups.message_row``, the rule stars follow), or a
live post of a circle they belong to. One member counts once per emoji and
target; a target carries at most ``EMOJI_PER_TARGET`` distinct emoji. Every
reaction given or withdrawn is logged in its transaction (``reaction.changed``
with the new count of that emoji on that target), so members see it live and
catch up after a disconnect. Removing a reaction one does not have changes
nothing and logs nothing.

A message is the target ``(group id, seq)``; a post ``(post id, 0)``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .changes import record
from .engine import Database, Service
from .errors import Conflict, Invalid
from .group_access import access_of, group_row
from .ids import now_ms
from .lookups import (
    circle_row,
    message_row,
    post_row,
    require_member,
    require_visible,
    require_voice,
)
from .models import MEMBERSHIPS, REACTIONS, USERS
from .records import DISPLAY_NAME, Record

# A reaction is one emoji: a flag, a family, a skin tone or a variation selector
# make a grapheme of several code points, 16 is well above the longest one in use.
EMOJI_MAX = 16
# Distinct emoji on one message or post: a row of reactions fits under it, and a
# member cannot flood it with every emoji there is.
EMOJI_PER_TARGET = 20
# One read of a group's reactions spans at most this many seqs (a screen of chat
# is far fewer; it bounds the work of one request).
RANGE_MAX = 500
# Who reacted: at most this many names per read (the counts are always whole).
WHO_MAX = 500
# Posts whose reactions one query gathers (a page of the feed and its pins).
POSTS_MAX = 200

_POST_SEQ = 0
# Format characters that build emoji: the zero-width joiner (👨‍👩‍👧) and the tag
# characters of subdivision flags.
_EMOJI_FORMAT = frozenset({"\u200d", *map(chr, range(0xE0020, 0xE0080))})
# An ASCII character may only start a keycap (1️⃣, #️⃣).
_KEYCAP_BASES = frozenset("0123456789#*")


def emoji(value: object) -> str:
    """``value`` if it is one emoji (as far as a check without Unicode's emoji
    tables can tell): 1–16 characters, no space, no control character, no text,
    at least one emoji symbol. ``Invalid`` otherwise."""
    if not isinstance(value, str) or not 1 <= len(value) <= EMOJI_MAX:
        raise Invalid(f"emoji must be one emoji of 1 to {EMOJI_MAX} characters")
    symbol = False
    for char in value:
        category = unicodedata.category(char)
        if category[0] in "ZC" and char not in _EMOJI_FORMAT:
            raise Invalid("emoji must not contain spaces or control characters")
        if char.isascii() and char not in _KEYCAP_BASES:
            raise Invalid("emoji must be an emoji, not text")
        if category == "So" or char == "\u20e3":
            symbol = True
    if not symbol:
        raise Invalid("emoji must be an emoji, not text")
    if value[0].isascii() and "\u20e3" not in value:
        raise Invalid("emoji must be an emoji, not text")
    return value


class Reactions(Service):
    """React, withdraw, and read the counts and who reacted."""

    async def set_on_message(
        self, group_id: str, seq: object, user_id: str, emoji_: object, on: bool
    ) -> int:
        """Give (``on``) or withdraw a reaction on a message of a group; returns
        the emoji's new count on it. ``NotFound`` (group, or a message missing or
        hidden from this member), ``Forbidden`` (not a member of the circle or the
        group), ``Invalid`` (not an emoji), ``Conflict`` (the message has
        ``EMOJI_PER_TARGET`` other emoji already)."""
        value = emoji(emoji_)
        async with self._db.write() as conn:
            group = await group_row(conn, group_id)
            circle = await circle_row(conn, group.circle_id, lock=True)
            access = await access_of(conn, circle, group, user_id)
            if on:
                # A reaction is a word too: a muted member, or one whose paid term
                # ended, only withdraws theirs.
                await require_voice(conn, circle.id, user_id)
            message = await message_row(conn, circle, access, seq)
            target = {"group": group.id, "seq": message.seq}
            key = (group.id, message.seq)
            return await _set(self._db, conn, circle.id, key, target, user_id, value, on)

    async def set_on_post(self, post_id: str, user_id: str, emoji_: object, on: bool) -> int:
        """Give or withdraw a reaction on a live post; returns the emoji's new count.
        ``NotFound`` (no such post), ``Forbidden`` (not a member of its circle),
        ``Invalid``, ``Conflict`` as ``set_on_message``."""
        value = emoji(emoji_)
        async with self._db.write() as conn:
            post = await post_row(conn, post_id, lock=True)
            await (require_voice if on else require_member)(conn, post.circle_id, user_id)
            key = (post.id, _POST_SEQ)
            target = {"post": post.id}
            return await _set(self._db, conn, post.circle_id, key, target, user_id, value, on)

    async def of_messages(
        self, group_id: str, user_id: str, from_seq: int, to_seq: int
    ) -> dict[int, list[Record]]:
        """The reactions on the group's messages from ``from_seq`` to ``to_seq``
        (at most ``RANGE_MAX`` seqs) that the user may read: seq → the emoji in the
        order they were first given, each ``{"emoji","count","mine"}``."""
        from_seq = validation.integer(from_seq, "from_seq", 1, validation.INT64_MAX)
        to_seq = validation.integer(to_seq, "to_seq", from_seq, validation.INT64_MAX)
        if to_seq - from_seq >= RANGE_MAX:
            raise Invalid(f"a read spans at most {RANGE_MAX} seqs")
        async with self._db.read() as conn:
            group = await group_row(conn, group_id)
            circle = await circle_row(conn, group.circle_id)
            access = await access_of(conn, circle, group, user_id)
            low = max(from_seq, access.floor + 1)
            where = and_(
                REACTIONS.c.target == group.id,
                REACTIONS.c.seq >= low,
                REACTIONS.c.seq <= to_seq,
            )
            counts = await _counts(conn, where, user_id)
        return {seq: found for (_, seq), found in counts.items()}

    async def of_posts(self, post_ids: Iterable[str], viewer_id: str | None) -> dict[str, Any]:
        """The reactions on these posts (ids the caller has already read as this
        viewer): post id → ``[{"emoji","count","mine"}]``; posts without any are absent."""
        ids = sorted({str(post_id) for post_id in post_ids})
        counts: dict[tuple[str, int], list[Record]] = {}
        async with self._db.read() as conn:
            for at in range(0, len(ids), POSTS_MAX):
                chunk = ids[at : at + POSTS_MAX]
                where = and_(REACTIONS.c.target.in_(chunk), REACTIONS.c.seq == _POST_SEQ)
                counts.update(await _counts(conn, where, viewer_id))
        return {target: found for (target, _), found in counts.items()}

    async def who_on_message(self, group_id: str, seq: object, user_id: str) -> list[Record]:
        """Who reacted with what to a message the user may read (``set_on_message``'s
        ``NotFound``/``Forbidden``): ``[{"emoji","count","users":[{"id","name"}]}]``."""
        async with self._db.read() as conn:
            group = await group_row(conn, group_id)
            circle = await circle_row(conn, group.circle_id)
            access = await access_of(conn, circle, group, user_id)
            message = await message_row(conn, circle, access, seq)
            return await _who(conn, circle.id, group.id, message.seq)

    async def who_on_post(self, post_id: str, viewer_id: str | None) -> list[Record]:
        """Who reacted with what to a post the viewer may see (its circle is public
        or theirs: ``Forbidden`` otherwise)."""
        async with self._db.read() as conn:
            post = await post_row(conn, post_id)
            circle = await circle_row(conn, post.circle_id)
            await require_visible(conn, circle, viewer_id)
            return await _who(conn, circle.id, post.id, _POST_SEQ)


async def _set(
    db: Database,
    conn: AsyncConnection,
    circle_id: str,
    key: tuple[str, int],
    target: Record,
    user_id: str,
    value: str,
    on: bool,
) -> int:
    """Add or remove the row, log the change when there was one; the new count."""
    this = and_(REACTIONS.c.target == key[0], REACTIONS.c.seq == key[1])
    if on:
        await _check_cap(conn, this, value)
        changed = await conn.execute(
            db.insert_ignore(REACTIONS).values(
                target=key[0],
                seq=key[1],
                emoji=value,
                user_id=user_id,
                circle_id=circle_id,
                ts=now_ms(),
            )
        )
    else:
        changed = await conn.execute(
            delete(REACTIONS).where(
                this, REACTIONS.c.emoji == value, REACTIONS.c.user_id == user_id
            )
        )
    count = int(
        (
            await conn.execute(select(func.count()).where(this, REACTIONS.c.emoji == value))
        ).scalar_one()
    )
    if changed.rowcount:
        data = {"target": target, "emoji": value, "user": user_id, "on": on, "count": count}
        await record(conn, circle_id, "reaction.changed", data)
    return count


async def _check_cap(conn: AsyncConnection, this: Any, value: str) -> None:
    query = select(REACTIONS.c.emoji).where(this).distinct()
    present = {row.emoji for row in await conn.execute(query)}
    if value not in present and len(present) >= EMOJI_PER_TARGET:
        raise Conflict(f"a message or post carries at most {EMOJI_PER_TARGET} different emoji")


async def _counts(
    conn: AsyncConnection, where: Any, viewer_id: str | None
) -> dict[tuple[str, int], list[Record]]:
    mine = func.max(case((REACTIONS.c.user_id == viewer_id, 1), else_=0))
    query = (
        select(
            REACTIONS.c.target,
            REACTIONS.c.seq,
            REACTIONS.c.emoji,
            func.count().label("n"),
            func.min(REACTIONS.c.ts).label("first"),
            mine.label("mine"),
        )
        .where(where)
        .group_by(REACTIONS.c.target, REACTIONS.c.seq, REACTIONS.c.emoji)
        .order_by(REACTIONS.c.target, REACTIONS.c.seq, "first", REACTIONS.c.emoji)
    )
    found: dict[tuple[str, int], list[Record]] = {}
    for row in await conn.execute(query):
        entry = {"emoji": row.emoji, "count": int(row.n), "mine": bool(row.mine)}
        found.setdefault((row.target, int(row.seq)), []).append(entry)
    return found


async def _who(conn: AsyncConnection, circle_id: str, target: str, seq: int) -> list[Record]:
    this = and_(REACTIONS.c.target == target, REACTIONS.c.seq == seq)
    counts = await _counts(conn, this, None)
    query = (
        select(REACTIONS.c.emoji, REACTIONS.c.user_id, DISPLAY_NAME)
        .select_from(
            REACTIONS.join(USERS, USERS.c.id == REACTIONS.c.user_id).outerjoin(
                MEMBERSHIPS,
                and_(
                    MEMBERSHIPS.c.circle_id == circle_id,
                    MEMBERSHIPS.c.user_id == REACTIONS.c.user_id,
                ),
            )
        )
        .where(this)
        .order_by(REACTIONS.c.ts, REACTIONS.c.user_id)
        .limit(WHO_MAX)
    )
    users: dict[str, list[Record]] = {}
    for row in await conn.execute(query):
        users.setdefault(row.emoji, []).append({"id": row.user_id, "name": row.display_name})
    return [
        {"emoji": entry["emoji"], "count": entry["count"], "users": users.get(entry["emoji"], [])}
        for entry in counts.get((target, seq), [])
    ]


__all__ = ["EMOJI_MAX", "EMOJI_PER_TARGET", "RANGE_MAX", "Reactions", "emoji"]
