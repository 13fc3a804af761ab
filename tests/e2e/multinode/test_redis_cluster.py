"""Two nodes on a real Redis Cluster (three masters, three replicas, started by
the test) and a fresh PostgreSQL database: a circle's channel and presence live
on its shard (sharded pub/sub), chat, highlights and rate limits cross nodes
through it, and a master killed while members chat loses no acknowledged
message: every member is complete within seconds of the failover."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx
from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster

from loadtests.redis_cluster import LocalRedisCluster
from tests import timing
from tests.e2e.harness import Api, Client, ServerProcess
from tests.e2e.multinode.conftest import StartNodes
from tests.e2e.multinode.test_cluster_chat import members
from tests.e2e.multinode.test_cluster_limits import limited_as_one
from tests.e2e.multinode.test_faults import chatters, check_complete, stored
from tests.e2e.test_limits import NO_REFILL

# Reconnects to the cluster back off at most this long: the failover is the
# cluster's (its node timeout is 1 s), not the nodes' waiting.
BACKOFF = {"QUANZI_REDIS_BACKOFF_MAX_S": "0.5"}


def channel_key(node: ServerProcess, circle: str) -> str:
    return f"{node.env['QUANZI_REDIS_PREFIX']}{{c:{circle}}}"


async def shard_subscribers(cluster: LocalRedisCluster, key: str) -> int:
    """Subscribers of a sharded channel on the master serving it."""
    client = Redis(port=cluster.master_of(key))
    try:
        _, count = await client.execute_command("PUBSUB", "SHARDNUMSUB", key)
        return int(count)
    finally:
        await client.aclose()


async def eventually(check: Callable[[], Awaitable[bool]], s: float) -> bool:
    """Whether ``check()`` holds within ``s`` scaled seconds."""
    deadline = time.monotonic() + timing.seconds(s)
    while not await check():
        if time.monotonic() > deadline:
            return False
        await timing.sleep(0.05)
    return True


async def test_two_nodes_chat_and_get_highlights_through_a_redis_cluster(
    own_redis_cluster: LocalRedisCluster, start_nodes: StartNodes
) -> None:
    a, b = start_nodes(2, own_redis_cluster.url, **BACKOFF)
    async with httpx.AsyncClient() as http:
        for node in (a, b):
            state = (await http.get(f"{node.http}/healthz")).json()["broker_state"]
            assert state["kind"] == "redis-cluster" and state["connected"] is True, state
    api = Api(b.http)
    circle, [(ann_t, _), (bob_t, _), (cai_t, _)] = await members(api, 3)
    ann = await Client.open(a.ws, ann_t)
    bob = await Client.open(b.ws, bob_t, "msgpack")
    await ann.request({"t": "join", "circle": circle})
    joined = await bob.request({"t": "join", "circle": circle})
    assert joined["t"] == "joined"
    # Both nodes hear the circle on its own shard (SSUBSCRIBE, not SUBSCRIBE).
    key = channel_key(a, circle)
    assert await shard_subscribers(own_redis_cluster, key) == 2

    ok = await ann.say(circle, "你好 from A", nonce="a1")
    got = await bob.push("msg")
    assert (got["seq"], got["text"], got["nonce"]) == (ok["seq"], "你好 from A", "a1")
    assert (await ann.push("msg"))["seq"] == 1  # her own, through her node
    ok = await bob.say(circle, "hello from B")
    assert (await ann.push("msg"))["seq"] == ok["seq"] == 2

    # A highlight reaches a member connected to the other node, not in the chat.
    cai = await Client.open(b.ws, cai_t)
    reply = await ann.request({"t": "star", "circle": circle, "seq": 1})
    assert reply["t"] == "ok" and reply["post"] is not None, reply
    pushed = await cai.push("highlight")
    assert pushed["action"] == "promoted" and pushed["post"]["id"] == reply["post"]["id"]

    # Presence is counted in the cluster, on the circle's shard.
    redis = RedisCluster(startup_nodes=[ClusterNode("127.0.0.1", own_redis_cluster.ports[0])])
    try:
        prefix = a.env["QUANZI_REDIS_PREFIX"]
        presence = f"{prefix}presence:{{c:{circle}}}"

        async def both_online() -> bool:
            return len(await redis.hkeys(presence)) == 2  # type: ignore[misc]

        assert await eventually(both_online, 5), await redis.hkeys(presence)  # type: ignore[misc]
        assert redis.keyslot(presence) == redis.keyslot(key)
    finally:
        await redis.aclose()
    for client in (ann, bob, cai):
        await client.close()
    await api.close()


async def test_a_user_saying_through_both_nodes_is_limited_as_one_on_a_cluster(
    own_redis_cluster: LocalRedisCluster, start_nodes: StartNodes
) -> None:
    await limited_as_one(*start_nodes(2, own_redis_cluster.url, **NO_REFILL))


async def test_a_master_killed_while_members_chat_loses_nothing_acknowledged(
    own_redis_cluster: LocalRedisCluster, start_nodes: StartNodes
) -> None:
    a, b = start_nodes(2, own_redis_cluster.url, **BACKOFF)
    api = Api(b.http)
    circle, people = await members(api, 8)
    followers, senders = await chatters(people, circle, [a.ws, b.ws])
    stop = asyncio.Event()
    running = [asyncio.create_task(s.run(stop)) for s in senders]
    await timing.sleep(1.5)
    master = own_redis_cluster.master_of(channel_key(a, circle))
    before = sum(len(s.acked) for s in senders)
    own_redis_cluster.kill(master)
    killed_at = time.monotonic()
    await timing.until(lambda: own_redis_cluster.failed_over(master), 20, poll=0.1)
    assert own_redis_cluster.failed_over(master), "no replica took over"
    failed_over = time.monotonic() - killed_at
    # Everything acknowledged so far reaches every member, through the new master
    # or from the store, while the chat goes on.
    acked = max(seq for s in senders for seq in s.acked.values())
    await asyncio.gather(*(f.until(acked, timeout=15) for f in followers))
    caught_up = time.monotonic() - killed_at

    async def both_nodes_back() -> bool:  # on the circle's new master
        return await shard_subscribers(own_redis_cluster, channel_key(a, circle)) == 2

    assert await eventually(both_nodes_back, 10)
    await timing.sleep(1.0)
    stop.set()
    await asyncio.gather(*running)
    history = await stored(b, people[0][0], circle)
    for follower in followers:
        await follower.until(len(history), timeout=10)
    await timing.sleep(0.3)  # anything trailing would be a duplicate
    check_complete(history, senders, followers)
    after = sum(len(s.acked) for s in senders) - before
    assert after > 0, "nothing was acknowledged after the master was killed"
    print(
        f"\nREDIS CLUSTER MASTER KILLED: {len(history)} messages stored, {before} acked "
        f"before the kill, {after} after, 0 acknowledged lost; a replica took over "
        f"{failed_over:.1f}s after the kill; every client had everything acknowledged "
        f"until then {caught_up:.1f}s after the kill; follower reconnects "
        f"{sum(f.reconnects for f in followers)}"
    )
    for f in followers:
        await f.stop()
    for s in senders:
        await s.close()
    await api.close()
