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
"""

from __future__ import annotations

import time
from typing import Any

CHUNK = 5000


async def add_users(
    db_url: str, handles: list[str], like_user_id: str, name: str = "Load"
) -> list[dict[str, Any]]:
    """Users with these handles, each with a fresh token and the password hash of
    `like_user_id`; `[{"id", "handle", "token"}]` in order."""
    import secrets

    from sqlalchemy import select

    from store.accounts import token_hash
    from store.ids import new_id
    from store.models import TOKENS, USERS

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
                {"id": new_id(), "handle": h, "token": secrets.token_urlsafe(32)} for h in chunk
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
                            "hash": token_hash(u["token"]),
                            "id": new_id(),
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
    from sqlalchemy import func, select, update

    from store.models import CIRCLES, GROUPS, MEMBERSHIPS

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
