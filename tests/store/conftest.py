"""Fixtures for the store tests: a fresh database and engine per test, on SQLite
and on PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url, update

from store import Store
from store.ids import new_id, now_ms
from store.models import CIRCLES, MEMBERSHIPS, USERS
from tests import migrated
from tests.services import fresh_postgres_database

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


class _PostgresDatabase:
    """One PostgreSQL database for the session's store tests, created on first use
    and emptied before each test (TRUNCATE is much faster than a new database)."""

    def __init__(self) -> None:
        self._stack: contextlib.AsyncExitStack | None = None
        self._url: str | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def _run(self, coro: Any) -> Any:
        # The tests' own loops come and go; the admin connection lives on this one.
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=60)

    def url(self) -> str:
        if self._url is None:
            stack = contextlib.AsyncExitStack()
            self._url = self._run(stack.enter_async_context(fresh_postgres_database()))
            self._stack = stack
        return self._url

    async def _truncate(self, url: str) -> None:
        import asyncpg  # type: ignore[import-untyped]

        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(dsn)
        try:
            tables = await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'alembic_version'"
            )
            if tables:
                names = ", ".join(f'"{t["tablename"]}"' for t in tables)
                await conn.execute("SET lock_timeout = '10s'")
                await conn.execute(f"TRUNCATE {names} CASCADE")
        finally:
            await conn.close()

    def empty(self) -> str:
        url = self.url()
        self._run(self._truncate(url))
        return url

    def close(self) -> None:
        if self._stack is not None:
            self._run(self._stack.aclose())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[_PostgresDatabase]:
    database = _PostgresDatabase()
    yield database
    database.close()


# Every store test runs on both databases; QUANZI_TEST_BACKENDS=sqlite narrows it
# (a quick local run). PostgreSQL missing: those tests skip, or fail in CI.
BACKENDS = os.environ.get("QUANZI_TEST_BACKENDS", "sqlite,postgresql").split(",")


@pytest.fixture(params=BACKENDS)
async def store_url(
    request: pytest.FixtureRequest, db_path: Path, postgres_database: _PostgresDatabase
) -> AsyncIterator[str]:
    """A fresh SQLite file (a copy of one migrated file, tests/migrated.py), or an emptied PostgreSQL database (QUANZI_TEST_POSTGRES_URL
    names the server, see tests/services.py). Tests that are about SQLite itself use
    ``db_path`` directly."""
    if request.param == "sqlite":
        yield sqlite_url(migrated.place(db_path))
        return
    assert request.param == "postgresql", request.param
    yield await asyncio.to_thread(postgres_database.empty)


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
