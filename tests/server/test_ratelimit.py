"""The chat rate limit on one node: a bucket per user that outlives its sockets."""

from __future__ import annotations

from server.ratelimit import SWEEP_MIN, LocalLimiter, wait_before


class Clock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_burst_then_the_rate() -> None:
    clock = Clock()
    limiter = LocalLimiter(rate=10, burst=20, clock=clock)
    assert [limiter.take("ann") for _ in range(21)] == [True] * 20 + [False]
    clock.now += 0.5  # five tokens back
    assert [limiter.take("ann") for _ in range(6)] == [True] * 5 + [False]
    assert limiter.take("bob") is True  # every user has a bucket of their own


def test_an_empty_bucket_is_kept_and_a_full_one_forgotten_in_a_sweep() -> None:
    clock = Clock()
    limiter = LocalLimiter(rate=10, burst=20, clock=clock)
    for _ in range(20):
        limiter.take("flooder")
    for i in range(SWEEP_MIN - 1):
        limiter.take(f"quiet{i}")
    clock.now += 1.0  # the quiet ones are full again; the flooder is not (10 of 20)
    limiter.take("newcomer")  # the table is at its sweep size: full buckets go
    assert len(limiter) == 2
    # The flooder's bucket was kept: what it had spent still counts.
    assert [limiter.take("flooder") for _ in range(11)] == [True] * 10 + [False]


def test_a_refusal_says_when_a_token_is_back() -> None:
    clock = Clock()
    limiter = LocalLimiter(rate=2, burst=1, clock=clock)
    assert limiter.retry_after("ann") == 0.0  # no bucket yet: nothing to wait for
    assert limiter.take("ann") is True
    assert limiter.take("ann") is False
    assert limiter.retry_after("ann") == 0.5
    clock.now += 0.3
    assert abs(limiter.retry_after("ann") - 0.2) < 1e-9


async def test_wait_before_is_zero_for_a_token_and_the_wait_otherwise() -> None:
    clock = Clock()
    limiter = LocalLimiter(rate=0.1, burst=2, clock=clock)
    assert [await wait_before(limiter, "1.2.3.4") for _ in range(2)] == [0.0, 0.0]
    assert await wait_before(limiter, "1.2.3.4") == 10.0
    assert await wait_before(limiter, "5.6.7.8") == 0.0  # every key has a bucket of its own
