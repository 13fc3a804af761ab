"""Rate limits across nodes: one token bucket per key (user, IP) in Redis,
spent by the nodes in small leases (``QUANZI_REDIS_URL``). Chat's limit is the
one the design was made for; the abuse limits (`limits.py`) use the same
buckets under other names, and share one Redis client.

A say is the hot path (group commit takes ~16,000 a second): a Redis round
trip per say would cost more than the commit it waits for. So a node takes a
user's tokens from the shared bucket a few at a time — ``say_lease_s`` worth at
the user's rate, at least one — with a small Lua script that refills the
bucket by Redis' clock (one clock for every node) and grants what it holds.
The user's says then spend the lease on this node without a round trip; the
lease requests of every user waiting at the same moment share one pipeline.

Unused tokens of a lease lapse after ``say_lease_s``: a node never spends a
token it took longer ago (but for the says that waited for the lease). However a user's says are spread over the nodes,
in any w seconds they get at most ``burst + rate * (w + say_lease_s)`` — the
limit, plus what a lease lets through while the bucket refills (2.5 says at the
defaults). Lapsed tokens are not given back: that makes the limit stricter for
a moment, never looser. (Per-node buckets sized to a share of the limit would
need no Redis, but a user on one node would get only that share.)

An empty bucket comes with how long until a token is back: the node refuses
the user's says until then without asking again, so a flood costs no round
trips. Redis being away never blocks chat: a lease request that fails or takes
longer than ``say_lease_timeout_s`` makes the node count says in its own
buckets (`LocalLimiter`) for ``redis_backoff_max_s``, then try Redis again;
meanwhile the limit holds per node.

Key: ``{prefix}{name}:{{key}}`` (chat's: ``{prefix}say:{{user}}``), a hash of
tokens and stamp (ms) that expires once the bucket would be full again (a
missing key is a full bucket). The key is its own hash tag and the script
touches only it, so it runs on a Redis Cluster too; the script goes as ``EVAL``
in the pipeline (a cluster pipeline refuses ``EVALSHA``; Redis caches it by
its hash either way).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from dataclasses import dataclass

from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from .ratelimit import SWEEP_MIN, Clock, LocalLimiter
from .redis_client import REDIS_ERRORS, AnyRedis, connect, raise_if_cancelled, reread_topology, tag

log = logging.getLogger(__name__)

_ERRORS = REDIS_ERRORS

# KEYS[1]: the user's bucket. ARGV: rate (tokens per ms), burst, tokens wanted.
# Returns {granted, ms until a token is back (when none was granted)}.
LEASE_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local held = redis.call('HMGET', KEYS[1], 't', 's')
local tokens, stamp = tonumber(held[1]), tonumber(held[2])
if tokens == nil or stamp == nil then
  tokens, stamp = burst, now
end
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local granted = math.min(want, math.floor(tokens))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 't', tostring(tokens), 's', tostring(now))
-- Gone once full again; at most 30 days (a rate that slow is a ban).
redis.call('PEXPIRE', KEYS[1], math.min(math.ceil((burst - tokens) / rate) + 1000, 2592000000))
local wait = 0
if granted == 0 then
  wait = math.min(math.ceil((1 - tokens) / rate), 2592000000)
end
return {granted, wait}
"""


@dataclass(slots=True)
class Lease:
    """Tokens this node took from a user's bucket, spendable until ``until``; no
    tokens means the bucket was empty: refuse until then."""

    tokens: int
    until: float


def redis_client(url: str, timeout_s: float) -> AnyRedis:
    """A client for the limiters: no retries inside redis-py, so a failure falls
    back to local buckets at once."""
    return connect(
        url,
        retry=Retry(NoBackoff(), 0),
        socket_connect_timeout=timeout_s,
        socket_timeout=timeout_s,
    )


