"""Group commit: the single writer that stores chat messages in batches.

Every ``say`` appends a request with a future to a list and wakes the writer
task if it sleeps. The writer takes every waiting request (up to
``batch_max``) and stores the whole batch in ONE transaction:

1. look the batch's ``(user, nonce)`` pairs up among stored messages, and fold
   duplicates inside the batch onto their first occurrence (idempotent resends);
   SQLite skips the lookup until the unique index refuses a resend (see
   sqlite_writer.py);
2. bump ``chat_groups.last_seq`` by the number of new messages of each group in
   one ``UPDATE … RETURNING`` and hand out consecutive seqs in arrival order;
3. insert every new row with one executemany, their search rows
   (store/search_index.py) with one more, and the notifications of their
   mentions and replies (store/notifications.py) with one more when there are any;
4. commit;
5. call ``on_committed`` with the fresh messages (seq order per group), hand
   the notifications to the database's ``on_notifications``, then resolve the
   futures.

While a transaction runs, new says queue up, so batches grow with the load by
themselves: one commit (and, on SQLite, one WAL append) is shared by up to
``batch_max`` messages. Nothing is published before its commit.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import notifications, search_index, webhook_outbox
from .batch import ROW_COLUMNS, USE_COLUMNS, Addressed, BatchPlan, Outcome, SayRequest
from .engine import Database
from .ids import now_ms
from .models import ATTACHMENT_USES, GROUPS, MESSAGES
from .pg_writer import PgBatchWriter
from .records import Record
from .search_tokens import tokens
from .sqlite_writer import SqliteBatchWriter

log = logging.getLogger(__name__)

OnCommitted = Callable[[list[Record]], None]
# Deadlock and serialization failure (PostgreSQL): another writer's batch got in
# the way; the batch is tried again up to WRITE_RETRIES times.
_RETRYABLE = {"40P01", "40001"}
WRITE_RETRIES = 5
# A unique violation (PostgreSQL), as asyncpg raises it on pg_writer.py's path.
_UNIQUE = "23505"


@dataclass(slots=True)
class CommitStats:
    """Counters of the writer, for metrics and tests."""

    batches: int = 0  # batches taken off the queue
    commits: int = 0  # transactions committed
    failures: int = 0  # transactions that failed (every request in them failed)
    messages: int = 0  # fresh messages stored
    duplicates: int = 0  # requests answered with an already stored message
    max_batch: int = 0  # largest batch so far
    last_seconds: float = 0.0  # duration of the last transaction (metrics read it on commit)


class CommitQueue:
    """The queue of pending says and the writer task that drains it."""

    def __init__(
        self, db: Database, on_committed: OnCommitted | None = None, batch_max: int = 1000
    ) -> None:
        if batch_max < 1:
            raise ValueError("batch_max must be at least 1")
        self._db = db
        self._on_committed = on_committed
        self._batch_max = batch_max
        # A plain list and one wakeup future rather than an asyncio.Queue: the
        # writer takes every waiting request at once, and a say costs an append.
        self._pending: list[SayRequest] = []
        self._wakeup: asyncio.Future[None] | None = None
        # Says queued so far, and says answered so far (committed or failed): a
        # flush waits until the second reaches what the first was when it began.
        self._queued = 0
        self._answered = 0
        self._flushes: list[tuple[int, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.stats = CommitStats()
        # SQLite: the whole batch in one hop to a thread of its own, past the
        # async driver's per-statement round trips (see sqlite_writer.py);
        # PostgreSQL: two statements of array parameters on asyncpg (pg_writer.py).
        self._fast: SqliteBatchWriter | PgBatchWriter | None = SqliteBatchWriter.for_database(
            db
        ) or PgBatchWriter.for_database(db)

    async def index_now(self) -> None:
        """Every message stored so far searchable (the SQLite writer indexes chat in
        larger batches than it stores it: store/search_backlog.py)."""
        if isinstance(self._fast, SqliteBatchWriter):
            await self._fast.index_now()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="quanzi-commit-queue")

    def submit(
        self,
        circle_id: str,
        group_id: str,
        user_id: str,
        author_name: str,
        text: str,
        nonce: str,
        reply_to: int | None,
        attachments: list[Record] | None = None,
        addressed: Addressed | None = None,
        bot: bool = False,
    ) -> asyncio.Future[Outcome]:
        """Queue one message; the future resolves once its batch is committed."""
        task = self._task
        if self._closing or task is None or task.done():
            raise RuntimeError("the store is closed")
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._pending.append(
            SayRequest(
                circle_id,
                group_id,
                user_id,
                author_name,
                text,
                nonce,
                reply_to,
                future,
                attachments or (),
                tokens(text),
                addressed,
                bot,
            )
        )
        self._queued += 1
        self._wake()
        return future

    async def flush(self) -> None:
        """Wait until every say queued so far is committed (or failed); the writer goes on."""
        if self._task is None or self._task.done() or self._answered >= self._queued:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._flushes.append((self._queued, future))
        await asyncio.shield(future)

    async def close(self) -> None:
        """Commit everything already queued, then stop the writer."""
        if self._task is None:
            return
        if not self._closing:
            self._closing = True
            self._wake()
        try:
            await asyncio.shield(self._task)
        finally:
            # Also when the writer stopped on an error; not while it still runs.
            if self._task.done() and self._fast is not None:
                self._fast.close()
                self._fast = None

    def _wake(self) -> None:
        wakeup = self._wakeup
        if wakeup is not None:
            self._wakeup = None
            if not wakeup.done():
                wakeup.set_result(None)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        batch: list[SayRequest] = []
        try:
            while True:
                pending = self._pending
                if not pending:
                    if self._closing:
                        return
                    self._wakeup = loop.create_future()
                    await self._wakeup
                    continue
                if len(pending) <= self._batch_max:
                    batch, self._pending = pending, []
                else:
                    batch = pending[: self._batch_max]
                    del pending[: self._batch_max]
                await self._commit(batch)
                self._answered += len(batch)
                batch = []
                if self._flushes:
                    self._settle_flushes()
        except BaseException as exc:
            # Cancelled (or a bug): nobody may wait forever on a future.
            error = RuntimeError("the store's writer stopped")
            error.__cause__ = exc
            _fail(batch, error)
            _fail(self._pending, error)
            self._pending = []
            self._answered = self._queued
            raise
        finally:
            self._settle_flushes()

    def _settle_flushes(self) -> None:
        waiting = []
        for mark, future in self._flushes:
            if mark > self._answered:
                waiting.append((mark, future))
            elif not future.done():
                future.set_result(None)
        self._flushes = waiting

    async def _commit(self, batch: list[SayRequest]) -> None:
        stats = self.stats
        stats.batches += 1
        if len(batch) > stats.max_batch:
            stats.max_batch = len(batch)
        started = time.perf_counter()
        try:
            plan = await self._write_retrying(batch)
        except Exception as exc:
            stats.failures += 1
            log.exception("group commit of %d messages failed", len(batch))
            _fail(batch, exc)
            return
        stats.commits += 1
        stats.last_seconds = time.perf_counter() - started
        outcomes = plan.outcomes()
        fresh = plan.fresh
        stats.messages += len(fresh)
        stats.duplicates += plan.duplicates
        if fresh and self._on_committed is not None:
            try:
                self._on_committed(fresh)
            except Exception:
                # The messages are stored; a failing subscriber must not un-ack them.
                log.exception("on_committed failed for %d messages", len(fresh))
        if plan.made:
            # The mentions' and replies' notifications, after their messages.
            self._db.told_notifications(plan.made)
        for request, outcome in zip(batch, outcomes, strict=True):
            future = request.future
            if future.done():
                continue
            if isinstance(outcome, tuple):
                future.set_result(outcome)
            else:
                future.set_exception(outcome)

    async def _write_retrying(self, batch: list[SayRequest]) -> BatchPlan:
        """`_write`, again when another writer process got in the way (several
        nodes on PostgreSQL); the failed attempt rolled back, seqs included."""
        unique_retried = False
        attempt = 0
        while True:
            try:
                return await self._write(batch)
            except Exception as exc:
                # SQLAlchemy wraps the driver's error; pg_writer.py meets asyncpg's own.
                code = getattr(exc, "sqlstate", None) or getattr(
                    getattr(exc, "orig", None), "sqlstate", None
                )
                if isinstance(exc, IntegrityError) or code == _UNIQUE:
                    # Another process stored one of these nonces between our lookup
                    # and our insert: the second lookup finds it.
                    if unique_retried:
                        raise
                    unique_retried = True
                    log.info("group commit hit a unique constraint; retrying the batch once")
                    continue
                if code not in _RETRYABLE or attempt >= WRITE_RETRIES:
                    raise
                attempt += 1
                log.warning("group commit hit %s; retrying (attempt %d)", code, attempt)
                await asyncio.sleep(random.uniform(0.001, 0.01) * 2**attempt)

    async def _write(self, batch: list[SayRequest]) -> BatchPlan:
        if self._fast is not None:
            return await self._fast.write(batch)
        async with self._db.write() as conn:
            plan = BatchPlan(batch, await _stored(conn, {r.nonce for r in batch}))
            next_seq = await _reserve_seqs(conn, plan.counts())
            rows = plan.assign(next_seq, now_ms())
            if rows:
                await conn.execute(
                    MESSAGES.insert(), [dict(zip(ROW_COLUMNS, r, strict=True)) for r in rows]
                )
            if plan.uses:
                await conn.execute(
                    ATTACHMENT_USES.insert(),
                    [dict(zip(USE_COLUMNS, u, strict=True)) for u in plan.uses],
                )
            # Their search rows, in the same transaction (one statement).
            await search_index.add(conn, plan.docs)
            # Their notifications (mentions, replies): one more, when there are any.
            plan.made = await notifications.insert(conn, plan.notes)
            # And the webhooks' outbox rows (a look-up and an insert a batch).
            await webhook_outbox.follow_messages(conn, plan.fresh)
        return plan


async def _stored(conn: AsyncConnection, nonces: set[str]) -> dict[tuple[str, str], Any]:
    """Stored messages carrying any of these nonces, by (user, nonce)."""
    query = select(
        MESSAGES.c.group_id,
        MESSAGES.c.seq,
        MESSAGES.c.ts,
        MESSAGES.c.user_id,
        MESSAGES.c.text,
        MESSAGES.c.nonce,
        MESSAGES.c.reply_to,
        MESSAGES.c.attachments,
        MESSAGES.c.deleted,
        MESSAGES.c.edited,
    ).where(MESSAGES.c.nonce.in_(nonces))
    return {(row.user_id, row.nonce): row for row in await conn.execute(query)}


async def _reserve_seqs(conn: AsyncConnection, counts: dict[str, int]) -> dict[str, int]:
    """Bump each group's last_seq by its count; return each group's first new seq.

    One statement for the whole batch. Groups that do not exist are absent.
    """
    if not counts:
        return {}
    if len(counts) > 1 and conn.dialect.name == "postgresql":
        # Lock the rows in one order (by id) for every writer: a multi-row UPDATE
        # locks in scan order, which two nodes' batches may see differently.
        await conn.execute(
            select(GROUPS.c.id)
            .where(GROUPS.c.id.in_(list(counts)))
            .order_by(GROUPS.c.id)
            .with_for_update(key_share=True)
        )
    bump = case({group_id: n for group_id, n in counts.items()}, value=GROUPS.c.id, else_=0)
    result = await conn.execute(
        update(GROUPS)
        .where(GROUPS.c.id.in_(list(counts)))
        .values(last_seq=GROUPS.c.last_seq + bump)
        .returning(GROUPS.c.id, GROUPS.c.last_seq)
    )
    return {row.id: row.last_seq - counts[row.id] + 1 for row in result}


def _fail(batch: list[SayRequest], error: BaseException) -> None:
    for request in batch:
        if not request.future.done():
            request.future.set_exception(error)
