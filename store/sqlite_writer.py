"""Group commit on SQLite: a whole batch in one hop to a thread of its own.

Through SQLAlchemy and aiosqlite every statement of a batch is a round trip
to aiosqlite's thread plus SQLAlchemy's compilation, about as much CPU as the
rest of a `say`. Here the batch's statements (seq bump, insert, commit) run
back to back in one plain `sqlite3` connection owned by one thread; SQLite's
own locking (BEGIN IMMEDIATE, busy_timeout) keeps it in step with the
engine's connections, which still do every other write.

Resends are rare, so a batch first goes in without looking its nonces up: the
unique index on ``(nonce, user_id)`` refuses a resent one, the transaction
rolls back (seqs included) and the batch is stored again the careful way,
nonces looked up first. After a resend the writer stays careful for a while
(reconnecting clients resend in bursts, and each failed try costs a batch).

The messages' search rows follow in larger batches, inside a later group commit
or a transaction of their own (store/search_backlog.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
from typing import Any

from .batch import CAREFUL_BATCHES, BatchPlan, SayRequest, StoredRow
from .engine import Database
from .ids import now_ms
from .notifications import made_record
from .search_backlog import SearchBacklog
from .webhook_outbox import INSERT_COLUMNS, Hook, message_rows

log = logging.getLogger(__name__)

_LOOKUP = (
    "SELECT group_id, seq, ts, user_id, text, nonce, reply_to, attachments, deleted, edited "
    "FROM messages WHERE nonce IN ({marks})"
)
_BUMP = (
    "UPDATE chat_groups SET last_seq = last_seq + CASE id {cases} ELSE 0 END "
    "WHERE id IN ({marks}) RETURNING id, last_seq"
)
_INSERT = (
    "INSERT INTO messages (group_id, seq, user_id, ts, text, nonce, reply_to, attachments, "
    "mentions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_NOTES = (
    "INSERT INTO notifications (user_id, circle_id, actor_id, kind, about, created) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_LAST_NOTE = "SELECT max(id) FROM notifications"
# Ids only grow (AUTOINCREMENT) and the batch holds the write lock: its rows are
# exactly those past the largest id before it, in the order they went in.
_NEW_NOTES = "SELECT id FROM notifications WHERE id > ? ORDER BY id"
_INSERT_USES = (
    "INSERT INTO attachment_uses (owner, seq, position, attachment_id) VALUES (?, ?, ?, ?)"
)
_HOOKS = (
    "SELECT id, circle_id, events FROM webhooks WHERE disabled IS NULL AND circle_id IN ({marks})"
)
_INSERT_OUTBOX = "INSERT INTO webhook_deliveries ({cols}, attempts, claimed_until) VALUES ({marks}, 0, 0)".format(
    cols=", ".join(INSERT_COLUMNS), marks=", ".join("?" * len(INSERT_COLUMNS))
)
# SQLite's default limit of bound parameters per statement is 32766; batches
# stay far below it, but lookups are chunked to be safe with any batch_max.
_CHUNK = 900
# The writer never checkpoints: a checkpoint copies the WAL back into the
# database file and syncs it, tens of milliseconds that every say queued behind
# that commit would wait (it was most of the p99 of chat at a few hundred says
# a second). A thread of its own checkpoints (PASSIVE: never in a writer's
# way) this often instead. Durability is the WAL's, unchanged.
CHECKPOINT_EVERY_S = 0.5
# How long a statement of the writer waits for another connection's write lock.
BUSY_TIMEOUT_MS = 5000
# A batch that found the database locked (BUSY_TIMEOUT_MS passed) tries again
# this many times before its says fail.
LOCKED_RETRIES = 3
# After filling the search index failed, how long the writer idles before trying again.
INDEX_RETRY_S = 1.0


# A batch to store and who waits for its plan; no batch: fill the search index.
_Job = tuple[list[SayRequest] | None, asyncio.Future[Any]]


class SqliteBatchWriter:
    def __init__(self, path: str) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._checkpointer: _Checkpointer | None = None
        # Batches left to store the careful way (see CAREFUL_BATCHES).
        self._careful = 0
        self._backlog = SearchBacklog()

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

    async def write(self, batch: list[SayRequest]) -> BatchPlan:
        """Store the batch in one transaction; returns its plan (see `BatchPlan.outcomes`)."""
        plan: BatchPlan = await self._submit(batch)
        return plan

    async def index_now(self) -> None:
        """Bring the search index up to every message stored so far (before a search)."""
        if self._backlog.waiting:
            await self._submit(None)

    async def _submit(self, batch: list[SayRequest] | None) -> Any:
        if self._thread is None:
            # One thread of our own, fed by a queue: a hop costs about half of
            # run_in_executor's (no concurrent Future chained to an asyncio one).
            self._loop = asyncio.get_running_loop()
            self._thread = threading.Thread(target=self._serve, name="quanzi-sqlite", daemon=True)
            self._thread.start()
            self._checkpointer = _Checkpointer(self._path, CHECKPOINT_EVERY_S)
        assert self._loop is not None
        future: asyncio.Future[Any] = self._loop.create_future()
        self._jobs.put((batch, future))
        return await future

    def close(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None

    # -- in the writer thread ---------------------------------------------------

    def _serve(self) -> None:
        loop = self._loop
        assert loop is not None
        try:
            while (job := self._next_job()) is not None:
                batch, future = job
                try:
                    result: BatchPlan | None = None
                    if batch is None:
                        self._index()
                    else:
                        result = self._write(batch)
                except BaseException as exc:
                    _settle(loop, future, None, exc)
                else:
                    _settle(loop, future, result, None)
            if self._backlog.waiting:
                try:
                    self._index()
                except sqlite3.Error as exc:
                    # The next start indexes them (chat_groups.indexed_seq).
                    log.warning("filling the search index on close failed: %r", exc)
        finally:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            for pragma in (
                "synchronous=NORMAL",
                f"busy_timeout={BUSY_TIMEOUT_MS}",
                "foreign_keys=ON",
                "wal_autocheckpoint=0",
            ):
                conn.execute(f"PRAGMA {pragma}")
            self._conn = conn
        return self._conn

    def _next_job(self) -> _Job | None:
        """The next job; when chat went quiet with messages waiting for their
        search rows, filling the index comes first (store/search_backlog.py)."""
        while True:
            try:
                return self._jobs.get(timeout=self._backlog.wait_s())
            except queue.Empty:
                try:
                    self._index()
                except sqlite3.Error as exc:
                    # The next batch or search tries again; idle till then.
                    log.warning("filling the search index failed: %r", exc)
                    with contextlib.suppress(queue.Empty):
                        return self._jobs.get(timeout=INDEX_RETRY_S)

    def _index(self) -> None:
        """A transaction that fills the search index with every waiting message."""
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._backlog.fill(conn, [])
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._backlog.filled()

    def _write(self, batch: list[SayRequest]) -> BatchPlan:
        for attempt in range(LOCKED_RETRIES + 1):
            try:
                return self._write_once(batch)
            except sqlite3.OperationalError as exc:
                # Another connection held the write lock past busy_timeout (a write
                # transaction of the engine's whose event loop is starved of CPU, say):
                # rolled back, seqs included; the batch waits its turn again rather
                # than failing every say in it.
                if not _locked(exc) or attempt == LOCKED_RETRIES:
                    raise
                log.warning(
                    "group commit waited out the write lock; trying again (%d)", attempt + 1
                )
        raise AssertionError("unreachable")

    def _write_once(self, batch: list[SayRequest]) -> BatchPlan:
        conn = self._connection()
        if self._careful:
            self._careful -= 1
        else:
            try:
                return self._transaction(conn, batch, careful=False)
            except sqlite3.IntegrityError:
                # A resend (or anything else the constraints refuse): rolled
                # back; the careful way finds the stored messages.
                self._careful = CAREFUL_BATCHES
        plan = self._transaction(conn, batch, careful=True)
        if plan.resent:
            self._careful = CAREFUL_BATCHES
        return plan

    def _transaction(
        self, conn: sqlite3.Connection, batch: list[SayRequest], careful: bool
    ) -> BatchPlan:
        backlog = self._backlog
        fill = False
        conn.execute("BEGIN IMMEDIATE")
        try:
            stored = _stored(conn, list({r.nonce for r in batch})) if careful else {}
            plan = BatchPlan(batch, stored)
            rows = plan.assign(_reserve_seqs(conn, plan.counts()), now_ms())
            if rows:
                conn.executemany(_INSERT, rows)
                if plan.uses:
                    conn.executemany(_INSERT_USES, plan.uses)
                if plan.notes:
                    _insert_notes(conn, plan)
                _queue_for_webhooks(conn, plan.fresh)
            # Their search rows now or with a later batch (store/search_backlog.py).
            fill = backlog.due(len(rows))
            if fill:
                backlog.fill(conn, plan.docs)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if fill:
            backlog.filled()
        else:
            backlog.wait(plan.docs, len(rows))
        return plan


class _Checkpointer:
    """Checkpoints the WAL every `every_s` on a thread and connection of its own."""

    def __init__(self, path: str, every_s: float) -> None:
        self._path = path
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="quanzi-sqlite-checkpoint", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            while not self._stop.wait(self._every_s):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:
                    log.warning("WAL checkpoint failed: %r", exc)
        finally:
            conn.close()


def _locked(exc: sqlite3.OperationalError) -> bool:
    """SQLite's "database is locked" (SQLITE_BUSY) rather than any other failure."""
    code = getattr(exc, "sqlite_errorcode", None)
    return (code & 0xFF) == sqlite3.SQLITE_BUSY if code is not None else "locked" in str(exc)


