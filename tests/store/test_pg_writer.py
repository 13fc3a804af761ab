"""The group commit's PostgreSQL writer (store/pg_writer.py): a batch in two
statements of array parameters on asyncpg, stored without a look-up until the
unique index refuses a resend. On PostgreSQL only (fails where it is missing
and services are required, like every PostgreSQL test)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

import store.pg_writer as pg_writer
from store import NotFound, Store
from store.ids import new_id, now_ms
from store.models import MESSAGES, SEARCH_DOCS, USERS

Record = dict[str, Any]


@pytest.fixture
async def pg_url(postgres_database: Any) -> str:
    return str(await asyncio.to_thread(postgres_database.empty))


@pytest.fixture
def tries(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each transaction the writer runs: False for an optimistic one, True for a careful one."""
    seen: list[bool] = []
    transaction = pg_writer._transaction

    async def counting(conn: Any, batch: list[Any], careful: bool) -> Any:
        seen.append(careful)
        return await transaction(conn, batch, careful)

    monkeypatch.setattr(pg_writer, "_transaction", counting)
    monkeypatch.setattr(pg_writer, "CAREFUL_BATCHES", 1)
    return seen


@pytest.fixture
async def pg(pg_url: str, tries: list[bool]) -> AsyncIterator[Store]:
    s = await Store.open(pg_url, password_time_cost=1)
    try:
        yield s
    finally:
        await s.close()


async def users(store: Store, n: int) -> list[Record]:
    made = [{"id": new_id(), "handle": f"u{i}", "name": f"User {i}"} for i in range(n)]
    async with store.db.write() as conn:
        await conn.execute(
            USERS.insert(), [{**u, "password_hash": "x", "created": now_ms()} for u in made]
        )
    return made


async def count(store: Store, table: Any) -> int:
    async with store.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_a_big_batch_keeps_arrival_order_per_circle_without_gaps(
    pg: Store, tries: list[bool]
) -> None:
    people = await users(pg, 30)

    def text(i: int) -> str:
        return "zebra crossing" if i == 4 else f"hello number {i}"

    circles = [
        await pg.circles.create(people[i]["id"], f"C{i}", "community", "public") for i in range(3)
    ]
    says = [
        pg.chat.enqueue(circles[i % 3]["id"], u["id"], u["name"], text(i), f"n{i}")
        for i in range(600)
        for u in [people[i % 30]]
    ]
    results = await asyncio.gather(*says)
    assert all(fresh for _, fresh in results)
    for k, circle in enumerate(circles):
        mine = [m for i, (m, _) in enumerate(results) if i % 3 == k]
        # Queued in this order, so stored in this order: 1..200, nothing twice.
        assert [m["seq"] for m in mine] == list(range(1, 201))
        stored = await pg.chat.after(circle["id"], 0, 1000)
        assert [(m["seq"], m["text"]) for m in stored] == [(m["seq"], m["text"]) for m in mine]
        assert await pg.chat.last_seq(circle["id"]) == 200
    # Optimistic all along (no resend), and every message is searchable.
    assert tries and not any(tries)
    assert await count(pg, SEARCH_DOCS) == 600
    found, _ = await pg.search.circle(circles[1]["id"], people[1]["id"], "zebra")
    assert [r["seq"] for r in found] == [2]


