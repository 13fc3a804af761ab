"""Circle events of events — gatherings, as the code calls them (store/gatherings.py):
every member receives them, live and when catching up, so an event's card and its
answers move as members answer. Registered in ``events.EVENT_TYPES``.

`gathering` is an event as the HTTP API shows it (`{"id","circle","title",
"description","starts_at","starts_local","ends_at","ends_local","time_zone",
"place","link","capacity","remind_before_min","created_by","created",
"cancelled","going","maybe","not_going","waiting","status"}`); `promoted` lists
the members whose waiting ended with a seat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .event_base import CircleEvent, Map


@dataclass(frozen=True, slots=True)
class GatheringCreated(CircleEvent):
    """An owner or admin announced an event."""

    kind: ClassVar[str] = "gathering.created"
    gathering: Map


@dataclass(frozen=True, slots=True)
class GatheringUpdated(CircleEvent):
    """An event changed (time, place, capacity…); a raised capacity seats `promoted`."""

    kind: ClassVar[str] = "gathering.updated"
    gathering: Map
    promoted: list[str]


@dataclass(frozen=True, slots=True)
class GatheringCancelled(CircleEvent):
    """An owner or admin called the event off."""

    kind: ClassVar[str] = "gathering.cancelled"
    gathering: Map


@dataclass(frozen=True, slots=True)
class RsvpChanged(CircleEvent):
    """`user` (`name` in the circle) answered `answer` (`going`, `maybe`,
    `not_going`), `waiting` when going to a full event; a seat given up went to
    `promoted`; `gathering` carries the counts after it."""

    kind: ClassVar[str] = "rsvp.changed"
    gathering: Map
    user: str
    name: str
    answer: str
    waiting: bool
    at: int
    promoted: list[str]


GATHERING_EVENTS = (GatheringCreated, GatheringUpdated, GatheringCancelled, RsvpChanged)
