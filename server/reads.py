"""Read markers told live, for "read by N" under a message.

When a member's marker of a group moves (the `read` frame), the group's
listeners on every node get `{"t":"read","circle","group","user","seq"}`:
at most one per user and group each ``read_push_interval_s`` (a later marker
within the interval is held and sent when it ends, so the last one is never
lost), and only in groups of at most ``read_receipts_max_members`` members.
Nothing is stored beyond the marker itself.
"""

from __future__ import annotations

import asyncio

from store import Store

from .broker import Broker, circle_channel
from .messages import ReadMarker
from .settings import Settings

# Past this many remembered (group, user) pairs, the ones whose interval is over go.
_REMEMBERED_MAX = 10_000


class ReadMarkers:
    def __init__(self, settings: Settings, store: Store, broker: Broker) -> None:
        self._settings = settings
        self._store = store
        self._broker = broker
        self._last: dict[tuple[str, str], float] = {}  # (group, user) → loop time sent
        self._held: dict[tuple[str, str], tuple[str, int]] = {}  # → (circle, seq) to send
        self._timers: dict[tuple[str, str], asyncio.TimerHandle] = {}

    async def moved(self, circle: str, group: str, user: str, seq: int) -> None:
        """The user's marker of the group is now ``seq``."""
        key = (group, user)
        held = self._held.get(key)
        if held is not None:
            self._held[key] = (circle, max(seq, held[1]))
            return
        if await self._store.reads.member_count(group) > self._settings.read_receipts_max_members:
            return
        loop = asyncio.get_running_loop()
        due = self._last.get(key, float("-inf")) + self._settings.read_push_interval_s
        now = loop.time()
        if now >= due:
            self._publish(key, circle, seq, now)
            return
        self._held[key] = (circle, seq)
        self._timers[key] = loop.call_later(due - now, self._release, key)

    def _release(self, key: tuple[str, str]) -> None:
        self._timers.pop(key, None)
        held = self._held.pop(key, None)
        if held is not None:
            self._publish(key, held[0], held[1], asyncio.get_running_loop().time())

    def _publish(self, key: tuple[str, str], circle: str, seq: int, now: float) -> None:
        if len(self._last) >= _REMEMBERED_MAX:
            interval = self._settings.read_push_interval_s
            self._last = {k: t for k, t in self._last.items() if now - t < interval}
        self._last[key] = now
        group, user = key
        self._broker.publish(circle_channel(group), ReadMarker(circle, group, user, seq))

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._held.clear()
