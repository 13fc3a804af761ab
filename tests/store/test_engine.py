from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from store import Store
from store.engine import Database, open_database
from store.models import Circle, Group, Member
from tests import timing

from .conftest import sqlite_url


async def test_sqlite_file_gets_its_dir_and_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "quanzi.db"
    db = await open_database(sqlite_url(path))
    try:
        assert path.exists()
        async with db.read() as conn:
            pragmas = {
                name: (await conn.execute(text(f"PRAGMA {name}"))).scalar()
                for name in ["journal_mode", "synchronous", "busy_timeout", "foreign_keys"]
            }
        # synchronous=1 is NORMAL.
        assert pragmas == {
            "journal_mode": "wal",
            "synchronous": 1,
            "busy_timeout": 5000,
            "foreign_keys": 1,
        }
        assert await db.ping() is True
    finally:
        await db.dispose()


async def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(IntegrityError):
        async with store.db.write() as conn:
            await conn.execute(
                text(
                    "INSERT INTO memberships (circle_id, user_id, role, joined, joined_seq, read_seq)"
                    " VALUES ('nope', 'nobody', 'member', 0, 0, 0)"
                )
            )


async def test_ping_is_false_when_the_database_is_unreachable(tmp_path: Path) -> None:
    engine = create_async_engine(sqlite_url(tmp_path / "missing-dir" / "x.db"))
    db = Database(engine)
    try:
        assert await db.ping() is False
    finally:
        await db.dispose()


async def test_write_transactions_wait_for_the_lock(tmp_path: Path) -> None:
    """Read-then-write transactions from two connections queue on BEGIN IMMEDIATE
    (busy_timeout applies) instead of failing with 'database is locked'."""
    db = await open_database(sqlite_url(tmp_path / "q.db"))
    try:
        async with db.write() as conn:
            await conn.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
            await conn.execute(text("INSERT INTO counter VALUES (0)"))

        async def bump() -> None:
            async with db.write() as conn:
                n = (await conn.execute(text("SELECT n FROM counter"))).scalar_one()
                await timing.sleep(0.001)
                await conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})

        await asyncio.gather(*(bump() for _ in range(30)))
        async with db.read() as conn:
            assert (await conn.execute(text("SELECT n FROM counter"))).scalar_one() == 30
    finally:
        await db.dispose()


async def test_deferred_read_then_write_would_fail(tmp_path: Path) -> None:
    """Why write() uses BEGIN IMMEDIATE: the same pattern in a deferred transaction
    cannot wait for the lock once another writer committed after its read."""
    db = await open_database(sqlite_url(tmp_path / "q.db"))
    try:
        async with db.write() as conn:
            await conn.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
            await conn.execute(text("INSERT INTO counter VALUES (0)"))
        async with db.engine.connect() as reader:
            await reader.exec_driver_sql("BEGIN")  # deferred: takes no lock yet
            await reader.execute(text("SELECT n FROM counter"))
            async with db.write() as writer:
                await writer.execute(text("UPDATE counter SET n = 1"))
            with pytest.raises(OperationalError, match="locked"):
                await reader.execute(text("UPDATE counter SET n = 2"))
    finally:
        await db.dispose()


async def test_models_work_with_the_orm(store: Store, circle: dict[str, Any]) -> None:
    """The SQLModel classes (with postponed annotations) map and load through a session."""
    async with AsyncSession(store.db.engine, expire_on_commit=False) as session:
        loaded = await session.get(Circle, circle["id"])
        owner = await session.get(Member, (circle["id"], circle["owner"]))
    assert loaded is not None and loaded.name == circle["name"]
    assert loaded.history_for_new_members is True and loaded.member_count == 1
    general = await session_get_group(store, circle["id"])
    assert general.circle_id == circle["id"] and general.name == "general"
    assert general.last_seq == 0
    assert owner is not None and owner.role == "owner" and owner.nickname is None


async def session_get_group(store: Store, group_id: str) -> Group:
    async with AsyncSession(store.db.engine, expire_on_commit=False) as session:
        group = await session.get(Group, group_id)
    assert group is not None
    return group
