"""The broker between several nodes: Redis pub/sub (``QUANZI_REDIS_URL``).

Messages (``messages.py``) travel as msgpack bytes ``[node_id, map]``. A node
hands its own messages to itself at once, without the round trip (and without Redis: local
members keep chatting through a Redis outage), and ignores its own echo.

Redis pub/sub is at-most-once, so this broker only promises speed:

- it subscribes only the channels the node asks for (circles with local
  listeners or members, and ``all``), and waits for Redis to confirm a
  subscription so that the node reads the store's last seq after it;
- when the connection drops it reconnects with exponential backoff, subscribes
  everything again, and hands the node ``RESYNC`` so that it brings its streams
  up to date from the store by seq;
- events it could not publish meanwhile are published after the reconnect: the
  newest chat message of each circle (a later seq makes the other nodes fill the
  gap from the store) and up to ``OUTAGE_EVENTS`` others (logouts, removals,
  highlights).

On one Redis, messages go out on a publishing connection of their own
(`redis_publisher.py`: written as they come, no round trip waited for); what it
had not seen answered when its connection drops is kept as above.

On a Redis Cluster (a ``redis+cluster://`` URL, `redis_client.py`) channels are
sharded: ``SPUBLISH``, and ``SSUBSCRIBE`` on each channel's master through
`redis_shards.ShardedPubSub`; a publish that fails (a master gone) makes the
listener read the topology again, resubscribe and resync, as a reconnect does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
from collections import deque
from typing import TYPE_CHECKING, Any

import msgpack
from redis.asyncio.client import PubSub
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from . import metrics
from .broker import Deliver
from .messages import BrokerMessage, ChatMessage, Resync, decode, encode
from .redis_client import REDIS_ERRORS, connect, credentials, raise_if_cancelled, tag
from .redis_publisher import Publisher, Sent

if TYPE_CHECKING:
    from .redis_shards import ShardedPubSub

log = logging.getLogger(__name__)

# Events other than chat messages kept for publication after an outage.
OUTAGE_EVENTS = 1000
# Events published in one pipeline (one round trip).
PUBLISH_BATCH = 500
# How long a subscribe waits for Redis to confirm it.
CONFIRM_TIMEOUT_S = 2.0
# First reconnect delay; doubles up to the configured maximum.
BACKOFF_MIN_S = 0.05

_ERRORS = REDIS_ERRORS


def new_node_id() -> str:
    return secrets.token_hex(6)


class RedisBroker:
    """Pub/sub between nodes through one Redis."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "quanzi:",
        node_id: str = "",
        backoff_max_s: float = 2.0,
    ) -> None:
        self.node_id = node_id or new_node_id()
        # How this node's own messages start on the wire ([node_id, …] in msgpack):
        # its echo is recognised without decoding it.
        self._echo = b"\x92" + msgpack.packb(self.node_id)
        self._prefix = prefix
        self._backoff_max_s = backoff_max_s
        # No retries inside redis-py: a failure surfaces at once and the listener
        # loop below reconnects, resubscribes and asks the node to resync.
        self._options: dict[str, Any] = {
            "retry": Retry(NoBackoff(), 0),
            "socket_connect_timeout": 2,
            "socket_keepalive": True,
            "health_check_interval": 10,
        }
        self._redis = connect(url, **self._options)
        self._sharded = isinstance(self._redis, RedisCluster)
        # One Redis: PUBLISH on a connection of its own, written as it comes
        # (redis_publisher.py). A cluster routes each channel to its master: pipelines.
        self._publisher = (
            None
            if self._sharded
            else Publisher(url, self._unpublished, connect_timeout=CONFIRM_TIMEOUT_S)
        )
        self._url = url
        self._publish_failed = False  # the listener must reconnect (a master gone)
        self._deliver: Deliver | None = None
        self._channels: set[str] = set()  # wanted by the node
        self._pubsub: PubSub | ShardedPubSub | None = None
        self._connected = False
        self._confirm: dict[bytes, list[asyncio.Future[None]]] = {}
        self._outbox: deque[tuple[str, bytes]] = deque()
        self._wakeup = asyncio.Event()
        # Unpublished during an outage: the newest message per channel, other events.
        self._missed_messages: dict[str, tuple[int, bytes]] = {}
        self._missed_events: deque[tuple[str, bytes]] = deque(maxlen=OUTAGE_EVENTS)
        self._tasks: list[asyncio.Task[None]] = []
        self._listening = asyncio.Event()
        self.reconnects = 0
        self.dropped = 0  # events received that could not be decoded

    # -- the Broker interface ---------------------------------------------------

    async def start(self, deliver: Deliver) -> None:
        """Connect in the background; a Redis that is down now is retried."""
        self._deliver = deliver
        self._tasks = [
            asyncio.create_task(self._listen_loop(), name="quanzi-redis-listen"),
            asyncio.create_task(self._send_loop(), name="quanzi-redis-send"),
        ]
        # Give a reachable Redis the chance to be up before the first request.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CONFIRM_TIMEOUT_S):
                await self._listening.wait()

    def publish(self, channel: str, message: BrokerMessage) -> None:
        if self._deliver is not None and channel in self._channels:
            self._deliver(message)
        try:
            data = msgpack.packb([self.node_id, encode(message)])
        except (TypeError, ValueError):
            log.exception("broker: cannot encode %r for other nodes", type(message).__name__)
            return
        if not self._connected:
            self._keep(channel, data, message)
        elif self._publisher is not None and not self._outbox:
            self._publisher.publish(channel, self._key(channel), data)
        else:
            self._outbox.append((channel, data))
            self._wakeup.set()

    async def subscribe(self, channel: str) -> None:
        """Subscribe and wait (briefly) until Redis confirms it."""
        self._channels.add(channel)
        pubsub = self._pubsub
        if pubsub is None or not self._connected:
            return  # the listener subscribes everything when it reconnects
        key = self._key(channel)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._confirm.setdefault(key, []).append(future)
        try:
            await pubsub.subscribe(key)
            async with asyncio.timeout(CONFIRM_TIMEOUT_S):
                await future
        except (*_ERRORS, TimeoutError) as exc:
            # The listener notices a broken connection and resubscribes; the
            # node's tail check covers a slow confirmation.
            log.debug("subscribe %s: %r", channel, exc)
        finally:
            waiting = self._confirm.get(key)
            if waiting is not None and future in waiting:
                waiting.remove(future)
                if not waiting:
                    del self._confirm[key]

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        pubsub = self._pubsub
        if pubsub is not None and self._connected:
            try:
                await pubsub.unsubscribe(self._key(channel))
            except _ERRORS as exc:
                log.debug("unsubscribe %s: %r", channel, exc)

    def healthy(self) -> bool:
        return self._connected

    def info(self) -> dict[str, Any]:
        return {
            "kind": "redis-cluster" if self._sharded else "redis",
            "connected": self._connected,
            "node": self.node_id,
            "channels": len(self._channels),
            "reconnects": self.reconnects,
            "queued": len(self._outbox) + (self._publisher.unanswered if self._publisher else 0),
        }

    async def close(self) -> None:
        """Publish what is queued (for up to a second), then disconnect."""
        if self._outbox and self._connected:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0):
                    while self._outbox and self._connected:
                        self._wakeup.set()
                        await asyncio.sleep(0.01)
        if self._publisher is not None:
            await self._publisher.drain(1.0)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        if self._publisher is not None:
            await self._publisher.close()
        self._deliver = None
        self._channels.clear()
        with contextlib.suppress(*_ERRORS):
            await self._redis.aclose()

    # -- receiving ----------------------------------------------------------------

    def _key(self, channel: str) -> bytes:
        # Tagged: a circle's channel and its keys (presence) share a cluster slot.
        return f"{self._prefix}{tag(channel)}".encode()

    def _own_key(self) -> bytes:
        # Always subscribed: the connection stays up (and watched) with no circle.
        return self._key(f"node:{self.node_id}")

    async def _listen_loop(self) -> None:
        delay = BACKOFF_MIN_S
        first = True
        while True:
            pubsub = self._new_pubsub()
            try:
                await self._connect(pubsub)
                delay = BACKOFF_MIN_S
                if first:
                    log.info("broker: listening on Redis as node %s", self.node_id)
                else:
                    self.reconnects += 1
                    metrics.broker_reconnects.inc()
                    log.warning("broker: Redis is back; resubscribed, resyncing from the store")
                # Whatever could not be published or heard while Redis was away
                # (before the first connection too: Redis may be down at start).
                self._republish_missed()
                if (not first or self._channels) and self._deliver is not None:
                    self._deliver(Resync())
                first = False
                self._listening.set()
                await self._read(pubsub)
            except asyncio.CancelledError:
                raise
            except (*_ERRORS, TimeoutError) as exc:
                raise_if_cancelled(exc)
                if self._connected or first:
                    log.warning("broker: Redis connection lost or refused: %r", exc)
            except Exception as exc:
                raise_if_cancelled(exc)
                log.exception("broker: listener failed; reconnecting")
            finally:
                self._connected = False
                self._pubsub = None
                self._fail_confirmations()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(delay * 2, self._backoff_max_s)

    def _new_pubsub(self) -> PubSub | ShardedPubSub:
        if isinstance(self._redis, RedisCluster):
            from .redis_shards import ShardedPubSub

            return ShardedPubSub(self._redis, {**credentials(self._url), **self._options})
        return self._redis.pubsub()

    async def _connect(self, pubsub: PubSub | ShardedPubSub) -> None:
        """Subscribe everything wanted; return once Redis confirmed it."""
        wanted = {self._own_key(), *(self._key(c) for c in self._channels)}
        await pubsub.subscribe(*wanted)
        pending = set(wanted)
        async with asyncio.timeout(CONFIRM_TIMEOUT_S * 2):
            while pending:
                message = await pubsub.get_message(timeout=CONFIRM_TIMEOUT_S)
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    pending.discard(message["channel"])
                else:
                    self._on_message(message)
        if self._publisher is not None:
            await self._publisher.connect()
        self._pubsub = pubsub
        self._connected = True
        self._publish_failed = False
        # Channels the node asked for or gave up while we were connecting.
        now = {self._own_key(), *(self._key(c) for c in self._channels)}
        if now - wanted:
            await pubsub.subscribe(*(now - wanted))
        if wanted - now:
            await pubsub.unsubscribe(*(wanted - now))

    async def _read(self, pubsub: PubSub | ShardedPubSub) -> None:
        while True:
            message = await pubsub.get_message(timeout=1.0)
            raise_if_cancelled()
            if self._publish_failed:
                raise RedisConnectionError("publishing failed: reconnecting")
            if message is not None:
                self._on_message(message)

    def _on_message(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "subscribe":
            for future in self._confirm.pop(message["channel"], ()):
                if not future.done():
                    future.set_result(None)
            return
        if kind != "message" or self._deliver is None:
            return
        data = message["data"]
        if data.startswith(self._echo):
            return  # delivered locally when it was published
        try:
            _origin, raw = msgpack.unpackb(data)
            decoded = decode(raw)
        except Exception:
            self.dropped += 1
            log.warning("broker: undecodable message on %r", message.get("channel"))
            return
        try:
            self._deliver(decoded)
        except Exception:
            log.exception("broker: delivering %s failed", type(decoded).__name__)

    def _fail_confirmations(self) -> None:
        for futures in self._confirm.values():
            for future in futures:
                if not future.done():
                    future.set_result(None)
        self._confirm.clear()

    # -- publishing -----------------------------------------------------------------

    async def _send_loop(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._outbox and self._connected:
                batch = [
                    self._outbox.popleft() for _ in range(min(PUBLISH_BATCH, len(self._outbox)))
                ]
                if self._publisher is not None:
                    for channel, data in batch:
                        self._publisher.publish(channel, self._key(channel), data)
                    continue
                try:
                    async with self._redis.pipeline(transaction=False) as pipe:
                        publish = pipe.spublish if self._sharded else pipe.publish
                        for channel, data in batch:
                            publish(self._key(channel), data)
                        await pipe.execute()
                    raise_if_cancelled()
                except Exception as exc:  # Redis away (or a bug): keep them for later
                    raise_if_cancelled(exc)
                    log.warning("broker: publishing %d events failed: %r", len(batch), exc)
                    for channel, data in batch:
                        self._keep(channel, data, None)
                    # The listener reconnects (on a cluster the master that failed
                    # may hold none of its subscriptions); what is queued
                    # meanwhile is kept for then.
                    self._publish_failed = True
                    while self._outbox:
                        channel, data = self._outbox.popleft()
                        self._keep(channel, data, None)
                    break

    def _unpublished(self, sent: list[Sent]) -> None:
        """The publisher lost its connection: keep what Redis did not answer, and
        make the listener reconnect (which publishes it again)."""
        for channel, data in sent:
            self._keep(channel, data, None)
        self._publish_failed = True

    def _keep(self, channel: str, data: bytes, message: BrokerMessage | None) -> None:
        """Keep an unpublished message for after the reconnect."""
        if message is None:
            message = decode(msgpack.unpackb(data)[1])
        if isinstance(message, ChatMessage):
            seq = message.message["seq"]
            kept = self._missed_messages.get(channel)
            if kept is None or kept[0] < seq:
                self._missed_messages[channel] = (seq, data)
        else:
            self._missed_events.append((channel, data))

    def _republish_missed(self) -> None:
        missed = [
            *self._missed_events,
            *((channel, data) for channel, (_, data) in self._missed_messages.items()),
        ]
        self._missed_events.clear()
        self._missed_messages.clear()
        if missed:
            log.info("broker: publishing %d events kept during the outage", len(missed))
            self._outbox.extendleft(reversed(missed))
        self._wakeup.set()
