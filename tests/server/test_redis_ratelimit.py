"""The chat rate limit across nodes: leases from one bucket per user in Redis
(the shared Redis, split by prefix)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable

import pytest

from server.ratelimit import wait_before
from server.redis_ratelimit import RedisLimiter, redis_client
from tests.services import free_port, redis_url
from tests.timing import seconds

# No token comes back while a test runs: what is allowed is exactly the burst.
NO_REFILL = 1e-6

Make = Callable[..., RedisLimiter]


class Clock:
    """This node's clock, moved only by the test (Redis keeps its own)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    """``make(url=…, **kw)`` limiters that share one prefix: nodes of one cluster."""
    prefix = f"t{secrets.token_hex(4)}:"
    made: list[RedisLimiter] = []

    def limiter(url: object = None, **kw: object) -> RedisLimiter:
        one = RedisLimiter(url or redis_url(), prefix=prefix, **kw)  # type: ignore[arg-type]
        made.append(one)
        return one

    yield limiter
    for one in made:
        await one.close()


async def test_two_nodes_share_one_bucket(make: Make) -> None:
    a, b = make(rate=NO_REFILL, burst=20), make(rate=NO_REFILL, burst=20)
    for node in (a, b):
        await node.start()
    allowed = [await node.acquire("ann") for _ in range(15) for node in (a, b)]
    assert allowed.count(True) == 20
    assert allowed[:20] == [True] * 20
    assert await a.acquire("bob") is True  # every user has a bucket of their own


async def test_a_lease_is_spent_without_redis_and_lapses(make: Make) -> None:
    clock = Clock()
    node = make(rate=10, burst=20, lease_s=0.25, clock=clock)
    await node.start()
    assert node.take("ann") is None  # nothing leased yet: only acquire can tell
    assert await node.acquire("ann") is True  # a lease of three: one spent
    assert [node.take("ann") for _ in range(3)] == [True, True, None]
    assert await node.acquire("ann") is True
    clock.now += 0.25  # unused tokens lapse: they are never spent later
    assert node.take("ann") is None


async def test_a_say_spends_the_lease_it_waited_for_however_late(make: Make) -> None:
    """A lease that lapses before the say that asked for it runs (a loaded event
    loop) is still that say's: it is not asked for again and again."""
    node = make(rate=10, burst=20, lease_s=0.0)
    await node.start()
    allowed = await asyncio.wait_for(node.acquire("ann"), seconds(5))
    assert allowed is True


async def test_an_empty_bucket_refuses_without_asking_again(make: Make) -> None:
    node = make(rate=NO_REFILL, burst=2)
    await node.start()
    assert [await node.acquire("ann") for _ in range(3)] == [True, True, False]
    assert node.take("ann") is False  # answered here: a flood costs no round trips


async def test_without_redis_each_node_limits_on_its_own(make: Make) -> None:
    node = make(url=f"redis://127.0.0.1:{free_port()}/0", rate=NO_REFILL, burst=3)
    await node.start()
    assert [await node.acquire("ann") for _ in range(4)] == [True, True, True, False]
    assert node.healthy is False


async def test_named_limits_on_one_client_keep_their_own_buckets(make: Make) -> None:
    """The abuse limits share one Redis client; a key's bucket under one name is
    not its bucket under another, and an empty one says how long to wait."""
    shared = redis_client(redis_url(), 0.5)
    try:
        signups = make(url=shared, name="signup", rate=0.5, burst=2)
        logins = make(url=shared, name="login", rate=0.5, burst=2)
        for node in (signups, logins):
            await node.start()
        assert [await signups.acquire("10.0.0.1") for _ in range(3)] == [True, True, False]
        assert 0 < signups.retry_after("10.0.0.1") <= 2.0
        assert await wait_before(signups, "10.0.0.1") > 0
        assert await wait_before(logins, "10.0.0.1") == 0.0
    finally:
        await shared.aclose()
