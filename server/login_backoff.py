"""Failed logins slow down the next ones: per (account, IP), per IP, per account.

Each failure is counted under three keys, each forgotten ``window_s`` after its
last failure. A login waits (429 with Retry-After) when

- its account has failed from its IP ``per_account_ip`` times or more: a
  guesser at one account;
- its IP has failed ``per_ip`` times or more, on any accounts: a guesser going
  through many accounts;
- its account has failed ``per_account`` times or more from everywhere and
  this IP is one of those that failed on it: a guess spread over many IPs.

The wait is ``base_s`` after the failure that reached the threshold, doubling
with each further failure, up to ``max_s``, counted from the last failure. A
refused login is no attempt (no password was checked), so only real guesses
make the wait grow. An IP that has not failed on the account is never held
back by the account's count: whoever floods an account cannot lock its owner
out. A success clears the (account, IP) count: the owner's typos are forgiven.

`LocalLoginBackoff` counts on this node; `RedisLoginBackoff` counts in Redis
(one clock, every node) and falls back to its own local counts for
``backoff_s`` when Redis fails, like the rate limiters.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

from .ratelimit import SWEEP_MIN, Clock
from .redis_client import REDIS_ERRORS, AnyRedis, reread_topology, tag

log = logging.getLogger(__name__)

_ERRORS = (*REDIS_ERRORS, TimeoutError)


@dataclass(frozen=True, slots=True)
class Thresholds:
    per_account_ip: int = 5
    per_ip: int = 20
    per_account: int = 50
    window_s: float = 900.0
    base_s: float = 1.0
    max_s: float = 300.0


@dataclass(slots=True)
class Failures:
    """A key's failures in the window, and when the last one was (s)."""

    count: int
    last: float


class LoginBackoff(Protocol):
    async def wait(self, account: str, ip: str) -> float:
        """Seconds this login must wait before a password is checked (0: go on)."""

    async def failed(self, account: str, ip: str) -> None: ...

    async def succeeded(self, account: str, ip: str) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


def wait_for(
    t: Thresholds,
    pair: Failures | None,
    by_ip: Failures | None,
    by_account: Failures | None,
    now: float,
) -> float:
    """How long a login must wait, given the three counts."""
    waits = [_delay(t, pair, t.per_account_ip, now), _delay(t, by_ip, t.per_ip, now)]
    if pair is not None and pair.count:
        waits.append(_delay(t, by_account, t.per_account, now))
    return max(waits)


def _delay(t: Thresholds, failures: Failures | None, threshold: int, now: float) -> float:
    if failures is None or failures.count < threshold or now - failures.last >= t.window_s:
        return 0.0
    delay = min(t.max_s, t.base_s * 2.0 ** min(failures.count - threshold, 64))
    return max(0.0, failures.last + delay - now)


def keys(account: str, ip: str) -> tuple[str, str, str]:
    """The (account, IP), IP and account keys of a login."""
    return f"p:{ip} {account}", f"i:{ip}", f"a:{account}"


class LocalLoginBackoff:
    def __init__(self, thresholds: Thresholds, clock: Clock = time.monotonic) -> None:
        self.thresholds = thresholds
        self._clock = clock
        self._counts: dict[str, Failures] = {}
        self._sweep_at = SWEEP_MIN

    async def wait(self, account: str, ip: str) -> float:
        now = self._clock()
        pair, by_ip, by_account = (self._live(key, now) for key in keys(account, ip))
        return wait_for(self.thresholds, pair, by_ip, by_account, now)

    async def failed(self, account: str, ip: str) -> None:
        now = self._clock()
        if len(self._counts) >= self._sweep_at:
            self._sweep(now)
        for key in keys(account, ip):
            held = self._live(key, now)
            if held is None:
                self._counts[key] = Failures(1, now)
            else:
                held.count += 1
                held.last = now

    async def succeeded(self, account: str, ip: str) -> None:
        self._counts.pop(keys(account, ip)[0], None)

    def __len__(self) -> int:
        return len(self._counts)

    def _live(self, key: str, now: float) -> Failures | None:
        held = self._counts.get(key)
        if held is not None and now - held.last >= self.thresholds.window_s:
            del self._counts[key]
            return None
        return held

    def _sweep(self, now: float) -> None:
        window = self.thresholds.window_s
        self._counts = {k: f for k, f in self._counts.items() if now - f.last < window}
        self._sweep_at = max(SWEEP_MIN, 2 * len(self._counts))

    async def start(self) -> None:
        """Nothing to start in memory."""

    async def close(self) -> None:
        """Nothing to release in memory."""


