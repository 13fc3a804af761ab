"""The group-commit writer: seqs, idempotency, batching, callbacks, durability."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import store.commit_queue as commit_queue
import store.pg_writer as pg_writer
import store.sqlite_writer as sqlite_writer
from store import NotFound, Store
from store.models import MESSAGES
from tests import timing

from .conftest import sqlite_url

Record = dict[str, Any]
NewUser = Callable[..., Awaitable[Record]]


async def stored_count(store: Store) -> int:
    async with store.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(MESSAGES))).scalar_one())


async def test_seqs_under_concurrent_writers(
    store: Store, new_user: NewUser, alice: Record, committed: list[Record]
) -> None:
    circles = [
        await store.circles.create(alice["id"], f"C{i}", "community", "public") for i in range(2)
    ]
    users = [await new_user(f"writer{i}") for i in range(20)]

    async def writer(k: int) -> list[Record]:
        sent = []
        for i in range(50):
            circle = circles[(k + i) % 2]
            message, fresh = await store.chat.say(
                circle["id"], users[k]["id"], users[k]["name"], f"{k}:{i}", f"{k}-{i}"
            )
            assert fresh
            sent.append(message)
        return sent

    results = await asyncio.gather(*(writer(k) for k in range(20)))
    for circle in circles:
        acked = sorted(m["seq"] for sent in results for m in sent if m["circle"] == circle["id"])
        assert acked == list(range(1, 501))
        stored = [m["seq"] for m in await store.chat.after(circle["id"], 0, 1000)]
        assert stored == list(range(1, 501))
        assert await store.chat.last_seq(circle["id"]) == 500
        # Each writer's own messages keep their order.
        for k in range(20):
            mine = [m["seq"] for m in results[k] if m["circle"] == circle["id"]]
            assert mine == sorted(mine)
    assert len(committed) == 1000


async def test_resend_with_a_known_nonce_stores_nothing(
    store: Store, alice: Record, bob: Record, circle: Record, committed: list[Record]
) -> None:
    first, fresh = await store.chat.say(circle["id"], alice["id"], "Alice", "hello", "n1")
    assert fresh is True
    again, fresh = await store.chat.say(circle["id"], alice["id"], "Alice", "hello", "n1")
    assert fresh is False and again == first
    assert await stored_count(store) == 1
    assert await store.chat.last_seq(circle["id"]) == 1
    assert committed == [first]
    # The nonce is per user: bob's "n1" is a different message.
    await store.memberships.join(circle["id"], bob["id"])
    theirs, fresh = await store.chat.say(circle["id"], bob["id"], "Bob", "hi", "n1")
    assert fresh is True and theirs["seq"] == 2


async def test_duplicates_inside_one_batch(
    store: Store, alice: Record, circle: Record, committed: list[Record]
) -> None:
    batches_before = store.chat.stats.batches
    results = await asyncio.gather(
        *(store.chat.say(circle["id"], alice["id"], "Alice", "hi", f"n{i % 3}") for i in range(9))
    )
    assert store.chat.stats.batches == batches_before + 1
    assert [fresh for _, fresh in results] == [True] * 3 + [False] * 6
    for i, (message, _) in enumerate(results):
        assert message == results[i % 3][0]
    assert sorted(m["seq"] for m in committed) == [1, 2, 3]
    assert await stored_count(store) == 3
    assert store.chat.stats.duplicates == 6


async def test_group_commit_batches_concurrent_says(
    store: Store, alice: Record, circle: Record
) -> None:
    before = store.chat.stats.commits
    results = await asyncio.gather(
        *(store.chat.say(circle["id"], alice["id"], "Alice", f"m{i}", f"n{i}") for i in range(500))
    )
    commits = store.chat.stats.commits - before
    assert commits < 50
    assert store.chat.stats.max_batch > 10
    assert sorted(m["seq"] for m, _ in results) == list(range(1, 501))


async def test_batch_max_is_respected(store_url: str) -> None:
    s = await Store.open(store_url, batch_max=10, password_time_cost=1)
    try:
        _, user = await s.accounts.signup("alice", "correct horse", "Alice")
        circle = await s.circles.create(user["id"], "C", "community", "public")
        await asyncio.gather(
            *(s.chat.say(circle["id"], user["id"], "Alice", "m", f"n{i}") for i in range(100))
        )
        assert s.chat.stats.max_batch == 10
        assert s.chat.stats.commits >= 10
    finally:
        await s.close()


async def test_on_committed_gets_fresh_messages_in_seq_order_after_commit(
    db_path: Path,
) -> None:
    calls: list[list[Record]] = []

    def on_committed(messages: list[Record]) -> None:
        # Nothing is published before its commit: another connection sees it all.
        with sqlite3.connect(db_path) as other:
            seqs = {
                (c, s) for c, s in other.execute("SELECT group_id, seq FROM messages").fetchall()
            }
        assert {(m["circle"], m["seq"]) for m in messages} <= seqs
        calls.append(messages)

    s = await Store.open(sqlite_url(db_path), on_committed=on_committed, password_time_cost=1)
    try:
        _, user = await s.accounts.signup("alice", "correct horse", "Alice")
        circles = [
            await s.circles.create(user["id"], f"C{i}", "community", "public") for i in range(3)
        ]

        def say(i: int) -> Awaitable[tuple[Record, bool]]:
            return s.chat.say(circles[i % 3]["id"], user["id"], "Alice", "m", f"n{i % 40}")

        await asyncio.gather(*(say(i) for i in range(60)))
        await asyncio.gather(*(say(i) for i in range(60)))  # all resends
    finally:
        await s.close()

    assert calls and all(calls)
    delivered = [m for batch in calls for m in batch]
    assert len(delivered) == 40  # never a duplicate
    for circle in circles:
        seqs = [m["seq"] for m in delivered if m["circle"] == circle["id"]]
        assert seqs == list(range(1, len(seqs) + 1))


async def test_on_committed_runs_before_any_future_resolves(
    store: Store, alice: Record, circle: Record
) -> None:
    queue = store._commit_queue
    loop = asyncio.get_running_loop()
    batch = [
        commit_queue.SayRequest(
            circle["id"], circle["id"], alice["id"], "Alice", "m", n, None, loop.create_future()
        )
        for n in ["a", "b", "a"]
    ]
    seen: list[bool] = []

    def on_committed(messages: list[Record]) -> None:
        seen.extend(request.future.done() for request in batch)

    queue._on_committed = on_committed
    await queue._commit(batch)
    assert seen == [False, False, False]
    assert [r.future.result()[0]["seq"] for r in batch] == [1, 2, 1]
    assert [r.future.result()[1] for r in batch] == [True, True, False]


async def test_on_committed_failure_does_not_fail_says(store_url: str) -> None:
    def broken(messages: list[Record]) -> None:
        raise RuntimeError("subscriber down")

    s = await Store.open(store_url, on_committed=broken, password_time_cost=1)
    try:
        _, user = await s.accounts.signup("alice", "correct horse", "Alice")
        circle = await s.circles.create(user["id"], "C", "community", "public")
        message, fresh = await s.chat.say(circle["id"], user["id"], "Alice", "m", "n")
        assert fresh and message["seq"] == 1
    finally:
        await s.close()


async def test_unknown_circle_fails_alone(store: Store, alice: Record, circle: Record) -> None:
    batches_before = store.chat.stats.batches
    results = await asyncio.gather(
        store.chat.say(circle["id"], alice["id"], "Alice", "a", "n1"),
        store.chat.say("missing", alice["id"], "Alice", "b", "n2"),
        store.chat.say(circle["id"], alice["id"], "Alice", "c", "n3"),
        return_exceptions=True,
    )
    assert store.chat.stats.batches == batches_before + 1
    assert isinstance(results[1], NotFound)
    assert [r[0]["seq"] for r in (results[0], results[2]) if isinstance(r, tuple)] == [1, 2]


async def test_failed_transaction_fails_the_batch_and_the_writer_goes_on(
    store: Store, alice: Record, circle: Record, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any) -> Any:
        raise RuntimeError("disk on fire")

    def broken_sync(*args: Any) -> Any:
        raise RuntimeError("disk on fire")

    # Every writer: the engine's, PostgreSQL's on asyncpg and SQLite's own thread.
    monkeypatch.setattr(commit_queue, "_reserve_seqs", broken)
    monkeypatch.setattr(pg_writer, "_reserve_seqs", broken)
    monkeypatch.setattr(sqlite_writer, "_reserve_seqs", broken_sync)
    results = await asyncio.gather(
        *(store.chat.say(circle["id"], alice["id"], "Alice", "m", f"n{i}") for i in range(5)),
        return_exceptions=True,
    )
    assert all(isinstance(r, RuntimeError) and "disk on fire" in str(r) for r in results)
    assert store.chat.stats.failures == 1
    assert await stored_count(store) == 0

    monkeypatch.undo()
    message, fresh = await store.chat.say(circle["id"], alice["id"], "Alice", "m", "n0")
    assert fresh and message["seq"] == 1
    assert await store.chat.last_seq(circle["id"]) == 1


async def test_durable_across_restart(store_url: str) -> None:
    s = await Store.open(store_url, password_time_cost=1)
    _, user = await s.accounts.signup("alice", "correct horse", "Alice")
    circle = await s.circles.create(user["id"], "C", "community", "public")
    for i in range(5):
        await s.chat.say(circle["id"], user["id"], "Alice", f"m{i}", f"n{i}")
    before, _ = await s.chat.history(circle["id"])
    await s.close()

    s = await Store.open(store_url, password_time_cost=1)
    try:
        after, more = await s.chat.history(circle["id"])
        assert after == before and more is False
        message, fresh = await s.chat.say(circle["id"], user["id"], "Alice", "again", "n5")
        assert fresh and message["seq"] == 6
        # Idempotency survives the restart too.
        old, fresh = await s.chat.say(circle["id"], user["id"], "Alice", "m0", "n0")
        assert not fresh and old == before[0]
        token, _ = await s.accounts.login("alice", "correct horse")
        assert (await s.accounts.authenticate(token))["id"] == user["id"]
    finally:
        await s.close()


async def test_close_commits_what_is_queued(store_url: str) -> None:
    s = await Store.open(store_url, password_time_cost=1)
    _, user = await s.accounts.signup("alice", "correct horse", "Alice")
    circle = await s.circles.create(user["id"], "C", "community", "public")
    tasks = [
        asyncio.create_task(s.chat.say(circle["id"], user["id"], "Alice", "m", f"n{i}"))
        for i in range(300)
    ]
    await asyncio.sleep(0)  # every say is queued, few (if any) committed
    await s.close()
    assert all(task.done() for task in tasks)
    assert sorted(task.result()[0]["seq"] for task in tasks) == list(range(1, 301))
    with pytest.raises(RuntimeError):
        await s.chat.say(circle["id"], user["id"], "Alice", "late", "late")

    s = await Store.open(store_url, password_time_cost=1)
    try:
        assert await s.chat.last_seq(circle["id"]) == 300
        assert len(await s.chat.after(circle["id"], 0, 1000)) == 300
    finally:
        await s.close()


async def test_two_writers_on_one_database(store_url: str) -> None:
    """Two stores on one database (two processes, say) still hand out unique seqs."""
    first = await Store.open(store_url, password_time_cost=1)
    second = await Store.open(store_url, password_time_cost=1)
    try:
        _, user = await first.accounts.signup("alice", "correct horse", "Alice")
        circle = await first.circles.create(user["id"], "C", "community", "public")

        async def writer(s: Store, tag: str) -> list[int]:
            seqs = []
            for i in range(40):
                message, _ = await s.chat.say(circle["id"], user["id"], "Alice", "m", f"{tag}{i}")
                seqs.append(message["seq"])
            return seqs

        results = await asyncio.gather(
            *(writer(first, f"a{k}-") for k in range(5)),
            *(writer(second, f"b{k}-") for k in range(5)),
        )
        assert sorted(seq for seqs in results for seq in seqs) == list(range(1, 401))
        assert await second.chat.last_seq(circle["id"]) == 400
    finally:
        await second.close()
        await first.close()


async def test_flush_waits_for_queued_says_and_keeps_the_writer(
    store: Store, alice: Record, circle: Record
) -> None:
    tasks = [
        asyncio.create_task(store.chat.say(circle["id"], alice["id"], "Alice", "m", f"n{i}"))
        for i in range(200)
    ]
    await asyncio.sleep(0)
    await store.chat.flush()
    assert await stored_count(store) == 200
    await asyncio.gather(*tasks)
    message, fresh = await store.chat.say(circle["id"], alice["id"], "Alice", "m", "after")
    assert fresh and message["seq"] == 201
    await store.chat.flush()  # nothing queued: returns at once


async def test_a_resend_in_a_batch_of_new_messages(
    store: Store, alice: Record, circle: Record, committed: list[Record]
) -> None:
    first, _ = await store.chat.say(circle["id"], alice["id"], "Alice", "a", "n1")
    batches, duplicates = store.chat.stats.batches, store.chat.stats.duplicates
    results = await asyncio.gather(
        store.chat.say(circle["id"], alice["id"], "Alice", "b", "n2"),
        store.chat.say(circle["id"], alice["id"], "Alice Again", "a", "n1"),
        store.chat.say(circle["id"], alice["id"], "Alice", "c", "n3"),
        store.chat.say(circle["id"], alice["id"], "Alice", "b", "n2"),
    )
    assert store.chat.stats.batches == batches + 1
    assert store.chat.stats.failures == 0
    assert [fresh for _, fresh in results] == [True, False, True, False]
    (second, _), (again, _), (third, _), (repeat, _) = results
    # The resend carries its own author name; the rest is the stored message.
    assert again == {**first, "from": {"id": alice["id"], "name": "Alice Again"}}
    assert (second["seq"], third["seq"]) == (2, 3)
    assert repeat == second
    assert store.chat.stats.duplicates == duplicates + 2
    # The seqs of a rolled-back attempt are not lost: no gap, nothing twice.
    assert committed == [first, second, third]
    assert [m["seq"] for m in await store.chat.after(circle["id"], 0, 10)] == [1, 2, 3]
    assert await store.chat.last_seq(circle["id"]) == 3


async def test_sqlite_writer_looks_nonces_up_only_after_a_resend(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookups: list[int] = []
    stored = sqlite_writer._stored

    def counting(conn: sqlite3.Connection, nonces: list[str]) -> dict[tuple[str, str], Any]:
        lookups.append(len(nonces))
        return stored(conn, nonces)

    monkeypatch.setattr(sqlite_writer, "_stored", counting)
    monkeypatch.setattr(sqlite_writer, "CAREFUL_BATCHES", 2)
    s = await Store.open(sqlite_url(db_path), password_time_cost=1)
    try:
        _, user = await s.accounts.signup("alice", "correct horse", "Alice")
        circle = await s.circles.create(user["id"], "C", "community", "public")

        async def say(text: str, nonce: str) -> tuple[Record, bool]:
            return await s.chat.say(circle["id"], user["id"], "Alice", text, nonce)

        first, fresh = await say("a", "n1")
        assert fresh and lookups == []
        again, fresh = await say("a", "n1")  # refused by the unique index, then looked up
        assert not fresh and again == first and lookups == [1]
        for seq, nonce in [(2, "n2"), (3, "n3")]:  # careful for CAREFUL_BATCHES batches
            message, fresh = await say("b", nonce)
            assert fresh and message["seq"] == seq
        assert lookups == [1, 1, 1]
        message, fresh = await say("c", "n4")  # then straight in again
        assert fresh and message["seq"] == 4 and lookups == [1, 1, 1]
        assert s.chat.stats.failures == 0 and s.chat.stats.duplicates == 1
    finally:
        await s.close()


async def test_flush_over_several_batches(store_url: str) -> None:
    s = await Store.open(store_url, batch_max=10, password_time_cost=1)
    try:
        _, user = await s.accounts.signup("alice", "correct horse", "Alice")
        circle = await s.circles.create(user["id"], "C", "community", "public")
        futures = [
            s.chat.enqueue(circle["id"], user["id"], "Alice", "m", f"n{i}") for i in range(55)
        ]
        await s.chat.flush()
        assert all(future.done() for future in futures)
        assert sorted(future.result()[0]["seq"] for future in futures) == list(range(1, 56))
        assert s.chat.stats.batches >= 6
        await s.chat.flush()  # nothing queued: returns at once
    finally:
        await s.close()


async def test_a_writer_that_stops_fails_every_queued_say(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = await Store.open(store_url, batch_max=2, password_time_cost=1)
    _, user = await s.accounts.signup("alice", "correct horse", "Alice")
    circle = await s.circles.create(user["id"], "C", "community", "public")

    async def bug(batch: list[Any]) -> None:
        raise KeyError("a bug in the writer")

    monkeypatch.setattr(s._commit_queue, "_commit", bug)
    futures = [s.chat.enqueue(circle["id"], user["id"], "Alice", "m", f"n{i}") for i in range(5)]
    flushed = asyncio.ensure_future(s.chat.flush())
    results = await asyncio.gather(*futures, return_exceptions=True)
    # The batch being written and the says still queued behind it.
    assert all(isinstance(r, RuntimeError) and "writer stopped" in str(r) for r in results)
    await asyncio.wait_for(flushed, 10)  # a flush never hangs on a dead writer
    with pytest.raises(RuntimeError):
        s.chat.enqueue(circle["id"], user["id"], "Alice", "late", "late")
    with pytest.raises(KeyError):
        await s.close()


async def test_the_wal_is_checkpointed_beside_the_writer(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer's commits never checkpoint; the checkpoint thread copies the
    WAL back into the database file on its own."""
    monkeypatch.setattr(sqlite_writer, "CHECKPOINT_EVERY_S", 0.05)
    s = await Store.open(sqlite_url(db_path), password_time_cost=1)
    try:
        _, user = await s.accounts.signup("alice", "correct horse", "Alice")
        circle = await s.circles.create(user["id"], "C", "community", "public")
        await s.chat.flush()
        before = os.stat(db_path).st_size
        says = [
            s.chat.enqueue(circle["id"], user["id"], "Alice", "x" * 500, f"n{i}", None)
            for i in range(2000)
        ]
        await asyncio.gather(*says)
        deadline = asyncio.get_running_loop().time() + 10
        while os.stat(db_path).st_size <= before + 500_000:
            assert asyncio.get_running_loop().time() < deadline, "the WAL was never checkpointed"
            await timing.sleep(0.05)
    finally:
        await s.close()
    assert not any(t.name == "quanzi-sqlite-checkpoint" for t in threading.enumerate())


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
async def test_a_batch_that_finds_the_database_locked_waits_its_turn_again(
    store: Store,
    alice: Record,
    circle: Record,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Another connection holding the write lock past busy_timeout (the engine's own
    transaction, its event loop starved of CPU) delays the batch; no say fails."""
    monkeypatch.setattr(sqlite_writer, "BUSY_TIMEOUT_MS", 50)  # before its connection opens
    await store.chat.say(circle["id"], alice["id"], "Alice", "first", "n1")
    holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    try:
        holder.execute("BEGIN IMMEDIATE")
        say = asyncio.ensure_future(store.chat.say(circle["id"], alice["id"], "Alice", "two", "n2"))
        await timing.until(lambda: "waited out the write lock" in caplog.text, 10)
        assert "waited out the write lock" in caplog.text and not say.done()
        holder.execute("COMMIT")
        message, fresh = await say
        assert fresh and message["seq"] == 2
    finally:
        holder.close()
