"""Which circle channels of the broker this node listens to.

A node holds a circle's channel exactly while one of its connections listens
to the circle's chat or belongs to the circle. Subscribing and unsubscribing
one channel never interleave (a lock per circle, kept only while needed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from .broker import Broker, circle_channel


class Channels:
    def __init__(self, broker: Broker, wanted: Callable[[str], bool]) -> None:
        self._broker = broker
        self._wanted = wanted
        self._subscribed: set[str] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._background: set[asyncio.Task[None]] = set()

    async def track(self, circle: str) -> None:
        """Subscribe or unsubscribe the circle's channel as the node now needs it."""
        lock = self._locks.setdefault(circle, asyncio.Lock())
        async with lock:
            wanted = self._wanted(circle)
            if wanted and circle not in self._subscribed:
                await self._broker.subscribe(circle_channel(circle))
                self._subscribed.add(circle)
            elif not wanted and circle in self._subscribed:
                self._subscribed.discard(circle)
                await self._broker.unsubscribe(circle_channel(circle))
        if not lock.locked() and not self._wanted(circle):
            self._locks.pop(circle, None)

    def track_soon(self, circle: str) -> None:
        """`track` from synchronous code (broker deliveries)."""
        self.spawn(self.track(circle))

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run in the background, held until done."""
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
