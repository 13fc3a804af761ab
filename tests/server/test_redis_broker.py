"""The Redis broker and presence against a real Redis (the shared one, split by
prefix; a private one where the test stops it)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from protocol.events import MessageVetoed
from server.messages import BrokerMessage, ChatMessage, CircleChange, Resync, TokenRevoked, Typing
from server.redis_broker import RedisBroker
from server.redis_presence import RedisPresence
from tests import timing
from tests.services import RedisServer, redis_url, wait_for


def chat(circle: str, seq: int, **extra: Any) -> ChatMessage:
    return ChatMessage({"circle": circle, "seq": seq, **extra})


def vetoed(circle: str, rev: int) -> CircleChange:
    return CircleChange(MessageVetoed(circle=circle, rev=rev, ts=1, seq=1, vetoed=True))


class Node:
    def __init__(self, url: str, prefix: str, backoff_max_s: float = 0.2) -> None:
        self.got: list[BrokerMessage] = []
        self.broker = RedisBroker(url, prefix=prefix, backoff_max_s=backoff_max_s)

    async def start(self) -> Node:
        await self.broker.start(self.got.append)
        return self


@pytest.fixture
async def pair() -> AsyncIterator[tuple[Node, Node]]:
    url = redis_url()
    prefix = f"t{secrets.token_hex(4)}:"
    a, b = await Node(url, prefix).start(), await Node(url, prefix).start()
    yield a, b
    await a.broker.close()
    await b.broker.close()


async def test_events_reach_subscribed_nodes_once(pair: tuple[Node, Node]) -> None:
    a, b = pair
    for node in pair:
        await node.broker.subscribe("c:1")
    await b.broker.subscribe("c:2")
    message = chat("1", 1, text="hé", **{"from": {"id": "u"}})
    a.broker.publish("c:1", message)
    a.broker.publish("c:2", vetoed("2", 1))
    a.broker.publish("c:3", vetoed("3", 1))  # nobody listens
    await wait_for(lambda: len(b.got) == 2, 5)
    # Typed on both sides: encoded for Redis only.
    assert b.got == [message, vetoed("2", 1)]
    # The publisher hands its own message to itself at once, and ignores the echo.
    await timing.sleep(0.2)
    assert a.got == [message]
    assert a.broker.healthy() and a.broker.info()["kind"] == "redis"


async def test_typing_hints_cross_redis_typed(pair: tuple[Node, Node]) -> None:
    a, b = pair
    await b.broker.subscribe("c:g1")
    hint = Typing("c1", "g1", {"id": "u1", "name": "张云妮"})
    a.broker.publish("c:g1", hint)
    await wait_for(lambda: b.got, 5)
    assert b.got == [hint]


async def test_unsubscribed_channels_are_not_heard(pair: tuple[Node, Node]) -> None:
    a, b = pair
    await b.broker.subscribe("c:1")
    await b.broker.unsubscribe("c:1")
    await b.broker.subscribe("c:2")
    a.broker.publish("c:1", TokenRevoked("x"))
    a.broker.publish("c:2", TokenRevoked("y"))
    await wait_for(lambda: b.got, 5)
    await timing.sleep(0.2)
    assert b.got == [TokenRevoked("y")]


async def test_after_redis_returns_nodes_resync_and_publish_what_they_kept(
    tmp_path: Path,
) -> None:
    redis = RedisServer(tmp_path).start()
    # a retries slowly: b is listening again when a publishes what it kept
    # (pub/sub is at-most-once for those too; Resync is what makes b whole).
    a = await Node(redis.url, "p:", backoff_max_s=1.0).start()
    b = await Node(redis.url, "p:", backoff_max_s=0.05).start()
    try:
        for node in (a, b):
            await node.broker.subscribe("c:1")
        redis.stop()
        await wait_for(lambda: not a.broker.healthy() and not b.broker.healthy(), 5)
        for seq in (1, 2, 3):
            a.broker.publish("c:1", chat("1", seq))
        a.broker.publish("all", TokenRevoked("t"))
        assert a.got == [chat("1", 1), chat("1", 2), chat("1", 3)]  # local delivery goes on
        await b.broker.subscribe("all")  # asked for while Redis is away
        await timing.sleep(1.5)  # a's backoff grows past b's
        redis.start()
        await wait_for(lambda: a.broker.healthy() and b.broker.healthy(), 10)
        await wait_for(lambda: len(b.got) >= 3, 5)
        await timing.sleep(0.2)
        # b catches up from the store on Resync; of the chat it hears only the
        # newest kept message (enough to see the gap), and every other message.
        assert Resync() in b.got
        heard = [m for m in b.got if m != Resync()]
        assert heard == [TokenRevoked("t"), chat("1", 3)]
        assert b.broker.info()["reconnects"] == 1
    finally:
        await a.broker.close()
        await b.broker.close()
        redis.stop()


async def test_presence_counts_users_on_every_live_node() -> None:
    url = redis_url()
    prefix = f"t{secrets.token_hex(4)}:"
    a = RedisPresence(url, "node-a", prefix=prefix, ttl_s=1.0, interval_s=0.1)
    b = RedisPresence(url, "node-b", prefix=prefix, ttl_s=1.0, interval_s=0.1)
    await a.start()
    await b.start()
    try:
        a.joined("c", "ann")
        a.joined("c", "ann")  # a second socket of the same user
        b.joined("c", "bob")
        b.joined("c", "ann")  # ann is on both nodes: one user
        await wait_for(lambda: a.online("c") == 2 and b.online("c") == 2, 5)
        assert ("c", 2) in a.changes()
        b.left("c", "bob")
        await wait_for(lambda: a.online("c") == 1, 5)
        # A node that stops beating is forgotten after the ttl.
        b.joined("c", "bob")
        await wait_for(lambda: a.online("c") == 2, 5)
        assert b._task is not None
        b._task.cancel()  # b dies without a word
        await wait_for(lambda: a.online("c") == 1, 5)
    finally:
        await a.close()
        await b.close()
