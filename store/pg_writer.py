"""Group commit on PostgreSQL: a whole batch in two statements on asyncpg.

Through SQLAlchemy a batch cost a statement per table, each compiled and each
an executemany (a round trip per row on the server's side), and the resend
look-up (``nonce IN (…)``) turned into a scan of the whole messages table
whenever the planner thought it small. Here, on the raw asyncpg connection of
a pooled engine connection, a batch is one transaction of two prepared
statements whose rows travel as arrays (``unnest``):

1. `_BUMP`: lock the batch's chat groups in id order (two nodes' batches
   never deadlock), move each ``last_seq`` by the group's count, and return the
   first new seq of each group, with the enabled webhooks of the batch's
   circles beside them (``UNION ALL``: one round trip);
2. `_INSERT`: the messages, their search rows, attachment uses, webhook
   outbox rows and notifications (``RETURNING`` their ids), one ``INSERT …
   SELECT FROM unnest(…)`` each, chained as data-modifying CTEs of one
   statement.

Resends are rare, so, as on SQLite (sqlite_writer.py), a batch first goes in
without looking its nonces up: the unique index on ``(nonce, user_id)``
refuses a resent one, the transaction rolls back (seqs included) and the batch
is stored again the careful way, nonces looked up first (one join against the
batch's pairs, which the index answers). After a resend the writer stays
careful for a while.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from .batch import CAREFUL_BATCHES, BatchPlan, SayRequest, StoredRow
from .engine import Database
from .ids import now_ms
from .notifications import made_record
from .webhook_outbox import Hook, message_rows

_BUMP = """
WITH locked AS MATERIALIZED (
    SELECT id FROM chat_groups WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE
), bumped AS (
    UPDATE chat_groups g SET last_seq = g.last_seq + c.n
    FROM unnest($1::text[], $2::bigint[]) AS c(id, n)
    WHERE g.id = c.id AND g.id IN (SELECT id FROM locked)
    RETURNING g.id, g.last_seq - c.n + 1 AS first
)
SELECT id, first, NULL::text AS circle_id, NULL::text AS events FROM bumped
UNION ALL
SELECT id, NULL, circle_id, events FROM webhooks
WHERE disabled IS NULL AND circle_id = ANY($3::text[])
"""

_INSERT = """
WITH m AS (
    INSERT INTO messages
        (group_id, seq, user_id, ts, text, nonce, reply_to, attachments, mentions)
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[],
        $6::text[], $7::bigint[], $8::text[], $9::text[])
), d AS (
    INSERT INTO search_docs (circle_id, kind, ref, seq, post_id, user_id, ts, body, tokens)
    SELECT * FROM unnest($10::text[], $11::text[], $12::text[], $13::bigint[], $14::text[],
        $15::text[], $16::bigint[], $17::text[], $18::text[])
), u AS (
    INSERT INTO attachment_uses (owner, seq, position, attachment_id)
    SELECT * FROM unnest($19::text[], $20::bigint[], $21::int[], $22::text[])
), o AS (
    INSERT INTO webhook_deliveries
        (id, webhook_id, circle_id, event, body, created, state, next_at, attempts, claimed_until)
    SELECT *, 0, 0 FROM unnest($23::text[], $24::text[], $25::text[], $26::text[], $27::text[],
        $28::bigint[], $29::text[], $30::bigint[])
)
INSERT INTO notifications (user_id, circle_id, actor_id, kind, about, created)
SELECT * FROM unnest($31::text[], $32::text[], $33::text[], $34::text[], $35::text[],
    $36::bigint[])
RETURNING id
"""

_LOOKUP = """
SELECT m.group_id, m.seq, m.ts, m.user_id, m.text, m.nonce, m.reply_to, m.attachments,
    m.deleted, m.edited
