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


@dataclass(frozen=True, slots=True)
class Joined:
    id: RequestId | None
    circle: str
    last_seq: int
    online: int

    def to_map(self) -> dict[str, Any]:
        return _reply(
            "joined", self.id, circle=self.circle, last_seq=self.last_seq, online=self.online
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

    def to_map(self) -> dict[str, Any]:
        return _reply(
            "history", self.id, circle=self.circle, messages=self.messages, more=self.more
        )


@dataclass(frozen=True, slots=True)
class Pong:
    id: RequestId | None

    def to_map(self) -> dict[str, Any]:
        return _reply("pong", self.id)


def msg_map(message: dict[str, Any]) -> dict[str, Any]:
    """The `msg` push for a stored message's map (circle, seq, ts, from, text, nonce, reply_to)."""
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

    def to_map(self) -> dict[str, Any]:
        m: dict[str, Any] = {
            "t": "msg",
            "circle": self.circle,
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

    def to_map(self) -> dict[str, Any]:
        return {"t": "presence", "circle": self.circle, "online": self.online}


@dataclass(frozen=True, slots=True)
class Gap:
    circle: str
    from_seq: int
    to_seq: int

    def to_map(self) -> dict[str, Any]:
        return {"t": "gap", "circle": self.circle, "from_seq": self.from_seq, "to_seq": self.to_seq}


@dataclass(frozen=True, slots=True)
class Left:
    circle: str
    reason: LeftReason

    def to_map(self) -> dict[str, Any]:
        return {"t": "left", "circle": self.circle, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Bye:
    reason: ByeReason

    def to_map(self) -> dict[str, Any]:
        return {"t": "bye", "reason": self.reason}


ServerFrame = (
    Welcome | Joined | Ok | HistoryReply | Pong | Msg | Highlight | Presence | Gap | Left | Bye
)
