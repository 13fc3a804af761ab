"""The sequencer: live messages in seq order, none twice, gaps filled from the store."""

from __future__ import annotations

import asyncio
from typing import Any

from server.sequencer import Sequencer
from tests import timing

C = "circle"
WAIT = 0.05


class FakeStore:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.reads = 0

    def add(self, n: int) -> list[dict[str, Any]]:
        start = len(self.messages) + 1
        new = [{"circle": C, "seq": s, "text": f"m{s}"} for s in range(start, start + n)]
        self.messages.extend(new)
        return new

    async def after(self, circle: str, after: int, limit: int) -> list[dict[str, Any]]:
        self.reads += 1
        await asyncio.sleep(0)
        return [m for m in self.messages if m["seq"] > after][:limit]


def make(store: FakeStore, page: int = 500) -> tuple[Sequencer, list[int]]:
    out: list[int] = []
    seq = Sequencer(
        store.after, lambda m: out.append(m["seq"]), lambda c: True, wait_s=WAIT, page=page
    )
    return seq, out


async def test_in_order_messages_pass_straight_through() -> None:
    store = FakeStore()
    seq, out = make(store)
    seq.restart(C)
    seq.begin(C, 0)
    for m in store.add(5):
        seq.message(m)
    assert out == [1, 2, 3, 4, 5]
    assert store.reads == 0


async def test_a_late_message_is_waited_for_not_fetched() -> None:
    store = FakeStore()
    seq, out = make(store)
    seq.restart(C)
    seq.begin(C, 0)
    m1, m2, m3 = store.add(3)
    seq.message(m1)
    seq.message(m3)
    assert out == [1]
    seq.message(m2)
    assert out == [1, 2, 3]
    await timing.sleep(WAIT * 2)
    assert store.reads == 0


async def test_a_lost_message_is_filled_from_the_store_after_the_wait() -> None:
    store = FakeStore()
    seq, out = make(store)
    seq.restart(C)
    seq.begin(C, 0)
    m1, _, m3, m4 = store.add(4)
    seq.message(m1)
    seq.message(m4)
    seq.message(m3)
    assert out == [1]
    await timing.until(lambda: len(out) >= 4, WAIT * 40)
    assert out == [1, 2, 3, 4]
    assert store.reads == 1
    seq.message(m3)  # a late duplicate is dropped
    assert out == [1, 2, 3, 4]


async def test_messages_before_begin_are_held_and_sorted_out() -> None:
    store = FakeStore()
    seq, out = make(store)
    seq.restart(C)
    early = store.add(3)
    for m in reversed(early):
        seq.message(m)
    seq.begin(C, 1)  # the join read last_seq 1: seq 1 is replayed from the store
    assert out == [2, 3]
    assert seq.delivered(C) == 3


async def test_expect_fills_a_lost_tail() -> None:
    store = FakeStore()
    seq, out = make(store)
    seq.restart(C)
    seq.begin(C, 0)
    m1, _, _ = store.add(3)
    seq.message(m1)
    seq.expect(C, 3)  # the tail check: the store has seq 3
    await timing.until(lambda: len(out) >= 3, WAIT * 40)
    assert out == [1, 2, 3]


async def test_catch_up_reads_everything_new_in_pages() -> None:
    store = FakeStore()
    seq, out = make(store, page=10)
    seq.restart(C)
    seq.begin(C, 0)
    store.add(25)
    seq.catch_up()
    await timing.until(lambda: len(out) >= 25, WAIT * 40)
    assert out == list(range(1, 26))
    assert store.reads == 3


async def test_a_failing_store_is_retried() -> None:
    store = FakeStore()
    seq, out = make(store)
    seq.restart(C)
    seq.begin(C, 0)
    store.add(2)
    calls = 0
    real = store.after

    async def flaky(circle: str, after: int, limit: int) -> list[dict[str, Any]]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("database away")
        return await real(circle, after, limit)

    seq._fetch = flaky
    seq.message(store.messages[1])
    # The failed read is tried again a wait later: on a busy machine, give it time.
    await timing.until(lambda: len(out) >= 2, WAIT * 40)
    assert out == [1, 2]
    assert calls >= 2


async def test_a_circle_nobody_listens_to_is_dropped() -> None:
    store = FakeStore()
    listening = {C}
    out: list[int] = []
    seq = Sequencer(store.after, lambda m: out.append(m["seq"]), lambda c: c in listening, WAIT)
    seq.restart(C)
    seq.begin(C, 0)
    listening.clear()
    seq.message(store.add(1)[0])
    assert out == [] and seq.circles() == []


async def test_shuffled_delivery_with_losses_is_always_complete_and_ordered() -> None:
    import random

    rng = random.Random(7)
    for _ in range(20):
        store = FakeStore()
        seq, out = make(store)
        seq.restart(C)
        seq.begin(C, 0)
        messages = store.add(50)
        live = [m for m in messages if rng.random() > 0.1]
        # Local reordering, as two publishers interleave.
        for i in range(len(live) - 1):
            if rng.random() < 0.2:
                live[i], live[i + 1] = live[i + 1], live[i]
        for m in live:
            seq.message(m)
        seq.expect(C, 50)
        await timing.until(lambda out=out: len(out) >= 50, WAIT * 40)
        assert out == list(range(1, 51))
