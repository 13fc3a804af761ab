"""Fixtures for the store tests: a fresh SQLite file and engine per test."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url, update

from store import Store
from store.ids import new_id, now_ms
from store.models import CIRCLES, MEMBERSHIPS, USERS

Record = dict[str, Any]


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "quanzi.db"


@pytest.fixture
def committed() -> list[Record]:
    """Every message handed to on_committed, in call order."""
    return []


@pytest.fixture
async def store_url(db_path: Path) -> AsyncIterator[str]:
    """A fresh SQLite file; or, with QUANZI_TEST_POSTGRES_URL set (a server URL such as
    ``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``), a fresh PostgreSQL database.
    Tests that are about SQLite itself use ``db_path`` directly."""
    server = os.environ.get("QUANZI_TEST_POSTGRES_URL")
    if not server:
        yield sqlite_url(db_path)
        return
    import asyncpg  # type: ignore[import-untyped]

    name = f"quanzi_test_{secrets.token_hex(6)}"
    dsn = make_url(server).set(drivername="postgresql")
    admin = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def store(store_url: str, committed: list[Record]) -> AsyncIterator[Store]:
    s = await Store.open(store_url, on_committed=committed.extend, password_time_cost=1)
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
def new_user(store: Store) -> Callable[..., Awaitable[Record]]:
    """A user row: ``await new_user("alice")`` -> user dict.

    Inserted directly: argon2 costs ~0.1 s a hash, and only the account tests
    are about signing up.
    """

    async def make(handle: str, name: str | None = None) -> Record:
        user = {"id": new_id(), "handle": handle, "name": name or handle.title()}
        async with store.db.write() as conn:
            await conn.execute(
                USERS.insert().values(**user, password_hash="not a hash", created=now_ms())
            )
        return user

    return make


@pytest.fixture
async def alice(new_user: Callable[..., Awaitable[Record]]) -> Record:
    return await new_user("alice")


@pytest.fixture
async def bob(new_user: Callable[..., Awaitable[Record]]) -> Record:
    return await new_user("bob")


@pytest.fixture
async def carol(new_user: Callable[..., Awaitable[Record]]) -> Record:
    return await new_user("carol")


@pytest.fixture
async def circle(store: Store, alice: Record) -> Record:
    """A public circle owned by alice."""
    return await store.circles.create(alice["id"], "Tea House", "community", "public")


@pytest.fixture
async def private_circle(store: Store, alice: Record) -> Record:
    """A private circle owned by alice."""
    return await store.circles.create(alice["id"], "Back Room", "business", "private")


@pytest.fixture
def add_members(store: Store) -> Callable[..., Awaitable[list[Record]]]:
    """``await add_members(circle_id, n, role="member")`` -> n new users in the circle.

    Users and memberships go in with one executemany each (10,000 members in well
    under a second); ``member_count`` is kept right.
    """

    async def make(circle_id: str, n: int, role: str = "member", prefix: str = "m") -> list[Record]:
        now = now_ms()
        tag = secrets.token_hex(3)
        users = [
            {"id": new_id(), "handle": f"{prefix}{tag}{i}", "name": f"{prefix.title()} {i}"}
            for i in range(n)
        ]
        async with store.db.write() as conn:
            await conn.execute(
                USERS.insert(),
                [{**u, "password_hash": "not a hash", "created": now} for u in users],
            )
            await conn.execute(
                MEMBERSHIPS.insert(),
                [
                    {
                        "circle_id": circle_id,
                        "user_id": u["id"],
                        "role": role,
                        "joined": now + i,
                        "joined_seq": 0,
                    }
                    for i, u in enumerate(users)
                ],
            )
            await conn.execute(
                update(CIRCLES)
                .where(CIRCLES.c.id == circle_id)
                .values(member_count=CIRCLES.c.member_count + n)
            )
        return users

    return make


@pytest.fixture
def say(store: Store) -> Callable[..., Awaitable[int]]:
    """``await say(circle_id, user, text)`` -> the new message's seq."""

    async def send(circle_id: str, user: Record, text: str) -> int:
        message, _ = await store.chat.say(circle_id, user["id"], user["name"], text, new_id())
        return int(message["seq"])

    return send
