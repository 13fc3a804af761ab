"""The bulk road of a seed (`--bulk-db URL`): users, their tokens and memberships
written straight into the server's database, thousands a statement.

A circle of 100,000 members cannot be made over the HTTP API in a run's
setup: each signup is an argon2 hash (≈ 0.2 s of server CPU at
QUANZI_PASSWORD_TIME_COST=1), so 100,000 of them would take the two cores
hours. Here one user signs up over HTTP as usual; every other user gets a row
with a copy of that user's password hash (the same load-test password, so
they can log in too) and a token of its own, and circles — still created over
HTTP by their owners — get their members as rows with `member_count` moved to
match. What this skips is the per-join side work of `store.memberships.admit`
(the `member.joined` event in the circle log, follows and join requests, none
of which a fresh load-test user has). Only for a database of load-test users:
the handles are the seed's own and nothing else is touched.

The load generator never imports the server or the store (tests/loadtests/
test_fence.py): the few columns written here are named in this module, as the
schema has them (store/models.py), and a token's row holds its SHA-256 as the
store keeps it.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from sqlalchemy import column, func, select, table, update

CHUNK = 5000

# The tables and columns written (a subset of store/models.py's).
USERS = table(
    "users",
    column("id"),
    column("handle"),
    column("name"),
    column("password_hash"),
    column("created"),
)
TOKENS = table(
    "tokens",
    column("hash"),
    column("id"),
    column("user_id"),
    column("created"),
    column("last_used"),
)
GROUPS = table("chat_groups", column("id"), column("last_seq"))
MEMBERSHIPS = table(
    "memberships",
    column("circle_id"),
    column("user_id"),
    column("role"),
    column("joined"),
    column("joined_seq"),
    column("read_seq"),
)
CIRCLES = table("circles", column("id"), column("member_count"))


def _new_id() -> str:
    """An id as the store makes them (store/ids.py: url-safe, 72 random bits)."""
    return secrets.token_urlsafe(9)


def _token_hash(token: str) -> str:
    """A token's key in the tokens table, as the store computes it (store/accounts.py)."""
    return hashlib.sha256(token.encode()).hexdigest()


async def add_users(
    db_url: str, handles: list[str], like_user_id: str, name: str = "Load"
) -> list[dict[str, Any]]:
    """Users with these handles, each with a fresh token and the password hash of
    `like_user_id`; `[{"id", "handle", "token"}]` in order."""
    engine = _engine(db_url)
    try:
        async with engine.begin() as conn:
            password_hash = (
                await conn.execute(select(USERS.c.password_hash).where(USERS.c.id == like_user_id))
            ).scalar_one()
        now = int(time.time() * 1000)
        made: list[dict[str, Any]] = []
        for start in range(0, len(handles), CHUNK):
            chunk = handles[start : start + CHUNK]
            users = [
                {"id": _new_id(), "handle": h, "token": secrets.token_urlsafe(32)} for h in chunk
            ]
            async with engine.begin() as conn:
                await conn.execute(
                    USERS.insert(),
                    [
                        {
                            "id": u["id"],
                            "handle": u["handle"],
                            "name": f"{name} {start + k + 1}",
                            "password_hash": password_hash,
                            "created": now,
                        }
                        for k, u in enumerate(users)
                    ],
                )
                await conn.execute(
                    TOKENS.insert(),
                    [
                        {
                            "hash": _token_hash(u["token"]),
                            "id": _new_id(),
                            "user_id": u["id"],
                            "created": now,
                            "last_used": now,
                        }
                        for u in users
                    ],
                )
            made += users
        return made
    finally:
        await engine.dispose()


async def add_members(db_url: str, circle_id: str, user_ids: list[str]) -> None:
    """Make these users plain members of the circle (none of them may be one yet)."""
    engine = _engine(db_url)
    try:
        now = int(time.time() * 1000)
        async with engine.begin() as conn:  # the general group's id is its circle's
            last_seq = (
                await conn.execute(select(GROUPS.c.last_seq).where(GROUPS.c.id == circle_id))
            ).scalar() or 0
        for start in range(0, len(user_ids), CHUNK):
            async with engine.begin() as conn:
                await conn.execute(
                    MEMBERSHIPS.insert(),
                    [
                        {
                            "circle_id": circle_id,
                            "user_id": uid,
                            "role": "member",
                            "joined": now,
                            "joined_seq": last_seq,
                            "read_seq": 0,
                        }
                        for uid in user_ids[start : start + CHUNK]
                    ],
                )
        async with engine.begin() as conn:
            count = (
                await conn.execute(
                    select(func.count())
                    .select_from(MEMBERSHIPS)
                    .where(MEMBERSHIPS.c.circle_id == circle_id)
                )
            ).scalar_one()
            await conn.execute(
                update(CIRCLES).where(CIRCLES.c.id == circle_id).values(member_count=count)
            )
    finally:
        await engine.dispose()


def _engine(db_url: str) -> Any:
    from sqlalchemy.ext.asyncio import create_async_engine

    return create_async_engine(db_url)
