"""Frames a client sends, as validated values (see `parse.py` for the validation).

Chat frames address a circle's chat group with `group` (an addition to v1);
without it they mean the circle's general group, whose id is the circle's.

`to_map()` is what a client (the load-test harness, a tool) puts on the wire;
fields left at None are omitted, as the contract marks them optional.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .errors import RequestId


def _map(t: str, id: RequestId | None, **fields: object) -> dict[str, Any]:
    m: dict[str, Any] = {"t": t}
    if id is not None:
        m["id"] = id
    for key, value in fields.items():
        if value is not None:
            m[key] = value
    return m


@dataclass(frozen=True, slots=True)
class Hello:
    t: ClassVar[str] = "hello"
    id: RequestId | None
    token: str

    def to_map(self) -> dict[str, Any]:
        return _map(self.t, self.id, token=self.token)


@dataclass(frozen=True, slots=True)
class Join:
    t: ClassVar[str] = "join"
    id: RequestId | None
    circle: str
    since: int | None = None
    # The chat group (groups extension); None: the circle's general group.
    group: str | None = None

    def to_map(self) -> dict[str, Any]:
        return _map(self.t, self.id, circle=self.circle, group=self.group, since=self.since)


@dataclass(frozen=True, slots=True)
class Leave:
    t: ClassVar[str] = "leave"
    id: RequestId | None
    circle: str
    group: str | None = None

    def to_map(self) -> dict[str, Any]:
        return _map(self.t, self.id, circle=self.circle, group=self.group)


@dataclass(frozen=True, slots=True)
class Say:
    t: ClassVar[str] = "say"
    id: RequestId | None
    circle: str
    text: str
    nonce: str
    reply_to: int | None = None
    # The chat group (groups extension); None: the circle's general group.
    group: str | None = None
    # Ids of the circle's attachments (media extension); with some, text may be "".
    attachments: tuple[str, ...] = ()

    def to_map(self) -> dict[str, Any]:
        return _map(
            self.t,
            self.id,
            circle=self.circle,
            group=self.group,
            text=self.text,
            nonce=self.nonce,
            reply_to=self.reply_to,
            attachments=list(self.attachments) or None,
        )


@dataclass(frozen=True, slots=True)
class History:
    t: ClassVar[str] = "history"
    id: RequestId | None
    circle: str
    before: int | None = None
    limit: int | None = None
    # The chat group (groups extension); None: the circle's general group.
    group: str | None = None

    def to_map(self) -> dict[str, Any]:
        return _map(
            self.t,
            self.id,
            circle=self.circle,
            group=self.group,
            before=self.before,
            limit=self.limit,
        )


@dataclass(frozen=True, slots=True)
class Star:
    t: ClassVar[str] = "star"
    id: RequestId | None
    circle: str
    seq: int
    group: str | None = None

    def to_map(self) -> dict[str, Any]:
        return _map(self.t, self.id, circle=self.circle, group=self.group, seq=self.seq)


@dataclass(frozen=True, slots=True)
class Unstar:
    t: ClassVar[str] = "unstar"
    id: RequestId | None
    circle: str
    seq: int
    group: str | None = None

    def to_map(self) -> dict[str, Any]:
        return _map(self.t, self.id, circle=self.circle, group=self.group, seq=self.seq)


@dataclass(frozen=True, slots=True)
class Read:
    """No reply, so an `id` is pointless here; it is accepted for uniformity."""

    t: ClassVar[str] = "read"
    id: RequestId | None
    circle: str
    seq: int
    group: str | None = None

    def to_map(self) -> dict[str, Any]:
        return _map(self.t, self.id, circle=self.circle, group=self.group, seq=self.seq)


@dataclass(frozen=True, slots=True)
class Ping:
    t: ClassVar[str] = "ping"
    id: RequestId | None = None

    def to_map(self) -> dict[str, Any]:
        return _map(self.t, self.id)


@dataclass(frozen=True, slots=True)
class Typing:
    """The user is typing in a group (an addition to v1): no reply, never stored."""

    t: ClassVar[str] = "typing"
    id: RequestId | None
    circle: str
    group: str | None = None

    def to_map(self) -> dict[str, Any]:
        return _map(self.t, self.id, circle=self.circle, group=self.group)


ClientFrame = Hello | Join | Leave | Say | History | Star | Unstar | Read | Typing | Ping
