"""`/ws` straight on the socket: the WebSocket protocol uvicorn switches to on
an upgrade when Quanzi runs as `python -m server`.

uvicorn parses the HTTP request and hands the transport over; from there the
`websockets` library's Sans-I/O `ServerProtocol` does the handshake and the
framing, and this class moves bytes between it, the socket and the session.
Nothing waits per connection: frames are answered as they arrive (or by the
session's inbox task while the store is busy), replies are written at once
while the socket takes them, and a connection at rest is a few objects and no
task — which is what lets one process hold tens of thousands. Any other ASGI
server (and the in-process test client) uses `asgi_websocket.py` instead.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from typing import TYPE_CHECKING, Any

from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol

from protocol import CloseCode, UnsupportedSubprotocol, choose_subprotocol, codec_for

from .admission import Ticket
from .connection import Connection, Wire
from .origins import ORIGIN_REFUSED
from .session import Session

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from .node import Node

log = logging.getLogger(__name__)
# websockets logs every closed connection at INFO: too chatty for a server log.
_protocol_log = logging.getLogger(f"{__name__}.protocol")
_protocol_log.setLevel(logging.WARNING)

WS_PATH = "/ws"
# A peer that does not answer our close frame within this long is dropped.
CLOSE_TIMEOUT_S = 10.0


class WebSocketProtocol(asyncio.Protocol):
    """One WebSocket connection, from the upgrade to the TCP close."""

    app: Starlette  # set by `for_app`

    __slots__ = (
        "_connections",
        "ws",
        "transport",
        "conn",
        "session",
        "_paused",
        "_fragments",
        "_fragments_binary",
        "_heard",
        "_pinged",
        "_close_timer",
        "ticket",
    )

    @classmethod
    def for_app(cls, app: Starlette) -> type[WebSocketProtocol]:
        """The class to give uvicorn as `ws=`: it reaches the node through the app."""
        return type(cls.__name__, (cls,), {"app": app, "__slots__": ()})

    def __init__(
        self, config: Any, server_state: Any, app_state: Any = None, _loop: Any = None
    ) -> None:
        # uvicorn's signature; its server state keeps the connections it shuts down.
        self._connections: set[Any] = server_state.connections
        settings = self.app.state.settings
        self.ws = ServerProtocol(max_size=settings.frame_bytes, logger=_protocol_log)
        self.transport: asyncio.Transport | None = None
        self.conn: Connection | None = None
        self.session: Session | None = None
        self._paused = False
        self._fragments: list[bytes] = []
        self._fragments_binary = False
        self._heard = True
        self._pinged = False
        self._close_timer: asyncio.TimerHandle | None = None
        # This connection's place in the node's caps, handed over at the upgrade
        # by http_protocol.py and given back when the socket closes.
        self.ticket: Ticket | None = None

    # -- asyncio.Protocol --------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self._connections.add(self)

    def data_received(self, data: bytes) -> None:
        ws = self.ws
        ws.receive_data(data)
        self._heard = True
        for event in ws.events_received():
            if isinstance(event, Frame):
                self._frame(event)
            elif isinstance(event, Request):
                self._handshake(event)
        if ws.parser_exc is not None or ws.close_rcvd is not None:
            # A broken frame, an oversized one (1009) or the peer's close: the
            # protocol wrote its close frame; the TCP connection ends here.
            self._write_pending()
            self._close_transport()
        elif ws.writes:
            self._write_pending()  # pongs

    def connection_lost(self, exc: Exception | None) -> None:
        self._connections.discard(self)
        if self.ticket is not None:
            self.ticket.release()
            self.ticket = None
        if self._close_timer is not None:
            self._close_timer.cancel()
            self._close_timer = None
        if self.conn is not None:
            self.conn.lost()
        if self.session is not None:
            self.session.end()

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        if self.conn is not None:
            self.conn.flush()

    def shutdown(self) -> None:
        """uvicorn's shutdown: the node has said bye already; close what is left."""
        if self.conn is not None and self.conn.open:
            self.conn.close(CloseCode.RESTART)
        self._close_transport()

    # -- Link (for the connection) -------------------------------------------------

    @property
    def writable(self) -> bool:
        return not self._paused and self.ws.state is State.OPEN

    def write(self, data: Wire) -> None:
        # `writable` checked the protocol is OPEN: a data frame needs nothing
        # else from it, so it is framed here, once per fan-out (see `_framed`).
        assert self.transport is not None and self.conn is not None
        self.transport.write(_framed(data, self.conn.codec.binary))

    def wake(self) -> None:
        pass  # resume_writing flushes the connection's queue

    def close(self, code: int) -> None:
        ws = self.ws
        if ws.state is State.OPEN:
            ws.send_close(code)
            self._write_pending()
        if self.conn is not None:
            self.conn.lost()
        if self._close_timer is None and self.transport is not None:
            loop = asyncio.get_running_loop()
            self._close_timer = loop.call_later(CLOSE_TIMEOUT_S, self.abort)

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    def pause_reading(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()

    def keepalive(self) -> None:
        """Every ping interval: anything heard since the last one is proof of
        life; otherwise ping, and drop a peer that stayed silent a whole
        interval after a ping."""
        if self._heard:
            self._heard = self._pinged = False
        elif self._pinged:
            log.info("dropping %s: no answer to a ping", self.conn and self.conn.user_id)
            self.ws.fail(1011, "keepalive ping timeout")
            self._write_pending()
            self.abort()
        elif self.ws.state is State.OPEN:
            self.ws.send_ping(b"")
            self._write_pending()
            self._pinged = True

    # -- inside ---------------------------------------------------------------------

    def _write_pending(self) -> None:
        transport = self.transport
        for chunk in self.ws.data_to_send():
            if chunk and transport is not None and not transport.is_closing():
                transport.write(chunk)

    def _close_transport(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def _frame(self, frame: Frame) -> None:
        opcode = frame.opcode
        if opcode is Opcode.BINARY or opcode is Opcode.TEXT:
            if not frame.fin:
                self._fragments = [bytes(frame.data)]
                self._fragments_binary = opcode is Opcode.BINARY
                return
            self._message(frame.data, opcode is Opcode.BINARY)
        elif opcode is Opcode.CONT:
            self._fragments.append(bytes(frame.data))
            if frame.fin:
                data, self._fragments = b"".join(self._fragments), []
                self._message(data, self._fragments_binary)
        # PING is answered by the protocol, PONG only proves life (`_heard`),
        # CLOSE ends the connection in data_received.

    def _message(self, data: Any, binary: bool) -> None:
        session = self.session
        if session is None:
            return
        if binary:
            session.received(bytes(data))
            return
        try:
            text = bytes(data).decode()
        except UnicodeDecodeError:
            self.ws.fail(1007, "invalid UTF-8")
            self._write_pending()
            self._close_transport()
            return
        session.received(text)

    def _handshake(self, request: Request) -> None:
        ws = self.ws
        node: Node | None = getattr(self.app.state, "node", None)
        subprotocol: str | None = None
        if request.path.partition("?")[0] != WS_PATH:
            response = ws.reject(404, "Not Found\n")
        elif node is None or not node.accepting:
            response = ws.reject(503, "The server is restarting: try again.\n")
        elif not self.app.state.origins.allows(
            request.headers.get("Origin"),
            (*request.headers.get_all("Host"), *request.headers.get_all("X-Forwarded-Host")),
        ):
            response = ws.reject(403, ORIGIN_REFUSED)
        else:
            offered = [
                token.strip()
                for header in request.headers.get_all("Sec-WebSocket-Protocol")
                for token in header.split(",")
            ]
            try:
                subprotocol = choose_subprotocol(offered)
                response = ws.accept(request)
            except UnsupportedSubprotocol:
                response = ws.reject(403, "Unsupported subprotocol.\n")
        if response.status_code != 101 or node is None:
            ws.send_response(response)
            self._write_pending()
            self._close_transport()
            return
        if subprotocol is not None:
            response.headers["Sec-WebSocket-Protocol"] = subprotocol
        ws.send_response(response)
        self._write_pending()
        self.conn = Connection(self, codec_for(subprotocol), node.settings.send_queue_frames)
        self.session = Session(node, self.conn)


# The last frame built, by payload: a fan-out hands the same payload object to
# every connection, so it is framed once. The entry holds the payload itself,
# so identity can't be mistaken for a new object at a recycled address.
_last_framed: tuple[bytes, bool, bytes] = (b"", False, b"")


def _framed(payload: bytes, binary: bool) -> bytes:
    """A server-to-client data frame (RFC 6455 5.2: FIN, no mask, no extension)."""
    global _last_framed
    last_payload, last_binary, frame = _last_framed
    if payload is last_payload and binary is last_binary:
        return frame
    first = 0x82 if binary else 0x81
    size = len(payload)
    if size < 126:
        head = bytes((first, size))
    elif size < 65536:
        head = struct.pack("!BBH", first, 126, size)
    else:
        head = struct.pack("!BBQ", first, 127, size)
    frame = head + payload
    _last_framed = (payload, binary, frame)
    return frame
