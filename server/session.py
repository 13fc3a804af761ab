"""The `/ws` endpoint: one client session from `hello` to close.

Frames are read and answered in order; every failure becomes an `error` frame
with the contract's code (never a traceback) and the connection stays open,
unless the contract says to close it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.websockets import WebSocket

from protocol import (
    CloseCode,
    ErrorCode,
    History,
    HistoryReply,
    Join,
    Leave,
    Ok,
    Ping,
    Pong,
    ProtocolError,
    Read,
    Say,
    Star,
    Unstar,
    UnsupportedSubprotocol,
    Welcome,
    choose_subprotocol,
    codec_for,
    decode_client,
    error_map,
)
from protocol import Hello as HelloFrame
from store.batch import Outcome
from store.errors import Forbidden, StoreError, Unauthenticated

from . import metrics
from .connection import Connection
from .node import Node
from .ratelimit import WindowCounter

log = logging.getLogger(__name__)


async def ws_endpoint(websocket: WebSocket) -> None:
    node: Node = websocket.app.state.node
    try:
        subprotocol = choose_subprotocol(list(websocket.scope.get("subprotocols") or []))
    except UnsupportedSubprotocol:
        await websocket.close(CloseCode.POLICY)
        return
    if not node.accepting:
        await websocket.close(CloseCode.RESTART)
        return
    await websocket.accept(subprotocol=subprotocol)
    conn = Connection(websocket, codec_for(subprotocol), node.settings.send_queue_frames)
    conn.start_writer()
    session = Session(node, conn)
    try:
        if await session.hello():
            await session.run()
    finally:
        if conn.user_id:
            await node.disconnect(conn)
        # Send what is queued (a close code included) unless the peer is gone.
        conn.close(CloseCode.NORMAL)
        try:
            async with asyncio.timeout(node.settings.shutdown_grace_s):
                await conn.drained()
        except TimeoutError:
            conn.abort()


class Session:
    def __init__(self, node: Node, conn: Connection) -> None:
        self.node = node
        self.conn = conn
        self.settings = node.settings
        self.bad_frames = WindowCounter(self.settings.bad_frames_window_s)
        self.pending_says: set[asyncio.Future[Outcome]] = set()

    async def _receive(self) -> bytes | str | None:
        message = await self.conn.websocket.receive()
        if message["type"] == "websocket.disconnect":
            return None
        data = message.get("bytes")
        return data if data is not None else message.get("text", "")

    async def hello(self) -> bool:
        """Authenticate within the hello deadline; False closes the session."""
        conn = self.conn
        try:
            async with asyncio.timeout(self.settings.hello_timeout_s):
                data = await self._receive()
        except TimeoutError:
            conn.close(CloseCode.UNAUTHENTICATED)
            return False
        if data is None:
            return False
        try:
            frame = decode_client(conn.codec, data)
            if not isinstance(frame, HelloFrame):
                raise ProtocolError(
                    ErrorCode.UNAUTHENTICATED,
                    "the first frame must be hello",
                    getattr(frame, "id", None),
                )
            user = await self.node.authenticate(frame.token)
        except ProtocolError as exc:
            conn.send(exc.to_map())
            conn.close(CloseCode.UNAUTHENTICATED)
            return False
        except Unauthenticated as exc:
            conn.send(error_map(ErrorCode.UNAUTHENTICATED, str(exc), frame.id))
            conn.close(CloseCode.UNAUTHENTICATED)
            return False
        metrics.frame_in("hello").inc()
        conn.user = user
        conn.token = frame.token
        # Registered with its circles before welcome: highlights from now on reach it.
        await self.node.connect(conn)
        conn.send(
            Welcome(
                id=frame.id,
                user=conn.user,
                session=secrets.token_urlsafe(12),
                heartbeat=self.settings.heartbeat_s,
                limits={
                    "frame_bytes": self.settings.frame_bytes,
                    "text_chars": self.settings.text_chars,
                },
            ).to_map()
        )
        return True

    async def run(self) -> None:
        conn = self.conn
        while not conn.closed:
            data = await self._receive()
            if data is None:
                return
            if not self.node.accepting:
                continue  # shutting down: bye is on its way
            frame_id: Any = None
            try:
                frame = decode_client(conn.codec, data)
                frame_id = frame.id
                metrics.frame_in(type(frame).__name__.lower()).inc()
                await HANDLERS[type(frame)](self, frame)
            except ProtocolError as exc:
                metrics.frame_in("bad").inc()
                conn.send(exc.to_map())
                if self.bad_frames.add() > self.settings.bad_frames_max:
                    conn.close(CloseCode.POLICY)
            except StoreError as exc:
                conn.send(store_error(exc, frame_id))
            except Exception:
                log.exception("frame from %s failed", conn.user_id)
                conn.send(error_map(ErrorCode.INTERNAL, "internal error", frame_id))

    # -- one handler per request ---------------------------------------------

    async def on_join(self, f: Join) -> None:
        await self.node.join(self.conn, f.circle, f.since, f.id)

    async def on_leave(self, f: Leave) -> None:
        await self.node.leave(self.conn, f.circle)
        self.conn.send(Ok(id=f.id).to_map())

    async def on_say(self, f: Say) -> None:
        if len(f.text) > self.settings.text_chars:
            raise ProtocolError(
                ErrorCode.TOO_BIG,
                f"text is longer than {self.settings.text_chars} characters",
                f.id,
            )
        if not f.text.strip():
            raise ProtocolError(ErrorCode.BAD_FRAME, "text is empty", f.id)
        if not self.node.say_limiter.allow(self.conn.user_id):
            raise ProtocolError(ErrorCode.RATE_LIMITED, "slow down: too many messages", f.id)
        member = await self._member(f.circle)
        # Says are pipelined so that one client's burst shares group commits:
        # queued now, in order, and answered from a callback after the commit.
        if len(self.pending_says) >= self.settings.says_in_flight:
            await asyncio.wait(self.pending_says, return_when=asyncio.FIRST_COMPLETED)
        future = self.node.store.chat.enqueue(
            f.circle, self.conn.user_id, member.name, f.text, f.nonce, f.reply_to
        )
        self.pending_says.add(future)
        self.node.says_in_flight.add(future)
        future.add_done_callback(functools.partial(self._acked, f))

    def _acked(self, f: Say, future: asyncio.Future[Outcome]) -> None:
        self.pending_says.discard(future)
        self.node.says_in_flight.discard(future)
        if future.cancelled():
            return
        exc = future.exception()
        if exc is None:
            message, _ = future.result()
            self.conn.send(Ok(id=f.id, extra={"seq": message["seq"], "ts": message["ts"]}).to_map())
        elif isinstance(exc, StoreError):
            self.conn.send(store_error(exc, f.id))
        else:
            log.error("say from %s failed", self.conn.user_id, exc_info=exc)
            self.conn.send(error_map(ErrorCode.INTERNAL, "internal error", f.id))

    async def on_history(self, f: History) -> None:
        member = await self._member(f.circle)
        info = await self.node.store.circles.get(f.circle, self.conn.user_id)
        floor = 0 if info["history_for_new_members"] else member.joined_seq
        limit = f.limit or self.settings.history_default
        messages, more = await self.node.store.chat.history(
            f.circle, before=f.before, limit=min(limit, self.settings.history_max), min_seq=floor
        )
        self.conn.send(
            HistoryReply(id=f.id, circle=f.circle, messages=messages, more=more).to_map()
        )

    async def on_star(self, f: Star) -> None:
        await self._member(f.circle)
        stars, post, promoted_now = await self.node.store.posts.star(
            f.circle, f.seq, self.conn.user_id
        )
        self.conn.send(Ok(id=f.id, extra={"stars": stars, "post": post}).to_map())
        if promoted_now and post is not None:
            self.node.publish_highlight("promoted", post)

    async def on_unstar(self, f: Unstar) -> None:
        await self._member(f.circle)
        stars = await self.node.store.chat.unstar(f.circle, f.seq, self.conn.user_id)
        self.conn.send(Ok(id=f.id, extra={"stars": stars}).to_map())

    async def on_read(self, f: Read) -> None:
        await self._member(f.circle)
        await self.node.store.chat.mark_read(f.circle, self.conn.user_id, f.seq)

    async def on_ping(self, f: Ping) -> None:
        self.conn.send(Pong(id=f.id).to_map())

    async def _member(self, circle: str) -> Any:
        member = await self.node.membership(self.conn, circle)
        if member is None:
            raise Forbidden("not a member of this circle")
        return member


def store_error(exc: StoreError, frame_id: Any) -> dict[str, Any]:
    """A domain error as an `error` frame; /ws has no bad_request, only bad_frame."""
    code = ErrorCode.BAD_FRAME if exc.code == ErrorCode.BAD_REQUEST else exc.code
    return error_map(code, exc.message, frame_id)


# One table for every session (not a dict of bound methods per connection).
HANDLERS: dict[type, Callable[[Session, Any], Awaitable[None]]] = {
    Join: Session.on_join,
    Leave: Session.on_leave,
    Say: Session.on_say,
    History: Session.on_history,
    Star: Session.on_star,
    Unstar: Session.on_unstar,
    Read: Session.on_read,
    Ping: Session.on_ping,
}
