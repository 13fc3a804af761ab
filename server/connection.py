"""One client connection: its identity, its chat streams and its send queue.

The hub never awaits a client. A frame goes straight to the socket while the
socket takes it; once the socket pushes back, frames wait in a bounded queue
and a client that lets the queue fill up is closed with 4009 (it resumes with
`since`). Replays on join wait for room instead, since they are paced by the
joining client itself.

How bytes reach the socket is the link's business (`Link`): the direct
WebSocket transport under uvicorn (`websocket.py`) or an ASGI WebSocket
(`asgi_websocket.py`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

from protocol import CloseCode, Codec
from store import GroupAccess, Membership

from . import metrics

log = logging.getLogger(__name__)

# One encoded frame: JSON or msgpack bytes. The codec says whether it goes in a
# text or a binary WebSocket frame.
Wire = bytes


class Link(Protocol):
    """The socket under a connection."""

    @property
    def writable(self) -> bool:
        """Whether a frame written now goes out without piling up."""
        ...

    def write(self, data: Wire) -> None: ...

    def wake(self) -> None:
        """Frames are waiting in the connection's queue (`Connection.take`)."""
        ...

    def close(self, code: int) -> None:
        """Send a close frame after everything written so far."""
        ...

    def abort(self) -> None:
        """Drop the socket at once."""
        ...

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...

    def keepalive(self) -> None:
        """Called every ping interval: ping an idle peer, drop a silent one."""
        ...


@dataclass(slots=True)
class Stream:
    """A joined chat group (of ``circle``; general's id is the circle's): the last
    seq this connection was given, and live messages held back while the replay
    from the store is still running."""

    circle: str
    last: int
    replaying: bool = True
    held: list[tuple[int, Wire]] = field(default_factory=list)


class Connection:
    __slots__ = (
        "link",
        "codec",
        "queue_max",
        "user",
        "token",
        "token_hash",
        "token_mark",
        "streams",
        "memberships",
        "groups",
        "typing_until",
        "member_of",
        "follows",
        "closed",
        "_queue",
        "_close_code",
        "_room",
        "_done",
    )

    def __init__(self, link: Link, codec: Codec, queue_max: int) -> None:
        self.link = link
        self.codec = codec
        self.queue_max = queue_max
        self.user: dict[str, str] = {}
        self.token = ""
        # Its SHA-256: what the hub and revocations know sessions by (the store
        # keeps only hashes, so ending a session from the list names it so).
        self.token_hash = ""
        # The node's count of revocations heard when the token was read from the
        # store (`revocations.py`): later ones are checked after registering.
        self.token_mark = 0
        self.streams: dict[str, Stream] = {}
        self.memberships: dict[str, Membership] = {}
        # What the user may do in each chat group it used (by group id), cached:
        # group events and membership changes drop entries.
        self.groups: dict[str, GroupAccess] = {}
        # When this connection may next say it is typing, per group (loop time).
        self.typing_until: dict[str, float] = {}
        # Circles the user belongs to, joined or not, with the user's role there:
        # whose events this connection gets, and which of them (`events.visible_to`).
        self.member_of: dict[str, str] = {}
        # Public circles the user follows without belonging (store/follows.py):
        # their feed events reach this connection, nothing else of them.
        self.follows: set[str] = set()
        # Set once the close frame is on its way or the peer is gone.
        self.closed = False
        self._queue: deque[Wire] = deque()
        self._close_code: int | None = None
        # Created only while somebody waits: most connections never need them.
        self._room: asyncio.Future[None] | None = None
        self._done: asyncio.Future[None] | None = None

    @property
    def user_id(self) -> str:
        return self.user.get("id", "")

    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def close_code(self) -> int | None:
        """The code this connection closes (or closed) with; None while open."""
        return self._close_code

    @property
    def open(self) -> bool:
        """Neither closing nor closed."""
        return self._close_code is None and not self.closed

    # -- sending ---------------------------------------------------------

    def send(self, frame: dict[str, object]) -> None:
        """Send one reply or push built for this connection alone."""
        self.push(self.codec.encode(frame))
        metrics.frame_out(str(frame.get("t"))).inc()

    def push(self, data: Wire) -> bool:
        """Send encoded bytes; close as too slow when the queue is full."""
        if self._close_code is not None:
            return False
        if not self._queue and self.link.writable:
            self.link.write(data)
            return True
        if len(self._queue) >= self.queue_max:
            metrics.slow_disconnects.inc()
            log.info("closing slow reader %s (%d frames queued)", self.user_id, len(self._queue))
            self.close(CloseCode.TOO_SLOW, drop_queue=True)
            return False
        self._queue.append(data)
        self.link.wake()
        return True

    async def push_paced(self, data: Wire) -> None:
        """Send bytes, waiting for room instead of overflowing (replays)."""
        while len(self._queue) >= self.queue_max // 2 and self._close_code is None:
            if self._room is None:
                self._room = asyncio.get_running_loop().create_future()
            await self._room
        self.push(data)

    def take(self) -> Wire | None:
        """The next queued frame, for a link that writes from its own task."""
        if not self._queue:
            return None
        data = self._queue.popleft()
        if len(self._queue) < self.queue_max // 2:
            self._make_room()
        return data

    def flush(self) -> None:
        """The socket takes frames again: write what waits, then a pending close."""
        queue, link = self._queue, self.link
        while queue and link.writable:
            link.write(queue.popleft())
        if len(queue) < self.queue_max // 2:
            self._make_room()
        if not queue and self._close_code is not None and not self.closed:
            self._closing()

    def deliver(self, group: str, seq: int, data: Wire) -> None:
        """A live chat message of a joined group, in seq order, never twice."""
        stream = self.streams.get(group)
        if stream is None:
            return
        if stream.replaying:
            stream.held.append((seq, data))
            return
        if seq <= stream.last:
            return
        stream.last = seq
        self.push(data)

    def finish_replay(self, group: str) -> None:
        stream = self.streams.get(group)
        if stream is None:
            return
        for seq, data in stream.held:
            if seq > stream.last:
                stream.last = seq
                self.push(data)
        stream.held.clear()
        stream.replaying = False

    # -- closing -----------------------------------------------------------

    def close(self, code: int, *, drop_queue: bool = False) -> None:
        """Close after what is queued is sent (or at once with drop_queue)."""
        if self._close_code is not None:
            return
        self._close_code = int(code)
        if drop_queue:
            self._queue.clear()
        self._make_room()
        if not self._queue:
            self._closing()
        else:
            self.link.wake()

    def _closing(self) -> None:
        # The link calls `lost` once the close frame is out (or the peer gone).
        self.closed = True
        self.link.close(self._close_code or CloseCode.NORMAL)

    def lost(self) -> None:
        """The peer is gone (or the link stopped writing): nothing more goes out."""
        self._close_code = self._close_code or CloseCode.NORMAL
        self.closed = True
        self._queue.clear()
        self._make_room()
        self._finished()

    def abort(self) -> None:
        """Stop writing at once and drop the socket."""
        self.lost()
        self.link.abort()

    async def drained(self) -> None:
        """Wait until everything queued was written and the close frame sent."""
        if self.closed:
            return
        if self._done is None:
            self._done = asyncio.get_running_loop().create_future()
        await asyncio.shield(self._done)

    def _make_room(self) -> None:
        room, self._room = self._room, None
        if room is not None and not room.done():
            room.set_result(None)

    def _finished(self) -> None:
        done, self._done = self._done, None
        if done is not None and not done.done():
            done.set_result(None)
