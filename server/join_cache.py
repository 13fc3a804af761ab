"""What a chat join needs, kept on the node for all its connections, so that a
join of a circle's general chat without `since` reads nothing from the store.

Two kinds of entry, least recently used dropped past ``join_cache_size``:

- a user's standing in every circle they belong to (``Membership``: role,
  name, mute, paid term), read in one go at `hello`: a circle missing from
  it is one the user does not belong to;
- a circle's general chat settings (``GeneralChat``: hidden history,
  read-only, slow mode), read at the first join of the circle here.

Kept true by the circle events every node hears: membership events (joined,
left, removed, updated: role, mute, ban, term) reach every node and drop the
user's entry (their next `hello` reads it again; joins meanwhile read their
membership from the store); settings events (``circle.updated``, ``group.updated``,
``circle.deleted``: everything) reach the nodes following the circle and drop its
settings, which are kept only while the node follows the circle (dropped
when it starts following it afresh). Everything is dropped on a broker
resync (events may have been lost). A read from the store that began before
an event dropped its entry is not kept (``stamp``, per entry: a storm of other
drops does not stop the cache from filling): a removed or banned member never
joins from a stale entry.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

from protocol.events import (
    CircleDeleted,
    CircleEvent,
    CircleUpdated,
    GroupUpdated,
    MemberJoined,
    MemberLeft,
    MemberRemoved,
    MemberUpdated,
)
from store import GeneralChat, Membership

from . import metrics

# An entry's key: a user's circles, or a circle's general chat.
Key = tuple[str, str]


class JoinCache:
    def __init__(self, size: int) -> None:
        self._size = max(size, 0)
        # One LRU order over both kinds of entry.
        self._entries: OrderedDict[Key, Mapping[str, Membership] | GeneralChat] = OrderedDict()
        # Counts drops; a store read notes it when it begins (``stamp``).
        self.stamp = 0
        # The stamp of each entry's last drop (as many as entries kept, oldest
        # forgotten first), and the latest stamp forgotten: a read that began
        # before it is not kept, whatever it read (conservative, and bounded).
        self._dropped: OrderedDict[Key, int] = OrderedDict()
        self._forgotten = 0

    def __len__(self) -> int:
        return len(self._entries)

    def memberships(self, user_id: str) -> Mapping[str, Membership] | None:
        """The user's standing in each of their circles (circle id → it), None when
        not known here."""
        entry = self._get(("user", user_id))
        return None if entry is None or isinstance(entry, GeneralChat) else entry

    def general(self, circle: str) -> GeneralChat | None:
        """The circle's general chat settings, None when not known here."""
        entry = self._get(("circle", circle))
        return entry if isinstance(entry, GeneralChat) else None

    def keep_memberships(
        self, stamp: int, user_id: str, memberships: Mapping[str, Membership]
    ) -> None:
        """Keep what a store read that began at ``stamp`` said (unless the entry was
        dropped since: the read may be older than the event that dropped it)."""
        if self.memberships_unchanged(user_id, stamp):
            self._put(("user", user_id), memberships)

    def memberships_unchanged(self, user_id: str, stamp: int) -> bool:
        """Whether no event about the user's memberships came since ``stamp``."""
        return self._unchanged(("user", user_id), stamp)

    def keep_general(self, stamp: int, chat: GeneralChat) -> None:
        key = ("circle", chat.circle)
        if self._unchanged(key, stamp):
            self._put(key, chat)

    def heard(self, event: CircleEvent) -> None:
        """A circle event (heard from the broker, or read from the change log to
        fill a gap): drop what it may have changed."""
        if isinstance(event, MemberJoined | MemberUpdated):
            self._drop(("user", event.member["user"]))
        elif isinstance(event, MemberLeft | MemberRemoved):
            self._drop(("user", event.user))
        elif isinstance(event, CircleDeleted):
            self.clear()
        elif isinstance(event, CircleUpdated) or (
            isinstance(event, GroupUpdated) and event.group.get("id") == event.circle
        ):
            self._drop(("circle", event.circle))

    def forget_circle(self, circle: str) -> None:
        """The node starts following the circle afresh: settings events of the
        time it did not follow it were not heard here."""
        self._drop(("circle", circle))

    def clear(self) -> None:
        """The broker lost events (resync): nothing here is known to be true."""
        self.stamp += 1
        self._forgotten = self.stamp
        self._entries.clear()
        self._dropped.clear()

    def _unchanged(self, key: Key, stamp: int) -> bool:
        return self._dropped.get(key, self._forgotten) <= stamp

    def _get(self, key: Key) -> Mapping[str, Membership] | GeneralChat | None:
        entry = self._entries.get(key)
        if entry is None:
            metrics.join_cache_misses.inc()
            return None
        self._entries.move_to_end(key)
        metrics.join_cache_hits.inc()
        return entry

    def _put(self, key: Key, entry: Mapping[str, Membership] | GeneralChat) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def _drop(self, key: Key) -> None:
        self.stamp += 1
        self._entries.pop(key, None)
        self._dropped[key] = self.stamp
        self._dropped.move_to_end(key)
        if len(self._dropped) > self._size:
            _, forgotten = self._dropped.popitem(last=False)
            self._forgotten = max(self._forgotten, forgotten)
