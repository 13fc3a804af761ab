"""What nodes tell each other through the broker, as typed values.

The in-process broker hands these objects over as they are; the Redis broker
turns them into small maps (`encode`) and back (`decode`) at its edge. A node
dispatches them by type (`Node._received`), never by a string.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from protocol import CircleEvent, event_from_map


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """A committed chat message (the store's map: circle, seq, ts, from, text…)."""

    message: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CircleChange:
    """A committed change of a circle's durable side."""

    event: CircleEvent


@dataclass(frozen=True, slots=True)
class TokenRevoked:
    """A session ended (logout, expiry seen, password change): every connection
    using the token closes with 4001. The token's SHA-256 (`store.token_hash`), not
    the token: the store knows sessions by it, and a bearer token never crosses Redis."""

    token_hash: str


@dataclass(frozen=True, slots=True)
class Typing:
    """A member is typing in a chat group: never stored, at most once per
    ``typing_interval_s`` per connection and group."""

    circle: str
    group: str
    user: dict[str, str]


@dataclass(frozen=True, slots=True)
class ReadMarker:
    """A member's read marker of a group moved (for "read by N"): never stored
    beyond the marker itself, at most once a second per user and group."""

    circle: str
    group: str
    user: str
    seq: int


@dataclass(frozen=True, slots=True)
class Notified:
    """Committed notifications (store/notifications.py records, each with its
    ``user``): every node pushes each to that user's connections it holds."""

    notifications: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class NotificationsRead:
    """A user marked notifications read: their other tabs, on every node, follow."""

    user: str
    unread: int
    ids: list[int] | None = None
    up_to: int | None = None


@dataclass(frozen=True, slots=True)
class Resync:
    """From a broker that may have lost messages (a Redis reconnect): catch every
    followed stream up from the store and re-read tokens and memberships."""


BrokerMessage = (
    ChatMessage
    | CircleChange
    | TokenRevoked
    | Typing
    | ReadMarker
    | Notified
    | NotificationsRead
    | Resync
)


def encode(message: BrokerMessage) -> dict[str, Any]:
    """The map that crosses Redis."""
    if isinstance(message, ChatMessage):
        return {"k": "msg", "m": message.message}
    if isinstance(message, CircleChange):
        return {"k": "event", "e": message.event.to_map()}
    if isinstance(message, TokenRevoked):
        return {"k": "revoke", "hash": message.token_hash}
    if isinstance(message, Typing):
        return {"k": "typing", "c": message.circle, "g": message.group, "u": message.user}
    if isinstance(message, ReadMarker):
        return {
            "k": "read",
            "c": message.circle,
            "g": message.group,
            "u": message.user,
            "s": message.seq,
        }
    if isinstance(message, Notified):
        return {"k": "notified", "n": message.notifications}
    if isinstance(message, NotificationsRead):
        return {
            "k": "notes_read",
            "u": message.user,
            "n": message.unread,
            "i": message.ids,
            "up": message.up_to,
        }
    return {"k": "resync"}


def decode(m: dict[str, Any]) -> BrokerMessage:
    """A map from another node; ``ValueError`` for one this node does not know."""
    kind = m.get("k")
    if kind == "msg":
        return ChatMessage(m["m"])
    if kind == "event":
        return CircleChange(event_from_map(m["e"]))
    if kind == "revoke":
        return TokenRevoked(m["hash"])
    if kind == "typing":
        return Typing(m["c"], m["g"], m["u"])
    if kind == "read":
        return ReadMarker(m["c"], m["g"], m["u"], int(m["s"]))
    if kind == "notified":
        return Notified(list(m["n"]))
    if kind == "notes_read":
        return NotificationsRead(m["u"], int(m["n"]), m.get("i"), m.get("up"))
    if kind == "resync":
        return Resync()
    raise ValueError(f"unknown broker message {kind!r}")
