"""Retention: chat is the scroll. Per circle, keep the last ``retention_messages``
messages and those younger than ``retention_days``; prune the rest.

Pruning runs in the background in small batches: each transaction deletes at
most ``batch`` messages (on SQLite the write lock is the whole database's, and
chat's group commit must not wait behind a long delete), and the loop yields to
the event loop between batches. It deletes the oldest messages first, a prefix
of the circle's seqs, so ``Chat.first_seq`` is the oldest kept message and the
gap a late ``join`` gets is exact. Stars and vetoes of pruned messages go with
them. Posts are never touched: a promoted post carries its source with it.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import delete, select

from . import attachment_uses, search_index, validation
from .engine import Service
from .ids import now_ms
from .models import CIRCLES, GROUPS, MESSAGES, REACTIONS, STARS, VETOES

log = logging.getLogger(__name__)

DAY_MS = 86_400_000
BATCH_MAX = 10_000


class Retention(Service):
    """The pruner (the server runs ``prune`` periodically)."""

    async def prune(self, batch: int = 500) -> int:
        """Delete the chat messages past their circle's retention (in each of its
        groups), ``batch`` rows per transaction; returns how many were deleted."""
        batch = validation.integer(batch, "batch", 1, BATCH_MAX)
        now = now_ms()
        query = (
            select(
                GROUPS.c.id,
                GROUPS.c.last_seq,
                CIRCLES.c.retention_messages,
                CIRCLES.c.retention_days,
            )
            .join(CIRCLES, CIRCLES.c.id == GROUPS.c.circle_id)
            .where(GROUPS.c.last_seq > 0)
        )
        async with self._db.read() as conn:
            groups = (await conn.execute(query)).all()
        total = 0
        for group in groups:
            keep_after_seq = group.last_seq - group.retention_messages
            keep_from_ts = now - group.retention_days * DAY_MS
            while True:
                pruned = await self._prune_batch(group.id, keep_after_seq, keep_from_ts, batch)
                total += pruned
                await asyncio.sleep(0)
                if pruned < batch:
                    break
        if total:
            log.info("retention pruned %d chat messages", total)
        return total

    async def _prune_batch(
        self, group_id: str, keep_after_seq: int, keep_from_ts: int, batch: int
    ) -> int:
        """Delete the longest run of the group's oldest (at most ``batch``) messages
        that are past retention: by count (seq ≤ keep_after_seq) or by age."""
        oldest = (
            select(MESSAGES.c.seq, MESSAGES.c.ts)
            .where(MESSAGES.c.group_id == group_id)
            .order_by(MESSAGES.c.seq)
            .limit(batch)
        )
        # Read outside the write transaction: only the pruner deletes messages and
        # new ones arrive at the far end, so the run stays valid; the write lock is
        # held just for the delete.
        async with self._db.read() as conn:
            rows = (await conn.execute(oldest)).all()
        last_pruned = None
        for row in rows:
            if row.seq > keep_after_seq and row.ts >= keep_from_ts:
                break
            last_pruned = row.seq
        if last_pruned is None:
            return 0
        async with self._db.write() as conn:
            result = await conn.execute(
                delete(MESSAGES).where(
                    MESSAGES.c.group_id == group_id, MESSAGES.c.seq <= last_pruned
                )
            )
            # Their attachments' uses go too (`Attachments.collect` frees the blobs).
            await attachment_uses.release(conn, [group_id], last_pruned)
            await search_index.remove_messages_through(conn, group_id, last_pruned)
            for table in (STARS, VETOES):
                await conn.execute(
                    delete(table).where(table.c.group_id == group_id, table.c.seq <= last_pruned)
                )
            # A message's reactions go with it (seq 0 is a post's, never pruned here).
            await conn.execute(
                delete(REACTIONS).where(
                    REACTIONS.c.target == group_id,
                    REACTIONS.c.seq > 0,
                    REACTIONS.c.seq <= last_pruned,
                )
            )
        return int(result.rowcount)
