"""Circle events of contests (store/contests.py): every member receives them, live
and when catching up. Registered in ``events.EVENT_TYPES``.

`contest` is a contest as the HTTP API shows it (without the entries and the
caller's votes); `entry` an entry (`{"id","contest","user","name","text",
"attachments","created","votes","rank"}`, `votes` null while the ranking is
hidden).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .event_base import CircleEvent, Map


@dataclass(frozen=True, slots=True)
class ContestCreated(CircleEvent):
    """An owner or admin opened a contest."""

    kind: ClassVar[str] = "contest.created"
    contest: Map


@dataclass(frozen=True, slots=True)
class ContestEntered(CircleEvent):
    """A member entered `entry` in contest `contest` (its id); `entries` counts them."""

    kind: ClassVar[str] = "contest.entered"
    contest: str
    entry: Map
    entries: int


@dataclass(frozen=True, slots=True)
class ContestVoted(CircleEvent):
    """A vote for `entry` was cast or taken back; `votes` is its count when the
    ranking is live (absent while it is hidden). Never who voted."""

    kind: ClassVar[str] = "contest.voted"
    contest: str
    entry: str
    votes: int | None = None


@dataclass(frozen=True, slots=True)
class ContestAnnounced(CircleEvent):
    """The winners were announced (a must-read notice names them): `winners` are
    their entries, best first."""

    kind: ClassVar[str] = "contest.announced"
    contest: Map
    winners: list[Map]


CONTEST_EVENTS = (ContestCreated, ContestEntered, ContestVoted, ContestAnnounced)
