"""Incoming webhooks: a secret URL (``POST /api/v1/hooks/{token}``) that posts
into a circle's chat or feed, for CI systems, forms and shops.

A circle's owners and admins create one with a name and a target (``chat`` or
``feed``). It posts as a bot of its own (store/bots.py: a user whose
``bot_owner`` is the creator), a member of the circle from its creation, so its
messages and posts take the one road of every member's (live, caught up,
searchable, marked as a bot's). Only the token's SHA-256 is stored; the URL is
shown at creation and on rotation. Revoking deletes the hook and removes its
bot from the circle (what it posted stays, under its name).
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from .accounts import token_hash
from .bots import new_bot
from .engine import Service
from .errors import Invalid, NotFound
from .hook_tables import INCOMING_HOOKS
from .ids import new_id, now_ms
from .lookups import circle_row, require_manager, role_of
from .memberships import admit, remove_membership
from .models import USERS
from .records import Record
from .validation import choice

TARGETS = ("chat", "feed")
HOOKS_MAX = 20


def hook_record(row: Any) -> Record:
    return {
        "id": row.id,
        "circle": row.circle_id,
        "name": row.name,
        "bot": row.bot_id,
        "target": row.target,
        "created": int(row.created),
    }


_COLUMNS = (*INCOMING_HOOKS.c, USERS.c.name)


class IncomingHooks(Service):
    """A circle's incoming webhooks (managers only), and finding one by its token."""

    async def create(
        self, circle_id: str, actor_id: str, name: object, target: object
    ) -> tuple[Record, str]:
        """A new hook and its token (the URL's secret, shown this once)."""
        target = choice(target, "target", TARGETS)
        token = secrets.token_urlsafe(32)
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            if len(await _hooks(conn, circle_id)) >= HOOKS_MAX:
                raise Invalid(
                    "this circle has all the incoming webhooks it may have",
                    reason="webhooks_max",
                    params={"max": HOOKS_MAX},
                )
            bot_id = await new_bot(conn, actor_id, name)
            hook_id = new_id()
            await conn.execute(
                INCOMING_HOOKS.insert().values(
                    id=hook_id,
                    circle_id=circle_id,
                    token_hash=token_hash(token),
                    bot_id=bot_id,
                    target=target,
                    created=now_ms(),
                    created_by=actor_id,
                )
            )
            await admit(conn, circle, bot_id, decided_by=actor_id)
            return hook_record(await _hook(conn, circle_id, hook_id)), token

    async def of_circle(self, circle_id: str, actor_id: str) -> list[Record]:
        async with self._db.read() as conn:
            await circle_row(conn, circle_id)
            await require_manager(conn, circle_id, actor_id)
            return [hook_record(r) for r in await _hooks(conn, circle_id)]

    async def rotate(self, circle_id: str, actor_id: str, hook_id: str) -> str:
        """A new token for the hook: the old URL stops working at once."""
        token = secrets.token_urlsafe(32)
        async with self._db.write() as conn:
            await require_manager(conn, circle_id, actor_id)
            await _hook(conn, circle_id, hook_id)
            await conn.execute(
                update(INCOMING_HOOKS)
                .where(INCOMING_HOOKS.c.id == hook_id)
                .values(token_hash=token_hash(token))
            )
        return token

    async def revoke(self, circle_id: str, actor_id: str, hook_id: str) -> None:
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            hook = await _hook(conn, circle_id, hook_id)
            await conn.execute(delete(INCOMING_HOOKS).where(INCOMING_HOOKS.c.id == hook_id))
            role = await role_of(conn, circle_id, hook.bot_id)
            if role is not None:
                await remove_membership(conn, circle_id, hook.bot_id, role, "member.removed")

    async def by_token(self, token: object) -> Record:
        """The hook of a URL's token; ``NotFound`` for an unknown (or revoked) one."""
        if not isinstance(token, str) or not 0 < len(token) <= 100:
            raise NotFound("no such hook")
        async with self._db.read() as conn:
            row = (
                await conn.execute(
                    select(*_COLUMNS)
                    .join(USERS, USERS.c.id == INCOMING_HOOKS.c.bot_id)
                    .where(INCOMING_HOOKS.c.token_hash == token_hash(token))
                )
            ).first()
        if row is None:
            raise NotFound("no such hook")
        return hook_record(row)


async def _hooks(conn: AsyncConnection, circle_id: str) -> list[Any]:
    query = (
        select(*_COLUMNS)
        .join(USERS, USERS.c.id == INCOMING_HOOKS.c.bot_id)
        .where(INCOMING_HOOKS.c.circle_id == circle_id)
        .order_by(INCOMING_HOOKS.c.created, INCOMING_HOOKS.c.id)
    )
    return list((await conn.execute(query)).all())


async def _hook(conn: AsyncConnection, circle_id: str, hook_id: object) -> Any:
    row = (
        await conn.execute(
            select(*_COLUMNS)
            .join(USERS, USERS.c.id == INCOMING_HOOKS.c.bot_id)
            .where(INCOMING_HOOKS.c.id == hook_id, INCOMING_HOOKS.c.circle_id == circle_id)
        )
    ).first()
    if row is None:
        raise NotFound("no such incoming webhook")
    return row