def _insert_notes(conn: sqlite3.Connection, plan: BatchPlan) -> None:
    """The batch's notifications (mentions, replies) and their ids."""
    last = conn.execute(_LAST_NOTE).fetchone()[0] or 0
    conn.executemany(_INSERT_NOTES, plan.notes)
    ids = [row[0] for row in conn.execute(_NEW_NOTES, (last,))]
    plan.made = [made_record(i, note) for i, note in zip(ids, plan.notes, strict=True)]


def _queue_for_webhooks(conn: sqlite3.Connection, fresh: list[Any]) -> None:
    """The webhooks' outbox rows of the batch's messages (store/webhook_outbox.py)."""
    circles = list({m["circle"] for m in fresh})
    if not circles:
        return
    sql = _HOOKS.format(marks=", ".join("?" * len(circles)))
    hooks = [Hook(*row) for row in conn.execute(sql, circles).fetchall()]
    if hooks:
        conn.executemany(_INSERT_OUTBOX, message_rows(hooks, fresh))


def _settle(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    result: Any,
    exc: BaseException | None,
) -> None:
    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
        loop.call_soon_threadsafe(_resolve, future, result, exc)


def _resolve(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if future.done():  # the writer task was cancelled
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


def _stored(conn: sqlite3.Connection, nonces: list[str]) -> dict[tuple[str, str], Any]:
    stored: dict[tuple[str, str], Any] = {}
    for start in range(0, len(nonces), _CHUNK):
        chunk = nonces[start : start + _CHUNK]
        query = _LOOKUP.format(marks=",".join("?" * len(chunk)))
        for values in conn.execute(query, chunk):
            row = StoredRow(values)
            stored[(row.user_id, row.nonce)] = row
    return stored


def _reserve_seqs(conn: sqlite3.Connection, counts: dict[str, int]) -> dict[str, int]:
    """Bump each group's last_seq by its count; each group's first new seq."""
    if not counts:
        return {}
    ids = list(counts)
    query = _BUMP.format(
        cases=" ".join("WHEN ? THEN ?" for _ in ids), marks=",".join("?" * len(ids))
    )
    params: list[Any] = [v for cid in ids for v in (cid, counts[cid])] + ids
    return {cid: last - counts[cid] + 1 for cid, last in conn.execute(query, params)}
