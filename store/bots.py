"""Bot accounts: users (``users.bot_owner`` set) that a person owns, with a token
that works on HTTP and ``/ws`` for exactly what a member can do.

A bot's reach is its memberships, so every permission check of every path
(HTTP, ``/ws``, search, media, catch-up) holds for bots unchanged: its owner
lists the circles it may enter (its scope, ``bot_scopes``), and a circle's
owners and admins add it (``add``) — a circle outside the scope cannot take it,
and taking a circle out of the scope removes the bot from it. A bot never joins,
asks to join or follows by itself (``memberships.require_may_join``,
``lookups.require_visible``), so it cannot read a public circle it is not in.

A bot has no password (its handle cannot be logged in with) and one token,
which does not expire: its owner rotates it (a new one, the old one ended) or
revokes it. Deleting the owner's account deletes their bots
(store/account_deletion.py). Incoming webhooks post as bots of their own
(store/incoming_hooks.py), which have no token and are not listed here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .accounts import _issue_token
from .engine import Service
from .errors import Forbidden, Invalid, NotFound
from .hook_tables import BOT_SCOPES, INCOMING_HOOKS
from .ids import new_id, now_ms
from .lookups import (
    check_not_banned,
    circle_row,
    is_bot,
    member_row,
    require_manager,
    role_of,
)
from .memberships import admit, remove_membership
from .models import CIRCLES, TOKENS, USERS
from .records import Record, member_record

BOTS_MAX = 20
NAME_MAX = 64
SCOPE_MAX = 50
# No signup or login can reach it: handles are lowercase a-z0-9_.- only.
HANDLE_PREFIX = "Bot:"


async def new_bot(conn: AsyncConnection, owner_id: str, name: object) -> str:
    """A bot user owned by ``owner_id``, in the caller's transaction; its id."""
    name = validation.display_name(name, "name", NAME_MAX)
    bot_id = new_id()
    await conn.execute(
        USERS.insert().values(
            id=bot_id,
            handle=f"{HANDLE_PREFIX}{bot_id}",
            name=name,
            password_hash="",
            created=now_ms(),
            bot_owner=owner_id,
        )
    )
    return bot_id


async def owned_by(conn: AsyncConnection, owner_id: str) -> list[str]:
    """Every live bot of the owner (incoming hooks' included)."""
    query = select(USERS.c.id).where(USERS.c.bot_owner == owner_id, USERS.c.deleted.is_(None))
    return [str(i) for i in (await conn.execute(query)).scalars()]


async def forget(conn: AsyncConnection, owner_id: str) -> None:
    """The owner's bots' scopes and incoming hooks go (their account's deletion)."""
    bots = select(USERS.c.id).where(USERS.c.bot_owner == owner_id)
    await conn.execute(delete(BOT_SCOPES).where(BOT_SCOPES.c.bot_id.in_(bots)))
    await conn.execute(delete(INCOMING_HOOKS).where(INCOMING_HOOKS.c.bot_id.in_(bots)))


