"""Circle events of check-in challenges (store/challenges.py, store/checkins.py):
every member of the circle receives them, live and when catching up, so a
board, a calendar and today's "not yet checked in" list move as check-ins
arrive. Registered in ``events.EVENT_TYPES`` like every other kind.

`challenge` is a challenge as the HTTP API shows it; `checkin` a check-in
(`{"id","challenge","circle","user","name","date","created","edited","text",
"attachments","state","reason"}`); `standing` a participant's standing
(`{"user","joined","streak","streak_last","best","total","completed",
"completed_at"}`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .event_base import CircleEvent, Map


@dataclass(frozen=True, slots=True)
class ChallengeCreated(CircleEvent):
    """An owner or admin started a challenge."""

    kind: ClassVar[str] = "challenge.created"
    challenge: Map


@dataclass(frozen=True, slots=True)
class ChallengeJoined(CircleEvent):
    """A member joined a challenge; `participants` counts them now."""

    kind: ClassVar[str] = "challenge.joined"
    challenge: str
    user: str
    participants: int


@dataclass(frozen=True, slots=True)
class CheckinAdded(CircleEvent):
    """A participant checked in; `standing` is theirs after it."""

    kind: ClassVar[str] = "checkin.added"
    checkin: Map
    standing: Map


@dataclass(frozen=True, slots=True)
class CheckinEdited(CircleEvent):
    """A participant changed today's check-in (its counts do not move)."""

    kind: ClassVar[str] = "checkin.edited"
    checkin: Map


@dataclass(frozen=True, slots=True)
class CheckinInvalidated(CircleEvent):
    """An owner or admin took a check-in out of every count (`checkin.reason`
    says why); `standing` is its author's after it."""

    kind: ClassVar[str] = "checkin.invalidated"
    checkin: Map
    standing: Map


@dataclass(frozen=True, slots=True)
class CheckinReviewed(CircleEvent):
    """An owner or admin approved (`checkin.state` "valid": it counts now) or
    rejected ("rejected", `checkin.reason` may say why) a pending check-in;
    `standing` is its author's after it."""

    kind: ClassVar[str] = "checkin.reviewed"
    checkin: Map
    standing: Map


CHALLENGE_EVENTS = (
    ChallengeCreated,
    ChallengeJoined,
    CheckinAdded,
    CheckinEdited,
    CheckinInvalidated,
    CheckinReviewed,
)
