"""Retention: chat is pruned by count and by age, in small batches; posts stay."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select, update

from store import Invalid, Store
from store.ids import new_id, now_ms
from store.models import MESSAGES, STARS
from store.retention import DAY_MS

Record = dict[str, Any]
Say = Callable[..., Awaitable[int]]


async def say_many(store: Store, circle_id: str, user: Record, n: int) -> None:
    """n messages through the group commit (they batch up)."""
    await asyncio.gather(
        *(store.chat.say(circle_id, user["id"], user["name"], f"m{i}", new_id()) for i in range(n))
    )


async def test_prune_by_count_keeps_the_promoted_post(
    store: Store, circle: Record, alice: Record, bob: Record, say: Say
) -> None:
    await store.memberships.join(circle["id"], bob["id"])
    await store.circles.update(circle["id"], alice["id"], {"retention_messages": 100})
    first = await say(circle["id"], bob, "worth keeping")
    _, post, _ = await store.stars.star(circle["id"], first, alice["id"])
    assert post is not None
    await say_many(store, circle["id"], alice, 129)
    assert await store.chat.first_seq(circle["id"]) == 1

    assert await store.retention.prune(batch=500) == 30
    assert await store.chat.first_seq(circle["id"]) == 31
    assert await store.chat.last_seq(circle["id"]) == 130
    messages, more = await store.chat.history(circle["id"], limit=1000)
    assert len(messages) == 100 and more is False
    # Stars of pruned messages go with them.
    async with store.db.read() as conn:
        assert (await conn.execute(select(STARS.c.seq))).all() == []
    # The post and its source outlive the message.
    kept = await store.posts.get(post["id"], bob["id"])
    assert kept == post
    assert kept["source"] == {
        "group": circle["id"],
        "seq": first,
        "ts": post["source"]["ts"],
        "from": {"id": bob["id"], "name": "Bob"},
        "text": "worth keeping",
    }
    # Nothing more to do: a second pass prunes nothing.
    assert await store.retention.prune() == 0


async def test_prune_by_age(store: Store, circle: Record, alice: Record) -> None:
    await store.circles.update(circle["id"], alice["id"], {"retention_days": 1})
    await say_many(store, circle["id"], alice, 20)
    # Age the first 12 messages past the circle's one day.
    async with store.db.write() as conn:
        await conn.execute(
            update(MESSAGES)
            .where(MESSAGES.c.group_id == circle["id"], MESSAGES.c.seq <= 12)
            .values(ts=now_ms() - DAY_MS - 1000)
        )
    assert await store.retention.prune() == 12
    assert await store.chat.first_seq(circle["id"]) == 13
    # When every message is past its age, none are kept: first_seq is None (all a gap).
    async with store.db.write() as conn:
        await conn.execute(update(MESSAGES).values(ts=now_ms() - 2 * DAY_MS))
    assert await store.retention.prune() == 8
    assert await store.chat.first_seq(circle["id"]) is None
    assert await store.chat.last_seq(circle["id"]) == 20


async def test_prune_works_in_small_batches(
    store: Store, circle: Record, alice: Record, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.circles.update(circle["id"], alice["id"], {"retention_messages": 100})
    await say_many(store, circle["id"], alice, 137)
    other = await store.circles.create(alice["id"], "Quiet", "community", "public")
    await say_many(store, other["id"], alice, 3)

    batches: list[int] = []
    original = store.retention._prune_batch

    async def spy(*args: Any) -> int:
        deleted = await original(*args)
        batches.append(deleted)
        return deleted

    monkeypatch.setattr(store.retention, "_prune_batch", spy)
    assert await store.retention.prune(batch=8) == 37
    assert max(batches) <= 8 and batches[:4] == [8, 8, 8, 8] and sum(batches) == 37
    assert await store.chat.first_seq(circle["id"]) == 38
    assert await store.chat.first_seq(other["id"]) == 1
    with pytest.raises(Invalid):
        await store.retention.prune(batch=0)


async def test_prune_does_not_block_chat(store: Store, circle: Record, alice: Record) -> None:
    """Says go on between the pruner's batches."""
    await store.circles.update(circle["id"], alice["id"], {"retention_messages": 100})
    await say_many(store, circle["id"], alice, 300)
    pruning = asyncio.create_task(store.retention.prune(batch=10))
    message, _ = await store.chat.say(circle["id"], alice["id"], "Alice", "still here", "late")
    assert not pruning.done()
    pruned = await pruning
    # The late message may land before the last batch's cutoff is read: then
    # the window (last 100) has moved by one.
    assert pruned in (200, 201)
    assert message["seq"] == 301
    assert await store.chat.first_seq(circle["id"]) == pruned + 1
