"""Failed logins slow down the next ones of their account and IP, and never those
of an IP that has not failed on the account (server/login_backoff.py)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest

from server.login_backoff import (
    Failures,
    LocalLoginBackoff,
    LoginBackoff,
    RedisLoginBackoff,
    Thresholds,
    wait_for,
)
from server.redis_ratelimit import redis_client
from tests.services import free_port, redis_url

SMALL = Thresholds(per_account_ip=3, per_ip=10, per_account=20, window_s=60, base_s=1, max_s=8)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_wait_doubles_past_the_threshold_up_to_the_cap() -> None:
    waits = [wait_for(SMALL, Failures(n, 100.0), None, None, 100.0) for n in range(1, 9)]
    assert waits == [0, 0, 1, 2, 4, 8, 8, 8]
    # Counted from the last failure, and gone with the window.
    assert wait_for(SMALL, Failures(4, 100.0), None, None, 101.5) == 0.5
    assert wait_for(SMALL, Failures(9, 100.0), None, None, 160.0) == 0


def test_the_account_count_holds_back_only_ips_that_failed_on_it() -> None:
    spread = Failures(25, 100.0)
    assert wait_for(SMALL, None, None, spread, 100.0) == 0  # the owner, elsewhere
    assert wait_for(SMALL, Failures(1, 100.0), None, spread, 100.0) > 0


async def test_locally_a_guesser_waits_and_the_owner_elsewhere_does_not() -> None:
    clock = Clock()
    backoff = LocalLoginBackoff(SMALL, clock)
    for _ in range(3):
        assert await backoff.wait("ann", "10.0.0.66") == 0
        await backoff.failed("ann", "10.0.0.66")
    assert await backoff.wait("ann", "10.0.0.66") == 1
    assert await backoff.wait("ann", "10.0.0.1") == 0  # the owner's IP
    clock.now += 1
    assert await backoff.wait("ann", "10.0.0.66") == 0
    await backoff.failed("ann", "10.0.0.66")
    assert await backoff.wait("ann", "10.0.0.66") == 2  # doubled
    clock.now += SMALL.window_s
    assert await backoff.wait("ann", "10.0.0.66") == 0  # forgotten


async def test_a_success_forgives_the_typos_of_its_account_and_ip() -> None:
    backoff = LocalLoginBackoff(SMALL, Clock())
    for _ in range(3):
        await backoff.failed("ann", "10.0.0.1")
    assert await backoff.wait("ann", "10.0.0.1") > 0
    await backoff.succeeded("ann", "10.0.0.1")
    assert await backoff.wait("ann", "10.0.0.1") == 0


async def test_an_ip_failing_on_many_accounts_waits_for_all_of_them() -> None:
    backoff = LocalLoginBackoff(SMALL, Clock())
    for i in range(10):
        await backoff.failed(f"user{i}", "10.0.0.66")
    assert await backoff.wait("someone-else", "10.0.0.66") == 1
    assert await backoff.wait("someone-else", "10.0.0.1") == 0


async def test_expired_counts_are_swept() -> None:
    """Memory holds the failures of the last window, not of all time."""
    clock = Clock()
    backoff = LocalLoginBackoff(SMALL, clock)
    for i in range(400):  # 1,200 counts: one sweep, nothing to forget yet
        await backoff.failed(f"user{i}", f"10.0.{i // 256}.{i % 256}")
    clock.now += SMALL.window_s
    for i in range(300):  # the table doubles: the sweep forgets the old 1,200
        await backoff.failed(f"other{i}", f"10.1.{i // 256}.{i % 256}")
    assert len(backoff) == 900  # the 300 x 3 counts of this window


@pytest.fixture
async def shared() -> AsyncIterator[list[LoginBackoff]]:
    """Two nodes' backoffs on the shared Redis, one prefix."""
    client = redis_client(redis_url(), 0.5)
    prefix = f"t{secrets.token_hex(4)}:"
    yield [RedisLoginBackoff(client, SMALL, prefix=prefix) for _ in range(2)]
    await client.aclose()


async def test_failures_on_one_node_count_on_the_other(shared: list[LoginBackoff]) -> None:
    a, b = shared
    for node in (a, b, a):
        await node.failed("ann", "10.0.0.66")
    assert 0 < await b.wait("ann", "10.0.0.66") <= 1
    assert 0 < await a.wait("ann", "10.0.0.66") <= 1
    assert await b.wait("ann", "10.0.0.1") == 0
    await b.succeeded("ann", "10.0.0.66")
    assert await a.wait("ann", "10.0.0.66") == 0


async def test_without_redis_a_node_counts_on_its_own() -> None:
    client = redis_client(f"redis://127.0.0.1:{free_port()}/0", 0.5)
    backoff = RedisLoginBackoff(client, SMALL)
    try:
        for _ in range(3):
            await backoff.failed("ann", "10.0.0.66")
        assert backoff.healthy is False
        assert 0 < await backoff.wait("ann", "10.0.0.66") <= 1
    finally:
        await client.aclose()
