"""This node's connections: by chat group joined, by circle of membership, by
user and by token.

A connection is in a chat group's *listeners* while it has joined that group
(it gets its `msg`, `presence` and `typing`; a circle's general group has the
circle's id), and in a circle's *members* while its user belongs to the
circle, joined or not (it gets the circle's `event` and `highlight` pushes), and
in a circle's *followers* while its user follows the circle without belonging
(it gets the circle's feed events only: `members.py`). Fan-out encodes
a frame once per codec in use and hands the same bytes to every connection;
nothing here awaits a client.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from protocol import Codec

from . import metrics
from .connection import Connection, Wire


class Hub:
    def __init__(self) -> None:
        self.connections: set[Connection] = set()
        self._groups: dict[str, dict[Connection, None]] = {}
        self._members: dict[str, dict[Connection, None]] = {}
        self._followers: dict[str, dict[Connection, None]] = {}
        self._users: dict[str, set[Connection]] = {}
        self._tokens: dict[str, set[Connection]] = {}

    # -- registry ---------------------------------------------------------

    def add(self, conn: Connection) -> None:
        self.connections.add(conn)
        self._users.setdefault(conn.user_id, set()).add(conn)
        self._tokens.setdefault(conn.token_hash, set()).add(conn)
        metrics.connections.set(len(self.connections))

    def remove(self, conn: Connection) -> list[str]:
        """Forget a connection; returns the groups it was joined to and the circles
        it was a member of (the broker channels it may have kept)."""
        circles = list(dict.fromkeys([*conn.streams, *conn.member_of, *conn.follows]))
        for circle in list(conn.streams):
            self.unjoin(conn, circle)
        for circle in list(conn.member_of):
            self.drop_member(conn, circle)
        for circle in list(conn.follows):
            self.drop_follower(conn, circle)
        self.connections.discard(conn)
        _discard(self._users, conn.user_id, conn)
        _discard(self._tokens, conn.token_hash, conn)
        metrics.connections.set(len(self.connections))
        return circles

    def join(self, conn: Connection, group: str) -> bool:
        """Register a listener; True when it is this node's first for the group."""
        listeners = self._groups.setdefault(group, {})
        first = not listeners
        if conn not in listeners:
            listeners[conn] = None
            metrics.joined_circles.inc()
        return first

    def unjoin(self, conn: Connection, group: str) -> bool:
        """Drop a listener; True when the group has no listener left here."""
        conn.streams.pop(group, None)
        listeners = self._groups.get(group)
        if listeners is None or conn not in listeners:
            return False
        del listeners[conn]
        metrics.joined_circles.dec()
        if listeners:
            return False
        del self._groups[group]
        return True

    def add_member(self, conn: Connection, circle: str, role: str) -> bool:
        """The connection's user belongs to the circle in this role: it gets its
        events (a follower no more). True when it is this node's first connection
        reading the circle."""
        first = not self.has_readers(circle)
        self.drop_follower(conn, circle)
        conn.member_of[circle] = role
        self._members.setdefault(circle, {})[conn] = None
        return first

    def add_follower(self, conn: Connection, circle: str) -> bool:
        """The connection's user follows the circle (and does not belong to it): it
        gets its feed events. True when it is this node's first connection reading
        the circle."""
        if circle in conn.member_of:
            return False
        first = not self.has_readers(circle)
        conn.follows.add(circle)
        self._followers.setdefault(circle, {})[conn] = None
        return first

    def drop_follower(self, conn: Connection, circle: str) -> None:
        conn.follows.discard(circle)
        followers = self._followers.get(circle)
        if followers is not None:
            followers.pop(conn, None)
            if not followers:
                del self._followers[circle]

    def drop_member(self, conn: Connection, circle: str) -> None:
        conn.member_of.pop(circle, None)
        members = self._members.get(circle)
        if members is not None:
            members.pop(conn, None)
            if not members:
                del self._members[circle]

    def has_members(self, circle: str) -> bool:
        return circle in self._members

    def has_readers(self, circle: str) -> bool:
        """Whether a connection here belongs to the circle or follows it: whether
        this node follows the circle's events."""
        return circle in self._members or circle in self._followers

    def interested(self, key: str) -> bool:
        """Whether any connection here listens to the group or belongs to (or
        follows) the circle of this id, i.e. whether this node needs the id's
        broker channel."""
        return key in self._groups or key in self._members or key in self._followers

    def queued_frames(self) -> int:
        """Frames waiting in every send queue (read when metrics are scraped)."""
        return sum(conn.queued for conn in self.connections)

    def listeners(self, group: str) -> Iterable[Connection]:
        return self._groups.get(group, {}).keys()

    def members(self, circle: str) -> Iterable[Connection]:
        return self._members.get(circle, {}).keys()

    def followers(self, circle: str) -> Iterable[Connection]:
        return self._followers.get(circle, {}).keys()

    def of_user(self, user_id: str) -> list[Connection]:
        return list(self._users.get(user_id, ()))

    def of_token(self, token_hash: str) -> list[Connection]:
        """The connections of a token, by its hash (`store.token_hash`)."""
        return list(self._tokens.get(token_hash, ()))

    def users_in(self, group: str) -> set[str]:
        return {conn.user_id for conn in self.listeners(group)}

    # -- fan-out ------------------------------------------------------------

    def deliver_message(self, message: dict[str, Any]) -> None:
        """A committed chat message to every connection joined to its group."""
        group = message["group"]
        listeners = self._groups.get(group)
        if not listeners:
            return
        seq = message["seq"]
        encoded = _Encoded({"t": "msg", **message})
        for conn in listeners:
            conn.deliver(group, seq, encoded.for_codec(conn.codec))
        metrics.deliveries.inc(len(listeners))
        metrics.frame_out("msg").inc(len(listeners))

    def broadcast(self, conns: Iterable[Connection], *frames: dict[str, Any]) -> int:
        """Pushes (an event, presence, left…) to several connections, in order, each
        encoded once per codec; returns how many connections got them."""
        encoded = [_Encoded(frame) for frame in frames]
        count = 0
        for conn in conns:
            for one in encoded:
                conn.push(one.for_codec(conn.codec))
            count += 1
        for frame in frames:
            metrics.frame_out(str(frame.get("t"))).inc(count)
        return count


class _Encoded:
    """A frame encoded lazily, at most once per codec."""

    __slots__ = ("frame", "_by_codec")

    def __init__(self, frame: dict[str, Any]) -> None:
        self.frame = frame
        self._by_codec: dict[str, Wire] = {}

    def for_codec(self, codec: Codec) -> Wire:
        data = self._by_codec.get(codec.name)
        if data is None:
            data = self._by_codec[codec.name] = codec.encode(self.frame)
        return data


def _discard(index: dict[str, set[Connection]], key: str, conn: Connection) -> None:
    conns = index.get(key)
    if conns is not None:
        conns.discard(conn)
        if not conns:
            del index[key]