class Bots(Service):
    """A user's bots, and a circle's managers adding one."""

    async def create(self, owner_id: str, name: object) -> tuple[Record, str]:
        """A new bot and its token (shown this once)."""
        async with self._db.write() as conn:
            if await is_bot(conn, owner_id):
                raise Forbidden("a bot cannot own bots", reason="bot_scope")
            if len(await _listed(conn, owner_id)) >= BOTS_MAX:
                raise Invalid(
                    "you have all the bots you may have",
                    reason="bots_max",
                    params={"max": BOTS_MAX},
                )
            bot_id = await new_bot(conn, owner_id, name)
            token = await _issue_token(conn, bot_id, now_ms())
            return await _bot(conn, owner_id, bot_id), token

    async def mine(self, owner_id: str) -> list[Record]:
        async with self._db.read() as conn:
            return [await _bot(conn, owner_id, b) for b in await _listed(conn, owner_id)]

    async def set_scope(self, owner_id: str, bot_id: str, circles: object) -> Record:
        """The circles the bot may be added to; it leaves those taken out."""
        if not isinstance(circles, list) or len(circles) > SCOPE_MAX:
            raise Invalid(f"circles is a list of at most {SCOPE_MAX} circle ids")
        wanted = list(dict.fromkeys(validation.text(c, "circles", 1, 32) for c in circles))
        async with self._db.write() as conn:
            await _bot(conn, owner_id, bot_id)
            for circle_id in wanted:
                await circle_row(conn, circle_id)
            scope = await _scope(conn, bot_id)
            for circle_id in sorted(set(scope) - set(wanted)):
                await conn.execute(
                    delete(BOT_SCOPES).where(
                        BOT_SCOPES.c.bot_id == bot_id, BOT_SCOPES.c.circle_id == circle_id
                    )
                )
                role = await role_of(conn, circle_id, bot_id)
                if role is not None:
                    await circle_row(conn, circle_id, lock=True)
                    await remove_membership(conn, circle_id, bot_id, role, "member.removed")
            for circle_id in wanted:
                if circle_id not in scope:
                    await conn.execute(
                        BOT_SCOPES.insert().values(bot_id=bot_id, circle_id=circle_id)
                    )
            return await _bot(conn, owner_id, bot_id)

    async def rotate(self, owner_id: str, bot_id: str) -> tuple[str, list[str]]:
        """A new token; the ended ones' hashes (their sockets are closed)."""
        async with self._db.write() as conn:
            await _bot(conn, owner_id, bot_id)
            ended = await _end_tokens(conn, bot_id)
            return await _issue_token(conn, bot_id, now_ms()), ended

    async def revoke(self, owner_id: str, bot_id: str) -> list[str]:
        """End the bot's token (until a rotation gives it a new one)."""
        async with self._db.write() as conn:
            await _bot(conn, owner_id, bot_id)
            return await _end_tokens(conn, bot_id)

    async def add(self, circle_id: str, actor_id: str, bot_id: object) -> Record:
        """A circle's owner or admin adds a bot whose scope holds the circle."""
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            scoped = (
                await conn.execute(
                    select(BOT_SCOPES.c.bot_id).where(
                        BOT_SCOPES.c.bot_id == bot_id, BOT_SCOPES.c.circle_id == circle_id
                    )
                )
            ).first()
            if scoped is None:
                raise Forbidden(
                    "the bot's owner has not let it into this circle", reason="bot_scope"
                )
            row = await member_row(conn, circle_id, str(bot_id))
            if row is not None:
                return member_record(row)
            await check_not_banned(conn, circle_id, str(bot_id))
            return await admit(conn, circle, str(bot_id), decided_by=actor_id)


async def _listed(conn: AsyncConnection, owner_id: str) -> list[str]:
    """The owner's bots that are listed (not an incoming hook's), oldest first."""
    query = (
        select(USERS.c.id)
        .where(
            USERS.c.bot_owner == owner_id,
            USERS.c.deleted.is_(None),
            USERS.c.id.not_in(select(INCOMING_HOOKS.c.bot_id)),
        )
        .order_by(USERS.c.created, USERS.c.id)
    )
    return [str(i) for i in (await conn.execute(query)).scalars()]


async def _scope(conn: AsyncConnection, bot_id: str) -> list[str]:
    query = select(BOT_SCOPES.c.circle_id).where(BOT_SCOPES.c.bot_id == bot_id)
    return [str(c) for c in (await conn.execute(query)).scalars()]


async def _bot(conn: AsyncConnection, owner_id: str, bot_id: object) -> Record:
    row: Any = (
        await conn.execute(
            select(USERS.c.id, USERS.c.name, USERS.c.created).where(
                USERS.c.id == bot_id, USERS.c.bot_owner == owner_id, USERS.c.deleted.is_(None)
            )
        )
    ).first()
    if row is None:
        raise NotFound("no such bot")
    circles = (
        await conn.execute(
            select(CIRCLES.c.id, CIRCLES.c.name)
            .join(BOT_SCOPES, BOT_SCOPES.c.circle_id == CIRCLES.c.id)
            .where(BOT_SCOPES.c.bot_id == row.id, CIRCLES.c.deleted.is_(None))
            .order_by(CIRCLES.c.name, CIRCLES.c.id)
        )
    ).all()
    tokens = (await conn.execute(select(TOKENS.c.hash).where(TOKENS.c.user_id == row.id))).first()
    return {
        "id": row.id,
        "name": row.name,
        "bot": True,
        "created": int(row.created),
        "circles": [
            {"id": c.id, "name": c.name, "member": await role_of(conn, c.id, row.id) is not None}
            for c in circles
        ],
        "has_token": tokens is not None,
    }


async def _end_tokens(conn: AsyncConnection, bot_id: str) -> list[str]:
    query = delete(TOKENS).where(TOKENS.c.user_id == bot_id).returning(TOKENS.c.hash)
    return [str(h) for h in (await conn.execute(query)).scalars()]
