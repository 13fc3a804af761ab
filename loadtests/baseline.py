"""The Python floor: a minimal relay on the plain `websockets` library.

No auth, no storage, no rate limits: `hello` with any token gets `welcome`,
`join` adds the connection to a circle, `say` takes the circle's next seq from
an in-memory counter, answers `ok` and broadcasts one `msg` to every joined
connection (encoded once per codec). That is just enough of the protocol for
the fanout, rooms and idle scenarios, and the least any Python server must
spend per delivery, per connection and per connect: Quanzi's figures are read
as ratios to it.

HTTP: `GET /healthz` answers `{"status":"ok","server":"quanzi-baseline"}` (the
harness sees it and skips the HTTP setup) and `GET /metrics` gives the two
process gauges the harness reads. The WebSocket upgrade is served on any path.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from protocol import SUBPROTOCOLS, Codec, codec_for

from .proc import ProcessSampler, raise_nofile_limit

SERVER_NAME = "quanzi-baseline"
FRAME_BYTES = 65536


class Relay:
    """Circles of joined connections and their seq counters."""

    def __init__(self) -> None:
        self.members: dict[str, set[ServerConnection]] = {}
        self.last_seq: dict[str, int] = {}
        self.connections = 0
        self.deliveries = 0
        self.sampler = ProcessSampler(os.getpid())

    def select_subprotocol(
        self, conn: ServerConnection, offered: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        for name in offered:
            if name in SUBPROTOCOLS:
                return name
        return None

    def process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        if path == "/healthz":
            return _response(
                200, "application/json", json.dumps({"status": "ok", "server": SERVER_NAME})
            )
        if path == "/metrics":
            return _response(200, "text/plain; version=0.0.4", self.metrics_text())
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return _response(
                404,
                "application/json",
                json.dumps({"error": {"code": "not_found", "message": path}}),
            )
        return None

    def metrics_text(self) -> str:
        cpu, rss = self.sampler.sample()
        return (
            f"process_cpu_seconds_total {cpu}\n"
            f"process_resident_memory_bytes {rss}\n"
            f"quanzi_connections {self.connections}\n"
            f"quanzi_deliveries_total {self.deliveries}\n"
        )

    async def handle(self, conn: ServerConnection) -> None:
        codec = codec_for(conn.subprotocol)
        joined: set[str] = set()
        self.connections += 1
        try:
            first = await asyncio.wait_for(conn.recv(), 10)
            hello = codec.decode(first)
            if hello.get("t") != "hello":
                await conn.close(4001, "hello first")
                return
            user = str(hello.get("token") or "anonymous")
            await self._send(
                conn,
                codec,
                {
                    "t": "welcome",
                    "id": hello.get("id"),
                    "user": {"id": user, "name": user},
                    "session": str(id(conn)),
                    "heartbeat": 25,
                    "limits": {"frame_bytes": FRAME_BYTES, "text_chars": 4000},
                },
            )
            async for data in conn:
                await self._on_frame(conn, codec, codec.decode(data), joined, user)
        except (ConnectionClosed, TimeoutError):
            pass
        except Exception as exc:  # a bad frame: the floor does not validate, it just drops
            await conn.close(4008, type(exc).__name__)
        finally:
            self.connections -= 1
            for circle in joined:
                self.members.get(circle, set()).discard(conn)

    async def _on_frame(
        self,
        conn: ServerConnection,
        codec: Codec,
        frame: dict[str, Any],
        joined: set[str],
        user: str,
    ) -> None:
        t, rid = frame.get("t"), frame.get("id")
        if t == "say":
            circle = str(frame["circle"])
            seq = self.last_seq.get(circle, 0) + 1
            self.last_seq[circle] = seq
            ts = time.time_ns() // 1_000_000
            await self._send(conn, codec, {"t": "ok", "id": rid, "seq": seq, "ts": ts})
            self._broadcast(
                circle,
                {
                    "t": "msg",
                    "circle": circle,
                    "seq": seq,
                    "ts": ts,
                    "from": {"id": user, "name": user},
                    "text": frame.get("text", ""),
                    "nonce": frame.get("nonce"),
                },
            )
        elif t == "join":
            circle = str(frame["circle"])
            self.members.setdefault(circle, set()).add(conn)
            joined.add(circle)
            await self._send(
                conn,
                codec,
                {
                    "t": "joined",
                    "id": rid,
                    "circle": circle,
                    "last_seq": self.last_seq.get(circle, 0),
                    "online": len(self.members[circle]),
                },
            )
        elif t == "leave":
            circle = str(frame.get("circle"))
            self.members.get(circle, set()).discard(conn)
            joined.discard(circle)
            await self._send(conn, codec, {"t": "ok", "id": rid})
        elif t == "ping":
            await self._send(conn, codec, {"t": "pong", "id": rid})
        else:
            await self._send(
                conn,
                codec,
                {
                    "t": "error",
                    "id": rid,
                    "code": "unknown_type",
                    "message": f"the baseline does not do {t!r}",
                },
            )

    def _broadcast(self, circle: str, m: dict[str, Any]) -> None:
        members = self.members.get(circle)
        if not members:
            return
        by_codec: dict[str, list[ServerConnection]] = {}
        for c in members:
            by_codec.setdefault(c.subprotocol or "", []).append(c)
        for sub, conns in by_codec.items():
            codec = codec_for(sub or None)
            data = codec.encode(m)
            # One encoding per codec, the same bytes to every member.
            broadcast(conns, data, text=not codec.binary)
            self.deliveries += len(conns)

    @staticmethod
    async def _send(conn: ServerConnection, codec: Codec, m: dict[str, Any]) -> None:
        data = codec.encode(m)
        await conn.send(data, text=not codec.binary)


def _response(status: int, content_type: str, body: str) -> Response:
    raw = body.encode()
    headers = Headers(
        [("Content-Type", content_type), ("Content-Length", str(len(raw))), ("Connection", "close")]
    )
    return Response(status, HTTPStatus(status).phrase, headers, raw)


async def serve_relay(host: str, port: int, ready: asyncio.Event | None = None) -> None:
    relay = Relay()
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.cancel)
    async with serve(
        relay.handle,
        host,
        port,
        subprotocols=[Subprotocol(s) for s in SUBPROTOCOLS],
        select_subprotocol=relay.select_subprotocol,
        process_request=relay.process_request,
        compression=None,
        max_size=FRAME_BYTES,
        ping_interval=30,
        ping_timeout=30,
        max_queue=None,
        backlog=4096,
    ):
        print(f"{SERVER_NAME} on ws://{host}:{port}/ws (pid {os.getpid()})", flush=True)
        if ready is not None:
            ready.set()
        with contextlib.suppress(asyncio.CancelledError):
            await stop


def main(host: str, port: int) -> None:
    raise_nofile_limit()
    try:
        import uvloop  # the server under test runs on uvloop too: same event loop for both

        uvloop.run(serve_relay(host, port))
    except ImportError:
        asyncio.run(serve_relay(host, port))