FROM unnest($1::text[], $2::text[]) AS k(nonce, user_id)
JOIN messages m ON m.nonce = k.nonce AND m.user_id = k.user_id
"""

# Columns per table in `_INSERT`'s parameters (messages, docs, uses, outbox, notes).
_WIDTHS = (9, 9, 4, 8, 6)


class PgBatchWriter:
    """Stores batches on PostgreSQL through the engine's pool (see the module)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # Batches left to store the careful way (see CAREFUL_BATCHES).
        self._careful = 0

    @classmethod
    def for_database(cls, db: Database) -> PgBatchWriter | None:
        """A writer for a PostgreSQL database on asyncpg; None for anything else."""
        if db.dialect != "postgresql" or db.engine.dialect.driver != "asyncpg":
            return None
        return cls(db)

    def close(self) -> None:
        """Nothing of its own to close: its connections are the engine's."""

    async def write(self, batch: list[SayRequest]) -> BatchPlan:
        """Store the batch in one transaction; returns its plan (see `BatchPlan.outcomes`)."""
        async with self._connection() as conn:
            if self._careful:
                self._careful -= 1
            else:
                try:
                    return await _transaction(conn, batch, careful=False)
                except _unique_violation():
                    # A resend (or another node's insert of the same nonce): rolled
                    # back; the careful way finds the stored messages.
                    self._careful = CAREFUL_BATCHES
            plan = await _transaction(conn, batch, careful=True)
            if plan.resent:
                self._careful = CAREFUL_BATCHES
            return plan

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[Any]:
        """The asyncpg connection under a pooled engine connection."""
        async with self._db.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            yield raw.driver_connection


def _unique_violation() -> type[Exception]:
    import asyncpg

    return asyncpg.UniqueViolationError


async def _transaction(conn: Any, batch: list[SayRequest], careful: bool) -> BatchPlan:
    async with conn.transaction():
        stored = await _stored(conn, batch) if careful else {}
        plan = BatchPlan(batch, stored)
        counts = plan.counts()
        if not counts:
            return plan
        circles = list({batch[i].circle_id for i in plan.new})
        next_seq, hooks = await _reserve_seqs(conn, counts, circles)
        rows = plan.assign(next_seq, now_ms())
        if rows:
            outbox = message_rows(hooks, plan.fresh) if hooks else []
            ids = await conn.fetch(
                _INSERT,
                *_columns(rows, _WIDTHS[0]),
                *_columns(plan.docs, _WIDTHS[1]),
                *_columns(plan.uses, _WIDTHS[2]),
                *_columns(outbox, _WIDTHS[3]),
                *_columns(plan.notes, _WIDTHS[4]),
            )
            if plan.notes:
                # One statement's ids come from the sequence in insertion order.
                made = sorted(row[0] for row in ids)
                plan.made = [made_record(i, n) for i, n in zip(made, plan.notes, strict=True)]
    return plan


async def _reserve_seqs(
    conn: Any, counts: dict[str, int], circles: list[str]
) -> tuple[dict[str, int], list[Hook]]:
    """Bump each group's last_seq by its count: each group's first new seq (groups
    that do not exist are absent), and the enabled webhooks of ``circles``."""
    next_seq: dict[str, int] = {}
    hooks: list[Hook] = []
    for row in await conn.fetch(_BUMP, list(counts), list(counts.values()), circles):
        if row[2] is None:
            next_seq[row[0]] = row[1]
        else:
            hooks.append(Hook(row[0], row[2], row[3]))
    return next_seq, hooks


def _columns(rows: list[Any], width: int) -> list[list[Any]]:
    """Rows as one list per column (the arrays `unnest` takes)."""
    if not rows:
        return [[] for _ in range(width)]
    return [list(column) for column in zip(*rows, strict=True)]


async def _stored(conn: Any, batch: list[SayRequest]) -> dict[tuple[str, str], Any]:
    """Stored messages carrying any of the batch's (user, nonce) pairs."""
    pairs = list({(r.nonce, r.user_id) for r in batch})
    found = await conn.fetch(_LOOKUP, [p[0] for p in pairs], [p[1] for p in pairs])
    return {(row["user_id"], row["nonce"]): StoredRow(tuple(row)) for row in found}
