"""One time scale for every wait in the tests, read from QUANZI_TEST_TIME_SCALE.

Slow machines set QUANZI_TEST_TIME_SCALE=3 instead of editing timeouts (CI
sets 2). Deadlines and pauses go through here; assertions never do.
tests/test_timing.py fails on a bare ``time.sleep``/``asyncio.sleep`` elsewhere.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable

SCALE = float(os.environ.get("QUANZI_TEST_TIME_SCALE", "1"))


def seconds(s: float) -> float:
    """``s`` seconds on this machine's time scale."""
    return s * SCALE


async def sleep(s: float) -> None:
    """``asyncio.sleep`` for ``s`` scaled seconds."""
    await asyncio.sleep(seconds(s))


def sleep_blocking(s: float) -> None:
    """``time.sleep`` for ``s`` scaled seconds, for synchronous tests and helpers."""
    time.sleep(seconds(s))


async def until(condition: Callable[[], bool], s: float, poll: float = 0.01) -> None:
    """Wait until ``condition()`` holds or ``s`` scaled seconds have passed (the
    caller asserts what it expects afterwards: a slow machine waits longer, a
    wrong answer still fails)."""
    deadline = time.monotonic() + seconds(s)
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(poll)