async def test_a_resend_in_one_batch_and_across_batches_gets_the_same_seq(
    pg: Store, tries: list[bool]
) -> None:
    alice, bob = await users(pg, 2)
    circle = await pg.circles.create(alice["id"], "C", "community", "public")
    cid = circle["id"]
    one = await asyncio.gather(
        *(pg.chat.enqueue(cid, alice["id"], "Alice", f"t{i % 2}", f"n{i % 2}") for i in range(4))
    )
    assert [(m["seq"], fresh) for m, fresh in one] == [(1, True), (2, True), (1, False), (2, False)]
    assert tries == [False]
    # Across batches, with new messages beside it: refused by the unique index, the
    # batch is stored again the careful way; the new ones get the next seqs, no gap.
    tries.clear()
    again = await asyncio.gather(
        pg.chat.enqueue(cid, alice["id"], "Alice", "new", "n2"),
        pg.chat.enqueue(cid, alice["id"], "Alice", "t1", "n1"),
        pg.chat.enqueue(cid, bob["id"], "Bob", "bob's own n1", "n1"),
    )
    assert [(m["seq"], fresh) for m, fresh in again] == [(3, True), (2, False), (4, True)]
    assert again[1][0] == one[1][0]
    assert tries == [False, True]
    # Careful for CAREFUL_BATCHES (1 here), then straight in again.
    tries.clear()
    for nonce in ("n3", "n4"):
        await pg.chat.say(cid, alice["id"], "Alice", "more", nonce)
    assert tries == [True, False]
    assert [m["seq"] for m in await pg.chat.after(cid, 0, 100)] == [1, 2, 3, 4, 5, 6]
    assert pg.chat.stats.failures == 0 and pg.chat.stats.duplicates == 3


async def test_a_missing_group_fails_alone(pg: Store) -> None:
    (alice,) = await users(pg, 1)
    circle = await pg.circles.create(alice["id"], "C", "community", "public")
    results = await asyncio.gather(
        pg.chat.enqueue(circle["id"], alice["id"], "Alice", "a", "n1"),
        pg.chat.enqueue("missing", alice["id"], "Alice", "b", "n2"),
        pg.chat.enqueue(circle["id"], alice["id"], "Alice", "c", "n3"),
        return_exceptions=True,
    )
    assert isinstance(results[1], NotFound)
    assert [r[0]["seq"] for r in (results[0], results[2]) if isinstance(r, tuple)] == [1, 2]
    assert await count(pg, MESSAGES) == 2


async def test_two_nodes_racing_the_same_nonce_store_it_once(pg_url: str, pg: Store) -> None:
    alice, bob = await users(pg, 2)
    circle = await pg.circles.create(alice["id"], "C", "community", "public")
    cid = circle["id"]
    other = await Store.open(pg_url, password_time_cost=1)
    try:
        for round_ in range(5):
            says = [
                node.chat.enqueue(cid, alice["id"], "Alice", "same", f"same{round_}")
                for node in (pg, other)
            ] + [
                node.chat.enqueue(cid, bob["id"], "Bob", "own", f"{round_}-{k}")
                for k, node in enumerate((pg, other, pg, other))
            ]
            results = await asyncio.gather(*says)
            (first, fresh1), (second, fresh2) = results[:2]
            assert first["seq"] == second["seq"] and [fresh1, fresh2].count(True) == 1
            assert all(fresh for _, fresh in results[2:])
    finally:
        await other.close()
    assert [m["seq"] for m in await pg.chat.after(cid, 0, 100)] == list(range(1, 26))
    assert await pg.chat.last_seq(cid) == 25


async def test_mentions_notify_with_growing_ids_in_the_batch(pg: Store) -> None:
    alice, bob = await users(pg, 2)
    circle = await pg.circles.create(alice["id"], "C", "community", "public")
    cid = circle["id"]
    await pg.memberships.join(cid, bob["id"])
    told: list[Record] = []
    pg.on_notifications = told.extend
    texts = [f"@{bob['name']} look {i}" if i % 2 else f"plain {i}" for i in range(10)]
    says = [
        pg.chat.enqueue(
            cid,
            alice["id"],
            alice["name"],
            text,
            f"m{i}",
            addressed=await pg.chat.addressed(cid, cid, alice["id"], text, None),
        )
        for i, text in enumerate(texts)
    ]
    seqs = [m["seq"] for m, _ in await asyncio.gather(*says)]
    assert [(n["user"], n["about"]["seq"]) for n in told] == [
        (bob["id"], seq) for i, seq in enumerate(seqs) if i % 2
    ]
    ids = [n["id"] for n in told]
    assert ids == sorted(ids) and len(set(ids)) == 5
    inbox, _ = await pg.notifications.list(bob["id"])
    assert sorted(n["id"] for n in inbox) == ids
