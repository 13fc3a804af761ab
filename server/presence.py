"""Who is online in a circle: distinct users with a joined chat stream.

Counted here for this node (the embedded default; `redis_presence` counts
across nodes); pushes are coalesced to at most one a second per circle, and
only when the count changed.
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol


class PresenceTracker(Protocol):
    """What the node needs of presence."""

    def joined(self, circle: str, user_id: str) -> None: ...

    def left(self, circle: str, user_id: str) -> None: ...

    def online(self, circle: str) -> int: ...

    def changes(self) -> list[tuple[str, int]]:
        """Circles whose count changed since the last call, with the new count."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class LocalPresence:
    def __init__(self) -> None:
        self._users: dict[str, Counter[str]] = {}
        self._dirty: set[str] = set()
        self._pushed: dict[str, int] = {}

    def joined(self, circle: str, user_id: str) -> None:
        users = self._users.setdefault(circle, Counter())
        users[user_id] += 1
        if users[user_id] == 1:
            self._dirty.add(circle)

    def left(self, circle: str, user_id: str) -> None:
        users = self._users.get(circle)
        if users is None or users[user_id] == 0:
            return
        users[user_id] -= 1
        if users[user_id] == 0:
            del users[user_id]
            self._dirty.add(circle)
            if not users:
                del self._users[circle]

    def online(self, circle: str) -> int:
        return len(self._users.get(circle, ()))

    def changes(self) -> list[tuple[str, int]]:
        """Circles whose count changed since the last call, with the new count."""
        out = []
        for circle in self._dirty:
            count = self.online(circle)
            if self._pushed.get(circle) != count:
                out.append((circle, count))
                if count:
                    self._pushed[circle] = count
                else:
                    self._pushed.pop(circle, None)
        self._dirty.clear()
        return out

    def users(self, circle: str) -> set[str]:
        """The users with a joined stream on this node."""
        return set(self._users.get(circle, ()))

    def local_circles(self) -> list[str]:
        return list(self._users)

    async def start(self) -> None:
        """Nothing to start in memory."""

    async def close(self) -> None:
        """Nothing to release in memory."""
