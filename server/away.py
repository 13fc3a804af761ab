"""The seam for the channels that reach members who are away (no page open): Web
Push, email. Each is an ``AwayChannel``; ``AwayDelivery.deliver_away`` (a
housekeeping job, every ``away_check_s``) takes the notifications that are due
(store ``notifications.due_away``: not read, allowed by the member's levels, the
member not in quiet hours), claims them (``mark_away``: on several nodes, each
notification is handed out by one) and hands each member's to every registered
channel. A channel that raises is logged and not called again for
those notifications: it owns its own retries (a queue, backoff) past ``deliver``.

Registration: ``AwayDelivery.channels``, a list that server/app.py fills from the
settings (``channels_from``) when the node starts; none by default.
"""

from __future__ import annotations

import logging
from typing import Protocol

from store import Record, Store, now_ms

from .settings import Settings

log = logging.getLogger(__name__)


class AwayChannel(Protocol):
    """A way to reach a member outside the page (a push service, a mailbox)."""

    name: str

    async def deliver(self, user_id: str, language: str, notifications: list[Record]) -> None:
        """Take a member's due notifications (oldest first, as their inbox shows them:
        ``id``, ``circle``, ``kind``, ``about``, ``created``) in their language
        (``zh-CN`` or ``en``). Should return soon: slow sending belongs in the
        channel's own queue."""
        ...


class AwayDelivery:
    def __init__(self, store: Store, batch: int = 500) -> None:
        self.store = store
        self.batch = batch
        self.channels: list[AwayChannel] = []

    async def deliver_away(self) -> int:
        """Hand every due notification to every channel, member by member, and mark
        them handed; how many were handed. With no channel registered they are
        marked handed all the same (nothing would ever take them)."""
        total = 0
        while True:
            now = now_ms()
            due = await self.store.notifications.due_away(now, self.batch)
            if not due:
                return total
            # Claimed before they are handed: a node that lost the race skips them
            # (and a node that dies after its claim loses a push, never the inbox item).
            mine = await self.store.notifications.mark_away([item["id"] for item in due], now)
            by_user: dict[str, list[Record]] = {}
            for item in due:
                if int(item["id"]) in mine:
                    by_user.setdefault(item["user"], []).append(item)
            for user_id, items in by_user.items():
                language = items[0]["language"]
                shown = [_as_shown(item) for item in items]
                for channel in self.channels:
                    try:
                        await channel.deliver(user_id, language, shown)
                    except Exception:
                        log.exception(
                            "away channel %s failed for %d notifications of %s",
                            getattr(channel, "name", channel),
                            len(shown),
                            user_id,
                        )
            total += len(mine)
            if len(due) < self.batch:
                return total


def _as_shown(item: Record) -> Record:
    return {k: v for k, v in item.items() if k not in ("user", "language")}


def channels_from(settings: Settings, store: Store) -> list[AwayChannel]:
    """The channels the settings turn on that need nothing but the settings and the
    store: none yet. Web Push and email are the node's (it starts and closes them,
    and the API uses their key and mailer): ``Node.start`` registers them."""
    return []