class RedisLimiter:
    def __init__(
        self,
        url: str | AnyRedis,
        *,
        rate: float,
        burst: int,
        name: str = "say",
        prefix: str = "quanzi:",
        lease_s: float = 0.25,
        timeout_s: float = 0.5,
        backoff_s: float = 2.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._prefix = f"{prefix}{name}:"
        self._name = name
        self._rate_ms = max(rate, 1e-9) / 1000
        self._burst = burst
        self._lease_s = lease_s
        self._lease_size = max(1, min(burst, math.ceil(rate * lease_s)))
        self._backoff_s = backoff_s
        self._clock = clock
        # A URL: a client of its own (closed with the limiter); a client: shared.
        self._owns_redis = isinstance(url, str)
        self._redis = redis_client(url, timeout_s) if isinstance(url, str) else url
        self._leases: dict[str, Lease] = {}
        self._sweep_at = SWEEP_MIN
        # Users whose says wait for a lease, and what they wait on.
        self._waiting: dict[str, asyncio.Future[None]] = {}
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # While Redis is away: this node's own buckets, until ``_local_until``.
        self._local = LocalLimiter(rate, burst, clock)
        self._local_until = 0.0
        self.healthy = True

    # -- the Limiter interface --------------------------------------------------------

    def take(self, key: str, *, granted: bool = False) -> bool | None:
        """``granted``: for a say that waited for this very lease, which it may
        spend however late it runs (a loaded event loop must not starve it)."""
        now = self._clock()
        if now < self._local_until:
            return self._local.take(key)
        lease = self._leases.get(key)
        if lease is None or (now >= lease.until and not granted):
            return None
        if not lease.tokens:
            return False
        lease.tokens -= 1
        if not lease.tokens:
            del self._leases[key]
        return True

    async def acquire(self, key: str) -> bool:
        taken = self.take(key)
        while taken is None:
            waiting = self._waiting.get(key)
            if waiting is None:
                waiting = self._waiting[key] = asyncio.get_running_loop().create_future()
                self._wakeup.set()
            # Shared by every say of the user waiting here: one lease request.
            await asyncio.shield(waiting)
            # None again when other says waiting with this one spent the lease.
            taken = self.take(key, granted=True)
        return taken

    def retry_after(self, key: str) -> float:
        now = self._clock()
        if now < self._local_until:
            return self._local.retry_after(key)
        lease = self._leases.get(key)
        if lease is not None and not lease.tokens:
            return lease.until - now
        # Refused by a lease spent meanwhile: the next one is a lease away.
        return self._lease_s

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=f"quanzi-{self._name}-leases")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self._release_waiting()
        if self._owns_redis:
            with contextlib.suppress(*_ERRORS):
                await self._redis.aclose()

    # -- leases -----------------------------------------------------------------------

    async def _loop(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            users = list(self._waiting)
            if not users:
                continue
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for user in users:
                        args = [self._rate_ms, self._burst, self._lease_size]
                        pipe.execute_command("EVAL", LEASE_SCRIPT, 1, self._key(user), *args)
                    results = await pipe.execute()
                raise_if_cancelled()
            except asyncio.CancelledError:
                raise
            except _ERRORS as exc:
                raise_if_cancelled(exc)
                if self.healthy:
                    log.warning(
                        "rate limit %s: Redis unreachable, limiting per node: %r", self._name, exc
                    )
                self.healthy = False
                self._local_until = self._clock() + self._backoff_s
            else:
                if not self.healthy:
                    log.info("rate limit %s: shared through Redis again", self._name)
                self.healthy = True
                self._granted(users, results)
            for user in users:
                waiting = self._waiting.pop(user, None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(None)
            if not self.healthy:  # after the says it held back went on locally
                await reread_topology(self._redis)
                raise_if_cancelled()

    def _granted(self, users: list[str], results: list[list[int]]) -> None:
        now = self._clock()
        if len(self._leases) >= self._sweep_at:
            self._leases = {u: lease for u, lease in self._leases.items() if lease.until > now}
            self._sweep_at = max(SWEEP_MIN, 2 * len(self._leases))
        for user, (granted, wait_ms) in zip(users, results, strict=True):
            if granted:
                self._leases[user] = Lease(int(granted), now + self._lease_s)
            else:
                self._leases[user] = Lease(0, now + int(wait_ms) / 1000)

    def _release_waiting(self) -> None:
        """Closing: says still waiting are counted here (the node is going away)."""
        self._local_until = math.inf
        for waiting in self._waiting.values():
            if not waiting.done():
                waiting.set_result(None)
        self._waiting.clear()

    def _key(self, key: str) -> str:
        return f"{self._prefix}{tag(key)}"