# One key per script (each its own hash tag), so that the three keys of a login
# may live on three shards of a Redis Cluster; the three go in one pipeline.

# KEYS[1]: one key of a login. ARGV[1]: the window (ms). Counts a failure,
# stamped by Redis' clock (one clock for every node).
FAIL_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('HSET', KEYS[1], 'l', now)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
"""

# KEYS[1]: one key. Returns {now, count, last} (ms).
READ_SCRIPT = """
local clock = redis.call('TIME')
local held = redis.call('HMGET', KEYS[1], 'n', 'l')
return {tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000),
        tonumber(held[1]) or 0, tonumber(held[2]) or 0}
"""


class RedisLoginBackoff:
    """The counts in Redis: ``{prefix}loginfail:{key}``, hashes that expire a
    window after their last failure."""

    def __init__(
        self,
        redis: AnyRedis,
        thresholds: Thresholds,
        *,
        prefix: str = "quanzi:",
        backoff_s: float = 2.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.thresholds = thresholds
        self._redis = redis
        self._prefix = f"{prefix}loginfail:"
        self._backoff_s = backoff_s
        self._clock = clock
        self._local = LocalLoginBackoff(thresholds, clock)
        self._local_until = 0.0
        self.healthy = True

    async def wait(self, account: str, ip: str) -> float:
        if self._clock() < self._local_until:
            return await self._local.wait(account, ip)
        try:
            read = await self._each_key(READ_SCRIPT, account, ip)
        except _ERRORS as exc:
            self._unreachable(exc)
            await reread_topology(self._redis)
            return await self._local.wait(account, ip)
        self._reachable()
        pair, by_ip, by_account = (
            Failures(int(count), int(last) / 1000) if int(count) else None
            for _, count, last in read
        )
        return wait_for(self.thresholds, pair, by_ip, by_account, int(read[0][0]) / 1000)

    async def failed(self, account: str, ip: str) -> None:
        if self._clock() >= self._local_until:
            window_ms = max(1, int(self.thresholds.window_s * 1000))
            try:
                await self._each_key(FAIL_SCRIPT, account, ip, window_ms)
                return
            except _ERRORS as exc:
                self._unreachable(exc)
                await reread_topology(self._redis)
        await self._local.failed(account, ip)

    async def succeeded(self, account: str, ip: str) -> None:
        await self._local.succeeded(account, ip)
        with contextlib.suppress(*_ERRORS):
            await self._redis.delete(self._keys(account, ip)[0])

    async def start(self) -> None:
        """The client connects on first use."""

    async def close(self) -> None:
        """The client is shared: its owner closes it."""

    def _keys(self, account: str, ip: str) -> list[str]:
        return [self._prefix + tag(key) for key in keys(account, ip)]

    async def _each_key(self, script: str, account: str, ip: str, *args: int) -> list[Any]:
        """The script once per key of the login, in one pipeline (``EVAL``: a
        cluster pipeline refuses ``EVALSHA``)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in self._keys(account, ip):
                pipe.execute_command("EVAL", script, 1, key, *args)
            return list(await pipe.execute())

    def _unreachable(self, exc: BaseException) -> None:
        if self.healthy:
            log.warning("login backoff: Redis unreachable, counting per node: %r", exc)
        self.healthy = False
        self._local_until = self._clock() + self._backoff_s

    def _reachable(self) -> None:
        if not self.healthy:
            log.info("login backoff: shared through Redis again")
        self.healthy = True
