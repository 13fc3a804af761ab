"""The notification inbox, live: each committed notification reaches every open
connection of its user, on every node, with their unread count; marks read reach
the user's other tabs.

The store makes notifications in the transactions of what they are about and
hands them over after the commit (``on_notifications``); ``committed`` publishes
them on the broker's ``ALL`` channel (a user's connections may be on any node),
and every node pushes the ones whose users it holds (``heard``): a
``notification`` frame each, with the unread count read once per batch. Pub/sub
may lose a message (a Redis reconnect): a client catches up over HTTP
(``GET /api/v1/me/notifications?after=<last id it has>``) on every reconnect, and
the count comes with it — nothing lost, and the client keeps items by id, so
nothing doubled.
"""

from __future__ import annotations

from typing import Any

from protocol import NotificationPush, NotificationsReadPush
from store import Record, Store
from store import public_notification as public

from . import metrics
from .broker import ALL, Broker
from .channels import Channels
from .hub import Hub
from .messages import NotificationsRead, Notified

# Notifications per broker message: an @all in a big circle goes out in pieces
# that stay small on Redis.
PUBLISH_CHUNK = 200


class Inbox:
    def __init__(self, store: Store, broker: Broker, hub: Hub, channels: Channels) -> None:
        self._store = store
        self._broker = broker
        self._hub = hub
        self._channels = channels

    def committed(self, made: list[Record]) -> None:
        """The store's ``on_notifications``: publish them, after their commit."""
        for start in range(0, len(made), PUBLISH_CHUNK):
            self._broker.publish(ALL, Notified(made[start : start + PUBLISH_CHUNK]))

    def heard(self, message: Notified) -> None:
        """Notifications from the broker: to the connections of their users here."""
        mine = [n for n in message.notifications if self._hub.of_user(n["user"])]
        if mine:
            self._channels.spawn(self._push(mine))

    async def _push(self, notifications: list[dict[str, Any]]) -> None:
        users = sorted({n["user"] for n in notifications})
        counts = await self._store.notifications.unread_counts(users)
        for item in notifications:
            frame = NotificationPush(public(item), counts.get(item["user"], 0)).to_map()
            metrics.deliveries.inc(self._hub.broadcast(self._hub.of_user(item["user"]), frame))

    async def mark_read(self, user_id: str, ids: object = None, up_to: object = None) -> int:
        """Mark the user's notifications read (store ``mark_read``) and tell their
        open connections on every node; the unread count after."""
        unread = await self._store.notifications.mark_read(user_id, ids, up_to)
        read_ids = [int(i) for i in ids] if isinstance(ids, list) else None
        read_up_to = int(up_to) if isinstance(up_to, int) else None
        self._broker.publish(ALL, NotificationsRead(user_id, unread, read_ids, read_up_to))
        return unread

    def heard_read(self, message: NotificationsRead) -> None:
        conns = self._hub.of_user(message.user)
        if conns:
            frame = NotificationsReadPush(message.unread, message.ids, message.up_to).to_map()
            self._hub.broadcast(conns, frame)
