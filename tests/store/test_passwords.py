"""argon2 runs in a bounded pool with a bounded queue; past it, `Busy` at once."""

from __future__ import annotations

import asyncio
import time

import pytest

from store import Busy
from store.passwords import Passwords
from tests import timing

TICK_S = 0.001


async def test_past_the_workers_and_the_queue_a_hash_is_refused_at_once() -> None:
    passwords = Passwords(time_cost=1, workers=1, queue=2)
    try:
        outcomes = await asyncio.gather(
            *(passwords.hash(f"password {i}") for i in range(6)), return_exceptions=True
        )
        hashed = [o for o in outcomes if isinstance(o, str)]
        refused = [o for o in outcomes if isinstance(o, Busy)]
        assert len(hashed) == 3 and len(refused) == 3, outcomes
        assert refused[0].code == "rate_limited" and refused[0].retry_after > 0
        assert passwords.pending == 0
        # Room again once the pool drained.
        assert await passwords.verify(hashed[0], "password 0") is True
        assert await passwords.verify(hashed[0], "wrong") is False
        assert await passwords.verify("not a hash", "password 0") is False
    finally:
        passwords.close()


async def test_a_caller_that_gives_up_keeps_its_place_until_the_hash_ends() -> None:
    """A cancelled login (its client went) does not free a slot its hash still holds."""
    passwords = Passwords(time_cost=1, workers=1, queue=0)
    try:
        task = asyncio.ensure_future(passwords.hash("password"))
        await asyncio.sleep(0)  # submitted: the one worker is busy with it
        task.cancel()
        with pytest.raises(Busy):
            await passwords.hash("another")
        deadline = time.monotonic() + timing.seconds(10)
        while passwords.pending and time.monotonic() < deadline:
            await timing.sleep(0.01)
        assert passwords.pending == 0
    finally:
        passwords.close()


async def test_the_event_loop_keeps_running_while_hashes_do() -> None:
    passwords = Passwords(time_cost=3, workers=1, queue=8)
    ticks = 0
    done = False

    async def ticker() -> None:
        nonlocal ticks
        while not done:
            ticks += 1
            await timing.sleep(TICK_S)

    task = asyncio.ensure_future(ticker())
    try:
        started = time.monotonic()
        await asyncio.gather(*(passwords.hash(f"password {i}") for i in range(4)))
        elapsed = time.monotonic() - started
    finally:
        done = True
        await task
        passwords.close()
    # The loop ticked through the hashing (a quarter of the ticks an idle loop
    # makes): it was never held for long.
    assert ticks >= elapsed / timing.seconds(TICK_S) / 4, (ticks, elapsed)


async def test_hashes_leave_one_cpu_alone() -> None:
    """argon2's lane threads inherit the pool thread's CPUs: one CPU never hashes."""
    import os

    passwords = Passwords(time_cost=1, workers=1, queue=2)
    try:
        usable = os.sched_getaffinity(0)
        seen = await passwords._run(os.sched_getaffinity, 0)
        assert seen == passwords.cpus
        assert passwords.cpus is not None and len(passwords.cpus) == len(usable) - 1
        assert passwords.cpus < usable
        assert os.sched_getaffinity(0) == usable  # the event loop's thread is not confined
        assert await passwords.verify(await passwords.hash("pw"), "pw") is True
    finally:
        passwords.close()
