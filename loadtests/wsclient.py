"""A lean WebSocket client on a bare asyncio.Protocol, for receiving many small frames cheaply.

Why not `websockets.asyncio.client` for everything: measured on the 2-core bench
machine it costs about 22 µs of generator CPU per received frame, so one
generator core tops out near 45,000 deliveries/s — the very load the fan-out
goal asks for, and the generator would become the bottleneck. This client
parses all frames of one `data_received` chunk in a tight loop and hands each
payload to a callback with the chunk's arrival time; it does the RFC 6455
handshake, masking, ping/pong, close and fragmentation, and nothing else
(no extensions: compression is never offered). `--client websockets` switches
the harness back to the library, to cross-check this one.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
import socket
import struct
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

try:
    from websockets.speedups import apply_mask as _apply_mask  # C, shipped with websockets
except ImportError:  # pragma: no cover - pure-Python fallback

    def _apply_mask(data: bytes | bytearray | memoryview, mask: bytes | bytearray) -> bytes:
        n = len(data)
        key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
        return (int.from_bytes(data, "big") ^ key).to_bytes(n, "big")


_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10
ABNORMAL = 1006

# on_message(payload, is_text, arrival_ns); on_close(code, reason)
MessageHandler = Callable[[bytes, bool, int], None]
CloseHandler = Callable[[int, str], None]


class HandshakeError(ConnectionError):
    def __init__(self, status: int, detail: str = "") -> None:
        super().__init__(f"WebSocket upgrade refused: HTTP {status} {detail}".strip())
        self.status = status


def _frame(opcode: int, payload: bytes) -> bytes:
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    return head + mask + _apply_mask(payload, mask)


class LeanWebSocket(asyncio.Protocol):
    """One client connection. Create with `open_lean`."""

    def __init__(
        self,
        host: str,
        path: str,
        subprotocol: str | None,
        on_message: MessageHandler,
        on_close: CloseHandler,
    ) -> None:
        self._host, self._path, self._offer = host, path, subprotocol
        self._on_message, self._on_close = on_message, on_close
        self._key = base64.b64encode(os.urandom(16))
        self._buf = bytearray()
        self._upgraded = False
        self._fragments: list[bytes] = []
        self._fragment_text = False
        self._close_sent = False
        self._closed_code: int | None = None
        self._reason = ""
        self.transport: Any = None  # asyncio's or uvloop's transport (not a common subclass)
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.subprotocol: str | None = None

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        lines = [
            f"GET {self._path} HTTP/1.1",
            f"Host: {self._host}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {self._key.decode()}",
            "Sec-WebSocket-Version: 13",
        ]
        if self._offer:
            lines.append(f"Sec-WebSocket-Protocol: {self._offer}")
        self.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())

    def data_received(self, data: bytes) -> None:
        now = time.time_ns()
        if self._buf or not self._upgraded:
            self._buf += data
            buf: bytes | bytearray = self._buf
            if not self._upgraded and not self._handshake():
                return
        else:
            buf = data  # the common case: whole frames in one chunk, no copy
        pos, end = 0, len(buf)
        while end - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            n, head = b1 & 0x7F, 2
            if n == 126:
                if end - pos < 4:
                    break
                n, head = (buf[pos + 2] << 8) | buf[pos + 3], 4
            elif n == 127:
                if end - pos < 10:
                    break
                n, head = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            masked = b1 & 0x80
            if masked:
                head += 4
            if end - pos < head + n:
                break
            payload = bytes(buf[pos + head : pos + head + n])
            if masked:  # servers must not mask, but tolerate it
                payload = _apply_mask(payload, bytes(buf[pos + head - 4 : pos + head]))
            pos += head + n
            opcode = b0 & 0x0F
            if opcode in (OP_BINARY, OP_TEXT):
                if b0 & 0x80:
                    self._on_message(payload, opcode == OP_TEXT, now)
                else:
                    self._fragments, self._fragment_text = [payload], opcode == OP_TEXT
            elif opcode == OP_CONT:
                self._fragments.append(payload)
                if b0 & 0x80:
                    whole = b"".join(self._fragments)
                    self._fragments = []
                    self._on_message(whole, self._fragment_text, now)
            else:
                self._control(opcode, payload)
        if buf is self._buf:
            if pos:
                del self._buf[:pos]
        elif pos < end:
            self._buf += buf[pos:]

    def connection_lost(self, exc: Exception | None) -> None:
        code = self._closed_code if self._closed_code is not None else ABNORMAL
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during the handshake"))
        if not self.closed.done():
            self.closed.set_result(code)
            self._on_close(code, self._reason)

    # -- the API
    def send(self, payload: bytes, text: bool = False) -> None:
        if self.transport is not None and not self._close_sent and not self.transport.is_closing():
            self.transport.write(_frame(OP_TEXT if text else OP_BINARY, payload))

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Start the closing handshake; the server's close frame (or a timeout) ends it."""
        if self.transport is None or self.transport.is_closing():
            return
        if not self._close_sent:
            self._close_sent = True
            self.transport.write(_frame(OP_CLOSE, struct.pack("!H", code) + reason.encode()[:120]))
        asyncio.get_running_loop().call_later(2.0, self.abort)

    def abort(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()

    @property
    def is_open(self) -> bool:
        return self._upgraded and self._closed_code is None and not self.closed.done()

    # -- internals
    def _handshake(self) -> bool:
        buf = self._buf
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            if len(buf) > 16384:
                self._fail(HandshakeError(0, "no end of headers"))
            return False
        head = bytes(buf[:end]).decode("latin-1").split("\r\n")
        del buf[: end + 4]
        parts = head[0].split(" ", 2)
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        headers = {}
        for line in head[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        if status != 101:
            self._fail(HandshakeError(status, parts[2] if len(parts) > 2 else ""))
            return False
        accept = base64.b64encode(hashlib.sha1(self._key + _GUID).digest()).decode()
        if headers.get("sec-websocket-accept") != accept:
            self._fail(HandshakeError(status, "bad Sec-WebSocket-Accept"))
            return False
        self.subprotocol = headers.get("sec-websocket-protocol") or None
        self._upgraded = True
        if not self.opened.done():
            self.opened.set_result(None)
        return True

    def _fail(self, exc: Exception) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc)
        self.abort()

    def _control(self, opcode: int, payload: bytes) -> None:
        assert self.transport is not None
        if opcode == OP_PING:
            if not self._close_sent:
                self.transport.write(_frame(OP_PONG, payload))
        elif opcode == OP_CLOSE:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            self._closed_code = code
            self._reason = payload[2:].decode("utf-8", "replace")
            if not self._close_sent:
                self._close_sent = True
                self.transport.write(_frame(OP_CLOSE, payload[:2]))
            # The server closes TCP after the handshake; don't wait for it forever.
            asyncio.get_running_loop().call_later(1.0, self.abort)


async def open_lean(
    url: str,
    subprotocol: str | None,
    on_message: MessageHandler,
    on_close: CloseHandler,
    wait_s: float = 30.0,
    source: str | None = None,
) -> LeanWebSocket:
    """Connect (from the `source` address when given) and upgrade; raises
    HandshakeError, OSError or TimeoutError."""
    parts = urlsplit(url)
    if parts.scheme != "ws":
        raise ValueError(f"only ws:// URLs are supported by the lean client: {url}")
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    loop = asyncio.get_running_loop()
    proto = LeanWebSocket(f"{host}:{port}", path, subprotocol, on_message, on_close)
    try:
        async with asyncio.timeout(wait_s):
            if source is None:
                await loop.create_connection(lambda: proto, host, port)
            else:
                sock = await connect_from(source, host, port)
                await loop.create_connection(lambda: proto, sock=sock)
            await proto.opened
    except BaseException:
        proto.abort()
        raise
    return proto


# Linux: bind() picks no port; connect() does, per (source, destination), so one
# source address may reach several nodes with its whole port range each.
IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)


