"""Frames the server sends: replies (which echo the request's `id`) and pushes (which carry none).

Errors are built by `ProtocolError.to_map()` or `error_map()` in `errors.py`.
Optional reply values the contract spells "or null" (a star's `post`) stay in
the map as None; only a missing `id` is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import RequestId

HighlightAction = Literal["promoted", "pinned", "unpinned", "must_read", "updated"]
LeftReason = Literal["removed", "circle_deleted"]
ByeReason = Literal["restart", "shutdown"]


def _reply(t: str, id: RequestId | None, **fields: Any) -> dict[str, Any]:
    m: dict[str, Any] = {"t": t}
    if id is not None:
        m["id"] = id
    m.update(fields)
    return m


@dataclass(frozen=True, slots=True)
class Welcome:
    id: RequestId | None
    user: dict[str, Any]
    session: str
    heartbeat: int
    limits: dict[str, Any]

    def to_map(self) -> dict[str, Any]:
        return _reply(
            "welcome",
            self.id,
            user=self.user,
            session=self.session,
            heartbeat=self.heartbeat,
            limits=self.limits,
        )


def _with_group(m: dict[str, Any], group: str | None) -> dict[str, Any]:
    # `group` (an addition to v1) names the chat group; absent on old servers.
    if group is not None:
        m["group"] = group
    return m


@dataclass(frozen=True, slots=True)
class Joined:
    id: RequestId | None
    circle: str
    last_seq: int
    online: int
    group: str | None = None

    def to_map(self) -> dict[str, Any]:
        return _with_group(
            _reply(
                "joined", self.id, circle=self.circle, last_seq=self.last_seq, online=self.online
            ),
            self.group,
        )


@dataclass(frozen=True, slots=True)
class Ok:
    """The reply to leave, say (`seq`, `ts`), star (`stars`, `post`) and unstar (`stars`)."""

    id: RequestId | None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_map(self) -> dict[str, Any]:
        return _reply("ok", self.id, **self.extra)


@dataclass(frozen=True, slots=True)
class HistoryReply:
    id: RequestId | None
    circle: str
    messages: list[dict[str, Any]]
    more: bool
    group: str | None = None

    def to_map(self) -> dict[str, Any]:
        return _with_group(
            _reply("history", self.id, circle=self.circle, messages=self.messages, more=self.more),
            self.group,
        )


@dataclass(frozen=True, slots=True)
class Pong:
    id: RequestId | None

    def to_map(self) -> dict[str, Any]:
        return _reply("pong", self.id)


def msg_map(message: dict[str, Any]) -> dict[str, Any]:
    """The `msg` push for a stored message's map (circle, group, seq, ts, from, text,
    nonce, reply_to)."""
    return {"t": "msg", **message}


@dataclass(frozen=True, slots=True)
class Msg:
    """One chat message. The server's fan-out uses `msg_map` on the store's map instead."""

    circle: str
    seq: int
    ts: int
    from_: dict[str, Any]
    text: str
    nonce: str
    reply_to: int | None = None
    group: str | None = None

    def to_map(self) -> dict[str, Any]:
        m: dict[str, Any] = {
            "t": "msg",
            "circle": self.circle,
            "group": self.group or self.circle,
            "seq": self.seq,
            "ts": self.ts,
            "from": self.from_,
            "text": self.text,
            "nonce": self.nonce,
        }
        if self.reply_to is not None:
            m["reply_to"] = self.reply_to
        return m


@dataclass(frozen=True, slots=True)
class Highlight:
    circle: str
    action: HighlightAction
    post: dict[str, Any]

    def to_map(self) -> dict[str, Any]:
        return {"t": "highlight", "circle": self.circle, "action": self.action, "post": self.post}


@dataclass(frozen=True, slots=True)
class Presence:
    circle: str
    online: int
    group: str | None = None

    def to_map(self) -> dict[str, Any]:
        return _with_group(
            {"t": "presence", "circle": self.circle, "online": self.online}, self.group
        )


@dataclass(frozen=True, slots=True)
class Gap:
    circle: str
    from_seq: int
    to_seq: int
    group: str | None = None

    def to_map(self) -> dict[str, Any]:
        return _with_group(
            {"t": "gap", "circle": self.circle, "from_seq": self.from_seq, "to_seq": self.to_seq},
            self.group,
        )


@dataclass(frozen=True, slots=True)
class Left:
    """The user lost access: to the circle, or (with `group`) to one of its groups."""

    circle: str
    reason: LeftReason
    group: str | None = None

    def to_map(self) -> dict[str, Any]:
        return _with_group({"t": "left", "circle": self.circle, "reason": self.reason}, self.group)


@dataclass(frozen=True, slots=True)
class TypingPush:
    """Someone is typing in a group (an addition to v1; never stored)."""

    circle: str
    group: str
    user: dict[str, Any]

    def to_map(self) -> dict[str, Any]:
        return {"t": "typing", "circle": self.circle, "group": self.group, "user": self.user}


@dataclass(frozen=True, slots=True)
class ReadPush:
    """A member's read marker of a group moved (an addition to v1; for "read by N",
    only in groups up to the server's size for read counts; never stored per message)."""

    circle: str
    group: str
    user: str
    seq: int

    def to_map(self) -> dict[str, Any]:
        return {
            "t": "read",
            "circle": self.circle,
            "group": self.group,
            "user": self.user,
            "seq": self.seq,
        }


@dataclass(frozen=True, slots=True)
class NotificationPush:
    """A new item of the user's notification inbox (an addition to v1), to every open
    connection of that user, with their unread count after it. Caught up over HTTP
    (``GET /api/v1/me/notifications?after=<last id>``)."""

    notification: dict[str, Any]
    unread: int

    def to_map(self) -> dict[str, Any]:
        return {"t": "notification", "notification": self.notification, "unread": self.unread}


@dataclass(frozen=True, slots=True)
class NotificationsReadPush:
    """Some of the user's notifications were marked read (in another tab): ``ids``,
    or every one ``up_to`` an id, or (both None) all; ``unread`` is the count now."""

    unread: int
    ids: list[int] | None = None
    up_to: int | None = None

    def to_map(self) -> dict[str, Any]:
        return {
            "t": "notifications_read",
            "ids": self.ids,
            "up_to": self.up_to,
            "unread": self.unread,
        }


@dataclass(frozen=True, slots=True)
class Bye:
    reason: ByeReason

    def to_map(self) -> dict[str, Any]:
        return {"t": "bye", "reason": self.reason}


ServerFrame = (
    Welcome
    | Joined
    | Ok
    | HistoryReply
    | Pong
    | Msg
    | Highlight
    | Presence
    | Gap
    | Left
    | TypingPush
    | ReadPush
    | Bye
)
