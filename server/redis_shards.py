"""The broker's subscriptions on a Redis Cluster: sharded pub/sub.

A channel lives on the shard that serves its hash slot; ``SSUBSCRIBE`` must go
to that shard's master and ``SPUBLISH`` reaches only the subscribers there. So
`ShardedPubSub` reads the topology (``CLUSTER SLOTS``) when it is made, keeps one
plain pub/sub connection per master it needs, subscribes each channel on its
master (one ``SSUBSCRIBE`` per slot: one command may not span slots), and hands
the messages of all of them to the broker through one queue, named as plain
pub/sub names them (``subscribe``, ``message``).

It offers what `RedisBroker` uses of redis-py's ``PubSub`` (`subscribe`,
`unsubscribe`, `get_message`, `aclose`), so the broker's promises hold on a
cluster unchanged: confirmed subscribes, reconnect with backoff, ``RESYNC``
afterwards. Any change of topology ends it with a ``ConnectionError`` and the
broker makes a new one, which reads the topology again:

- a master's connection drops (killed, failed over): the broker backs off and
  resubscribes on whichever node serves the slots by then;
- a slot moves away (resharding, a failover seen from a live node): Redis
  unsubscribes its channels (an ``sunsubscribe`` we did not ask for);
- ``SSUBSCRIBE`` on a node that no longer serves the slot answers ``MOVED``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot
from redis.exceptions import ConnectionError as RedisConnectionError

from .redis_client import raise_if_cancelled

log = logging.getLogger(__name__)

# Sharded pub/sub's names of what plain pub/sub calls subscribe and message.
_KINDS = {"ssubscribe": "subscribe", "smessage": "message"}


class ShardedPubSub:
    """SSUBSCRIBE on each channel's master; one stream of messages from all of them."""

    def __init__(self, cluster: RedisCluster, options: dict[str, Any]) -> None:
        self._cluster = cluster
        self._options = options  # for the connections to each master
        self._clients: dict[str, Redis] = {}
        self._pubsubs: dict[str, PubSub] = {}
        self._readers: dict[str, asyncio.Task[None]] = {}
        self._where: dict[bytes, str] = {}  # channel -> the master it is subscribed on
        self._leaving: set[bytes] = set()  # sunsubscribe asked for
        self._queue: asyncio.Queue[dict[str, Any] | BaseException] = asyncio.Queue()
        self._topology_read = False
        self._connecting = asyncio.Lock()

    async def subscribe(self, *channels: bytes) -> None:
        if not self._topology_read:
            # A new pub/sub after a failure: what the cluster says now, not what
            # the client remembers.
            await self._cluster.nodes_manager.initialize()
            self._topology_read = True
        by_master: dict[str, dict[int, list[bytes]]] = defaultdict(lambda: defaultdict(list))
        for channel in channels:
            node = self._cluster.get_node_from_key(channel.decode())
            if node is None:  # mid-failover: the broker backs off and asks again
                raise RedisConnectionError(f"no master serves {channel!r} yet")
            by_master[node.name][key_slot(channel)].append(channel)
            self._leaving.discard(channel)
        for name, slots in by_master.items():
            pubsub = await self._pubsub(name)
            for same_slot in slots.values():
                await pubsub.ssubscribe(*same_slot)
                for channel in same_slot:
                    self._where[channel] = name

    async def unsubscribe(self, *channels: bytes) -> None:
        for channel in channels:
            name = self._where.pop(channel, None)
            pubsub = self._pubsubs.get(name) if name else None
            if pubsub is not None:
                self._leaving.add(channel)
                await pubsub.sunsubscribe(channel)

    async def get_message(self, timeout: float) -> dict[str, Any] | None:
        """The next message of any master, or None after ``timeout``; raises what
        ended a master's connection."""
        try:
            async with asyncio.timeout(timeout):
                item = await self._queue.get()
        except TimeoutError:
            return None
        if isinstance(item, BaseException):
            raise item
        return item

    async def aclose(self) -> None:
        for task in self._readers.values():
            task.cancel()
        for task in self._readers.values():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for pubsub in self._pubsubs.values():
            with contextlib.suppress(Exception):
                await pubsub.aclose()
        for client in self._clients.values():
            with contextlib.suppress(Exception):
                await client.aclose()
        self._readers.clear()
        self._pubsubs.clear()
        self._clients.clear()

    def masters(self) -> list[str]:
        """The masters subscribed on (host:port), for /healthz."""
        return sorted(self._pubsubs)

    # -- one connection per master ------------------------------------------------

    async def _pubsub(self, name: str) -> PubSub:
        """The master's pub/sub, connected and read (once: joins subscribing at
        the same moment must not open two connections)."""
        async with self._connecting:
            pubsub = self._pubsubs.get(name)
            if pubsub is None:
                node = self._cluster.get_node(node_name=name)
                if node is None:
                    raise RedisConnectionError(f"{name} left the cluster")
                client = Redis(host=node.host, port=int(node.port), **self._options)
                self._clients[name] = client
                pubsub = self._pubsubs[name] = client.pubsub()
                await pubsub.connect()
                self._readers[name] = asyncio.create_task(
                    self._read(name, pubsub), name=f"quanzi-redis-shard-{name}"
                )
            return pubsub

    async def _read(self, name: str, pubsub: PubSub) -> None:
        try:
            while True:
                message = await pubsub.get_message(timeout=1.0)
                raise_if_cancelled()
                if message is not None:
                    self._received(name, message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise_if_cancelled(exc)
            self._queue.put_nowait(exc)

    def _received(self, name: str, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "sunsubscribe":
            channel = message["channel"]
            if channel in self._leaving:
                self._leaving.discard(channel)
                return
            # Redis dropped it: its slot moved to another master.
            self._queue.put_nowait(
                RedisConnectionError(f"slot of {channel!r} moved away from {name}")
            )
            return
        plain = _KINDS.get(kind)
        if plain is not None:
            self._queue.put_nowait({**message, "type": plain})
