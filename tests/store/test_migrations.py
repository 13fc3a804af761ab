"""Schema migrations (Alembic): what they build is exactly the models' schema, on
SQLite and on PostgreSQL; they are applied once however many nodes start."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from store import Store, migrate, now_ms, search_schema, token_hash
from store.engine import open_database
from store.models import metadata
from tests.services import fresh_postgres_database

from .conftest import BACKENDS, sqlite_url


@pytest.fixture(params=BACKENDS)
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database nothing was ever created in (the store tests' PostgreSQL database
    is reused between tests: it is already migrated)."""
    if request.param == "sqlite":
        # The file exists and is in WAL mode already: switching a brand-new file
        # to WAL from several connections at once can fail with "locked" (several
        # nodes on one SQLite file is not a deployment; the race it guards is).
        db = sqlite3.connect(tmp_path / "empty.db")
        db.execute("PRAGMA journal_mode=WAL")
        db.close()
        yield sqlite_url(tmp_path / "empty.db")
        return
    async with fresh_postgres_database() as url:
        yield url


def _differences(connection: Connection) -> list[Any]:
    # The full-text index is each database's own, outside the models (an FTS5
    # table and its shadow tables on SQLite, a GIN index on PostgreSQL).
    opts = {
        "compare_type": True,
        "include_name": lambda name, type_, parents: not search_schema.is_outside_models(name),
    }
    context = MigrationContext.configure(connection, opts=opts)
    return list(compare_metadata(context, metadata))


async def test_migrations_build_exactly_the_models_schema(store: Store) -> None:
    async with store.db.engine.connect() as conn:
        assert await conn.run_sync(_differences) == []
        assert await conn.run_sync(migrate.current) == migrate.head()


async def test_opening_again_changes_nothing(store_url: str) -> None:
    for _ in range(2):
        db = await open_database(store_url)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(migrate.current) == migrate.head()
            rows = (await conn.execute(text("SELECT count(*) FROM alembic_version"))).scalar()
        assert rows == 1
        await db.dispose()


async def test_nodes_starting_together_migrate_once(empty_url: str) -> None:
    databases = await asyncio.gather(*(open_database(empty_url) for _ in range(4)))
    async with databases[0].engine.connect() as conn:
        assert await conn.run_sync(_differences) == []
    for db in databases:
        await db.dispose()


async def test_a_database_from_before_migrations_is_completed_and_stamped(
    empty_url: str,
) -> None:
    engine = create_async_engine(empty_url)
    async with engine.begin() as conn:
        # What the first releases created: the tables, no version table, and
        # (say) one table missing.
        await conn.run_sync(metadata.create_all)
        await conn.execute(text("DROP TABLE likes"))
        await conn.execute(
            text(
                "INSERT INTO users (id, handle, name, password_hash, created)"
                " VALUES ('u1', 'old', 'Old', 'x', 1)"
            )
        )
    await engine.dispose()
    db = await open_database(empty_url)
    async with db.engine.connect() as conn:
        assert await conn.run_sync(migrate.current) == migrate.head()
        assert await conn.run_sync(_differences) == []
        assert "likes" in await conn.run_sync(lambda c: inspect(c).get_table_names())
        kept = (await conn.execute(text("SELECT handle FROM users"))).scalar()
    assert kept == "old"
    await db.dispose()


async def test_tokens_from_before_0004_keep_working_as_sessions(empty_url: str) -> None:
    """Tokens made at revision 0003 get an opaque id each and count as last used
    when they were made."""
    engine = create_async_engine(empty_url)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.upgrade(migrate.config(c), "0003"))
        await conn.execute(
            text(
                "INSERT INTO users (id, handle, name, password_hash, created)"
                " VALUES ('u1', 'old', 'Old', 'x', 1)"
            )
        )
        now = now_ms()
        for token in ("t1", "t2"):
            await conn.execute(
                text("INSERT INTO tokens (hash, user_id, created) VALUES (:h, 'u1', :c)"),
                {"h": token_hash(token), "c": now},
            )
    await engine.dispose()
    store = await Store.open(empty_url, password_time_cost=1)
    try:
        assert (await store.accounts.authenticate("t1"))["id"] == "u1"
        listed = await store.accounts.sessions("u1", "t2")
        assert [s["last_used"] for s in listed] == [now, now]
        assert len({s["id"] for s in listed}) == 2
        assert all(s["id"] for s in listed)
    finally:
        await store.close()
