"""HTTP/1.1 as uvicorn parses it (httptools), with what the open internet needs
before a request reaches the app: a deadline and size limits for the request
head, and the connection caps of `admission.py`.

uvicorn (0.54, httptools) has none of these: a connection that sends nothing,
or a head a line at a time, is kept for ever (its keep-alive timer starts only
after a first response); a head of any size or field count is parsed, and an
unfinished one is held in memory while it grows. Its own knobs do not reach
there: `timeout_keep_alive` runs only between requests and any byte stops it,
`limit_concurrency` answers 503 only once a whole head has been parsed, and
`h11_max_incomplete_event_size` belongs to the h11 parser, which uvicorn picks
only when httptools is missing (uvicorn[standard] brings it).

The WebSocket upgrade is an ordinary request head until it is complete, so the
same deadline bounds a half-sent handshake; after it, `hello` has its own
deadline (4001).

- Deadline: ``head_timeout_s`` from the connection (or from the first byte of a
  later request on a keep-alive connection) to the end of the head; past it the
  connection gets 408 and is closed.
- Size: the request line and header fields of a complete head count exactly;
  an unfinished head counts every byte that arrived after the chunk it began
  in, so a half-sent head holds at most ``head_bytes`` and one read. Past
  ``head_bytes``, or past ``head_fields`` fields: 431, closed.
- Caps: at connection (the node, and the peer's address) and when the head
  arrives (the client behind a trusted proxy); refused with 503 or 429, closed.

The request body is not bounded here (the app reads it; a proxy in front
bounds it), and on a keep-alive connection the deadline of a pipelined
request's head runs while the request before it is answered.
"""

from __future__ import annotations

import asyncio
import http
import logging
from typing import TYPE_CHECKING, Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from . import metrics
from .admission import Refusal, Ticket

if TYPE_CHECKING:
    from starlette.applications import Starlette

log = logging.getLogger(__name__)

HEAD_TOO_BIG = Refusal(431, "head_too_big", "The request's headers are too large.\n")
HEAD_TOO_MANY = Refusal(431, "head_fields", "The request has too many header fields.\n")
HEAD_LATE = Refusal(408, "head_timeout", "The request's headers took too long.\n")


# After a 431 the client is usually still sending its head: closing at once with
# that unread would reset the connection, and the client would see the reset
# instead of the status. So the server stops writing, reads and drops up to this
# much for up to this long, then closes (a lingering close, as nginx does).
LINGER_BYTES = 1 << 20
LINGER_S = 2.0


class _Refused(Exception):
    """Raised from a parser callback to stop parsing; `_refusal` says why."""


class HttpProtocol(HttpToolsProtocol):
    """One HTTP connection, until it closes or is upgraded to `/ws`."""

    # Set by `for_app`; not `app`, which uvicorn's class sets to the ASGI stack.
    quanzi: Starlette

    @classmethod
    def for_app(cls, app: Starlette) -> type[HttpProtocol]:
        """The class to give uvicorn as `http=`: it reaches settings and node through the app."""
        return type(cls.__name__, (cls,), {"quanzi": app})

    def __init__(self, config: Any, server_state: Any, app_state: Any, _loop: Any = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        settings = self.quanzi.state.settings
        self.head_timeout_s: float = settings.head_timeout_s
        self.head_bytes: int = settings.head_bytes
        self.head_fields: int = settings.head_fields
        self.ticket: Ticket | None = None
        self._client_header = b""
        self._deadline: asyncio.TimerHandle | None = None
        self._in_head = False
        self._head_size = 0  # request line and complete fields of this head
        self._head_raw = 0  # bytes of later chunks while it is unfinished
        self._fields = 0
        self._forwarded: list[bytes] = []
        self._refusal: Refusal | None = None
        self._lingering = -1  # bytes still dropped after a refusal; -1: not refused

    # -- asyncio.Protocol --------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        node = getattr(self.quanzi.state, "node", None)
        if node is not None:
            admission = node.admission
            admitted = admission.connect(self.client[0] if self.client else None)
            if isinstance(admitted, Refusal):
                self._refuse(admitted)
                return
            self.ticket = admitted
            self._client_header = admission.client_header
        self._head_began()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        if self.ticket is not None:
            self.ticket.release()
            self.ticket = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering >= 0:
            self._lingering -= len(data)
            if self._lingering < 0:
                self.transport.abort()
            return
        if self.transport.is_closing():
            return
        if self._in_head:
            self._head_raw += len(data)
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError:
            if self._refusal is not None:
                self._refuse(self._refusal)
            else:
                self.logger.warning("Invalid HTTP request received.")
                self.send_400_response("Invalid HTTP request received.")
            return
        if self._in_head and self._head_raw > self.head_bytes:
            self._refuse(HEAD_TOO_BIG)

    def handle_websocket_upgrade(self) -> None:
        super().handle_websocket_upgrade()
        # The socket's protocol is /ws's now: it hands the ticket back when it closes.
        ticket, self.ticket = self.ticket, None
        if ticket is not None:
            protocol = self.transport.get_protocol()
            if hasattr(protocol, "ticket"):
                protocol.ticket = ticket
            else:
                ticket.release()

    # -- parser callbacks ----------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._in_head:  # a later request on a keep-alive connection
            self._head_began()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self._grew(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        self._fields += 1
        if self._fields > self.head_fields:
            raise self._stop(HEAD_TOO_MANY)
        self._grew(len(name) + len(value) + 4)
        ticket = self.ticket
        if ticket is not None and ticket.trusted_peer and name.lower() == self._client_header:
            self._forwarded.append(value)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._cancel_deadline()
        if self.ticket is not None:
            refusal = self.ticket.head_arrived(self._forwarded)
            if refusal is not None:
                raise self._stop(refusal)
        super().on_headers_complete()

    # -- inside ---------------------------------------------------------------------

    def _head_began(self) -> None:
        self._in_head = True
        self._head_size = self._head_raw = self._fields = 0
        self._forwarded = []
        self._cancel_deadline()
        self._deadline = self.loop.call_later(self.head_timeout_s, self._head_late)

    def _grew(self, size: int) -> None:
        self._head_size += size
        if self._head_size > self.head_bytes:
            raise self._stop(HEAD_TOO_BIG)

    def _stop(self, refusal: Refusal) -> _Refused:
        self._refusal = refusal
        return _Refused(refusal.reason)

    def _head_late(self) -> None:
        self._deadline = None
        metrics.refused(HEAD_LATE.reason)
        self._refuse(HEAD_LATE)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _refuse(self, refusal: Refusal) -> None:
        """Answer with the refusal's status and close (a 431 after a linger)."""
        self._refusal = refusal
        self._in_head = False
        self._cancel_deadline()
        if refusal in (HEAD_TOO_BIG, HEAD_TOO_MANY):
            metrics.refused(refusal.reason)
        transport = self.transport
        if transport.is_closing():
            return
        body = refusal.text.encode()
        phrase = http.HTTPStatus(refusal.status).phrase
        transport.write(
            f"HTTP/1.1 {refusal.status} {phrase}\r\n"
            "content-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\n"
            "connection: close\r\n\r\n".encode()
            + body
        )
        if refusal.status != 431 or not transport.can_write_eof():
            transport.close()  # nothing unread, or a flood: not worth a linger
            return
        transport.write_eof()
        self._lingering = LINGER_BYTES
        self._deadline = self.loop.call_later(LINGER_S, transport.abort)
