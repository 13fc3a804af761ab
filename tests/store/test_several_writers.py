"""Several nodes writing one database: each is a store with its own group-commit
writer. Per-circle seqs stay gap-free and unique, batches that touch several
circles in different orders never deadlock into a failed say, and one nonce
sent through two nodes at once is stored once."""

from __future__ import annotations

import asyncio
import random

from store import Store

NODES = 3
CIRCLES = 6


async def _open(url: str, n: int) -> list[Store]:
    return [await Store.open(url, password_time_cost=1, batch_max=50) for _ in range(n)]


async def test_batches_over_many_circles_from_several_nodes(store_url: str) -> None:
    nodes = await _open(store_url, NODES)
    try:
        _, user = await nodes[0].accounts.signup("alice", "correct horse", "Alice")
        circles = [
            (await nodes[0].circles.create(user["id"], f"C{i}", "community", "public"))["id"]
            for i in range(CIRCLES)
        ]
        rng = random.Random(4)

        async def burst(node: Store, tag: str) -> list[tuple[str, int]]:
            # Concurrent says land in one batch: each batch spans several circles,
            # listed in a different order every time.
            order = circles[:]
            rng.shuffle(order)
            says = [
                node.chat.say(c, user["id"], "Alice", "m", f"{tag}-{i}")
                for i, c in enumerate(order * 5)
            ]
            return [(m["circle"], m["seq"]) for m, _ in await asyncio.gather(*says)]

        results = await asyncio.gather(
            *(burst(node, f"n{k}-b{b}") for k, node in enumerate(nodes) for b in range(8))
        )
        by_circle: dict[str, list[int]] = {c: [] for c in circles}
        for pairs in results:
            for circle, seq in pairs:
                by_circle[circle].append(seq)
        for circle, seqs in by_circle.items():
            assert sorted(seqs) == list(range(1, len(seqs) + 1)), circle
            assert await nodes[0].chat.last_seq(circle) == len(seqs)
        assert sum(len(s) for s in by_circle.values()) == NODES * 8 * CIRCLES * 5
        assert all(node.chat.stats.failures == 0 for node in nodes)
    finally:
        for node in nodes:
            await node.close()


async def test_one_nonce_through_two_nodes_at_once_is_one_message(store_url: str) -> None:
    first, second = await _open(store_url, 2)
    try:
        _, user = await first.accounts.signup("alice", "correct horse", "Alice")
        circle = (await first.circles.create(user["id"], "C", "community", "public"))["id"]
        for i in range(30):
            (a, fresh_a), (b, fresh_b) = await asyncio.gather(
                first.chat.say(circle, user["id"], "Alice", f"once {i}", f"same-{i}"),
                second.chat.say(circle, user["id"], "Alice", f"once {i}", f"same-{i}"),
            )
            assert a["seq"] == b["seq"] == i + 1
            assert sorted([fresh_a, fresh_b]) == [False, True]
        messages, _ = await first.chat.history(circle, limit=100)
        assert [m["seq"] for m in messages] == list(range(1, 31))
    finally:
        await second.close()
        await first.close()
