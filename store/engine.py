"""Opening the database: the async engine, SQLite's pragmas, read and write transactions.

SQLite runs in WAL with ``synchronous=NORMAL``: a committed write survives a
crash of the process (kill -9 included) and only a power loss can take the last
commits. ``FULL`` would fsync on every commit; NORMAL is the trade that lets
group commit acknowledge tens of thousands of messages a second.

Write transactions on SQLite start with ``BEGIN IMMEDIATE``: a deferred
transaction that reads first and writes later cannot wait for the lock when
another writer committed in between (SQLITE_BUSY at once, busy_timeout
ignored). Taking the write lock up front makes ``busy_timeout`` apply.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql.dml import Insert

from .errors import Busy, Invalid
from .migrate import LOCK_KEY, upgrade

log = logging.getLogger(__name__)

# Execution option that marks a connection as a writer (BEGIN IMMEDIATE on SQLite).
_WRITE = "quanzi_write"
# How long a SQLite write waits for the lock of another writer before it is
# refused with ``Busy`` (HTTP 429, `rate_limited` on the socket).
SQLITE_BUSY_TIMEOUT_MS = 5000

# What the write transaction running in this task recorded (``changes.record``).
_recording: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar(
    "quanzi_recording", default=None
)


# The notifications the write transaction running in this task made (store/notifications.py).
_notifying: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar(
    "quanzi_notifying", default=None
)


def recorder() -> list[Any]:
    """The list the running write transaction collects its changes in."""
    changes = _recording.get()
    if changes is None:
        raise RuntimeError("a change can only be recorded inside Database.write()")
    return changes


def notified() -> list[Any]:
    """The list the running write transaction collects its notifications in."""
    made = _notifying.get()
    if made is None:
        raise RuntimeError("a notification can only be made inside Database.write()")
    return made


class Database:
    """An async engine plus the two ways the store uses it: read and write."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._writer = engine.execution_options(**{_WRITE: True})
        # Told, after each commit, what the transaction changed (the store's
        # ``on_changes``): nothing is told before its commit.
        self.on_changes: Callable[[list[Any]], None] | None = None
        # Told, after each commit, the notifications it made (the store's
        # ``on_notifications``), as their records.
        self.on_notifications: Callable[[list[Any]], None] | None = None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads (on SQLite each statement sees its own snapshot)."""
        with _refusals():
            async with self.engine.connect() as conn:
                yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction: commits on a clean exit, rolls back on an exception.
        The changes it recorded go to ``on_changes`` once it has committed, and the
        notifications it made to ``on_notifications``."""
        changes: list[Any] = []
        made: list[Any] = []
        token = _recording.set(changes)
        notifying = _notifying.set(made)
        try:
            with _refusals():
                async with self._writer.begin() as conn:
                    yield conn
        finally:
            _notifying.reset(notifying)
            _recording.reset(token)
        if changes and self.on_changes is not None:
            try:
                self.on_changes(changes)
            except Exception:
                # Committed is committed: a failing listener must not turn the
                # write into an error (clients catch up from the log).
                log.exception("on_changes failed for %d changes", len(changes))
        if made:
            self.told_notifications(made)

    def told_notifications(self, made: list[Any]) -> None:
        """Hand committed notifications to ``on_notifications`` (the group commit
        calls it too); a failing listener is logged (clients catch up by id)."""
        if self.on_notifications is None:
            return
        try:
            self.on_notifications(made)
        except Exception:
            log.exception("on_notifications failed for %d notifications", len(made))

    def insert_ignore(self, table: Table) -> Insert:
        """``INSERT … ON CONFLICT DO NOTHING`` in this database's dialect."""
        return insert_ignore(self.dialect, table)

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            log.warning("database ping failed", exc_info=True)
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()


# PostgreSQL's "character not in repertoire" (a NUL in a text parameter): the
# input's fault, whichever string carried it (an id in a path, a search term).
_BAD_CHARACTER_STATES = frozenset({"22021"})


@contextmanager
def _refusals() -> Iterator[None]:
    """Turn the database's expected refusals into store errors, never a 500 (every
    read and write goes through here): a string's characters into ``Invalid``,
    SQLite still locked after its busy timeout into ``Busy``."""
    try:
        yield
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) in _BAD_CHARACTER_STATES:
            raise Invalid("text must not contain a NUL character") from None
        if getattr(exc.orig, "sqlite_errorname", None) == "SQLITE_BUSY":
            raise Busy("the database is busy: try again in a moment") from None
        raise


class Service:
    """A part of the store (circles, posts, pins…): the database it works on."""

    def __init__(self, db: Database) -> None:
        self._db = db


async def open_database(url: str, **engine_kwargs: Any) -> Database:
    """Create the engine for ``url``, set SQLite up, and migrate the schema to the
    latest version (`store.migrate`)."""
    parsed = make_url(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite:
        _make_parent_dir(parsed.database)
    engine = create_async_engine(url, **engine_kwargs)
    if is_sqlite:
        _setup_sqlite(engine)
    database = Database(engine)
    # In a write transaction: two processes starting at once must not race the DDL
    # (SQLite: the write lock; PostgreSQL: an advisory lock, and DDL is transactional).
    async with database.write() as conn:
        if database.dialect == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        await conn.run_sync(upgrade)
    return database


def _make_parent_dir(database: str | None) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    Path(database).parent.mkdir(parents=True, exist_ok=True)


def _setup_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (below) instead of the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
            "foreign_keys=ON",
            # What is deleted or overwritten (a taken-back message, a deleted
            # account's words) is zeroed, not left readable in the file's free
            # space. Many builds (Debian's) have it on already; this makes it so
            # everywhere. Measured on 100,000 inserts: no difference in time
            # beyond the noise of the machine.
            "secure_delete=ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Reads run in autocommit (each statement is its own snapshot): no BEGIN
        # round trip on the hot read paths, and no idle snapshot holding back
        # WAL checkpoints.
        if conn.get_execution_options().get(_WRITE, False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def insert_ignore(dialect: str, table: Table) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` in ``dialect`` (a connection's
    ``conn.dialect.name`` inside a transaction that has no ``Database`` at hand)."""
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"insert_ignore for {dialect}")
