"""A SQLite write that waits past the busy timeout is refused with ``Busy``
(a 429 over HTTP, ``rate_limited`` on the socket), never an internal error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from store import Busy, NotFound, Store, engine


async def test_a_write_held_up_past_the_busy_timeout_is_busy_not_internal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "busy.db"
    store = await Store.open(f"sqlite+aiosqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        with pytest.raises(Busy) as refused:
            await store.circles.create("nobody", "茶馆", "community", "public")
        assert refused.value.code == "rate_limited"
        other.execute("ROLLBACK")
        # The lock gone, the same write goes through (it failed, it did not break).
        with pytest.raises(NotFound):  # now the missing owner answers
            await store.circles.create("nobody", "茶馆", "community", "public")
    finally:
        other.close()
        await store.close()
