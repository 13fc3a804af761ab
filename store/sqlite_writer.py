"""Group commit on SQLite: a whole batch in one hop to a thread of its own.

Through SQLAlchemy and aiosqlite every statement of a batch is a round trip
to aiosqlite's thread plus SQLAlchemy's compilation, about as much CPU as the
rest of a `say`. Here the batch's four statements (lookup, seq bump, insert,
commit) run back to back in one plain `sqlite3` connection owned by one
thread; SQLite's own locking (BEGIN IMMEDIATE, busy_timeout) keeps it in step
with the engine's connections, which still do every other write.
"""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .batch import BatchPlan, Outcome, SayRequest
from .engine import Database
from .errors import StoreError
from .ids import now_ms

_LOOKUP = (
    "SELECT circle_id, seq, ts, user_id, text, nonce, reply_to FROM messages "
    "WHERE nonce IN ({marks})"
)
_BUMP = (
    "UPDATE circles SET last_seq = last_seq + CASE id {cases} ELSE 0 END "
    "WHERE id IN ({marks}) RETURNING id, last_seq"
)
_INSERT = (
    "INSERT INTO messages (circle_id, seq, user_id, ts, text, nonce, reply_to) "
    "VALUES (:circle_id, :seq, :user_id, :ts, :text, :nonce, :reply_to)"
)
# SQLite's default limit of bound parameters per statement is 32766; batches
# stay far below it, but lookups are chunked to be safe with any batch_max.
_CHUNK = 900


class _Row:
    """A lookup row with attribute access, as `BatchPlan` reads stored rows."""

    __slots__ = ("circle_id", "seq", "ts", "user_id", "text", "nonce", "reply_to")

    def __init__(self, values: tuple[Any, ...]) -> None:
        (self.circle_id, self.seq, self.ts, self.user_id, self.text, self.nonce, self.reply_to) = (
            values
        )


class SqliteBatchWriter:
    def __init__(self, path: str) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quanzi-sqlite")

    @classmethod
    def for_database(cls, db: Database) -> SqliteBatchWriter | None:
        """A writer for a SQLite file database; None for anything else."""
        url = db.engine.url
        if url.get_backend_name() != "sqlite":
            return None
        path = url.database
        if not path or path == ":memory:" or path.startswith("file:"):
            return None
        return cls(path)

    async def write(self, batch: list[SayRequest]) -> list[Outcome | StoreError]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._write, batch)

    def close(self) -> None:
        def _close() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        self._thread.submit(_close).result()
        self._thread.shutdown(wait=True)

    # -- in the writer thread ---------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            for pragma in ("synchronous=NORMAL", "busy_timeout=5000", "foreign_keys=ON"):
                conn.execute(f"PRAGMA {pragma}")
            self._conn = conn
        return self._conn

    def _write(self, batch: list[SayRequest]) -> list[Outcome | StoreError]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            plan = BatchPlan(batch, _stored(conn, list({r.nonce for r in batch})))
            rows = plan.assign(_reserve_seqs(conn, plan.counts()), now_ms())
            if rows:
                conn.executemany(_INSERT, rows)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return plan.outcomes()


def _stored(conn: sqlite3.Connection, nonces: list[str]) -> dict[tuple[str, str], Any]:
    stored: dict[tuple[str, str], Any] = {}
    for start in range(0, len(nonces), _CHUNK):
        chunk = nonces[start : start + _CHUNK]
        query = _LOOKUP.format(marks=",".join("?" * len(chunk)))
        for values in conn.execute(query, chunk):
            row = _Row(values)
            stored[(row.user_id, row.nonce)] = row
    return stored


def _reserve_seqs(conn: sqlite3.Connection, counts: dict[str, int]) -> dict[str, int]:
    """Bump each circle's last_seq by its count; each circle's first new seq."""
    if not counts:
        return {}
    ids = list(counts)
    query = _BUMP.format(
        cases=" ".join("WHEN ? THEN ?" for _ in ids), marks=",".join("?" * len(ids))
    )
    params: list[Any] = [v for cid in ids for v in (cid, counts[cid])] + ids
    return {cid: last - counts[cid] + 1 for cid, last in conn.execute(query, params)}
