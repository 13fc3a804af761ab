"""One client connection: its identity, its chat streams and its send queue.

The hub never awaits a client. Live frames go into a bounded queue drained by
this connection's writer task; a client that lets the queue fill up is closed
with 4009 and resumes with `since`. Replays on join wait for room instead,
since they are paced by the joining client itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field

from starlette.websockets import WebSocket, WebSocketState

from protocol import CloseCode, Codec
from store import Membership

from . import metrics

log = logging.getLogger(__name__)

# What goes on the wire: str for text frames (JSON), bytes for binary (msgpack).
Wire = bytes | str


def to_wire(codec: Codec, frame: dict[str, object]) -> Wire:
    data = codec.encode(frame)
    return data if codec.binary else data.decode()


@dataclass(slots=True)
class Stream:
    """A joined circle: the last seq this connection was given, and live
    messages held back while the replay from the store is still running."""

    last: int
    replaying: bool = True
    held: list[tuple[int, Wire]] = field(default_factory=list)


class Connection:
    def __init__(self, websocket: WebSocket, codec: Codec, queue_max: int) -> None:
        self.websocket = websocket
        self.codec = codec
        self.queue_max = queue_max
        self.user: dict[str, str] = {}
        self.token = ""
        self.streams: dict[str, Stream] = {}
        self.memberships: dict[str, Membership] = {}
        # Circles the user belongs to, joined or not: where highlights come from.
        self.member_of: set[str] = set()
        self._queue: deque[Wire] = deque()
        self._wakeup = asyncio.Event()
        self._room = asyncio.Event()
        self._close_code: int | None = None
        self._writer: asyncio.Task[None] | None = None
        self.closed = False

    @property
    def user_id(self) -> str:
        return self.user.get("id", "")

    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def open(self) -> bool:
        """Neither closing nor closed."""
        return self._close_code is None and not self.closed

    def start_writer(self) -> None:
        self._writer = asyncio.create_task(self._write_loop())

    # -- sending ---------------------------------------------------------

    def send(self, frame: dict[str, object]) -> None:
        """Queue one reply or push built for this connection alone."""
        self.push(to_wire(self.codec, frame))
        metrics.frame_out(str(frame.get("t"))).inc()

    def push(self, data: Wire) -> bool:
        """Queue encoded bytes; close as too slow when the queue is full."""
        if self._close_code is not None:
            return False
        if len(self._queue) >= self.queue_max:
            metrics.slow_disconnects.inc()
            log.info("closing slow reader %s (%d frames queued)", self.user_id, len(self._queue))
            self.close(CloseCode.TOO_SLOW, drop_queue=True)
            return False
        self._queue.append(data)
        self._wakeup.set()
        return True

    async def push_paced(self, data: Wire) -> None:
        """Queue bytes, waiting for room instead of overflowing (replays)."""
        while len(self._queue) >= self.queue_max // 2 and self._close_code is None:
            self._room.clear()
            await self._room.wait()
        self.push(data)

    def deliver(self, circle: str, seq: int, data: Wire) -> None:
        """A live chat message of a joined circle, in seq order, never twice."""
        stream = self.streams.get(circle)
        if stream is None:
            return
        if stream.replaying:
            stream.held.append((seq, data))
            return
        if seq <= stream.last:
            return
        stream.last = seq
        self.push(data)

    def finish_replay(self, circle: str) -> None:
        stream = self.streams.get(circle)
        if stream is None:
            return
        for seq, data in stream.held:
            if seq > stream.last:
                stream.last = seq
                self.push(data)
        stream.held.clear()
        stream.replaying = False

    def close(self, code: int, *, drop_queue: bool = False) -> None:
        """Close after what is queued is sent (or at once with drop_queue)."""
        if self._close_code is not None:
            return
        self._close_code = int(code)
        if drop_queue:
            self._queue.clear()
        self._wakeup.set()
        self._room.set()

    def abort(self) -> None:
        """The peer is gone: stop writing at once."""
        self._close_code = self._close_code or CloseCode.NORMAL
        if self._writer is not None:
            self._writer.cancel()

    async def drained(self) -> None:
        """Wait until the writer has sent everything and closed."""
        if self._writer is not None:
            await asyncio.shield(self._writer)

    # -- writer task ------------------------------------------------------

    async def _write_loop(self) -> None:
        ws = self.websocket
        try:
            while True:
                await self._wakeup.wait()
                self._wakeup.clear()
                while self._queue:
                    data = self._queue.popleft()
                    if isinstance(data, bytes):
                        await ws.send_bytes(data)
                    else:
                        await ws.send_text(data)
                    if len(self._queue) < self.queue_max // 2:
                        self._room.set()
                if self._close_code is not None:
                    await self._close_socket(self._close_code)
                    return
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # the peer went away while we wrote
            log.debug("writer for %s stopped: %r", self.user_id, exc)
        finally:
            self.closed = True
            self._queue.clear()
            self._room.set()

    async def _close_socket(self, code: int) -> None:
        if self.websocket.application_state != WebSocketState.DISCONNECTED:
            try:
                await self.websocket.close(code)
            except Exception as exc:
                log.debug("close of %s failed: %r", self.user_id, exc)
