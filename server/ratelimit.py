"""Chat rate limits: a token bucket per user, whatever socket or node the say
comes through (people type ~10 lines a second at most).

The limit belongs to the user, not to a connection: a bucket outlives its
user's sockets, so reconnecting never refills it. A bucket is forgotten only
once it is full again (forgetting it then changes nothing), in sweeps that run
when the table has doubled since the last one: memory stays bounded by the
users who said something within the last ``burst / rate`` seconds.

`SayLimiter` is what the session needs; `LocalSayLimiter` is the embedded
default (one node) and `redis_ratelimit.RedisSayLimiter` holds the limit across
nodes (``QUANZI_REDIS_URL``), chosen in `cluster.py`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

Clock = Callable[[], float]

# Buckets below this count are never swept: a sweep would cost more than it frees.
SWEEP_MIN = 1024


class SayLimiter(Protocol):
    """What a session needs of the chat rate limit."""

    def take(self, user_id: str) -> bool | None:
        """Spend one of the user's tokens now: True, False when there is none, or
        None when only `acquire` can tell (it waits, e.g. on Redis)."""

    async def acquire(self, user_id: str) -> bool:
        """Spend one of the user's tokens, waiting for the answer if need be."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class TokenBucket:
    __slots__ = ("rate", "burst", "tokens", "stamp")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.stamp = now

    def take(self, now: float, count: int = 1) -> bool:
        self.refill(now)
        if self.tokens >= count:
            self.tokens -= count
            return True
        return False

    def refill(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return self.tokens

    def full(self, now: float) -> bool:
        return self.tokens + (now - self.stamp) * self.rate >= self.burst


class LocalSayLimiter:
    """One bucket per user on this node, kept while it is not full."""

    def __init__(self, rate: float, burst: int, clock: Clock = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._sweep_at = SWEEP_MIN

    def take(self, user_id: str) -> bool:
        now = self._clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= self._sweep_at:
                self._sweep(now)
            bucket = self._buckets[user_id] = TokenBucket(self.rate, self.burst, now)
        return bucket.take(now)

    async def acquire(self, user_id: str) -> bool:
        return self.take(user_id)

    def __len__(self) -> int:
        return len(self._buckets)

    def _sweep(self, now: float) -> None:
        """Forget full buckets; the next sweep comes when the table has doubled."""
        self._buckets = {u: b for u, b in self._buckets.items() if not b.full(now)}
        self._sweep_at = max(SWEEP_MIN, 2 * len(self._buckets))

    async def start(self) -> None:
        """Nothing to start in memory."""

    async def close(self) -> None:
        """Nothing to release in memory."""


class WindowCounter:
    """Counts events in a sliding window (bad frames: 20 in 10 s closes)."""

    __slots__ = ("window", "stamps")

    def __init__(self, window: float) -> None:
        self.window = window
        self.stamps: list[float] = []

    def add(self) -> int:
        now = time.monotonic()
        self.stamps = [t for t in self.stamps if now - t < self.window]
        self.stamps.append(now)
        return len(self.stamps)