async def connect_from(source: str, host: str, port: int) -> socket.socket:
    """A TCP socket connected to host:port from the local address `source`."""
    sock = socket.socket(socket.AF_INET6 if ":" in source else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
        sock.bind((source, 0))
        await asyncio.get_running_loop().sock_connect(sock, (host, port))
    except BaseException:
        sock.close()
        raise
    return sock


class LibraryWebSocket:
    """The same interface over `websockets.asyncio.client` (`--client websockets`)."""

    def __init__(self, ws: object, on_message: MessageHandler, on_close: CloseHandler) -> None:
        from websockets.asyncio.client import ClientConnection

        assert isinstance(ws, ClientConnection)
        self._ws = ws
        self.subprotocol: str | None = ws.subprotocol
        self.closed: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._on_message, self._on_close = on_message, on_close
        self._reader = asyncio.create_task(self._read())
        self._pending: set[asyncio.Task[None]] = set()

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for data in self._ws:
                if isinstance(data, str):
                    self._on_message(data.encode(), True, time.time_ns())
                else:
                    self._on_message(data, False, time.time_ns())
        except ConnectionClosed:
            pass
        finally:
            code = self._ws.close_code or ABNORMAL
            reason = self._ws.close_reason or ""
            if not self.closed.done():
                self.closed.set_result(code)
                self._on_close(code, reason)

    def send(self, payload: bytes, text: bool = False) -> None:
        task = asyncio.ensure_future(self._ws.send(payload, text=text))
        self._pending.add(task)
        task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._pending.discard(task)
        if not task.cancelled():
            task.exception()  # a send on a closing connection: the reader reports the close

    def close(self, code: int = 1000, reason: str = "") -> None:
        task = asyncio.ensure_future(self._ws.close(code, reason))
        self._pending.add(task)
        task.add_done_callback(self._sent)

    def abort(self) -> None:
        self._ws.transport.abort()

    @property
    def is_open(self) -> bool:
        from websockets.protocol import State

        return self._ws.state is State.OPEN


async def open_library(
    url: str,
    subprotocol: str | None,
    on_message: MessageHandler,
    on_close: CloseHandler,
    wait_s: float = 30.0,
    source: str | None = None,
) -> LibraryWebSocket:
    from websockets.asyncio.client import connect
    from websockets.typing import Subprotocol

    ws = await connect(
        url,
        subprotocols=[Subprotocol(subprotocol)] if subprotocol else None,
        compression=None,
        max_size=None,
        max_queue=None,
        open_timeout=wait_s,
        ping_interval=None,
        **({} if source is None else {"local_addr": (source, 0)}),  # type: ignore[arg-type]
    )
    return LibraryWebSocket(ws, on_message, on_close)
