"""The Redis broker on a real Redis Cluster of the test's own: sharded pub/sub
over several masters, unsubscribing, and a master killed (the broker resyncs
and publishes what it kept on the replica that took over)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from loadtests.redis_cluster import LocalRedisCluster
from server.messages import Resync
from server.redis_client import RedisUrlError, connect, seeds
from tests import timing
from tests.server.test_redis_broker import Node, chat
from tests.services import redis_cluster, wait_for
from tests.timing import seconds


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[LocalRedisCluster]:
    started = redis_cluster(tmp_path / "redis-cluster")
    yield started
    started.stop()


@pytest.fixture
async def pair(cluster: LocalRedisCluster) -> AsyncIterator[tuple[Node, Node]]:
    prefix = f"t{secrets.token_hex(4)}:"
    a, b = await Node(cluster.url, prefix).start(), await Node(cluster.url, prefix).start()
    yield a, b
    await a.broker.close()
    await b.broker.close()


def spread(cluster: LocalRedisCluster, prefix: str) -> list[str]:
    """Circle channels whose slots are on three different masters."""
    out: dict[int, str] = {}
    for i in range(100):
        out.setdefault(cluster.master_of(f"{prefix}{{c:{i}}}"), f"c:{i}")
        if len(out) == 3:
            return list(out.values())
    raise AssertionError("100 circles on fewer than three masters")


async def both_on_one_circle(
    cluster: LocalRedisCluster, pair: tuple[Node, Node]
) -> tuple[str, str]:
    """A circle's channel both nodes subscribed, and its key in Redis."""
    channel = spread(cluster, pair[0].broker._prefix)[0]
    for node in pair:
        await node.broker.subscribe(channel)
    return channel, f"{pair[0].broker._prefix}{{{channel}}}"


async def subscribers(port: int, key: str) -> int:
    client = Redis(port=port)
    try:
        _, count = await client.execute_command("PUBSUB", "SHARDNUMSUB", key)
        return int(count)
    finally:
        await client.aclose()


async def test_circles_on_every_master_reach_subscribed_nodes_once(
    cluster: LocalRedisCluster, pair: tuple[Node, Node]
) -> None:
    a, b = pair
    prefix = a.broker._prefix
    channels = spread(cluster, prefix)
    for channel in channels:
        await b.broker.subscribe(channel)
    assert b.broker.info()["kind"] == "redis-cluster"
    for channel in channels:  # sharded: SSUBSCRIBE on the channel's own master
        key = f"{prefix}{{{channel}}}"
        assert await subscribers(cluster.master_of(key), key) == 1
    sent = [chat(c[2:], 1, text=f"in {c}") for c in channels]
    for channel, message in zip(channels, sent, strict=True):
        a.broker.publish(channel, message)
    await wait_for(lambda: len(b.got) == 3, seconds(5))
    assert sorted(b.got, key=str) == sorted(sent, key=str)

    await b.broker.unsubscribe(channels[0])
    a.broker.publish(channels[0], chat(channels[0][2:], 2))
    a.broker.publish(channels[1], chat(channels[1][2:], 2))
    await wait_for(lambda: len(b.got) == 4, seconds(5))
    await timing.sleep(0.2)
    assert b.got[3] == chat(channels[1][2:], 2) and len(b.got) == 4


async def test_a_master_killed_makes_nodes_resync_and_publish_what_they_kept(
    cluster: LocalRedisCluster, pair: tuple[Node, Node], caplog: pytest.LogCaptureFixture
) -> None:
    a, b = pair
    channel, key = await both_on_one_circle(cluster, pair)
    master = cluster.master_of(key)
    cluster.kill(master)
    await wait_for(lambda: not a.broker.healthy() and not b.broker.healthy(), seconds(10))
    # Published while the master is dead: kept, and published on its replica once
    # a is back (b may resubscribe after that: its resync covers what it missed).
    with caplog.at_level(logging.INFO, logger="server.redis_broker"):
        a.broker.publish(channel, chat(channel[2:], 7))
        await timing.until(lambda: cluster.failed_over(master), 20, poll=0.1)
        assert cluster.failed_over(master)
        await wait_for(lambda: a.broker.healthy() and b.broker.healthy(), seconds(15))
    assert "publishing 1 events kept during the outage" in caplog.text
    assert any(isinstance(m, Resync) for m in b.got), b.got
    assert a.broker.reconnects >= 1 and b.broker.reconnects >= 1
    assert await subscribers(cluster.master_of(key), key) == 2
    # And the chat goes on through the new master.
    a.broker.publish(channel, chat(channel[2:], 8))
    await wait_for(lambda: chat(channel[2:], 8) in b.got, seconds(5))


async def test_a_slot_moved_to_another_master_is_followed(
    cluster: LocalRedisCluster, pair: tuple[Node, Node]
) -> None:
    """Resharding moves a circle's slot: Redis unsubscribes the nodes there, they
    read the topology again, resubscribe on the new master and resync."""
    a, b = pair
    channel, key = await both_on_one_circle(cluster, pair)
    source = cluster.master_of(key)
    target = next(p for p in cluster.masters() if p != source)
    cluster.move_slot(cluster.slot(key), target)
    assert cluster.master_of(key) == target
    await wait_for(lambda: any(isinstance(m, Resync) for m in b.got), seconds(10))
    await wait_for(lambda: b.broker.healthy() and a.broker.healthy(), seconds(10))
    assert await subscribers(target, key) == 2 and await subscribers(source, key) == 0
    a.broker.publish(channel, chat(channel[2:], 1))
    await wait_for(lambda: chat(channel[2:], 1) in b.got, seconds(5))


def test_a_cluster_url_names_its_seeds() -> None:
    assert seeds("redis+cluster://10.0.0.1:7000,10.0.0.2:7001") == [
        ("10.0.0.1", 7000),
        ("10.0.0.2", 7001),
    ]
    assert seeds("rediss+cluster://u:p@h:7000") == [("h", 7000)]
    with pytest.raises(RedisUrlError):
        connect("redis+cluster://nohost")
