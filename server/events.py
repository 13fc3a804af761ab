"""The one event route: a circle's committed changes become typed events, built
once, published through the broker, and read back for catching up.

The store logs every change of a circle's durable side in the transaction
that makes it and hands the changes over after the commit (``on_changes``);
``committed`` turns each into its event (``protocol.events``) and publishes it
— on the circle's channel, or on ``ALL`` for membership events, which a node
must hear even for a circle it does not follow yet. HTTP handlers, the
WebSocket session and the background jobs never choose a push.

Catching up (``catch_up``) reads the same events back from the change log and
applies the one audience rule (``members.visible_to``) that the live fan-out
applies.
"""

from __future__ import annotations

from typing import Any

from protocol import MEMBERSHIP_EVENTS, CircleEvent, event_of
from store import Change, Store

from .broker import ALL, Broker, circle_channel
from .members import group_of, visible_to
from .messages import CircleChange


def to_event(change: Change) -> CircleEvent:
    return event_of(change.kind, change.circle, change.rev, change.ts, change.data)


def channel_of(event: CircleEvent) -> str:
    return ALL if isinstance(event, MEMBERSHIP_EVENTS) else circle_channel(event.circle)


class Events:
    def __init__(self, store: Store, broker: Broker) -> None:
        self._store = store
        self._broker = broker

    def committed(self, changes: list[Change]) -> None:
        """The store's ``on_changes``: publish each change, in rev order, once."""
        for change in changes:
            event = to_event(change)
            self._broker.publish(channel_of(event), CircleChange(event))

    async def since(self, circle: str, after: int, limit: int) -> list[CircleEvent]:
        """Every event of the circle after ``after`` (a node filling a gap)."""
        return [
            to_event(change) for change in await self._store.changes.since(circle, after, limit)
        ]

    async def catch_up(self, circle: str, viewer_id: str, after: int, limit: int) -> dict[str, Any]:
        """What a client missed: the events after ``after`` it may see, where the log
        ends, whether to ask again (``more``, with ``after=next``: the page's last
        rev, seen or not), whether to reload (``reset``)."""
        page = await self._store.changes.after(circle, viewer_id, after, limit)
        events = [to_event(change) for change in page.changes]
        groups: set[str] = set()
        if page.role is not None and any(group_of(e) is not None for e in events):
            found = await self._store.groups.of_circle(circle, viewer_id, archived=True)
            groups = {group["id"] for group in found if group["joined"]}
        return {
            "events": [e.to_map() for e in events if visible_to(e, viewer_id, page.role, groups)],
            "last_rev": page.last_rev,
            "next": events[-1].rev if events else page.last_rev,
            "more": page.more,
            "reset": page.reset,
        }
