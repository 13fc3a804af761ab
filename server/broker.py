"""The broker carries events between the nodes that serve a circle.

A node subscribes to a channel while it has local listeners and hands every
event it receives to its own delivery callback. The in-process broker is the
embedded default (one node) and the test double; Redis pub/sub comes for
several nodes. Events are small dicts; order and completeness of chat come
from the store (by seq), speed from the broker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

Event = dict[str, Any]
Deliver = Callable[[str, Event], None]

# Channel of events every node must see (logouts, removals).
ALL = "all"
# What a broker that may have lost events (a Redis reconnect) hands the node once
# it listens again: bring every joined stream up to date from the store.
RESYNC: Event = {"k": "resync"}


def circle_channel(circle_id: str) -> str:
    return f"c:{circle_id}"


class Broker(Protocol):
    """What the node needs of a broker."""

    async def start(self, deliver: Deliver) -> None:
        """Begin delivering events of subscribed channels to `deliver`."""

    def publish(self, channel: str, event: Event) -> None:
        """Send an event to every node subscribed to `channel` (this one included)."""

    async def subscribe(self, channel: str) -> None: ...

    async def unsubscribe(self, channel: str) -> None: ...

    def healthy(self) -> bool: ...

    def info(self) -> dict[str, Any]:
        """Its kind and state, for /healthz."""
        ...

    async def close(self) -> None: ...


class InProcessBroker:
    """One node: publishing is a direct call, in order, with nothing lost."""

    def __init__(self) -> None:
        self._deliver: Deliver | None = None
        self._channels: set[str] = set()

    async def start(self, deliver: Deliver) -> None:
        self._deliver = deliver

    def publish(self, channel: str, event: Event) -> None:
        if self._deliver is not None and channel in self._channels:
            self._deliver(channel, event)

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)

    def healthy(self) -> bool:
        return True

    def info(self) -> dict[str, Any]:
        return {"kind": "in-process", "connected": True}

    async def close(self) -> None:
        self._deliver = None
        self._channels.clear()
