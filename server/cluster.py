"""Several nodes: which broker, presence and chat rate limiter a node uses,
and how it catches up.

Without ``QUANZI_REDIS_URL`` a node is alone: the in-process broker, in-memory
presence and rate limits. With it, Redis carries messages, presence and each
user's chat rate limit between nodes, and because Redis pub/sub is
at-most-once the node also

- checks every ``tail_check_s`` that it delivered each followed circle's last
  chat seq and last event rev (one query per stream for all of them) and fills
  from the store what never came;
- after a broker reconnect (``Resync``) brings every stream up to date from the
  store, and re-reads what the messages it may have missed would have told it:
  revoked tokens and memberships gained or lost.

It knows nothing of the node: it gets the sequencers and the checks it runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from .broker import Broker, InProcessBroker
from .presence import LocalPresence, PresenceTracker
from .ratelimit import Limiter, LocalLimiter
from .sequencer import Sequencer
from .settings import Settings

if TYPE_CHECKING:
    from .redis_client import AnyRedis

log = logging.getLogger(__name__)

# Circles per tail-check query.
TAIL_CHECK_CHUNK = 500


def make_broker(settings: Settings) -> Broker:
    if not settings.redis_url:
        return InProcessBroker()
    from .redis_broker import RedisBroker

    return RedisBroker(
        settings.redis_url,
        prefix=settings.redis_prefix,
        node_id=settings.node_id,
        backoff_max_s=settings.redis_backoff_max_s,
    )


def make_presence(settings: Settings, broker: Broker) -> PresenceTracker:
    if not settings.redis_url:
        return LocalPresence()
    from .redis_presence import RedisPresence

    return RedisPresence(
        settings.redis_url,
        str(broker.info().get("node") or settings.node_id),
        prefix=settings.redis_prefix,
        ttl_s=settings.presence_ttl_s,
        interval_s=settings.presence_interval_s,
    )


def make_say_limiter(settings: Settings) -> Limiter:
    return make_limiter(settings, "say", settings.say_rate_per_s, settings.say_burst)


def make_limiter(
    settings: Settings, name: str, rate: float, burst: int, redis: AnyRedis | None = None
) -> Limiter:
    """A rate limit (tokens per second, burst) named ``name``: per node, or in
    Redis (through ``redis``, a client shared by several limits, or one of its own)."""
    if not settings.redis_url:
        return LocalLimiter(rate, burst)
    from .redis_ratelimit import RedisLimiter

    return RedisLimiter(
        redis or settings.redis_url,
        rate=rate,
        burst=burst,
        name=name,
        prefix=settings.redis_prefix,
        lease_s=settings.say_lease_s,
        timeout_s=settings.say_lease_timeout_s,
        backoff_s=settings.redis_backoff_max_s,
    )


# A stream's last positions in the store, for a batch of circles.
Lasts = Callable[[list[str]], Awaitable[dict[str, int]]]


async def tail_check_loop(interval_s: float, streams: Sequence[tuple[Sequencer, Lasts]]) -> None:
    """Compare each followed circle's last position in the store (chat seq, event
    rev) with what was delivered; fill from the store what never came."""
    while True:
        await asyncio.sleep(interval_s)
        for sequencer, lasts in streams:
            try:
                await tail_check(sequencer, lasts)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("tail check failed", exc_info=True)


async def tail_check(sequencer: Sequencer, lasts: Lasts) -> None:
    circles = sequencer.circles()
    for i in range(0, len(circles), TAIL_CHECK_CHUNK):
        for circle, position in (await lasts(circles[i : i + TAIL_CHECK_CHUNK])).items():
            sequencer.expect(circle, position)


async def resync(streams: list[Sequencer], *rechecks: Callable[[], Awaitable[None]]) -> None:
    """After the broker lost messages: every stream from the store, then re-read
    what lost messages would have said (revoked tokens, memberships)."""
    for sequencer in streams:
        sequencer.catch_up()
    for recheck in rechecks:
        try:
            await recheck()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("re-reading after a broker reconnect failed", exc_info=True)
