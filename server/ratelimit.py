"""Rate limits: a token bucket per key (a user, an IP), whatever socket or node
the request comes through. Chat's is the first (people type ~10 lines a second
at most); the abuse limits of `limits.py` (signups, logins, writes, frames,
requests per IP) are the same buckets under other names.

The limit belongs to the user, not to a connection: a bucket outlives its
user's sockets, so reconnecting never refills it. A bucket is forgotten only
once it is full again (forgetting it then changes nothing), in sweeps that run
when the table has doubled since the last one: memory stays bounded by the
users who said something within the last ``burst / rate`` seconds.

`Limiter` is what a caller needs; `LocalLimiter` is the embedded default (one
node) and `redis_ratelimit.RedisLimiter` holds the limit across nodes
(``QUANZI_REDIS_URL``), chosen in `cluster.py`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

Clock = Callable[[], float]

# Buckets below this count are never swept: a sweep would cost more than it frees.
SWEEP_MIN = 1024
# The longest wait a refusal names (a rate that slow is a ban): 30 days.
WAIT_MAX_S = 2_592_000.0


class Limiter(Protocol):
    """What a caller needs of a rate limit (keys: user ids, IPs)."""

    def take(self, key: str) -> bool | None:
        """Spend one of the key's tokens now: True, False when there is none, or
        None when only `acquire` can tell (it waits, e.g. on Redis)."""

    async def acquire(self, key: str) -> bool:
        """Spend one of the key's tokens, waiting for the answer if need be."""

    def retry_after(self, key: str) -> float:
        """After a refusal: about how many seconds until the key has a token again."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...


async def wait_before(limiter: Limiter, key: str) -> float:
    """Spend one of the key's tokens: 0.0 when there was one, otherwise the
    seconds until there is (for Retry-After; never 0)."""
    if await limiter.acquire(key):
        return 0.0
    return min(max(limiter.retry_after(key), 0.001), WAIT_MAX_S)


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

    def wait(self, now: float) -> float:
        """Seconds until a token is back (0 when there is one)."""
        missing = 1 - self.refill(now)
        if missing <= 0:
            return 0.0
        return WAIT_MAX_S if self.rate <= 0 else min(missing / self.rate, WAIT_MAX_S)


class LocalLimiter:
    """One bucket per key on this node, kept while it is not full."""

    def __init__(self, rate: float, burst: int, clock: Clock = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._sweep_at = SWEEP_MIN

    def take(self, key: str) -> bool:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._sweep_at:
                self._sweep(now)
            bucket = self._buckets[key] = TokenBucket(self.rate, self.burst, now)
        return bucket.take(now)

    async def acquire(self, key: str) -> bool:
        return self.take(key)

    def retry_after(self, key: str) -> float:
        bucket = self._buckets.get(key)
        return 0.0 if bucket is None else bucket.wait(self._clock())

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
