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
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from .ratelimit import SWEEP_MIN, Clock

log = logging.getLogger(__name__)

_ERRORS = (RedisError, OSError, TimeoutError)


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


# KEYS: the three keys of a login. ARGV[1]: the window (ms). Counts a failure
# under each, stamped by Redis' clock (one clock for every node).
FAIL_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
for i = 1, #KEYS do
  redis.call('HINCRBY', KEYS[i], 'n', 1)
  redis.call('HSET', KEYS[i], 'l', now)
  redis.call('PEXPIRE', KEYS[i], ARGV[1])
end
return 1
"""

# KEYS: the three keys. Returns {now, count, last, count, last, count, last} (ms).
READ_SCRIPT = """
local clock = redis.call('TIME')
local out = {tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)}
for i = 1, #KEYS do
  local held = redis.call('HMGET', KEYS[i], 'n', 'l')
  out[#out + 1] = tonumber(held[1]) or 0
  out[#out + 1] = tonumber(held[2]) or 0
end
return out
"""


class RedisLoginBackoff:
    """The counts in Redis: ``{prefix}loginfail:{key}``, hashes that expire a
    window after their last failure."""

    def __init__(
        self,
        redis: Redis,
        thresholds: Thresholds,
        *,
        prefix: str = "quanzi:",
        backoff_s: float = 2.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.thresholds = thresholds
        self._redis = redis
        self._prefix = f"{prefix}loginfail:"
        self._fail = redis.register_script(FAIL_SCRIPT)
        self._read = redis.register_script(READ_SCRIPT)
        self._backoff_s = backoff_s
        self._clock = clock
        self._local = LocalLoginBackoff(thresholds, clock)
        self._local_until = 0.0
        self.healthy = True

    async def wait(self, account: str, ip: str) -> float:
        if self._clock() < self._local_until:
            return await self._local.wait(account, ip)
        try:
            now, *raw = await self._read(keys=self._keys(account, ip))
        except _ERRORS as exc:
            self._unreachable(exc)
            return await self._local.wait(account, ip)
        self._reachable()
        pair, by_ip, by_account = (
            Failures(int(raw[i]), int(raw[i + 1]) / 1000) if int(raw[i]) else None
            for i in range(0, 6, 2)
        )
        return wait_for(self.thresholds, pair, by_ip, by_account, int(now) / 1000)

    async def failed(self, account: str, ip: str) -> None:
        if self._clock() >= self._local_until:
            window_ms = max(1, int(self.thresholds.window_s * 1000))
            try:
                await self._fail(keys=self._keys(account, ip), args=[window_ms])
                return
            except _ERRORS as exc:
                self._unreachable(exc)
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
        return [self._prefix + key for key in keys(account, ip)]

    def _unreachable(self, exc: BaseException) -> None:
        if self.healthy:
            log.warning("login backoff: Redis unreachable, counting per node: %r", exc)
        self.healthy = False
        self._local_until = self._clock() + self._backoff_s

    def _reachable(self) -> None:
        if not self.healthy:
            log.info("login backoff: shared through Redis again")
        self.healthy = True
