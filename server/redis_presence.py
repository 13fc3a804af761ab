"""Presence counted across nodes in Redis.

Each node keeps its own counts in memory (as `LocalPresence` does) and mirrors
them into Redis:

- ``{prefix}presence:{c:circle}`` — a hash with one field ``user|node`` per user
  with a joined stream on that node;
- ``{prefix}nodes`` — a sorted set of nodes scored by their last heartbeat (ms).

Every ``interval_s`` a node beats, reads which nodes are alive (beat within
``ttl_s``) and, for each circle it has listeners in, which users other live
nodes have there. ``online`` is the union of this node's users and those. A
node that dies stops beating: its members stop counting within ``ttl_s`` and
the next node to see its fields deletes them. Each node writes all its fields
again every ``ttl_s / 3`` and after a Redis outage (a restarted Redis comes
back empty), so nothing a live node holds is forgotten for long.

The circle's channel is the key's hash tag: on a Redis Cluster the key lives on
the shard of the circle's pub/sub.

Redis being away never blocks anything: counts then come from this node and
the last known remote users.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from typing import Any

from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from .broker import circle_channel
from .presence import LocalPresence
from .redis_client import REDIS_ERRORS, connect, raise_if_cancelled, reread_topology, tag

log = logging.getLogger(__name__)

_ERRORS = REDIS_ERRORS
_SEP = "|"


class RedisPresence(LocalPresence):
    def __init__(
        self,
        url: str,
        node_id: str,
        *,
        prefix: str = "quanzi:",
        ttl_s: float = 30.0,
        interval_s: float = 1.0,
    ) -> None:
        super().__init__()
        self.node_id = node_id
        self._prefix = prefix
        self._ttl_ms = int(ttl_s * 1000)
        self._interval_s = interval_s
        self._redis = connect(
            url, retry=Retry(NoBackoff(), 0), socket_connect_timeout=2, socket_timeout=5
        )
        self._remote: dict[str, set[str]] = {}
        # Field writes waiting for Redis: ("add" | "del", circle, user).
        self._ops: deque[tuple[str, str, str]] = deque()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._next_rewrite = 0.0
        self.healthy = False

    # -- counting (synchronous, from the node) --------------------------------------

    def joined(self, circle: str, user_id: str) -> None:
        first = user_id not in self._users.get(circle, ())
        super().joined(circle, user_id)
        if first:
            self._ops.append(("add", circle, user_id))
            self._wakeup.set()

    def left(self, circle: str, user_id: str) -> None:
        super().left(circle, user_id)
        if user_id not in self._users.get(circle, ()):
            self._ops.append(("del", circle, user_id))
            self._wakeup.set()
            if circle not in self._users:
                self._remote.pop(circle, None)

    def online(self, circle: str) -> int:
        return len(self.users(circle) | self._remote.get(circle, set()))

    # -- the loop -----------------------------------------------------------------

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="quanzi-presence")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        # Leave at once instead of after the ttl.
        with contextlib.suppress(*_ERRORS, TimeoutError):
            async with asyncio.timeout(1.0):
                async with self._redis.pipeline(transaction=False) as pipe:
                    for circle, users in self._users.items():
                        pipe.hdel(self._key(circle), *(self._field(u) for u in users))
                    pipe.zrem(self._nodes_key(), self.node_id)
                    await pipe.execute()
        with contextlib.suppress(*_ERRORS):
            await self._redis.aclose()

    async def _loop(self) -> None:
        while True:
            try:
                await self._sync()
                raise_if_cancelled()
                if not self.healthy:
                    log.info("presence: counting across nodes in Redis")
                self.healthy = True
            except asyncio.CancelledError:
                raise
            except _ERRORS as exc:
                raise_if_cancelled(exc)
                if self.healthy:
                    log.warning("presence: Redis unreachable, counting locally: %r", exc)
                self.healthy = False
                self._next_rewrite = 0.0  # write everything again once it is back
                await reread_topology(self._redis)
                raise_if_cancelled()
            # A timer, not asyncio.timeout: on Python 3.11 a cancel that lands as
            # the timeout fires can be taken for the timeout and swallowed, and
            # the loop would outlive close().
            timer = asyncio.get_running_loop().call_later(self._interval_s, self._wakeup.set)
            try:
                await self._wakeup.wait()
            finally:
                timer.cancel()
            self._wakeup.clear()

    async def _sync(self) -> None:
        """Write pending changes, beat, and read the users of other live nodes."""
        now_ms = int(time.time() * 1000)
        rewrite = time.monotonic() >= self._next_rewrite
        ops = list(self._ops)
        circles = self.local_circles()
        async with self._redis.pipeline(transaction=False) as pipe:
            if rewrite:
                for circle in circles:
                    key = self._key(circle)
                    fields: dict[Any, Any] = {self._field(u): now_ms for u in self.users(circle)}
                    if fields:
                        pipe.hset(key, mapping=fields)
                    pipe.pexpire(key, self._ttl_ms * 4)
            for op, circle, user in ops:
                if op == "add":
                    pipe.hset(self._key(circle), self._field(user), now_ms)
                    pipe.pexpire(self._key(circle), self._ttl_ms * 4)
                else:
                    pipe.hdel(self._key(circle), self._field(user))
            pipe.zadd(self._nodes_key(), {self.node_id: now_ms})
            pipe.zrangebyscore(self._nodes_key(), now_ms - self._ttl_ms, "+inf")
            for circle in circles:
                pipe.hkeys(self._key(circle))
            # Nodes silent for ten ttls are gone for good.
            pipe.zremrangebyscore(self._nodes_key(), "-inf", now_ms - 10 * self._ttl_ms)
            results = await pipe.execute()
        for _ in ops:
            self._ops.popleft()
        if rewrite:
            self._next_rewrite = time.monotonic() + self._ttl_ms / 3000
        alive = {n.decode() for n in results[-len(circles) - 2]}
        fields_of = results[-len(circles) - 1 : -1]
        dead: list[tuple[str, list[bytes]]] = []
        for circle, fields in zip(circles, fields_of, strict=True):
            remote: set[str] = set()
            stale: list[bytes] = []
            for raw in fields:
                user, _, node = raw.decode().rpartition(_SEP)
                if node == self.node_id:
                    continue
                if node in alive:
                    remote.add(user)
                else:
                    stale.append(raw)
            if stale:
                dead.append((circle, stale))
            if circle not in self._users:
                continue  # everyone left while we read
            if remote != self._remote.get(circle, set()):
                self._remote[circle] = remote
                self._dirty.add(circle)
        if dead:
            async with self._redis.pipeline(transaction=False) as pipe:
                for circle, stale in dead:
                    pipe.hdel(self._key(circle), *stale)
                await pipe.execute()

    def _key(self, circle: str) -> str:
        return f"{self._prefix}presence:{tag(circle_channel(circle))}"

    def _nodes_key(self) -> str:
        return f"{self._prefix}nodes"

    def _field(self, user_id: str) -> str:
        return f"{user_id}{_SEP}{self.node_id}"
