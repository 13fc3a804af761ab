"""The broker carries messages between the nodes that serve a circle.

A node subscribes to a channel while it has local listeners or members and
hands every message it receives to its own delivery callback. The in-process
broker is the embedded default (one node) and the test double; Redis pub/sub
comes for several nodes. Messages are typed (`messages.py`); order and
completeness come from the store (chat by seq, circle events by rev), speed
from the broker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from .messages import BrokerMessage

Deliver = Callable[[BrokerMessage], None]

# Channel every node listens to: logouts, and membership events (a node must
# hear that one of its users joined a circle it does not follow yet).
ALL = "all"


def circle_channel(circle_id: str) -> str:
    """The channel of a circle's events and of a chat group's messages, by id (a
    circle's general group has the circle's id: they share one)."""
    return f"c:{circle_id}"


class Broker(Protocol):
    """What the node needs of a broker."""

    async def start(self, deliver: Deliver) -> None:
        """Begin delivering messages of subscribed channels to `deliver`."""

    def publish(self, channel: str, message: BrokerMessage) -> None:
        """Send a message to every node subscribed to `channel` (this one included)."""

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

    def publish(self, channel: str, message: BrokerMessage) -> None:
        if self._deliver is not None and channel in self._channels:
            self._deliver(message)

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
