"""Per-user token buckets for chat: people type ~10 lines a second at most."""

from __future__ import annotations

import time


class TokenBucket:
    __slots__ = ("rate", "burst", "tokens", "stamp")

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class RateLimiter:
    """One bucket per user, shared by all of that user's connections here."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, TokenBucket] = {}

    def allow(self, user_id: str) -> bool:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = TokenBucket(self.rate, self.burst)
        return bucket.take()

    def forget(self, user_id: str) -> None:
        self._buckets.pop(user_id, None)


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
